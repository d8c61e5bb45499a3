"""The ID registry under kill -9 (#17 item 5): a crash at any statement of the registry's replacement
leaves the complete previous registry or the complete new one, never a part, and the next run gives
everybody the IDs an uncrashed run gives.

A real registry of 200,000 member keys in a real state DuckDB; the next assignment (new keys, clusters
merged and split) runs in a child process that is killed with SIGKILL while DuckDB executes one of its
statements, the replacement transaction included. The kill comes from a timer thread of the child (no
hook in the production code: the child hands assign_stable_ids its real DuckDB connection behind a thin
wrapper that arms the timer when the chosen statement starts and notes whether the statement returned).
Whether DuckDB left a write-ahead log is recorded for each kill."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.linkage.ids import assign_stable_ids, attach_state, detach_state

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
KEYS = 200_000
NEW_KEYS = 20_000

# run 1: clusters of two keys; run 2: the same keys, the first 30,000 regrouped by three (merges and
# splits), plus new keys
MEMBERS = {
    1: f"SELECT i // 2 AS cluster_id, md5(CAST(i AS VARCHAR)) AS member_key FROM range({KEYS}) t(i)",
    2: (f"SELECT CASE WHEN i < 30000 THEN 'm' || (i // 3) ELSE CAST(i // 2 AS VARCHAR) END AS cluster_id, "
        f"md5(CAST(i AS VARCHAR)) AS member_key FROM range({KEYS + NEW_KEYS}) t(i)"),
}

CHILD = r"""
import os, signal, sys, threading, time
import duckdb
from orchestration.linkage.ids import assign_stable_ids, attach_state

state, trigger, delay, marker, members = sys.argv[1:6]


class KilledDuring:
    # the real connection; SIGKILL `delay` seconds after the statement holding `trigger` starts
    def __init__(self, con):
        self._con = con

    def execute(self, sql, *args):
        armed = trigger in sql
        if armed:
            with open(marker, "w") as fh:
                fh.write(f"entered {time.monotonic()}\n")
            timer = threading.Timer(float(delay), os.kill, (os.getpid(), signal.SIGKILL))
            timer.daemon = True
            timer.start()
        result = self._con.execute(sql, *args)
        if armed:
            with open(marker, "a") as fh:
                fh.write(f"returned {time.monotonic()}\n")
        return result


