"""Publish from a real dbt-built build database; readers during publish; kill -9 mid-publish; kill -9 of
a whole `sikkep refresh` (the next refresh recovers the crashed run on its own) and a refresh stopped by
SIGINT/SIGTERM while it waits for the writer pool."""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.privacy import mask_text

import test_marts_build as marts  # same directory: the real marts/indicators build on hand-made inputs
from orchestration.publish import publish, read_status

pytestmark = pytest.mark.slow
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def info(run_id: str) -> dict:
    return {"run_id": run_id, "started_at": "2024-10-01T01:00:00",
            "extract_files": [{"path": "dtks/2024-09/dtks.csv", "sha256": "c" * 64, "period": "2024-09"}],
            "gates": {"staging": True, "marts": True, "indicators": True}}


@pytest.fixture(scope="module")
def real_build(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("publish_build")
    db = tmp / "build.duckdb"
    marts.create_inputs(db)
    project = marts.prepare_project(tmp)
    result = marts.run_dbt(project, db, "build", "--select", "marts", "indicators")
    assert result.returncode == 0, result.stdout[-4000:]
    return db


@pytest.fixture
def env(tmp_path, real_build):
    build = tmp_path / "build.duckdb"
    shutil.copy(real_build, build)
    return {"build": build, "published": tmp_path / "published", "exports": tmp_path / "exports"}


def test_publish_from_real_marts(env):
    paths = publish(env["build"], env["published"], info("r1"), exports_dir=env["exports"])
    con = duckdb.connect(str(paths["restricted"]), read_only=True)
    try:
        prio = con.execute("select household_id, kode_kecamatan, kode_wilayah, nama_kepala_keluarga, "
                           "nik_kepala_masked from priority_list order by 1").fetchall()
    finally:
        con.close()
    assert prio == [("H1", "18.02.21", marts.D_21_1, "SUPARMAN", "1802**********01"),
                    ("H4", "18.02.01", marts.D_01_1, "RUSDI", "1802**********07")]
    assert sorted(p.name for p in (env["exports"] / "restricted").glob("*.xlsx")) == [
        "priority_180201.xlsx", "priority_180221.xlsx"]
    # nothing personal anywhere in the public zone
    blob = []
    con = duckdb.connect(str(paths["public"]), read_only=True)
    try:
        for (t,) in con.execute("show tables").fetchall():
            blob += [str(v) for r in con.execute(f'select * from "{t}"').fetchall() for v in r if v is not None]
    finally:
        con.close()
    blob += [p.read_text() for p in (env["exports"] / "public").iterdir() if p.suffix in (".csv", ".json")]
    text = "\n".join(blob).upper()
    for nama, nik, *_ in marts.PEOPLE.values():
        assert nama not in text
        assert nik is None or nik not in text


def test_failed_export_holds_back_the_whole_publication(env, tmp_path):
    publish(env["build"], env["published"], info("r1"), exports_dir=env["exports"])
    before = {p.name: p.read_bytes() for p in env["published"].glob("*.duckdb")}
    exports_before = sorted(str(p.relative_to(env["exports"])) for p in env["exports"].rglob("*"))
    blocker = tmp_path / "not_a_directory"
    blocker.write_text("a file where the exports folder's parent should be")
    with pytest.raises(OSError):
        publish(env["build"], env["published"], info("r2"), exports_dir=blocker / "exports")
    assert {p.name: p.read_bytes() for p in env["published"].glob("*.duckdb")} == before
    assert sorted(str(p.relative_to(env["exports"])) for p in env["exports"].rglob("*")) == exports_before
    assert not [p for p in env["published"].iterdir() if ".tmp-" in p.name]
    assert read_status(env["published"], env["exports"])["leftovers"] == []


FORMULAS = {"head_1": '=HYPERLINK("http://x","y")', "head_2": "=cmd|' /C calc'!A0", "desa_1": "+1",
            "desa_2": "@SUM(A1)", "kecamatan": "-2+3"}


def test_exports_never_carry_a_formula(env):
    """Names from agencies' files that a spreadsheet would run (OWASP CSV injection) reach the priority
    workbooks as text cells and the public CSV with a ' prefix; a folder named =1+1 too."""
    con = duckdb.connect(str(env["build"]))
    try:
        heads = con.execute("select household_id, head_person_id from marts.fct_household where sikkep_priority "
                            "order by household_id").fetchall()
        assert len(heads) == 2
        # the names as dbt would have joined them into the priority list (models/marts/mart_priority_list.sql)
        for (household_id, person_id), name in zip(heads, (FORMULAS["head_1"], FORMULAS["head_2"])):
            con.execute("update marts.fct_person set nama = ? where person_id = ?", [name, person_id])
            con.execute("update marts.priority_list set nama_kepala_keluarga = ? where household_id = ?",
                        [name, household_id])
        for kode, name in ((marts.D_21_1, FORMULAS["desa_1"]), (marts.D_01_1, FORMULAS["desa_2"])):
            con.execute("update marts.dim_wilayah set nama_wilayah = ? where kode_wilayah = ?", [name, kode])
            con.execute("update marts.priority_list set nama_desa = ? where kode_wilayah = ?", [name, kode])
        con.execute("update marts.dim_wilayah set nama_wilayah = ? where kode_wilayah = '18.02.21'",
                    [FORMULAS["kecamatan"]])
        con.execute("update marts.priority_list set nama_kecamatan = ? where kode_kecamatan = '18.02.21'",
                    [FORMULAS["kecamatan"]])
        con.execute("insert into indicators.ind_data_quality (source, period) values ('=1+1', '@SUM(A1)')")
    finally:
        con.close()
    publish(env["build"], env["published"], info("formulas"), exports_dir=env["exports"])

    from openpyxl import load_workbook

    seen = set()
    for path in sorted((env["exports"] / "restricted").glob("*.xlsx")):
        for ws in load_workbook(path).worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{path.name}!{ws.title}!{cell.coordinate}: formula {cell.value!r}"
                    if isinstance(cell.value, str):
                        seen |= {k for k, v in FORMULAS.items() if cell.value == v or v in cell.value}
                        if cell.value == FORMULAS["head_1"] or cell.value == FORMULAS["head_2"]:
                            assert cell.data_type == "s" and cell.quotePrefix
    assert seen == set(FORMULAS)  # every name reached a workbook, as text

    import csv

    with open(env["exports"] / "public" / "ind_data_quality.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["source"], r["period"]) for r in rows if "=1+1" in r["source"]] == [("'=1+1", "'@SUM(A1)")]
    for path in (env["exports"] / "public").glob("*.csv"):
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.reader(fh):
                for value in row:
                    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
                        float(value)  # only a number may start with a sign


READER = textwrap.dedent("""
    import sys, time, json, duckdb
    path, stop_file, out = sys.argv[1], sys.argv[2], sys.argv[3]
    import os
    n, errors, runs = 0, [], set()
    while not os.path.exists(stop_file):
        try:
            con = duckdb.connect(path, read_only=True)
            try:
                con.execute("select count(*), sum(households) from ind_poverty_by_area").fetchall()
                runs.add(con.execute("select max(run_id) from publication").fetchall()[0][0])
            finally:
                con.close()
            n += 1
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
    json.dump({"queries": n, "errors": errors[:5], "error_count": len(errors), "runs": sorted(runs)}, open(out, "w"))
""")


def test_reader_sees_no_error_while_publishing(env, tmp_path):
    publish(env["build"], env["published"], info("r0"), exports_dir=env["exports"])
    stop, out = tmp_path / "stop", tmp_path / "reader.json"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(env["published"] / "public.duckdb"), str(stop), str(out)])
    try:
        time.sleep(1.0)
        for i in range(1, 6):
            publish(env["build"], env["published"], info(f"r{i}"), exports_dir=env["exports"])
        time.sleep(0.5)
    finally:
        stop.write_text("stop")
        reader.wait(timeout=60)
    result = json.loads(out.read_text())
    assert result["error_count"] == 0, result["errors"]
    assert result["queries"] > 10
    assert len(result["runs"]) >= 2  # the reader saw the publication change under it


