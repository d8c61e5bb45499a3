"""Crash recovery: a run whose process is gone must not hold the writer pool for ever.

A refresh killed with `kill -9` (or lost with its machine) leaves its Dagster run STARTED in the instance
and its `warehouse_writer` pool slot claimed. Dagster cannot tell that the run worker is gone (the default
run launcher has no worker health check), so every later run waited for that slot for ever and the run
queue (one run at a time) stayed blocked.

Every run records who runs it in its tags when it starts (`worker_tags`: host, pid and the process's start
time, so that a reused pid is not mistaken for the dead worker). `recover_crashed_runs` marks every run
that is still in progress on this host but whose process no longer exists as FAILURE, with a message
saying so, and frees its pool slots and pending steps. It runs before a new run starts: in `sikkep refresh`,
and in the nightly schedule and the drop sensor that the daemon evaluates (which also unblocks runs the
UI queued). A run of another host is never touched: only its own host can tell whether it is alive.
"""
from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import dagster as dg
from dagster._core.events import DagsterEventType, JobFailureData, RunFailureReason
from dagster._core.storage.dagster_run import FINISHED_STATUSES, DagsterRunStatus, RunsFilter

from . import slot_claim

log = logging.getLogger(__name__)

# one step per pool slot also when two processes claim it at once (slot_claim.py); every process that
# claims slots imports this module (the definitions' jobs, `sikkep refresh`, run workers)
slot_claim.install()

TAG_HOST = "sikkep/worker_host"
TAG_PID = "sikkep/worker_pid"
TAG_START = "sikkep/worker_start"  # "<boot id>:<start time in clock ticks since boot>" (Linux)

# A run in one of these states claims to have a live worker.
CHECKED_STATUSES = [DagsterRunStatus.NOT_STARTED, DagsterRunStatus.STARTING, DagsterRunStatus.STARTED,
                    DagsterRunStatus.CANCELING]


# ------------------------------------------------------------------------------------------ processes

def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def _proc_stat(pid: int) -> list[str] | None:
    """Fields 3.. of /proc/<pid>/stat (after the command name), None when the process does not exist."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text[text.rindex(")") + 2:].split()


def process_start_token(pid: int) -> str | None:
    """Identity of the process that has this pid now (boot id + start time); None when there is none or
    the system has no /proc."""
    if not Path("/proc/self/stat").exists():
        return None
    fields = _proc_stat(pid)
    if fields is None or fields[0] in ("Z", "X"):  # a zombie has finished: its worker is gone
        return None
    return f"{_boot_id()}:{fields[19]}"  # field 22: starttime


def _process_started_at(pid: int) -> float | None:
    """Epoch seconds at which the process with this pid started (Linux), None if unknown."""
    fields = _proc_stat(pid)
    if fields is None or fields[0] in ("Z", "X"):
        return None
    try:
        btime = next(int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                     if line.startswith("btime "))
        return btime + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, StopIteration, ValueError):
        return None


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def worker_tags(pid: int | None = None) -> dict[str, str]:
    """Run tags naming the process that runs the run (this one by default)."""
    pid = os.getpid() if pid is None else pid
    tags = {TAG_HOST: socket.gethostname(), TAG_PID: str(pid)}
    token = process_start_token(pid)
    if token:
        tags[TAG_START] = token
    return tags


def tag_current_run(instance: dg.DagsterInstance | None, run_id: str | None) -> None:
    """Adds this process's worker tags to a run (called where a run starts in its worker process)."""
    if instance is None or not run_id:
        return
    run = instance.get_run_by_id(run_id)
    tags = worker_tags()
    if run is not None and any(run.tags.get(k) != v for k, v in tags.items()):
        instance.add_run_tags(run_id, tags)


def _engine_event_pid(instance: dg.DagsterInstance, run_id: str) -> tuple[int, float] | None:
    """(pid, time) of the run worker Dagster itself reported ("Started process for run"), if any."""
    for entry in instance.all_logs(run_id, of_type=DagsterEventType.ENGINE_EVENT):
        event = entry.dagster_event
        md = getattr(event.event_specific_data, "metadata", None) or {}
        if "pid" in md and (entry.user_message or "").startswith("Started process for run"):
            try:
                return int(md["pid"].value), entry.timestamp
            except (TypeError, ValueError):
                return None
    return None


