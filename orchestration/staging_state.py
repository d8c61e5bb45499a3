"""Which staging models a refresh can keep: a source whose files and rules are unchanged since its
stg_<source> table was last built successfully is not staged again.

A staged table depends only on raw.<source> and the reference seeds (dbt_project/macros/sikkep/stage.sql),
so it is a function of (the source's files, the staging rules). The fingerprint of a source is the
SHA-256 of its manifest rows (path, content hash, status) and of the rules: every file under the
dbt project's macros, staging models and seeds, dbt_project.yml, and the dbt vars built from the
contracts. Fingerprints are written to `meta.staging_built` in the build database after a successful
dbt step; a new build database (or a failed step) simply stages everything.
"""
from __future__ import annotations

import hashlib
import json

import duckdb

from .dbt_runtime import dbt_vars
from .settings import DBT_PROJECT_DIR, Settings

RULE_PATHS = ("macros", "models/staging", "seeds", "dbt_project.yml")


def rules_digest(settings: Settings | None = None) -> str:
    """``settings``: whose contracts and kabupaten make the dbt vars (default the environment's)."""
    h = hashlib.sha256()
    for rel in RULE_PATHS:
        root = DBT_PROJECT_DIR / rel
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for p in files:
            h.update(str(p.relative_to(DBT_PROJECT_DIR)).encode())
            h.update(p.read_bytes())
    h.update(json.dumps(dbt_vars(settings), sort_keys=True).encode())
    return h.hexdigest()


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {f"{s}.{t}" for s, t in con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables").fetchall()}


def source_fingerprints(con: duckdb.DuckDBPyConnection, digest: str) -> dict[str, str]:
    if "raw.file_manifest" not in _tables(con):
        return {}
    rows = con.execute("""SELECT source, string_agg(source_file || ':' || coalesce(file_sha256, '') || ':' || status,
                                                    '|' ORDER BY source_file, status)
                          FROM raw.file_manifest GROUP BY source""").fetchall()
    return {source: hashlib.sha256(f"{digest}|{files}".encode()).hexdigest() for source, files in rows}


def unchanged_sources(con: duckdb.DuckDBPyConnection, digest: str) -> list[str]:
    """Sources whose staged table exists and was built from the same files and rules."""
    tables = _tables(con)
    if "meta.staging_built" not in tables:
        return []
    built = dict(con.execute("SELECT source, fingerprint FROM meta.staging_built").fetchall())
    now = source_fingerprints(con, digest)
    return sorted(s for s, fp in now.items() if built.get(s) == fp and f"staging.stg_{s}" in tables)


def record_built(con: duckdb.DuckDBPyConnection, digest: str) -> None:
    """After a successful staging step: every source's table matches its current files and rules."""
    now = source_fingerprints(con, digest)
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    con.execute("CREATE OR REPLACE TABLE meta.staging_built (source VARCHAR, fingerprint VARCHAR)")
    if now:
        con.executemany("INSERT INTO meta.staging_built VALUES (?, ?)", list(now.items()))

