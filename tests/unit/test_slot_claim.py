"""The writer pool's slot is claimed by one step at a time (orchestration/slot_claim.py), against a real
Dagster instance in a temporary DAGSTER_HOME with the project's dagster.yaml (one slot).

Two instances on the same home stand for two processes (a live run holding the pool, and a refresh): each
has its own storage object, as each process has. The interleaving that made the integration test
test_refresh_blocked_inside_its_run_stops_on_sigterm fail under load is driven step by step here: both
steps assigned to the one slot, the refresh's claim selects the free slot row, the live run claims it,
then the refresh's update runs."""
from __future__ import annotations

import shutil
import subprocess
import sys

import dagster as dg
import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from orchestration import slot_claim
from orchestration.settings import PROJECT_ROOT

POOL = "warehouse_writer"
HOLDER, REFRESH = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"


@pytest.fixture
def two_processes(tmp_path):
    home = tmp_path / "dagster"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(home)) as holder, dg.DagsterInstance.from_config(str(home)) as refresh:
        yield holder.event_log_storage, refresh.event_log_storage


def _both_assigned(hs, rs) -> None:
    """What Dagster's claim_concurrency_slot does for a new step (ask whether a slot is unassigned, then
    queue the step, assigned if so), for two processes that ask before either queues: both get assigned to
    the one slot. The audit of a failing integration run showed this state (the refresh's next step asked
    while the holder was being queued)."""
    assert hs.initialize_concurrency_limit_to_default(POOL)
    assert hs.get_concurrency_info(POOL).slot_count == 1
    h_free, r_free = hs.has_unassigned_slots(POOL), rs.has_unassigned_slots(POOL)
    hs.add_pending_step(POOL, HOLDER, "holder", should_assign=h_free)
    rs.add_pending_step(POOL, REFRESH, "raw__pkh", should_assign=r_free)
    assert all(p.assigned_timestamp for p in hs.get_concurrency_info(POOL).pending_steps)


def _claim_with_the_holder_in_between(hs, rs):
    """The refresh claims; after it selected the free slot row and before its update, the holder claims."""
    seen = {}

    def holder_claims_first(conn, cursor, statement, parameters, context, executemany):
        if (not seen and statement.lstrip().upper().startswith("UPDATE CONCURRENCY_SLOTS")
                and REFRESH in [str(p) for p in (parameters or ())]):
            seen["holder"] = hs.claim_concurrency_slot(POOL, HOLDER, "holder")

    event.listen(Engine, "before_cursor_execute", holder_claims_first)
    try:
        refresh = rs.claim_concurrency_slot(POOL, REFRESH, "raw__pkh")
    finally:
        event.remove(Engine, "before_cursor_execute", holder_claims_first)
    assert "holder" in seen, "the interleaving was not driven: Dagster's claim changed"
    return seen["holder"], refresh


def test_a_claim_that_lost_the_race_waits(two_processes):
    slot_claim.install()
    hs, rs = two_processes
    _both_assigned(hs, rs)
    holder, refresh = _claim_with_the_holder_in_between(hs, rs)
    assert holder.is_claimed
    assert not refresh.is_claimed  # before the fix: claimed too, over the holder's claim
    assert [(s.run_id, s.step_key) for s in hs.get_concurrency_info(POOL).claimed_slots] == [(HOLDER, "holder")]


def test_a_stopped_refresh_never_frees_the_live_runs_slot(two_processes):
    """What `sikkep refresh` does when stopped while it waits (refresh._InterruptWatch): its run's slots
    and pending steps are freed. The live run's claim stays, and the pool stays full."""
    slot_claim.install()
    hs, rs = two_processes
    _both_assigned(hs, rs)
    _claim_with_the_holder_in_between(hs, rs)
    rs.free_concurrency_slots_for_run(REFRESH)
    info = hs.get_concurrency_info(POOL)
    assert [s.run_id for s in info.claimed_slots] == [HOLDER]  # before the fix: [] (the failure seen)
    assert [p.run_id for p in info.pending_steps] == [HOLDER]
    # a third run asking now waits
    assert not rs.claim_concurrency_slot(POOL, "33333333-3333-4333-8333-333333333333", "raw__kur").is_claimed


def test_every_process_that_loads_the_code_location_claims_this_way():
    """A run worker, the code server and `sikkep refresh` load orchestration.definitions (the holder of
    the integration test imports crash_recovery): the claim is replaced there, not only in this test."""
    check = ("import importlib, sys; importlib.import_module(sys.argv[1]); "
             "from dagster._core.storage.event_log.sql_event_log import SqlEventLogStorage as S; "
             "from orchestration import slot_claim; "
             "sys.exit(0 if S._claim_concurrency_slot is slot_claim._claim_concurrency_slot else 3)")
    for module in ("orchestration.definitions", "orchestration.crash_recovery"):
        done = subprocess.run([sys.executable, "-c", check, module], cwd=PROJECT_ROOT, timeout=300)
        assert done.returncode == 0, module