def _tags_inherited(instance: dg.DagsterInstance, run: dg.DagsterRun) -> bool:
    """A retry the daemon made of a crashed run carries its parent's tags, worker tags included, until its
    own process starts and tags itself (tag_current_run): those name the dead parent's process, not its."""
    from dagster._core.storage.tags import PARENT_RUN_ID_TAG

    parent_id = run.tags.get(PARENT_RUN_ID_TAG)
    parent = instance.get_run_by_id(parent_id) if parent_id else None
    return parent is not None and all(parent.tags.get(k) == run.tags.get(k) for k in (TAG_HOST, TAG_PID, TAG_START))


def worker_gone(instance: dg.DagsterInstance, run: dg.DagsterRun) -> str | None:
    """Why the run's worker is known to be gone, or None when it is alive or this host cannot tell."""
    tags = run.tags
    if TAG_PID in tags and not _tags_inherited(instance, run):
        if tags.get(TAG_HOST) != socket.gethostname():
            return None  # another machine's run: only that machine can tell
        pid = int(tags[TAG_PID])
        recorded = tags.get(TAG_START)
        now = process_start_token(pid)
        if recorded and Path("/proc/self/stat").exists():
            if now is None:
                return f"its process (pid {pid} on {tags[TAG_HOST]}) no longer exists"
            if now != recorded:
                return f"pid {pid} on {tags[TAG_HOST]} now belongs to another process (the run's process ended)"
            return None
        return None if _pid_exists(pid) else f"its process (pid {pid} on {tags[TAG_HOST]}) no longer exists"
    if run.status == DagsterRunStatus.NOT_STARTED:
        return None  # not launched yet (a queued run has no worker)
    # A run launched by the daemon before it could tag itself: the pid Dagster reported for its worker
    # (the default run launcher starts workers on this host).
    from dagster._core.launcher import DefaultRunLauncher

    if not isinstance(instance.run_launcher, DefaultRunLauncher):
        return None
    reported = _engine_event_pid(instance, run.run_id)
    if reported is None:
        return None
    pid, at = reported
    if not _pid_exists(pid):
        return f"its process (pid {pid}, reported by Dagster) no longer exists"
    started = _process_started_at(pid)
    if started is not None and started > at + 2:
        return f"pid {pid} now belongs to another process (the run's process ended)"
    return None


# --------------------------------------------------------------------------------------------- recovery

@dataclass
class RecoveredRun:
    run_id: str
    job_name: str
    reason: str

    def describe(self) -> str:
        return (f"Crashed run {self.run_id} ({self.job_name}) marked failed and its pool slots freed: "
                f"{self.reason}.")


def _slot_run_ids(instance: dg.DagsterInstance) -> set[str]:
    storage = instance.event_log_storage
    run_ids = set(storage.get_concurrency_run_ids())  # runs with pending (waiting or assigned) steps
    keys = storage.get_concurrency_keys()
    if keys:
        for info in storage.get_concurrency_infos(list(keys)).values():
            run_ids.update(s.run_id for s in info.claimed_slots)
    return run_ids


def recover_crashed_runs(instance: dg.DagsterInstance, report: Callable[[str], None] | None = None,
                         who: str = "sikkep") -> list[RecoveredRun]:
    """Marks every run of this host whose process is gone as FAILURE and frees its pool slots; frees the
    slots still held by runs that already ended. Returns the runs it marked failed."""
    recovered: list[RecoveredRun] = []
    for run in instance.get_runs(filters=RunsFilter(statuses=CHECKED_STATUSES)):
        reason = worker_gone(instance, run)
        if reason is None:
            continue
        fresh = instance.get_run_by_id(run.run_id)
        if fresh is None or fresh.status not in CHECKED_STATUSES:
            continue  # it finished meanwhile
        message = (f"The run's worker is gone: {reason}. Marked failed by SIKKEP crash recovery ({who}, pid "
                   f"{os.getpid()} on {socket.gethostname()}) so that its warehouse_writer pool slot is freed "
                   f"and later runs can start; the previous publication is untouched.")
        instance.report_run_failed(fresh, message, JobFailureData(
            error=None, failure_reason=RunFailureReason.UNEXPECTED_TERMINATION))
        if instance.event_log_storage.supports_global_concurrency_limits:
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        recovered.append(RecoveredRun(run.run_id, run.job_name, reason))
        (report or log.warning)(recovered[-1].describe())
    if instance.event_log_storage.supports_global_concurrency_limits:
        # slots of runs that ended (or were deleted) without freeing them
        for run_id in _slot_run_ids(instance):
            run = instance.get_run_by_id(run_id)
            if run is None or run.status in FINISHED_STATUSES:
                instance.event_log_storage.free_concurrency_slots_for_run(run_id)
                (report or log.warning)(f"Freed the pool slots still held by run {run_id} "
                                        f"({run.status.value if run else 'deleted'}).")
    return recovered


