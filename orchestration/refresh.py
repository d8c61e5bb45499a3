"""`sikkep refresh`: the nightly job, now, in-process, with a one-paragraph verdict."""
from __future__ import annotations

import os
import sys
import threading
import time
import uuid

import dagster as dg

from .console import StageLines, log_path, output_to, terminal
from .instance import ensure_dagster_home
from .privacy import mask_error
from .run_records import RefreshOutcome, refresh_tags, run_outcome
from .settings import Settings, check_kabupaten, get_settings


def _say(message: str) -> None:
    # can hold an exception's text (paths); to the terminal also while the run's output goes to its log file
    print(mask_error(message), file=terminal(), flush=True)


def _job_pools(job) -> set[str]:
    return {n.definition.pool for n in job.graph.nodes if getattr(n.definition, "pool", None)}


class _InterruptWatch(threading.Thread):
    """Watches the run while it executes in the main thread.

    Dagster holds SIGINT/SIGTERM back until the next step starts; a step waiting for a pool slot never
    starts, so the signal was ignored. When a signal arrived and this run waits for a slot, the run is
    marked canceled, its pending steps are released and the process ends (exit 130); nothing was
    written. While it waits, crashed holders of the slot are recovered (a holder may die meanwhile)."""

    def __init__(self, instance: dg.DagsterInstance, run_id: str, pools: set[str]):
        super().__init__(name="sikkep-interrupt-watch", daemon=True)
        self.instance, self.run_id, self.pools = instance, run_id, pools
        self.done = threading.Event()

    def _waiting_for_slot(self) -> bool:
        storage = self.instance.event_log_storage
        if not self.pools or not storage.supports_global_concurrency_limits:
            return False
        infos = storage.get_concurrency_infos(sorted(self.pools)).values()
        claimed = {(s.run_id, s.step_key) for i in infos for s in i.claimed_slots}
        if any(run_id == self.run_id for run_id, _ in claimed):
            return False  # a step of this run holds the pool: it runs, and raises the interrupt itself
        # queued, or assigned the slot but not holding it (Dagster can assign one slot to two steps)
        return any(p.run_id == self.run_id and (p.run_id, p.step_key) not in claimed
                   for i in infos for p in i.pending_steps)

    def run(self) -> None:
        from dagster._utils.interrupts import check_captured_interrupt

        from .crash_recovery import busy_pools, recover_crashed_runs

        interrupted_at = None
        last_recovery = 0.0
        announced = None
        while not self.done.wait(1.0):
            try:
                waiting = self._waiting_for_slot()
                if waiting and time.monotonic() - last_recovery > 10:
                    last_recovery = time.monotonic()
                    recover_crashed_runs(self.instance, report=_say)
                    busy = busy_pools(self.instance, self.pools, exclude_run=self.run_id)
                    if busy and busy != announced:
                        _say("Waiting: " + "; ".join(busy) + " (Ctrl-C stops waiting).")
                        announced = busy
                if check_captured_interrupt():
                    interrupted_at = interrupted_at or time.monotonic()
                    # a step that runs raises the interrupt itself; only a wait never ends on its own
                    if waiting or time.monotonic() - interrupted_at > 30:
                        self._cancel_and_exit()
                else:
                    interrupted_at = None
            except Exception as exc:  # noqa: BLE001 - the watch must never break the run
                _say(f"(interrupt watch: {type(exc).__name__}: {exc})")

    def _cancel_and_exit(self) -> None:
        # Dagster's executor goes on asking for the slot in the main thread meanwhile: a step it queued
        # again after this run's steps were released stayed queued (and could even be assigned the slot)
        # for a run that had ended, until a crash recovery freed it. The SQLite storage serialises this
        # process's calls with one lock: held from here to the exit, the main thread makes no further
        # call, and the run is canceled and released through a second instance of the same storage.
        lock = getattr(self.instance.event_log_storage, "_db_lock", None)
        if lock is not None:
            lock.acquire()
        try:
            instance = dg.DagsterInstance.from_ref(self.instance.get_ref()) if lock is not None else self.instance
            run = instance.get_run_by_id(self.run_id)
            if run is not None and not run.is_finished:
                instance.report_run_canceled(
                    run, "Interrupted (SIGINT/SIGTERM) while waiting for the warehouse_writer pool: nothing was "
                         "written, the previous publication is untouched.")
            if instance.event_log_storage.supports_global_concurrency_limits:
                # this run's own slots and queued steps only: another run's claim is never touched
                instance.event_log_storage.free_concurrency_slots_for_run(self.run_id)
            _say(f"Interrupted while waiting for the writer pool: run {self.run_id} canceled, nothing was "
                 "written.")
        except Exception as exc:  # noqa: BLE001 - the lock is held: end anyway, crash recovery frees the run
            _say(f"Interrupted while waiting for the writer pool; the run {self.run_id} could not be marked "
                 f"canceled ({type(exc).__name__}: {exc}): the next run's crash recovery frees it.")
        sys.stdout.flush()
        os._exit(130)


