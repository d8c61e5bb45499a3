"""Stable IDs cannot vanish (#17 item 5), through `sikkep refresh` itself: every publication keeps a copy of
the state database; a warehouse that has published and lost its ID registry stops with a message that
says what to restore, the publication untouched; the copy restored, the next refresh publishes every
record with the person ID it had. Real Dagster, dbt, GX, Splink and publish; nothing mocked."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.synth.generate import generate

pytestmark = pytest.mark.slow

SIKKEP = Path(sys.executable).parent / "sikkep"


def run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(SIKKEP), *args], env=env, capture_output=True, text=True, timeout=1200)


def person_ids(published: Path) -> dict[str, str]:
    with duckdb.connect(str(published / "restricted.duckdb"), read_only=True) as con:
        return dict(con.execute("select record_id, person_id from xref_source_record").fetchall())


def test_a_lost_registry_stops_the_refresh_and_the_kept_copy_restores_every_id(tmp_path):
    raw, wh = tmp_path / "raw", tmp_path / "warehouse"
    generate(households=300, seed=11, periods=2, out_dir=raw)  # the size the e2e refresh test publishes
    env = dict(os.environ, SIKKEP_RAW_DIR=str(raw), SIKKEP_WAREHOUSE_DIR=str(wh), SIKKEP_KABUPATEN="18.02",
               DAGSTER_HOME=str(tmp_path / "dagster"))
    first = run(env, "refresh")
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    state = wh / "state" / "state.duckdb"
    [backup] = (state.parent / "backups").glob("state-*.duckdb")  # one copy per publication
    published = wh / "published"
    ids = person_ids(published)
    assert len(ids) > 100 and all(v and v.startswith("P") for v in ids.values())
    before = {p.name: p.read_bytes() for p in published.glob("*.duckdb")}

    # the state database is lost (a disk, a careless clean-up): renumbering everybody is refused
    for p in state.parent.glob("state.duckdb*"):
        p.unlink()
    lost = run(env, "refresh", "--force")
    text = lost.stdout + lost.stderr
    assert lost.returncode == 1, text[-4000:]
    assert "ID registry" in text and "missing" in text and "Restore the copy kept with the last publication" in text, \
        text[-4000:]
    assert {p.name: p.read_bytes() for p in published.glob("*.duckdb")} == before  # publication untouched
    status = run(env, "status")
    assert "ID registry" in status.stdout and "missing" in status.stdout, status.stdout[-3000:]

    # the copy kept with the publication restored: every record keeps its person ID
    shutil.copyfile(backup, state)
    restored = run(env, "refresh", "--force")
    assert restored.returncode == 0, restored.stdout[-3000:] + restored.stderr[-3000:]
    assert person_ids(published) == ids
    assert len(list((state.parent / "backups").glob("state-*.duckdb"))) == 2
