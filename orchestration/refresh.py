"""`sikkep refresh`: the nightly job, now, in-process, with a one-paragraph verdict."""
from __future__ import annotations

import os
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field

import dagster as dg

from .instance import ensure_dagster_home
from .privacy import mask_text

PUBLISH_KEY = dg.AssetKey(["published", "publication"])


@dataclass
class RefreshOutcome:
    run_id: str
    published: bool
    materialized: list[str] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if self.published:
            return 0
        return 2 if self.failed_checks else 1

    def reason(self) -> str:
        if self.published:
            return f"Published (run {self.run_id})."
        parts = []
        if self.failed_checks:
            parts.append("a gate held publication back: " + "; ".join(self.failed_checks))
        if self.failed_steps:
            parts.append("steps failed: " + "; ".join(self.failed_steps))
        if not parts:
            parts.append("the publish step did not run")
        return mask_text(
            f"Not published (run {self.run_id}): " + ". ".join(parts) +
            ". The previous publication is untouched. Fix the extract or the rule named above, then run "
            "`sikkep refresh` again; details in `sikkep status` and the Dagster UI.")


def _check_summary(evaluation) -> str:
    key = evaluation.asset_key.to_user_string()
    md = evaluation.metadata or {}
    detail = md.get("summary")
    text = detail.value if detail is not None else ""
    return f"{key} / {evaluation.check_name}" + (f" ({text})" if text else "")


def _log_level() -> str:
    """Step-by-step progress on a terminal; only warnings in CI logs and pipes (SIKKEP_LOG_LEVEL overrides)."""
    if os.environ.get("SIKKEP_LOG_LEVEL"):
        return os.environ["SIKKEP_LOG_LEVEL"].upper()
    return "INFO" if sys.stderr.isatty() and not os.environ.get("CI") else "WARNING"


def _say(message: str) -> None:
    print(mask_text(message), file=sys.stderr, flush=True)


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
        return any(p.run_id == self.run_id and p.assigned_timestamp is None for i in infos for p in i.pending_steps)

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
        run = self.instance.get_run_by_id(self.run_id)
        if run is not None and not run.is_finished:
            self.instance.report_run_canceled(
                run, "Interrupted (SIGINT/SIGTERM) while waiting for the warehouse_writer pool: nothing was "
                     "written, the previous publication is untouched.")
        if self.instance.event_log_storage.supports_global_concurrency_limits:
            self.instance.event_log_storage.free_concurrency_slots_for_run(self.run_id)
        _say(f"Interrupted while waiting for the writer pool: run {self.run_id} canceled, nothing was written.")
        sys.stdout.flush()
        os._exit(130)


def run_refresh(selection: dg.AssetSelection | None = None) -> RefreshOutcome:
    ensure_dagster_home()
    from .crash_recovery import wait_for_build_db, wait_for_pools, worker_tags
    from .definitions import defs
    from .settings import get_settings

    definitions = defs()
    job = definitions.resolve_job_def("refresh")
    pools = _job_pools(job)
    with dg.DagsterInstance.get() as instance:
        # a crashed earlier run (kill -9, lost machine) still holding the writer pool is marked failed and
        # its slot freed; a live one is waited for, interruptibly
        wait_for_pools(instance, pools, report=_say)
        wait_for_build_db(get_settings().build_db, report=_say)
        run_id = str(uuid.uuid4())
        watch = _InterruptWatch(instance, run_id, pools)
        watch.start()
        try:
            result = job.execute_in_process(
                instance=instance, raise_on_error=False, run_id=run_id, tags=worker_tags(),
                run_config={"loggers": {"console": {"config": {"log_level": _log_level()}}}},
                asset_selection=list(selection.resolve(definitions.resolve_asset_graph()))
                if selection is not None else None)
        finally:
            watch.done.set()
        materialized = []
        failed_checks = []
        failed_steps = []
        for event in result.all_events:
            if event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
                materialized.append(event.asset_key.to_user_string())
            elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
                ev = event.event_specific_data
                if not ev.passed and ev.severity == dg.AssetCheckSeverity.ERROR:
                    failed_checks.append(_check_summary(ev))
            elif event.event_type == dg.DagsterEventType.STEP_FAILURE:
                err = event.event_specific_data.error
                msg = (err.message.strip().splitlines() or [""])[-1][:400] if err else ""
                failed_steps.append(f"{event.step_key}: {msg}")
        published = PUBLISH_KEY.to_user_string() in materialized
        return RefreshOutcome(result.run_id, published, materialized, failed_checks, failed_steps)
