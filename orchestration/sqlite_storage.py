"""Dagster's SQLite run and event storage without a checkpoint per event.

Dagster opens a new SQLite connection for every event it stores (SQLAlchemy NullPool) and closes it
after the commit. Closing the last connection to a WAL database checkpoints the WAL into the database
file and deletes it, with an fsync of each: about 16 ms per event here, and a 400k refresh stores about
1,900 (asset and check planned events when the run is created, one event per dbt model and test, step
events): 30-60 s of a refresh were spent there, 15 s of it before the first step.

`install()` keeps one idle connection open to every SQLite database this process's SQLAlchemy engines
open (an "anchor"): Dagster's own connections are then never the last one, and SQLite checkpoints every
1,000 pages as usual, and once more when the process ends. An idle connection holds no lock: other
processes (the daemon, the webserver) read and write as before. Each connection also gets
`synchronous=NORMAL`, SQLite's recommended setting for WAL databases: a commit appends to the WAL
without an fsync of its own (the WAL is fsynced at each checkpoint). A killed process (kill -9) loses
nothing, since the WAL is in the operating system's cache; a power cut or kernel crash may lose the last
events of the run in progress, never corrupts the database, and leaves that run without an end
(crash_recovery.py marks it failed). The publication itself is fsynced by publish/core.py, not here.
Measured on this machine: a run storing 200 log events 4.4 s -> 1.8 s with the anchor alone; at 400k
the profiled refresh spent 43 s storing events before, 20 s with the anchor alone (fsync per commit
on a busy disk) (tests/unit/test_sqlite_storage.py checks that events are stored and readable meanwhile).
"""
from __future__ import annotations

import os
import sqlite3
import threading
from collections import OrderedDict

_LOCK = threading.Lock()
_ANCHORS: OrderedDict[tuple[str, int], sqlite3.Connection] = OrderedDict()
# a long test session opens many short-lived instances: keep the newest few databases anchored
MAX_ANCHORS = 16
_installed = False


def _anchor(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    try:
        dbapi_connection.execute("pragma synchronous=NORMAL")
        files = [row[2] for row in dbapi_connection.execute("pragma database_list").fetchall()
                 if row[1] == "main" and row[2]]
    except sqlite3.Error:
        return
    for path in files:
        try:
            key = (path, os.stat(path).st_ino)
        except OSError:
            continue
        with _LOCK:
            try:
                anchor = _ANCHORS.get(key) or sqlite3.connect(path, check_same_thread=False)
                _ANCHORS[key] = anchor
                _ANCHORS.move_to_end(key)
                # SQLite maps a database's WAL index at a read, and Dagster switches a new database to WAL
                # after its first connection: a read at every connect keeps the anchor on the WAL index
                anchor.execute("select count(*) from sqlite_master").fetchall()
            except sqlite3.Error:
                continue
            while len(_ANCHORS) > MAX_ANCHORS:
                _ANCHORS.popitem(last=False)[1].close()


def install() -> None:
    """Anchor every SQLite database that SQLAlchemy engines of this process connect to (idempotent)."""
    global _installed
    if _installed:
        return
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    event.listen(Engine, "connect", _anchor)
    _installed = True


def anchored() -> list[str]:
    """Paths of the databases anchored now (for tests and diagnostics)."""
    with _LOCK:
        return [path for path, _ in _ANCHORS]
