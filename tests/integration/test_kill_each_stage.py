"""kill -9 of a whole `sikkep refresh` at each stage (#17 item 1): ingest, staging (dbt), gates, linkage,
marts (dbt), publish. Each time the next `sikkep refresh`, unattended, marks the dead run failed, frees its
pool slot and publishes; the previous publication stays byte for byte until the new one replaces it.

Real `sikkep refresh` processes, a real Dagster instance and DuckDB warehouse; the test watches Dagster's
event log for the start of the stage's step and kills the refresh's whole process group (dbt included).
The cases share one warehouse and run in order: each case's recovering refresh makes the publication the
next case must find intact (the first case, ingest, kills a refresh of a warehouse that never published).
Each case costs a partial and a whole refresh (40-65 s each on 300 households): 5-9 minutes in all.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster._core.events import DagsterEventType

from orchestration.publish import read_status

pytestmark = pytest.mark.slow
PROJECT_ROOT = Path(__file__).resolve().parents[2]
SIKKEP = Path(sys.executable).with_name("sikkep")
POOL = "warehouse_writer"

# stage -> does this step key belong to it (step keys of the refresh job)
STAGES = {
    "ingest": lambda key: key.startswith("raw__"),
    "staging": lambda key: key == "dbt_staging",
    "gates": lambda key: "_gx_stg_" in key,
    "linkage": lambda key: key == "linkage",
    "marts": lambda key: key == "dbt_marts",
    "publish": lambda key: key == "published__publication",
}


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    """One generated drop zone (a copy of it is changed a little per case so that every refresh has work)
    and one warehouse and Dagster instance shared by the cases, in order."""
    base = tmp_path_factory.mktemp("kill_each_stage")
    home = base / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    env = {**os.environ, "SIKKEP_RAW_DIR": str(base / "raw"), "SIKKEP_WAREHOUSE_DIR": str(base / "warehouse"),
           "DAGSTER_HOME": str(home), "SIKKEP_LOG_LEVEL": "WARNING"}
    generated = base / "generated"
    subprocess.run([str(SIKKEP), "generate", "--households", "300", "--periods", "1", "--seed", "11",
                    "--out", str(generated), "--quiet"], env=env, check=True, timeout=300)
    shutil.copytree(generated, base / "raw")
    return {"base": base, "env": env, "raw": base / "raw", "published": base / "warehouse" / "published",
            "exports": base / "warehouse" / "exports", "runs": []}


def change_drop_zone(raw: Path) -> None:
    """A new delivery, same rows: without a change the refresh would find the publication current."""
    target = sorted(raw.rglob("*.csv"))[0]  # a blank line more: a new sha256, no new row
    with open(target, "a", encoding="utf-8") as fh:
        fh.write("\n")


def publication_bytes(wh) -> dict:
    return {p.name: p.read_bytes() for p in sorted(wh["published"].glob("*.duckdb"))}


def step_started(inst: dg.DagsterInstance, stage: str, known: set) -> str | None:
    """The run id of a new run of the refresh whose step of this stage has started."""
    for run in inst.get_runs(limit=3):
        if run.run_id in known:
            continue
        for entry in inst.all_logs(run.run_id, of_type=DagsterEventType.STEP_START):
            if STAGES[stage](entry.step_key or ""):
                return run.run_id
    return None


def assert_complete_publication(wh, run_id: str) -> None:
    status = read_status(wh["published"], wh["exports"])
    assert status["run_id"] == run_id and status["consistent"], status
    assert status["leftovers"] == [], status["leftovers"]
    pub = duckdb.connect(str(wh["published"] / "public.duckdb"), read_only=True)
    res = duckdb.connect(str(wh["published"] / "restricted.duckdb"), read_only=True)
    try:
        assert pub.execute("select distinct run_id from publication").fetchall() == [(run_id,)]
        assert res.execute("select distinct run_id from publication").fetchall() == [(run_id,)]
        by_level = dict(pub.execute("select level, sum(households) from ind_poverty_by_area group by 1").fetchall())
        assert by_level["kabupaten"] > 0 and by_level["kabupaten"] == by_level["kecamatan"], by_level
        households = res.execute("select count(*) from fct_household").fetchone()[0]
        assert households >= by_level["kabupaten"]
        assert res.execute("select count(*) from priority_list").fetchone()[0] > 0
    finally:
        pub.close()
        res.close()


@pytest.mark.parametrize("stage", list(STAGES))
def test_kill_9_at_each_stage_then_an_unattended_refresh_publishes(wh, stage, tmp_path):
    env = wh["env"]
    change_drop_zone(wh["raw"])
    before = publication_bytes(wh)
    assert bool(before) == (stage != "ingest")  # every later case has the previous case's publication
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as inst:
        known = {r.run_id for r in inst.get_runs()}
    log = open(tmp_path / "killed.log", "w")
    proc = subprocess.Popen([str(SIKKEP), "refresh"], env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        dead_run = None
        deadline = time.time() + 180
        with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as inst:
            while dead_run is None and time.time() < deadline and proc.poll() is None:
                dead_run = step_started(inst, stage, known)
                if dead_run is None:
                    time.sleep(0.05)
        assert dead_run is not None, (f"the refresh never started its {stage} step (exit {proc.poll()}): "
                                      + (tmp_path / "killed.log").read_text()[-2000:])
        os.killpg(proc.pid, signal.SIGKILL)  # the whole process group: the refresh and its dbt child
        proc.wait(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        log.close()

    # the crash changed nothing published
    assert publication_bytes(wh) == before
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as inst:
        assert inst.get_run_by_id(dead_run).status == dg.DagsterRunStatus.STARTED  # nobody knows yet
        # the kill landed in this stage: no step of a later stage had started
        last = inst.all_logs(dead_run, of_type=DagsterEventType.STEP_START)[-1].step_key
        assert STAGES[stage](last), f"killed in step {last}, past the {stage} stage"

    second = subprocess.run([str(SIKKEP), "refresh"], env=env, capture_output=True, text=True, timeout=420)
    assert second.returncode == 0, (second.stdout + second.stderr)[-3000:]
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as inst:
        run = inst.get_run_by_id(dead_run)
        assert run.status == dg.DagsterRunStatus.FAILURE
        failure = inst.all_logs(dead_run, of_type=DagsterEventType.RUN_FAILURE)[-1].dagster_event
        assert "worker is gone" in failure.message and "no longer exists" in failure.message
        assert inst.event_log_storage.get_concurrency_info(POOL).claimed_slots == []
        new_runs = [r for r in inst.get_runs() if r.run_id not in known and r.run_id != dead_run]
        assert [r.status for r in new_runs] == [dg.DagsterRunStatus.SUCCESS], new_runs
    assert "Crashed run" in second.stderr and "no longer exists" in second.stderr, second.stderr[-2000:]
    assert publication_bytes(wh) != before
    assert_complete_publication(wh, new_runs[0].run_id)


def test_kill_9_then_nothing_changed_the_refresh_still_marks_the_dead_run_failed(wh, tmp_path):
    """A `sikkep refresh --force` killed on a drop zone the publication already holds: the next `sikkep
    refresh` has nothing to do, and still marks the dead run failed and frees its slot (as the schedule and
    the sensor do before they skip). Before, it skipped first and left the run "in progress" holding the
    writer pool against the next run the UI started."""
    env = wh["env"]
    if not publication_bytes(wh):  # run alone: the stage cases made none
        subprocess.run([str(SIKKEP), "refresh"], env=env, check=True, capture_output=True, timeout=420)
    before = publication_bytes(wh)
    assert before
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as inst:
        known = {r.run_id for r in inst.get_runs()}
    proc = subprocess.Popen([str(SIKKEP), "refresh", "--force"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        dead_run = None
        deadline = time.time() + 180
        with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as inst:
            while dead_run is None and time.time() < deadline and proc.poll() is None:
                dead_run = step_started(inst, "staging", known)
                time.sleep(0.05)
        assert dead_run is not None, f"the forced refresh never started staging (exit {proc.poll()})"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    second = subprocess.run([str(SIKKEP), "refresh"], env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, (second.stdout + second.stderr)[-3000:]
    assert "Nothing changed since the last publication" in second.stdout, second.stdout[-2000:]
    assert "Crashed run" in second.stderr and "no longer exists" in second.stderr, second.stderr[-2000:]
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as inst:
        assert inst.get_run_by_id(dead_run).status == dg.DagsterRunStatus.FAILURE
        assert inst.event_log_storage.get_concurrency_info(POOL).claimed_slots == []
        assert {r.run_id for r in inst.get_runs()} == known | {dead_run}  # the skip started no run
    assert publication_bytes(wh) == before