def run_refresh(selection: dg.AssetSelection | None = None, *, force: bool = True,
                settings: Settings | None = None) -> RefreshOutcome:
    """Runs the refresh job in this process, tagged like the schedule's and the sensor's runs. Without
    `force` it first asks the question the schedule and the sensor ask (orchestration/up_to_date.py)
    and starts nothing when the publication is current. ``settings``: default the environment's."""
    settings = settings or get_settings()
    check_kabupaten(settings)  # before anything: an unknown code would quarantine every row
    ensure_dagster_home(settings)
    from .crash_recovery import recover_crashed_runs, wait_for_build_db, wait_for_pools, worker_tags
    from .definitions import defs
    from .fingerprint import refresh_fingerprint
    from .up_to_date import nothing_to_do

    definitions = defs()
    job = definitions.resolve_job_def("refresh")
    pools = _job_pools(job)
    with dg.DagsterInstance.get() as instance:
        fingerprint = refresh_fingerprint(settings)
        # a crashed run is marked failed and its slot freed even when there is nothing to do (as the
        # schedule and the sensor do before they skip): otherwise it stays "in progress" and holds the
        # writer pool against the next run the UI starts
        recover_crashed_runs(instance, report=_say)
        if not force and selection is None:
            why = nothing_to_do(instance, settings, fingerprint)
            if why:
                return RefreshOutcome(run_id="", published=False, skipped=why)
        # a crashed earlier run (kill -9, lost machine) still holding the writer pool is marked failed and
        # its slot freed; a live one is waited for, interruptibly
        wait_for_pools(instance, pools, report=_say)
        wait_for_build_db(settings.build_db, report=_say)
        run_id = str(uuid.uuid4())
        watch = _InterruptWatch(instance, run_id, pools)
        watch.start()
        log = log_path(settings, run_id)
        steps = [n.name for n in job.graph.nodes]
        # the terminal gets one line per stage; Dagster's log and dbt's node lines go to the run's log file
        with output_to(log) as terminal:
            stages = StageLines(instance, run_id, steps, terminal, live=settings.progress_enabled)
            stages.start()
            try:
                job.execute_in_process(
                    instance=instance, raise_on_error=False, run_id=run_id,
                    tags=worker_tags() | refresh_tags("cli", fingerprint),
                    run_config={"loggers": {"console": {"config": {"log_level": settings.run_log_level}}}},
                    asset_selection=list(selection.resolve(definitions.resolve_asset_graph()))
                    if selection is not None else None)
            finally:
                watch.done.set()
                stages.finish()
        # read back from the run storage, as `sikkep status` reads every run
        outcome = run_outcome(instance, run_id)
        outcome.log_file = str(log)
        return outcome


def refresh_summary(settings: Settings, outcome: RefreshOutcome) -> str:
    """The closing lines of `sikkep refresh` (console.summary), read from the run's storage and the publication."""
    from .console import summary
    from .status import rejected_files

    with dg.DagsterInstance.get() as instance:
        return summary(settings, instance, outcome, rejected_files(settings, busy=False))
