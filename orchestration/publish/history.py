"""ind_*_history: every publication's indicator rows, one set per publication period, for trends.

Each new public.duckdb is built from scratch, so the history lives in the publication itself and is
carried forward from the last good public.duckdb: its sets of other periods are copied, this period's
set is replaced by the new rows (a re-publication of a period replaces that period). A last good
publication written before history existed seeds the history with its own ind_* rows and period.
The carry happens while the new file is written, i.e. before the audit and the swap: a failed run never
touches the history of the publication readers have.

Columns: period, run_id, then the ind_* table's columns by name (an ind_* column named period or
run_id is kept as source_period / source_run_id). A column the contract added later is NULL in the
sets published before it existed (insert by name).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import duckdb

from .comments import HISTORY_KEYS, history_column, history_name
from .metadata import PUBLIC_TABLES


def publication_period(info: dict, published_at) -> str:
    """The publication's data period: the newest period (YYYY-MM) of the extract files it was made from;
    the publication month when none names one."""
    periods = [f["period"] for f in info["extract_files"] if f.get("period") and f["period"][:1].isdigit()]
    return max(periods) if periods else published_at.strftime("%Y-%m")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(con, catalog: str, table: str) -> list[str]:
    return [r[0] for r in con.execute(
        "select column_name from duckdb_columns() where database_name = ? and schema_name = 'main' "
        "and table_name = ? order by column_index", [catalog, table]).fetchall()]


def _history_select(con, catalog: str, table: str, period: str, run_id: str) -> str:
    cols = ", ".join(f"{_ident(c)} as {_ident(history_column(c))}" for c in _columns(con, catalog, table))
    return (f"select cast(? as varchar) as period, cast(? as varchar) as run_id, {cols} "
            f"from {_ident(catalog)}.main.{_ident(table)}"), [period, run_id]


def _previous_period(con, catalog: str) -> str | None:
    row = con.execute(
        f"select max(period) filter (where kind = 'run'), max(period) filter (where kind = 'extract_file') "
        f"from {_ident(catalog)}.main.publication").fetchone()
    return row[0] or row[1]


def write_history(con, target: str, previous_public: Path | None, period: str, run_id: str,
                  report: Callable[[str], None] = lambda _: None) -> dict[str, int]:
    """Create ind_*_history in catalog `target` (already holding the new ind_* tables). Returns row counts."""
    prev = None
    if previous_public is not None and previous_public.exists():
        try:
            con.execute(f"attach {_literal(str(previous_public))} as prev_pub (read_only)")
            prev = "prev_pub"
        except duckdb.Error as exc:  # a damaged last publication must not stop every future one
            report(f"history not carried forward: the last publication could not be read "
                   f"({type(exc).__name__})")
    counts: dict[str, int] = {}
    try:
        prev_tables = set()
        if prev:
            prev_tables = {r[0] for r in con.execute(
                "select table_name from duckdb_tables() where database_name = ?", [prev]).fetchall()}
        for table in PUBLIC_TABLES:
            hist = history_name(table)
            sql, params = _history_select(con, target, table, period, run_id)
            con.execute(f"create table {_ident(target)}.main.{_ident(hist)} as {sql}", params)
            new_cols = set(_columns(con, target, hist))
            if prev and hist in prev_tables:
                carried = [c for c in _columns(con, prev, hist) if c in new_cols]
                cols = ", ".join(_ident(c) for c in carried)
                con.execute(f"insert into {_ident(target)}.main.{_ident(hist)} ({cols}) "
                            f"select {cols} from {prev}.main.{_ident(hist)} where period is distinct from ?",
                            [period])
            elif prev and table in prev_tables and "publication" in prev_tables:
                old_period = _previous_period(con, prev)
                if old_period and old_period != period:
                    seed_sql, seed_params = _history_select(con, prev, table, old_period, None)
                    seed_cols = [history_column(c) for c in _columns(con, prev, table)]
                    carried = [c for c in seed_cols if c in new_cols]
                    cols = ", ".join(_ident(c) for c in (*HISTORY_KEYS, *carried))
                    run = con.execute(f"select max(run_id) from {prev}.main.publication where kind = 'run'"
                                      ).fetchone()[0]
                    seed_params[1] = run
                    con.execute(f"insert into {_ident(target)}.main.{_ident(hist)} ({cols}) "
                                f"select {cols} from ({seed_sql})", seed_params)
            counts[hist] = con.execute(f"select count(*) from {_ident(target)}.main.{_ident(hist)}").fetchone()[0]
    finally:
        if prev:
            con.execute(f"detach {prev}")
    return counts
