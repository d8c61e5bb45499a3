"""One refresh path (#17 items 4 and 8), with real Dagster runs on a real DuckDB warehouse.

`sikkep refresh`, the nightly schedule and the drop sensor make the same decision (nothing changed since
the last publication: no run) and record their runs in Dagster's run storage only; `sikkep status` lists
the runs of every trigger with their outcome (a held-back run names its gate) and the rejected files;
what a publish killed during the exports swap left is reported, no refresh skips while it is there, and
the next run cleans it."""
from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.cli import main
from orchestration.definitions import defs
from orchestration.defs.automation.jobs import nightly_refresh, raw_drop_sensor
from orchestration.privacy import show_path
from orchestration.refresh import run_refresh
from orchestration.run_records import TAG_FINGERPRINT, TAG_TRIGGER
from orchestration.settings import get_settings
from orchestration.status import status_report
from orchestration.synth.generate import generate

pytestmark = pytest.mark.slow
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    base = tmp_path_factory.mktemp("refresh_path")
    mp = pytest.MonkeyPatch()
    mp.setenv("SIKKEP_RAW_DIR", str(base / "raw"))
    mp.setenv("SIKKEP_WAREHOUSE_DIR", str(base / "warehouse"))
    mp.setenv("DAGSTER_HOME", str(base / "dagster"))
    mp.setenv("SIKKEP_LOG_LEVEL", "WARNING")
    # The rules part of the fingerprint hashes the project's code: pinned here, so that an edit of the
    # checkout while this module runs (minutes) is not taken for a change of rules. The drop-zone part,
    # which these tests change, is computed for real.
    mp.setattr("orchestration.fingerprint.rules_digest", lambda contracts_dir=None: "rules-of-this-test")
    generate(households=300, seed=11, periods=1, out_dir=base / "raw")
    first = run_refresh(force=False)
    assert first.published, first.reason()
    state = {"base": base, "raw": base / "raw", "first": first.run_id, "sensor_cursor": None}
    yield state
    mp.undo()


@contextlib.contextmanager
def instance():
    with dg.DagsterInstance.get() as inst:
        yield inst


def all_runs() -> list[dg.DagsterRun]:
    with instance() as inst:
        return list(inst.get_runs())


def evaluate_schedule():
    with instance() as inst:
        return nightly_refresh(dg.build_schedule_context(instance=inst))


def evaluate_sensor(wh):
    with instance() as inst:
        ctx = dg.build_sensor_context(instance=inst, cursor=wh["sensor_cursor"])
        result = raw_drop_sensor(ctx)
        wh["sensor_cursor"] = ctx.cursor
        return result


def launch(tags: dict | None = None) -> str:
    """The refresh job as the daemon launches it: a new run with the request's tags (none from the UI)."""
    job = defs().resolve_job_def("refresh")
    with instance() as inst:
        return job.execute_in_process(instance=inst, raise_on_error=False, tags=tags or {}).run_id


def run_by_id(run_id: str) -> dg.DagsterRun:
    with instance() as inst:
        return inst.get_run_by_id(run_id)


def test_the_cli_run_is_recorded_in_dagsters_run_storage_only(wh):
    run = run_by_id(wh["first"])
    assert run.tags[TAG_TRIGGER] == "cli" and len(run.tags[TAG_FINGERPRINT]) == 32
    state_db = get_settings().state_db
    with duckdb.connect(str(state_db), read_only=True) as con:  # no run log of our own beside Dagster's
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    assert "run_history" not in tables


def test_nothing_changed_skips_in_the_cli_the_schedule_and_the_sensor(wh):
    before = len(all_runs())
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["refresh"]) == 0
    assert f"Nothing changed since the last publication (run {wh['first']})" in out.getvalue()
    tick = evaluate_schedule()
    assert isinstance(tick, dg.SkipReason) and "Nothing changed" in tick.skip_message, tick
    # the daemon's first look at a drop zone the publication already holds starts nothing either
    tick = evaluate_sensor(wh)
    assert isinstance(tick, dg.SkipReason) and "Nothing changed" in tick.skip_message, tick
    assert len(all_runs()) == before


KILLED_DURING_EXPORTS_SWAP = textwrap.dedent("""
    import os, pathlib, sys, time
    sys.path.insert(0, sys.argv[1])
    from orchestration.publish import publish
    from orchestration.settings import get_settings
    marker, real_replace = pathlib.Path(sys.argv[2]), os.replace
    def replace(src, dst, *args, **kwargs):
        real_replace(src, dst, *args, **kwargs)
        if str(dst).endswith(".public.old"):  # between the two renames of the exports swap
            marker.write_text("set aside")
            time.sleep(300)
    os.replace = replace
    s = get_settings()
    publish(s.build_db, s.published_dir, {"run_id": "killed", "gates": {}}, exports_dir=s.exports_dir)
""")


