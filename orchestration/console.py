"""A calm `sikkep refresh`: one line per stage on the terminal (with a live line on a terminal), every line
Dagster and dbt print in a log file of the run, and a closing summary.

The log file gets what the terminal used to get (Dagster's console log, dbt's node lines); the project masks
what it logs and what a step raises (step_errors.py), so the file holds no more than the terminal held."""
from __future__ import annotations

import os
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

import dagster as dg
import duckdb

from .settings import Settings
from .stages import STAGES, stage_of

LOGS_KEPT = 30  # refresh logs kept in <warehouse>/logs (the oldest go)

_STEP_EVENTS = {dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS,
                dg.DagsterEventType.STEP_FAILURE}


def log_path(settings: Settings, run_id: str) -> Path:
    """Where a refresh's full output goes; older logs beyond LOGS_KEPT are removed."""
    settings.logs_dir.mkdir(parents=True, exist_ok=True)
    logs = sorted(settings.logs_dir.glob("refresh-*.log"), key=lambda p: p.stat().st_mtime)
    for old in logs[: max(0, len(logs) - (LOGS_KEPT - 1))]:
        old.unlink(missing_ok=True)
    return settings.logs_dir / f"refresh-{time.strftime('%Y%m%d-%H%M%S')}-{run_id[:8]}.log"


_terminal: IO[str] | None = None  # the terminal while output_to() holds stdout and stderr


def terminal() -> IO[str]:
    """Where lines meant for the operator go: the terminal, also while the run's output goes to its log."""
    return _terminal or sys.stderr


@contextmanager
def output_to(path: Path) -> Iterator[IO[str]]:
    """Send this process's stdout and stderr, and its children's (dbt), to ``path`` at the file-descriptor
    level; yield a text stream to the terminal's stderr for the stage lines."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved_out, saved_err = os.dup(1), os.dup(2)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    global _terminal
    stream = os.fdopen(os.dup(saved_err), "w", buffering=1, encoding="utf-8", errors="replace")
    _terminal = stream
    try:
        yield stream
    finally:
        _terminal = None
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved_out, 1)
        os.dup2(saved_err, 2)
        os.close(saved_out)
        os.close(saved_err)
        stream.close()


class StageLines(threading.Thread):
    """Reads the run's step events while it executes and writes one line when a stage starts or a step of it
    fails; on a terminal a live line shows the running stage's finished steps and the time."""

    def __init__(self, instance: dg.DagsterInstance, run_id: str, steps: list[str], out: IO[str],
                 live: bool, interval: float = 1.0):
        super().__init__(daemon=True)
        self.instance, self.run_id, self.out, self.live, self.interval = instance, run_id, out, live, interval
        self.total = {s: sum(1 for k in steps if stage_of(k) == s) for s in STAGES}
        self.done = dict.fromkeys(STAGES, 0)
        self.seen: list[str] = []
        self.cursor: str | None = None
        self.start_time = time.monotonic()
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self._poll()
            self.stop.wait(self.interval)
        self._poll()
        self._clear_live()

    def finish(self) -> None:
        self.stop.set()
        self.join(timeout=10)

    def _elapsed(self) -> str:
        return f"[{time.monotonic() - self.start_time:7.1f}s]"

    def _clear_live(self) -> None:
        if self.live:
            self.out.write("\r\033[K")
            self.out.flush()

    def _line(self, text: str) -> None:
        self._clear_live()
        self.out.write(f"{self._elapsed()} {text}\n")
        self.out.flush()

    def _poll(self) -> None:
        try:
            conn = self.instance.get_records_for_run(self.run_id, cursor=self.cursor, of_type=_STEP_EVENTS)
        except Exception:  # noqa: BLE001 - the run is not stored yet
            return
        self.cursor = conn.cursor
        for record in conn.records:
            event = record.event_log_entry.get_dagster_event()
            stage = stage_of(event.step_key or "")
            if event.event_type == dg.DagsterEventType.STEP_START and stage not in self.seen:
                self.seen.append(stage)
                self._line(f"{stage} ...")
            elif event.event_type == dg.DagsterEventType.STEP_SUCCESS:
                self.done[stage] += 1
            elif event.event_type == dg.DagsterEventType.STEP_FAILURE:
                self._line(f"{stage}: step {event.step_key} failed")
        if self.live and self.seen:
            stage = self.seen[-1]
            self.out.write(f"\r\033[K{self._elapsed()} {stage}: {self.done[stage]}/{self.total[stage]} steps done")
            self.out.flush()


def stage_seconds(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    """Wall seconds per stage (the steps of a stage summed; the job runs them one at a time)."""
    seconds = dict.fromkeys(STAGES, 0.0)
    for s in instance.get_run_step_stats(run_id):
        if s.start_time and s.end_time:
            seconds[stage_of(s.step_key)] += s.end_time - s.start_time
    return seconds


def _count(path: Path, sql: str) -> int | None:
    if not path.exists():
        return None
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            return con.execute(sql).fetchall()[0][0]
    except duckdb.Error:
        return None


def summary(settings: Settings, instance: dg.DagsterInstance, outcome, rejected: dict) -> str:
    """The closing lines of `sikkep refresh`: time per stage, the publication's counts, rejected files, gates."""
    seconds = stage_seconds(instance, outcome.run_id)
    lines = ["Stages: " + ", ".join(f"{s} {seconds[s]:.1f} s" for s in STAGES if seconds[s])]
    if outcome.published:
        public, restricted = settings.published_dir / "public.duckdb", settings.published_dir / "restricted.duckdb"
        households = _count(public, "SELECT sum(households) FROM ind_poverty_by_area WHERE level = 'kabupaten'")
        persons = _count(restricted, "SELECT count(*) FROM fct_person WHERE household_id IS NOT NULL")
        quarantined = _count(restricted, "SELECT count(*) FROM quarantine")
        lines.append(f"Published: {_n(households)} households, {_n(persons)} persons in a household, "
                     f"{_n(quarantined)} source rows quarantined (with their reason, in restricted.duckdb)")
    files = rejected.get("files") if rejected.get("available") else None
    if files is not None:
        lines.append(f"Files rejected or with unread rows: {len(files)}" + (" (sikkep status lists them)" if files else ""))
    lines.append(f"Gates: {outcome.checks_run - len(outcome.failed_checks)} of {outcome.checks_run} checks passed")
    return "\n".join(lines)


def _n(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"