KILLABLE = textwrap.dedent("""
    import sys, time, pathlib
    sys.path.insert(0, sys.argv[4])
    from orchestration.publish import publish
    marker = pathlib.Path(sys.argv[3])
    def pause(temps):
        marker.write_text("\\n".join(str(p) for p in temps.values()))
        time.sleep(120)
    publish(sys.argv[1], sys.argv[2], {"run_id": "killed", "gates": {"marts": True}}, _before_swap=pause)
""")


@pytest.mark.parametrize("when", ["before_swap", "while_writing"])
def test_kill_9_mid_publish_keeps_previous_publication(env, tmp_path, when):
    publish(env["build"], env["published"], info("good"), exports_dir=env["exports"])
    public = env["published"] / "public.duckdb"
    before = public.read_bytes()
    marker = tmp_path / "marker"
    proc = subprocess.Popen([sys.executable, "-c", KILLABLE, str(env["build"]), str(env["published"]), str(marker),
                             str(PROJECT_ROOT)])
    deadline = time.time() + 60
    if when == "before_swap":
        while not marker.exists() and time.time() < deadline:
            time.sleep(0.05)
        assert marker.exists()
    else:
        while not list(env["published"].glob(".*.tmp-*")) and time.time() < deadline:
            time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)

    assert public.read_bytes() == before
    con = duckdb.connect(str(public), read_only=True)
    try:
        assert con.execute("select max(run_id) from publication").fetchall() == [("good",)]
    finally:
        con.close()
    status = read_status(env["published"])
    assert status["run_id"] == "good" and status["consistent"]
    assert any(line.startswith("temporary file published/.") for line in status["leftovers"]), status["leftovers"]

    cleaned = []
    publish(env["build"], env["published"], info("recovered"), exports_dir=env["exports"], report=cleaned.append)
    assert any(line.startswith("removed temporary file published/.") for line in cleaned), cleaned
    status = read_status(env["published"])
    assert status["run_id"] == "recovered" and status["consistent"]
    assert status["leftovers"] == []


