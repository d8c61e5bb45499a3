"""Descriptions of every public table and column, from their single sources, as COMMENT ON statements.

ind_*            the dbt YAML of the model (description and column descriptions, via the dbt manifest:
                 metadata.public_table_metadata), the same text the exports' JSON carries
ind_*_history    generated: the history template of descriptions.yml around the ind_* table's own text,
                 its columns' descriptions, plus period / run_id (and source_period where renamed)
publication      descriptions.yml beside this file
The same statements serve DuckDB and PostgreSQL (COMMENT ON is the same SQL in both). A public column
without a description holds the publication back (audit), so BI tools never show an undocumented column.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from .metadata import PUBLIC_TABLES, public_table_metadata

HISTORY_SUFFIX = "_history"
# columns the history tables put first; an ind_* column of the same name is kept as source_<name>
HISTORY_KEYS = ("period", "run_id")


def history_name(table: str) -> str:
    return f"{table}{HISTORY_SUFFIX}"


def history_column(column: str) -> str:
    """The name an ind_* column has in its history table."""
    return f"source_{column}" if column in HISTORY_KEYS else column


@lru_cache(maxsize=1)
def _local() -> dict:
    return yaml.safe_load((Path(__file__).with_name("descriptions.yml")).read_text(encoding="utf-8"))


def _clean(text) -> str:
    return " ".join(str(text or "").split())


def public_descriptions(metadata: dict | None = None) -> dict[str, dict]:
    """table -> {"description": str, "columns": {column: str}} for every public table publish writes."""
    metadata = metadata or public_table_metadata()
    local = _local()
    out: dict[str, dict] = {}
    hist = local["history"]
    for table in PUBLIC_TABLES:
        meta = metadata[table]
        out[table] = {"description": meta["description"], "columns": dict(meta["columns"])}
        columns = {k: _clean(v).format(table=table) for k, v in hist["columns"].items() if k in HISTORY_KEYS}
        for column, text in meta["columns"].items():
            renamed = history_column(column)
            columns[renamed] = (_clean(hist["columns"][renamed]).format(table=table)
                                if renamed != column else text)
        out[history_name(table)] = {
            "description": _clean(hist["description"]).format(table=table, description=meta["description"]),
            "columns": columns,
        }
    out["publication"] = {"description": _clean(local["publication"]["description"]),
                          "columns": {k: _clean(v) for k, v in local["publication"]["columns"].items()}}
    return out


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def missing_descriptions(columns_by_table: dict[str, list[str]], descriptions: dict[str, dict]) -> list[str]:
    """'table' or 'table.column' for every table/column that has no description."""
    missing = []
    for table, columns in columns_by_table.items():
        d = descriptions.get(table)
        if not d or not d["description"]:
            missing.append(table)
            continue
        missing += [f"{table}.{c}" for c in columns if not d["columns"].get(c)]
    return missing


def comment_statements(prefix: str, columns_by_table: dict[str, list[str]],
                       descriptions: dict[str, dict]) -> list[str]:
    """COMMENT ON TABLE / COLUMN for the given tables (prefix: a quoted catalog/schema and a dot, or '')."""
    missing = missing_descriptions(columns_by_table, descriptions)
    if missing:
        from .core import AuditFailed

        raise AuditFailed("public tables or columns without a description (dbt YAML of the indicators or "
                          "orchestration/publish/descriptions.yml): " + ", ".join(missing[:20]))
    out = []
    for table, columns in columns_by_table.items():
        d = descriptions[table]
        out.append(f"comment on table {prefix}{_ident(table)} is {_literal(d['description'])}")
        out += [f"comment on column {prefix}{_ident(table)}.{_ident(c)} is {_literal(d['columns'][c])}"
                for c in columns]
    return out