def recover_from_context(context) -> list[RecoveredRun]:
    """For a schedule or sensor evaluation: recovers crashed runs before a run is requested. Never raises
    (a recovery problem is logged, the evaluation goes on)."""
    try:
        instance = context.instance
    except Exception:  # noqa: BLE001 - a context built without an instance (unit tests)
        return []
    try:
        return recover_crashed_runs(instance, report=context.log.warning, who=type(context).__name__)
    except Exception as exc:  # noqa: BLE001
        context.log.warning(f"crash recovery failed: {type(exc).__name__}: {exc}")
        return []


# ---------------------------------------------------------------------------------------------- waiting

def busy_pools(instance: dg.DagsterInstance, pools: set[str], exclude_run: str | None = None) -> list[str]:
    """One line per pool that has no free slot: which runs hold it (and which process runs them)."""
    storage = instance.event_log_storage
    if not pools or not storage.supports_global_concurrency_limits:
        return []
    lines = []
    for pool, info in storage.get_concurrency_infos(sorted(pools)).items():
        holders = [s.run_id for s in info.claimed_slots if s.run_id != exclude_run]
        if holders and len(info.claimed_slots) >= max(info.slot_count, 1):
            who = []
            for run_id in dict.fromkeys(holders):
                run = instance.get_run_by_id(run_id)
                tags = run.tags if run else {}
                who.append(f"run {run_id}" + (
                    f" (pid {tags[TAG_PID]} on {tags.get(TAG_HOST)})" if TAG_PID in tags else
                    " (it records no process: started before crash recovery existed, or on another "
                    "instance; if nothing runs, terminate it once in the Dagster UI, Runs > Terminate)"))
            lines.append(f"pool {pool} is held by " + ", ".join(who))
    return lines


def wait_for_pools(instance: dg.DagsterInstance, pools: set[str], report: Callable[[str], None],
                   poll_seconds: float = 5.0) -> None:
    """Before a run starts: recover crashed runs, then wait while a live run holds a pool this run needs.
    Plain sleeps, so SIGINT/SIGTERM stop the wait at once (nothing has started yet)."""
    announced = None
    while True:
        recover_crashed_runs(instance, report=report)
        busy = busy_pools(instance, pools)
        if not busy:
            return
        if busy != announced:
            report("Waiting: " + "; ".join(busy) + ". It is alive, so this run waits for it to finish "
                   "(Ctrl-C stops waiting; nothing has started).")
            announced = busy
        time.sleep(poll_seconds)


def wait_for_build_db(build_db: Path, report: Callable[[str], None], timeout_seconds: float = 180.0,
                      poll_seconds: float = 1.0) -> bool:
    """Waits (up to `timeout_seconds`, interruptibly) while another process holds the build database's
    lock. After a kill -9 a child of the dead refresh (dbt) can hold it for a little while: it ends by
    itself on its next write to the dead parent's pipe. True when the database is free."""
    import re

    import duckdb

    if not Path(build_db).exists():
        return True
    deadline = time.monotonic() + timeout_seconds
    announced = False
    while True:
        try:
            duckdb.connect(str(build_db), read_only=True).close()
            return True
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                return True  # not a lock problem: the run itself will report it
            if time.monotonic() > deadline:
                report(f"The build database is still locked after {timeout_seconds:.0f} s; starting anyway.")
                return False
            if not announced:
                m = re.search(r"PID (\d+)", str(exc))
                holder = f"process {m.group(1)}" if m else "another process"
                report(f"Waiting: the build database {build_db} is locked by {holder} (a child of a crashed "
                       f"run ends by itself; Ctrl-C stops waiting, nothing has started).")
                announced = True
            time.sleep(poll_seconds)