def test_a_publish_killed_during_the_exports_swap_is_reported_and_no_refresh_skips(wh, tmp_path):
    s = get_settings()
    marker = tmp_path / "marker"
    proc = subprocess.Popen([sys.executable, "-c", KILLED_DURING_EXPORTS_SWAP, str(PROJECT_ROOT), str(marker)])
    try:
        deadline = time.time() + 120
        while not marker.exists() and time.time() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert marker.exists(), "the publish never reached the exports swap"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert not (s.exports_dir / "public").exists()  # what the operator found: exports/public gone

    report = status_report(s)
    assert "WARNING: a publish was killed" in report["text"]
    assert "exports/public/ is missing" in report["text"]
    assert isinstance(evaluate_schedule(), dg.RunRequest)  # never skipped while leftovers are there


def test_a_drop_starts_a_sensor_run_and_status_shows_it_with_the_rejected_files(wh):
    period = sorted(p.name for p in (wh["raw"] / "pkh").iterdir())[-1]
    broken = f"pkh/{period}/pkh_revisi.xlsx"
    (wh["raw"] / broken).write_bytes(b"PK\x03\x04 this is no workbook")
    doubled = f"kur/{period}/kur_revisi.csv"  # NAMA_DEBITUR twice: refused, its two rows counted
    (wh["raw"] / doubled).write_text("NIK_DEBITUR;NAMA_DEBITUR;NAMA_DEBITUR;KECAMATAN\n"
                                     "1802214507890001;Budi;Budi;Anak Tuha\n1802214507890002;Ani;Ani;Anak Tuha\n")
    request = evaluate_sensor(wh)
    assert isinstance(request, dg.RunRequest), request
    assert request.tags[TAG_TRIGGER] == "sensor"
    wh["sensor"] = launch(request.tags)
    s = get_settings()
    # the run cleaned what the killed publish left (previous test), said so in its log and put it in status
    with instance() as inst:
        lines = [e.user_message for e in inst.all_logs(wh["sensor"])
                 if "Leftover of a killed publish" in (e.user_message or "")]
    assert any("put exports/public/ back" in line for line in lines), lines
    assert any("staged exports" in line for line in lines), lines
    assert not [p.name for p in s.exports_dir.iterdir() if p.name.startswith(".")]
    assert not [p.name for p in s.warehouse_dir.iterdir() if p.name.startswith(".exports")]
    meta = json.loads((s.exports_dir / "public" / "ind_poverty_by_area.json").read_text())
    assert meta["run_id"] == wh["sensor"]

    report = status_report(s)
    assert "WARNING: a publish was killed" not in report["text"]
    # beside the run that cleaned: every leftover it removed (the report's temp file too), the exports put back
    cleaned = [line for line in report["text"].splitlines() if "first cleaned what a killed publish left:" in line]
    assert len(cleaned) == 1 and "put exports/public/ back" in cleaned[0], report["text"]
    runs = {r["run_id"]: r for r in report["runs"]}
    assert runs[wh["sensor"]]["trigger"] == "sensor" and runs[wh["sensor"]]["outcome"] == "published"
    assert runs[wh["first"]]["trigger"] == "cli" and runs[wh["first"]]["outcome"] == "published"
    rejected = {f["path"]: f for f in report["rejected_files"]["files"]}
    assert set(rejected) == {show_path(broken), show_path(doubled)}, rejected
    assert rejected[show_path(broken)]["status"] == "error" and "workbook" in rejected[show_path(broken)]["reason"]
    assert f"{show_path(broken)}: file refused" in report["text"]
    held = rejected[show_path(doubled)]
    assert 2 in (held["rows_rejected"], held["rows_unread"]) and "duplicate_header_column" in held["reason"], held
    assert "1802214507890001" not in report["text"]
    assert f"sensor   run {wh['sensor']}: published" in report["text"]
    # the schedule compares with the newest publication, made by the sensor's run
    assert isinstance(evaluate_schedule(), dg.SkipReason)


def test_a_run_held_back_by_a_gate_is_shown_whoever_started_it(wh):
    bad = wh["raw"] / "pkh" / "2099-01" / "pkh.csv"  # PKH's newest delivery collapses to two rows
    bad.parent.mkdir(parents=True)
    bad.write_text("NIK_PENGURUS,NAMA_PENGURUS,KECAMATAN,DESA\n1802214507890001,Budi,Anak Tuha,Tanjung Ratu\n"
                   "1802214507890002,Ani,Anak Tuha,Tanjung Ratu\n")
    try:
        ui_run = launch()  # "Materialize all" in the UI: no tags of ours at launch
        assert TAG_FINGERPRINT in run_by_id(ui_run).tags  # the run recorded what it started from itself
        report = status_report(get_settings())
        newest = report["runs"][0]
        assert newest["run_id"] == ui_run and newest["trigger"] == "ui"
        assert newest["outcome"] == "held back by a gate" and not newest["published"]
        assert "stg_pkh" in newest["reason"] and "1802214507890001" not in report["text"]
        assert f"ui       run {ui_run}: held back by a gate" in report["text"]
        assert report["publication"]["run_id"] == wh["sensor"]  # the previous publication stays
        assert isinstance(evaluate_schedule(), dg.RunRequest)  # the drop zone differs from the publication
    finally:
        bad.unlink()
        bad.parent.rmdir()
    # the bad file taken back: the drop zone is the published one again, so nothing to do
    assert isinstance(evaluate_schedule(), dg.SkipReason)