# ------------------------------------------------------------------ a whole `sikkep refresh`, killed

SIKKEP = Path(sys.executable).with_name("sikkep")
POOL = "warehouse_writer"

HOLDER = textwrap.dedent("""
    # A live run of another process that holds the writer pool (as a long refresh does) until killed.
    import pathlib, sys, time, uuid
    sys.path.insert(0, sys.argv[3])
    import dagster as dg
    from dagster._core.storage.dagster_run import DagsterRun, DagsterRunStatus
    from orchestration.crash_recovery import worker_tags
    marker = pathlib.Path(sys.argv[2])
    with dg.DagsterInstance.from_config(sys.argv[1]) as inst:
        run_id = str(uuid.uuid4())
        inst.add_run(DagsterRun(job_name="refresh", run_id=run_id, status=DagsterRunStatus.STARTED,
                                tags=worker_tags()))
        storage = inst.event_log_storage
        if "warehouse_writer" not in storage.get_concurrency_keys():
            storage.initialize_concurrency_limit_to_default("warehouse_writer")
        while not storage.claim_concurrency_slot("warehouse_writer", run_id, "holder").is_claimed:
            time.sleep(0.1)  # queued behind the slot's holder: claimed once it is assigned to us
        marker.write_text(run_id)
        time.sleep(600)
""")


def refresh_env(base: Path) -> dict:
    home = base / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    (base / "raw").mkdir(exist_ok=True)
    return {**os.environ, "SIKKEP_RAW_DIR": str(base / "raw"), "SIKKEP_WAREHOUSE_DIR": str(base / "warehouse"),
            "DAGSTER_HOME": str(home), "SIKKEP_LOG_LEVEL": "WARNING"}


def instance_of(env: dict):
    import dagster as dg

    return dg.DagsterInstance.from_config(env["DAGSTER_HOME"])


def slot_holders(env: dict) -> list:
    with instance_of(env) as inst:
        return list(inst.event_log_storage.get_concurrency_info(POOL).claimed_slots)


def start_holder(env: dict, tmp_path: Path) -> tuple[subprocess.Popen, str]:
    marker = tmp_path / "holder.run_id"
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, env["DAGSTER_HOME"], str(marker), str(PROJECT_ROOT)])
    # queued behind the refresh's running step: a dbt step under load can take minutes (a wait, not a timing)
    deadline = time.time() + 300
    while not marker.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.1)
    assert marker.exists(), "the holder never got the writer pool"
    return proc, marker.read_text()


