"""Which staged tables a refresh keeps: same files and same rules only (real DuckDB file)."""
from __future__ import annotations

import duckdb

from orchestration.staging_state import record_built, rules_digest, unchanged_sources


def _warehouse(path):
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA raw; CREATE SCHEMA staging")
    con.execute("CREATE TABLE raw.file_manifest (source VARCHAR, source_file VARCHAR, file_sha256 VARCHAR, status VARCHAR)")
    con.execute("""INSERT INTO raw.file_manifest VALUES
        ('dtks', 'dtks/2025-09/a.csv', 'aaa', 'loaded'), ('kur', 'kur/2025-09/k.csv', 'kkk', 'loaded'),
        ('pkh', 'pkh/2025-09/p.xlsx', 'ppp', 'loaded')""")
    for s in ("dtks", "kur"):  # pkh was never staged
        con.execute(f"CREATE TABLE staging.stg_{s} (x INTEGER)")
    return con


def test_only_unchanged_sources_with_a_staged_table_are_kept(tmp_path):
    con = _warehouse(tmp_path / "build.duckdb")
    digest = rules_digest()
    assert unchanged_sources(con, digest) == []  # nothing recorded yet: stage everything
    record_built(con, digest)
    assert unchanged_sources(con, digest) == ["dtks", "kur"]
    con.execute("UPDATE raw.file_manifest SET file_sha256 = 'kkk2' WHERE source = 'kur'")  # a corrected KUR file
    assert unchanged_sources(con, digest) == ["dtks"]
    con.execute("INSERT INTO raw.file_manifest VALUES ('dtks', 'dtks/2025-09/b.csv', 'bbb', 'loaded')")  # a new part
    assert unchanged_sources(con, digest) == []
    record_built(con, digest)
    assert unchanged_sources(con, "other rules") == []  # a changed macro, seed or contract restages all
    con.close()
