"""Dagster's SQLite storage with anchored databases (orchestration/sqlite_storage.py): a real instance and
a real run; every event is stored and readable by another process while the anchors are open, and the
anchor holds the WAL index (no checkpoint per event)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg

from orchestration import sqlite_storage
from orchestration.settings import PROJECT_ROOT


@dg.op
def _noisy(context):
    for i in range(25):
        context.log.info(f"event {i}")


@dg.job
def _job():
    _noisy()


def test_events_are_stored_and_readable_by_another_process(tmp_path, monkeypatch):
    home = tmp_path / "dagster"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    sqlite_storage.install()
    sqlite_storage.install()  # idempotent: one listener
    with dg.DagsterInstance.get() as instance:
        result = _job.execute_in_process(instance=instance)
        assert result.success
        run_db = home / "history" / "runs" / f"{result.run_id}.db"
        assert str(run_db) in sqlite_storage.anchored()
        # the anchor keeps the WAL index mapped: the WAL is not checkpointed away after every event
        assert Path(str(run_db) + "-wal").exists()
        logs = [e for e in instance.all_logs(result.run_id) if "event " in (e.user_message or "")]
        assert len(logs) == 25
        # another process (the webserver, `sikkep status`) sees the same run and events meanwhile
        out = subprocess.run(
            [sys.executable, "-c",
             "import dagster as dg, sys\n"
             "with dg.DagsterInstance.get() as i:\n"
             f"    r = i.get_run_by_id('{result.run_id}')\n"
             f"    n = sum('event ' in (e.user_message or '') for e in i.all_logs('{result.run_id}'))\n"
             "    print(r.status.value, n)"],
            env={**os.environ, "DAGSTER_HOME": str(home)}, capture_output=True, text=True, check=True)
        assert out.stdout.split()[-2:] == ["SUCCESS", "25"]