def wait_for(predicate, timeout: float, what: str):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_kill_9_of_a_refresh_does_not_block_the_next_one(tmp_path):
    """kill -9 while the refresh holds the writer pool (past ingest: staging or linkage); the next
    `sikkep refresh`, unattended, marks the dead run failed, frees its slot and publishes."""
    env = refresh_env(tmp_path)
    subprocess.run([str(SIKKEP), "generate", "--households", "2000", "--periods", "1", "--seed", "5",
                    "--out", env["SIKKEP_RAW_DIR"], "--quiet"], env=env, check=True, timeout=300)
    log = open(tmp_path / "killed.log", "w")
    proc = subprocess.Popen([str(SIKKEP), "refresh"], env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        held = wait_for(lambda: proc.poll() is None and [s for s in slot_holders(env)
                                                         if not s.step_key.startswith("raw__")],
                        240, "the refresh to hold the writer pool past ingest")
        os.kill(proc.pid, signal.SIGKILL)  # kill -9 <pid>: a dbt child, if any, is orphaned
        proc.wait(timeout=30)
        dead_run = held[0].run_id
        assert [s.run_id for s in slot_holders(env)] == [dead_run]  # the crash left its slot behind

        second = subprocess.run([str(SIKKEP), "refresh"], env=env, capture_output=True, text=True, timeout=420)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # whatever of the killed refresh is left
        proc.wait(timeout=30)
        log.close()

    assert second.returncode == 0, (second.stdout + second.stderr)[-3000:]
    published = Path(env["SIKKEP_WAREHOUSE_DIR"]) / "published"
    assert (published / "public.duckdb").exists() and (published / "restricted.duckdb").exists()
    assert f"Crashed run {mask_text(dead_run)}" in second.stderr and "no longer exists" in second.stderr
    import dagster as dg

    with instance_of(env) as inst:
        run = inst.get_run_by_id(dead_run)
        assert run.status == dg.DagsterRunStatus.FAILURE
        failure = inst.all_logs(dead_run, of_type=dg.DagsterEventType.RUN_FAILURE)[-1].dagster_event
        assert "worker is gone" in failure.message and "no longer exists" in failure.message
        assert inst.event_log_storage.get_concurrency_info(POOL).claimed_slots == []
        assert sorted(r.status.value for r in inst.get_runs()) == ["FAILURE", "SUCCESS"]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_refresh_waiting_for_a_live_run_stops_on_a_signal(tmp_path, sig):
    """A live run holds the pool: the refresh says it waits for it, and stops at once on a signal."""
    env = refresh_env(tmp_path)
    holder, holder_run = start_holder(env, tmp_path)
    err = tmp_path / "refresh.err"
    with open(err, "w") as fh:
        proc = subprocess.Popen([str(SIKKEP), "refresh"], env=env, stdout=subprocess.DEVNULL, stderr=fh)
    try:
        wait_for(lambda: "Waiting" in err.read_text() or proc.poll() is not None, 120, "the waiting message")
        # messages mask NIK-like digit runs, and a run id can hold one (e.g. 20585188-0117-4...)
        assert mask_text(holder_run) in err.read_text()
        proc.send_signal(sig)
        assert proc.wait(timeout=15) == 130
        import dagster as dg

        with instance_of(env) as inst:  # nothing started; the live run is left alone
            assert [r.run_id for r in inst.get_runs()] == [holder_run]
            assert inst.get_run_by_id(holder_run).status == dg.DagsterRunStatus.STARTED
    finally:
        for p in (proc, holder):
            if p.poll() is None:
                p.kill()
                p.wait()


def test_refresh_blocked_inside_its_run_stops_on_sigterm(tmp_path):
    """A live run takes the pool between two steps of a running refresh: the refresh waits inside its
    Dagster run (where Dagster held signals back); SIGTERM cancels its run and ends it."""
    env = refresh_env(tmp_path)
    # an extract to work on: an empty drop zone stops the run after ingest (drop_zone_has_extracts)
    kur = Path(env["SIKKEP_RAW_DIR"]) / "kur" / "2024-09"
    kur.mkdir(parents=True)
    (kur / "kur.csv").write_text("NIK_DEBITUR;NAMA_DEBITUR;TGL_LAHIR;KECAMATAN\n"
                                 "1802214507890001;Budi;12/08/1975;Anak Tuha\n")
    err = tmp_path / "refresh.err"
    with open(err, "w") as fh:
        proc = subprocess.Popen([str(SIKKEP), "refresh"], env=env, stdout=subprocess.DEVNULL, stderr=fh)
    holder = None
    try:
        refresh_run = wait_for(lambda: [s.run_id for s in slot_holders(env)], 120, "the refresh's first step")[0]
        holder, holder_run = start_holder(env, tmp_path)  # queued behind the refresh's step, then holds
        import dagster as dg

        def refresh_waits():
            with instance_of(env) as inst:
                info = inst.event_log_storage.get_concurrency_info(POOL)
                # queued, or assigned the slot without holding it (Dagster can assign one slot to two
                # steps: orchestration/slot_claim.py), while the holder holds it
                return ([s.run_id for s in info.claimed_slots] == [holder_run]
                        and any(p.run_id == refresh_run for p in info.pending_steps))

        wait_for(refresh_waits, 300, "the refresh to wait for the pool inside its run")
        time.sleep(1.5)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 130, err.read_text()[-2000:]
        with instance_of(env) as inst:
            assert inst.get_run_by_id(refresh_run).status == dg.DagsterRunStatus.CANCELED
            assert inst.get_run_by_id(holder_run).status == dg.DagsterRunStatus.STARTED
            info = inst.event_log_storage.get_concurrency_info(POOL)
            assert [s.run_id for s in info.claimed_slots] == [holder_run]
            assert not [p for p in info.pending_steps if p.run_id == refresh_run]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if holder is not None:
            holder.kill()
            holder.wait()
