"""How much of staging a refresh redoes.

A staged row is a function of its own raw row, the rows of the same file and the staging rules
(dbt_project/macros/sikkep/stage.sql), so staging follows change at three levels:

- rules changed (every file under the dbt project's macros, staging models and seeds, dbt_project.yml,
  the dbt vars built from the contracts, the raw tables' columns, the dbt and DuckDB versions): every
  staging model is rebuilt (`dbt build --full-refresh`), whatever the files;
- a source whose files are unchanged (its manifest rows: path, content hash, status) keeps its
  stg_<source> table as it is: the model and its dbt tests are not run;
- a source with new, changed or removed files runs its incremental model: only the new or changed
  files' raw rows are staged, removed or replaced files' rows are deleted
  (macros/sikkep/incremental_staging.sql, keyed by source_file, file_sha256, loaded_at).

The rules digest and the per-source fingerprints are written to `meta.staging_rules` and
`meta.staging_built` in the build database after a successful dbt step; a new build database (or a
failed step) stages again what it has not recorded: a failed full rebuild is a full rebuild next time.
"""
from __future__ import annotations

import hashlib
import json
from importlib.metadata import version

import duckdb

from .dbt_runtime import dbt_vars
from .settings import DBT_PROJECT_DIR, Settings

RULE_PATHS = ("macros", "models/staging", "seeds", "dbt_project.yml")


def rules_digest(settings: Settings | None = None, con: duckdb.DuckDBPyConnection | None = None) -> str:
    """``settings``: whose contracts and kabupaten make the dbt vars (default the environment's); ``con``:
    the build database, whose raw tables' columns are part of the rules (a contract that gained a column
    changes every staged table's shape)."""
    h = hashlib.sha256()
    for rel in RULE_PATHS:
        root = DBT_PROJECT_DIR / rel
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for p in files:
            h.update(str(p.relative_to(DBT_PROJECT_DIR)).encode())
            h.update(p.read_bytes())
    h.update(json.dumps(dbt_vars(settings), sort_keys=True).encode())
    h.update(f"dbt-core {version('dbt-core')} dbt-duckdb {version('dbt-duckdb')} duckdb {duckdb.__version__}".encode())
    if con is not None:
        h.update(json.dumps(con.execute(
            "SELECT table_name, list(column_name ORDER BY ordinal_position) FROM information_schema.columns "
            "WHERE table_schema = 'raw' GROUP BY table_name ORDER BY table_name").fetchall()).encode())
    return h.hexdigest()


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {f"{s}.{t}" for s, t in con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables").fetchall()}


def rules_changed(con: duckdb.DuckDBPyConnection, digest: str) -> bool:
    """True when the staged tables were not all built by these rules: stage every file again."""
    if "meta.staging_rules" not in _tables(con):
        return True
    row = con.execute("SELECT digest FROM meta.staging_rules").fetchone()
    return row is None or row[0] != digest


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
    con.execute("CREATE OR REPLACE TABLE meta.staging_rules (digest VARCHAR)")
    con.execute("INSERT INTO meta.staging_rules VALUES (?)", [digest])