con = duckdb.connect()
attach_state(con, state)
assign_stable_ids(KilledDuring(con), "person", members, "run2", "ids")
con.execute("DETACH state")
sys.exit(3)  # the kill never came
"""


def _assign(state: Path, run: int, run_id: str) -> str:
    """One uncrashed assignment; the fingerprint of cluster -> stable ID it gave."""
    con = duckdb.connect()
    try:
        attach_state(con, state)
        assign_stable_ids(con, "person", MEMBERS[run], run_id, "ids")
        fingerprint = con.execute("SELECT count(*), bit_xor(hash(cluster_id, stable_id)) FROM ids").fetchone()
        detach_state(con)
    finally:
        con.close()
    return repr(fingerprint)


def _registry(state: Path) -> tuple:
    """What the next run finds: the whole registry and the sequence (opening replays DuckDB's WAL)."""
    with duckdb.connect(str(state)) as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        assert "id_registry" in tables, tables  # never none
        return (con.execute("SELECT count(*), bit_xor(hash(kind, member_key, stable_id, first_seen_run, "
                            "last_seen_run)) FROM id_registry").fetchone(),
                con.execute("SELECT * FROM id_sequence ORDER BY kind").fetchall())


# the statement that replaces the registry (before #17: DROP, then CREATE ... AS, each committed alone)
REPLACEMENT = "DROP TABLE state.id_registry"
# kills while the replacement statement runs, at these fractions of its uncrashed duration
FRACTIONS = (0, 0.05, 0.1, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9, 0.95, 1.0, 1.3)


def _child(state: Path, trigger: str, delay: float) -> tuple[subprocess.CompletedProcess, list[str]]:
    marker = state.parent / "marker"
    child = subprocess.run([sys.executable, "-c", CHILD, str(state), trigger, str(delay), str(marker), MEMBERS[2]],
                           env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=600)
    return child, marker.read_text().split("\n") if marker.exists() else []


def test_kill_9_during_the_registry_replacement_leaves_a_whole_registry(tmp_path):
    old = tmp_path / "old" / "state.duckdb"
    _assign(old, 1, "run1")
    old_registry = _registry(old)
    reference = tmp_path / "reference" / "state.duckdb"
    reference.parent.mkdir()
    shutil.copyfile(old, reference)
    new_ids = _assign(reference, 2, "run2")
    new_registry = _registry(reference)
    assert old_registry != new_registry

    # how long the replacement statement runs when nothing kills it
    calibrate = tmp_path / "calibrate" / "state.duckdb"
    calibrate.parent.mkdir()
    shutil.copyfile(old, calibrate)
    child, marks = _child(calibrate, REPLACEMENT, 1e6)
    assert child.returncode == 3, child.stderr[-2000:]
    duration = float(marks[1].split()[1]) - float(marks[0].split()[1])
    kills = ([("INSERT INTO state.id_events", 0.0), ("__ids_newkeys", 0.1)]
             + [(REPLACEMENT, duration * f) for f in FRACTIONS] + [("INSERT INTO state.id_runs", 0.0)])

    seen = []
    for i, (trigger, delay) in enumerate(kills):
        state = tmp_path / f"kill{i}" / "state.duckdb"
        state.parent.mkdir()
        shutil.copyfile(old, state)
        child, marks = _child(state, trigger, delay)
        assert child.returncode == -9, (trigger, delay, child.returncode, child.stderr[-2000:])
        inside = not any(m.startswith("returned") for m in marks)  # killed before the statement returned
        wal = state.with_name(state.name + ".wal")
        wal_bytes = wal.stat().st_size if wal.exists() else None
        found = _registry(state)
        assert found in (old_registry, new_registry), (trigger, delay, found)  # whole, old or new
        outcome = "old" if found == old_registry else "new"
        seen.append((trigger, round(delay, 4), inside, wal_bytes, outcome))
        # the next run (another run id) gives everybody the IDs an uncrashed run gives
        assert _assign(state, 2, f"run3-{i}") == new_ids, (trigger, delay, outcome)
    print(f"replacement statement: {duration * 1000:.1f} ms uncrashed", *seen, sep="\n")
    # the kills landed where intended: inside the replacement transaction, before and after it
    assert any(t == REPLACEMENT and inside for t, _, inside, _, _ in seen), seen
    assert {o for *_, o in seen} == {"old", "new"}, seen


def test_a_damaged_registry_stops_the_run_with_a_clear_message(tmp_path):
    """A state file damaged on disk (a block overwritten, the file cut short, its header lost) stops a
    warehouse that has published before attaching, with the message that says what to restore. Before: a
    block overwritten in the middle attached, and the run failed later on DuckDB's own "Corrupt database
    file" (or, with the damage in a column the assignment does not read, went on)."""
    from orchestration.linkage.ids import IdRegistryError

    good = tmp_path / "good" / "state.duckdb"
    _assign(good, 1, "run1")
    size = good.stat().st_size

    def overwrite_middle(f):
        f.seek(size // 2)
        f.write(os.urandom(8192))

    for name, damage in (("block", overwrite_middle), ("cut", lambda f: f.truncate(size // 2)),
                         ("header", lambda f: f.write(b"\0" * 4096))):
        state = tmp_path / name / "state.duckdb"
        state.parent.mkdir()
        shutil.copyfile(good, state)
        with open(state, "r+b") as f:
            damage(f)
        con = duckdb.connect()
        try:
            with pytest.raises(IdRegistryError, match=r"(damaged|cannot be opened).*Restore the copy kept"):
                attach_state(con, state, require_registry=True)
            assert "state" not in {r[0] for r in con.execute("SELECT database_name FROM duckdb_databases()").fetchall()}
        finally:
            con.close()
