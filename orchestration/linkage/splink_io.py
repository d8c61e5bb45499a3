"""Moving person records into a private Splink DuckDB connection and back.

Splink creates many ``__splink__*`` tables; it runs on its own in-memory connection so that the
caller's database (the build DB) only ever receives the final tables.
"""
from __future__ import annotations

import logging

import duckdb
import pyarrow as pa

from orchestration.linkage.features import feature_select_sql

logging.getLogger("splink").setLevel(logging.WARNING)


def records_sql(con: duckdb.DuckDBPyConnection, records) -> str:
    """A FROM-able SQL fragment for ``records``: a table/view name or a DuckDB relation."""
    if isinstance(records, str):
        return records
    if isinstance(records, duckdb.DuckDBPyRelation):
        name = "__linkage_input_records"
        con.register(name, records)
        return name
    raise TypeError("records must be a table name or a duckdb relation")


# canonical columns a caller of the library API may leave out, and their type
OPTIONAL_COLUMNS = {"period": "VARCHAR", "desil": "INTEGER", "address_key": "VARCHAR", "address_rt": "INTEGER", "person_ref": "VARCHAR"}


def feature_table(con: duckdb.DuckDBPyConnection, records) -> pa.Table:
    """The Splink input columns computed in ``con`` and fetched as Arrow."""
    src = records_sql(con, records)
    have = {r[0] for r in con.sql(f"DESCRIBE SELECT * FROM {src}").fetchall()}
    missing = [f"NULL::{t} AS {c}" for c, t in OPTIONAL_COLUMNS.items() if c not in have]
    if missing:
        src = f"(SELECT *, {', '.join(missing)} FROM {src})"
    return con.sql(feature_select_sql(src)).fetch_arrow_table()


def splink_connection(memory_limit: str | None = None, temp_dir: str | None = None,
                      threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """The private in-memory DuckDB of Splink. ``memory_limit`` (default: DuckDB's 80% of RAM) caps it,
    spilling to ``temp_dir`` (default: the system temp folder): at kabupaten scale the pair tables
    outgrow a small machine otherwise (the refresh passes settings.linkage_memory / linkage_spill_dir).
    ``threads``: default settings.linkage_threads (SIKKEP_LINKAGE_THREADS; unset: every core)."""
    import tempfile

    from orchestration.settings import get_settings

    scon = duckdb.connect(":memory:")
    if threads is None:
        threads = get_settings().linkage_threads
    if threads:
        scon.execute(f"SET threads = {int(threads)}")
    if memory_limit:
        scon.execute(f"SET memory_limit = '{memory_limit}'")
    spill = str(temp_dir or tempfile.gettempdir())
    scon.execute(f"SET temp_directory = '{spill}'")
    scon.execute("SET preserve_insertion_order = false")
    return scon
