"""Crash recovery on a real Dagster instance (SQLite storage in a temp folder, the project's dagster.yaml):
a run whose process is gone is marked failed and its writer-pool slot freed; a live run, or another host's,
is left alone. The kill -9 of a whole `sikkep refresh` is in tests/integration/test_publish_atomic.py."""
from __future__ import annotations

import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.storage.dagster_run import DagsterRun, DagsterRunStatus

from orchestration import crash_recovery as cr
from orchestration.defs.automation.jobs import nightly_refresh, raw_drop_sensor
from orchestration.resources import WarehouseResource

POOL = "warehouse_writer"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def instance(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(home)) as inst:
        yield inst


def started_run(instance, tags: dict, step: str = "dbt_staging", status=DagsterRunStatus.STARTED) -> str:
    """A run as a crashed or running refresh leaves it: STARTED, holding the writer pool's slot."""
    run_id = str(uuid.uuid4())
    instance.add_run(DagsterRun(job_name="refresh", run_id=run_id, status=status, tags=tags))
    if POOL not in instance.event_log_storage.get_concurrency_keys():
        instance.event_log_storage.initialize_concurrency_limit_to_default(POOL)  # as a run's first claim does
    assert instance.event_log_storage.claim_concurrency_slot(POOL, run_id, step).is_claimed
    return run_id


def dead_worker_tags() -> dict:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    tags = cr.worker_tags(proc.pid)
    proc.kill()
    proc.wait()
    return tags


def holders(instance) -> list[str]:
    return [s.run_id for s in instance.event_log_storage.get_concurrency_info(POOL).claimed_slots]


def failure_message(instance, run_id) -> str:
    records = instance.all_logs(run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
    return records[-1].dagster_event.message


def test_worker_tags_name_this_process():
    import os
    import socket

    tags = cr.worker_tags()
    assert tags[cr.TAG_PID] == str(os.getpid()) and tags[cr.TAG_HOST] == socket.gethostname()
    assert tags[cr.TAG_START] == cr.process_start_token(os.getpid())


def test_dead_worker_is_marked_failed_and_its_slot_freed(instance):
    run_id = started_run(instance, dead_worker_tags())
    assert holders(instance) == [run_id]
    recovered = cr.recover_crashed_runs(instance)
    assert [r.run_id for r in recovered] == [run_id]
    assert instance.get_run_by_id(run_id).status == DagsterRunStatus.FAILURE
    assert "no longer exists" in failure_message(instance, run_id)
    assert holders(instance) == []
    # the next run gets the slot at once
    assert instance.event_log_storage.claim_concurrency_slot(POOL, str(uuid.uuid4()), "raw__dtks").is_claimed
    assert cr.recover_crashed_runs(instance) == []  # nothing left to do


def test_reused_pid_is_not_mistaken_for_the_dead_worker(instance):
    tags = cr.worker_tags()  # this (live) process's pid ...
    tags[cr.TAG_START] = tags[cr.TAG_START] + "0"  # ... but the run's process started at another time
    run_id = started_run(instance, tags)
    cr.recover_crashed_runs(instance)
    assert instance.get_run_by_id(run_id).status == DagsterRunStatus.FAILURE
    assert "belongs to another process" in failure_message(instance, run_id)


def test_live_worker_and_other_hosts_are_left_alone(instance):
    instance.event_log_storage.set_concurrency_slots(POOL, 3)
    live = started_run(instance, cr.worker_tags())
    elsewhere = started_run(instance, {**dead_worker_tags(), cr.TAG_HOST: "another-server"}, step="linkage")
    untagged = started_run(instance, {}, step="publish")
    assert cr.recover_crashed_runs(instance) == []
    for run_id in (live, elsewhere, untagged):
        assert instance.get_run_by_id(run_id).status == DagsterRunStatus.STARTED
    busy = cr.busy_pools(instance, {POOL})
    assert len(busy) == 1 and live in busy[0] and "pid" in busy[0]


def test_slots_of_a_run_that_already_ended_are_freed(instance):
    run_id = started_run(instance, cr.worker_tags())
    run = instance.get_run_by_id(run_id)
    instance.report_run_canceled(run, "canceled from the UI while its slot was held")
    assert holders(instance) == [run_id]
    cr.recover_crashed_runs(instance)
    assert holders(instance) == []


def test_a_run_tags_its_worker_when_its_resources_start(instance, sikkep_env):
    @dg.asset
    def touches_warehouse(warehouse: WarehouseResource) -> None:
        return None

    result = dg.materialize([touches_warehouse], instance=instance, resources={"warehouse": WarehouseResource()})
    tags = instance.get_run_by_id(result.run_id).tags
    assert {k: tags[k] for k in cr.worker_tags()} == cr.worker_tags()


def test_schedule_and_sensor_evaluations_recover_crashed_runs(instance, sikkep_env):
    first = started_run(instance, dead_worker_tags())
    request = nightly_refresh(dg.build_schedule_context(instance=instance))
    assert isinstance(request, dg.RunRequest)
    assert instance.get_run_by_id(first).status == DagsterRunStatus.FAILURE
    second = started_run(instance, dead_worker_tags())
    raw_drop_sensor(dg.build_sensor_context(instance=instance))
    assert instance.get_run_by_id(second).status == DagsterRunStatus.FAILURE
    assert holders(instance) == []


def test_waits_while_another_process_holds_the_build_database(tmp_path):
    import time

    import duckdb

    db = tmp_path / "sikkep.duckdb"
    duckdb.connect(str(db)).close()
    holder = subprocess.Popen([sys.executable, "-c", (
        "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(3)"),
        str(db)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    said: list[str] = []
    started = time.monotonic()
    assert cr.wait_for_build_db(db, said.append, timeout_seconds=60, poll_seconds=0.2)
    assert time.monotonic() - started > 1 and holder.wait(timeout=10) == 0
    assert len(said) == 1 and f"process {holder.pid}" in said[0]
    assert cr.wait_for_build_db(tmp_path / "absent.duckdb", said.append)  # nothing to wait for


def test_a_retry_of_a_crashed_run_is_not_taken_for_its_dead_parent(instance):
    """The daemon retries a run crash recovery marked failed, with the parent's tags (Dagster's
    create_reexecuted_run(use_parent_run_tags=True)), worker tags of the dead process included, until the
    retry's own process tags itself: meanwhile the retry is starting, not crashed."""
    from dagster._core.storage.tags import PARENT_RUN_ID_TAG, ROOT_RUN_ID_TAG

    parent = started_run(instance, dead_worker_tags())
    cr.recover_crashed_runs(instance)
    assert instance.get_run_by_id(parent).status == DagsterRunStatus.FAILURE
    inherited = {**instance.get_run_by_id(parent).tags, PARENT_RUN_ID_TAG: parent, ROOT_RUN_ID_TAG: parent}
    retry = str(uuid.uuid4())
    instance.add_run(DagsterRun(job_name="refresh", run_id=retry, status=DagsterRunStatus.STARTING, tags=inherited))
    assert cr.recover_crashed_runs(instance) == []
    assert instance.get_run_by_id(retry).status == DagsterRunStatus.STARTING
    # once its own process tagged itself, it is judged by its own process like any run
    instance.add_run_tags(retry, dead_worker_tags())
    assert [r.run_id for r in cr.recover_crashed_runs(instance)] == [retry]
