"""Load one source's files into raw.<source>: skip unchanged files, replace changed ones, load a
re-delivered identical file once, and keep the file manifest's row accounting exact."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone

import duckdb
import pyarrow as pa

from .contracts import Contract
from ..privacy import show_path
from .discovery import UNKNOWN, DropZoneProblem, ExtractFile
from .errors import ExtractError
from .parallel import parse_files
from .parse import LINEAGE, ParsedFile
from .row_count import count_rows

log = logging.getLogger(__name__)

MANIFEST_DDL = """
create table if not exists raw.file_manifest (
    source varchar, period varchar, source_file varchar, source_sheet_count integer,
    file_sha256 varchar, file_bytes bigint, status varchar, duplicate_of varchar,
    rows_received bigint, rows_loaded bigint, rows_rejected bigint, header_row varchar,
    columns_mapped varchar, message varchar, contract_digest varchar, loaded_at timestamp,
    rows_unread bigint
)"""
REJECTED_DDL = """
create table if not exists raw.rejected_rows (
    source varchar, period varchar, source_file varchar, source_sheet varchar, source_row integer,
    file_sha256 varchar, rule varchar, detail varchar
)"""
MANIFEST_COLUMNS = ["source", "period", "source_file", "source_sheet_count", "file_sha256", "file_bytes",
                    "status", "duplicate_of", "rows_received", "rows_loaded", "rows_rejected", "header_row",
                    "columns_mapped", "message", "contract_digest", "loaded_at", "rows_unread"]


@dataclass
class SourceLoad:
    source: str
    files_seen: int = 0
    files_loaded: int = 0
    files_unchanged: int = 0
    files_duplicate: int = 0
    files_error: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    errors: list[str] = field(default_factory=list)

    def as_metadata(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "errors"} | {"errors": self.errors[:20]}


def ensure_raw_schema(con: duckdb.DuckDBPyConnection, contract: Contract | None = None) -> None:
    con.execute("create schema if not exists raw")
    con.execute(MANIFEST_DDL)
    # rows a file rejected whole holds (row_count.py); a build database from before it gains the column
    con.execute("alter table raw.file_manifest add column if not exists rows_unread bigint")
    con.execute(REJECTED_DDL)
    if contract is None:
        return
    table = f"raw.{contract.source}"
    cols = [f'"{c}" varchar' for c in contract.columns]
    cols += ["source_file varchar", "source_sheet varchar", "source_row integer", "period varchar",
             "file_sha256 varchar", "extra_columns varchar", "loaded_at timestamp"]
    con.execute(f"create table if not exists {table} ({', '.join(cols)})")
    existing = {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema='raw' and table_name=?",
        [contract.source]).fetchall()}
    for c in contract.columns:  # a contract that gained a column: add it, old rows stay NULL
        if c not in existing:
            con.execute(f'alter table {table} add column "{c}" varchar')


def _manifest_row(f: ExtractFile, contract: Contract, now: datetime, **values) -> dict:
    row = {c: None for c in MANIFEST_COLUMNS}
    row.update(source=f.source, period=f.period, source_file=f.rel, file_sha256=f.sha256, file_bytes=f.size,
               contract_digest=contract.digest, loaded_at=now, rows_received=0, rows_loaded=0, rows_rejected=0)
    row.update(values)
    return row


def _insert_rows(con, table: str, rows: list[dict], columns: list[str]) -> None:
    if not rows:
        return
    arrow = pa.Table.from_pylist([{c: r[c] for c in columns} for r in rows])
    con.register("_rows", arrow)
    try:
        con.execute(f"insert into {table} by name select * from _rows")
    finally:
        con.unregister("_rows")


def load_source(con: duckdb.DuckDBPyConnection, contract: Contract, files: list[ExtractFile],
                problems: list[DropZoneProblem] = (), progress=None, workers: int | None = None) -> SourceLoad:
    """Bring raw.<source> in line with the files now in the drop zone. Atomic per source. ``workers``:
    processes parsing big files side by side (settings.ingest_workers; default the environment's)."""
    ensure_raw_schema(con, contract)
    source = contract.source
    result = SourceLoad(source, files_seen=len(files))
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    previous = {
        r[0]: dict(zip(MANIFEST_COLUMNS, r[1:]))
        for r in con.execute(
            f"select source_file, {', '.join(MANIFEST_COLUMNS)} from raw.file_manifest "
            "where source = ? and status = 'loaded'", [source]).fetchall()
    }
    manifest: list[dict] = []
    to_parse: list[ExtractFile] = []
    keep: list[tuple[str, str]] = []
    first_by_sha: dict[str, str] = {}
    for f in sorted(files, key=lambda f: f.rel):
        if f.sha256 in first_by_sha:
            result.files_duplicate += 1
            manifest.append(_manifest_row(f, contract, now, status="duplicate", duplicate_of=first_by_sha[f.sha256],
                                          message=f"same content (SHA-256) as {show_path(first_by_sha[f.sha256])}: loaded once"))
            continue
        first_by_sha[f.sha256] = f.rel
        prev = previous.get(f.rel)
        if prev and prev["file_sha256"] == f.sha256 and prev["contract_digest"] == contract.digest:
            result.files_unchanged += 1
            keep.append((f.rel, f.sha256))
            manifest.append(prev)
            result.rows_loaded += prev["rows_loaded"] or 0
            result.rows_rejected += prev["rows_rejected"] or 0
        else:
            to_parse.append(f)

    parsed: list[ParsedFile] = []
    for f, p in parse_files(to_parse, contract, workers):
        if isinstance(p, ExtractError):
            result.files_error += 1
            result.errors.append(p.message)
            log.warning("ingest %s: %s", source, p.message)
            manifest.append(_manifest_row(f, contract, now, status="error", message=p.message,
                                          rows_unread=count_rows(f.path)))
            continue
        if progress:
            progress(f"{source}: {show_path(f.rel)} {p.rows_loaded} rows loaded, {len(p.rejected)} rejected")
        parsed.append(p)
        if p.status == "error":
            # nothing loadable (no header / required column missing): rows received, all rejected
            result.files_error += 1
            result.errors.append(p.message)
            log.warning("ingest %s: %s", source, p.message)
        else:
            result.files_loaded += 1
        result.rows_loaded += p.rows_loaded
        result.rows_rejected += len(p.rejected)
        assert p.rows_received == p.rows_loaded + len(p.rejected), f"row accounting broken for {show_path(f.rel)}"
        manifest.append(_manifest_row(
            f, contract, now, status=p.status, source_sheet_count=len(p.header_rows),
            rows_received=p.rows_received, rows_loaded=p.rows_loaded, rows_rejected=len(p.rejected),
            header_row="; ".join(f"{s}:{n}" if s else str(n) for s, n in p.header_rows.items()) or None,
            columns_mapped=json.dumps(p.columns_mapped, ensure_ascii=False),
            message="; ".join(x for x in [p.message, *p.notes] if x) or None))
    for problem in problems:
        if problem.source == source:
            manifest.append({c: None for c in MANIFEST_COLUMNS} | dict(
                source=source, period=problem.period, source_file=problem.rel, status=problem.status,
                message=problem.message, loaded_at=now, rows_received=0, rows_loaded=0, rows_rejected=0,
                rows_unread=problem.rows_unread()))

    table = f"raw.{source}"
    con.execute("begin transaction")
    try:
        con.execute("create or replace temp table _keep (source_file varchar, file_sha256 varchar)")
        if keep:
            con.executemany("insert into _keep values (?, ?)", keep)
        for t in (table, "raw.rejected_rows"):
            where = "" if t == table else "source = ? and "
            params = [] if t == table else [source]
            con.execute(f"delete from {t} where {where}(source_file, file_sha256) not in "
                        "(select (source_file, file_sha256) from _keep)", params)
        for p in parsed:
            arrow = p.table.append_column("loaded_at", pa.array([now] * p.table.num_rows, type=pa.timestamp("us")))
            con.register("_incoming", arrow)
            con.execute(f"insert into {table} by name select * from _incoming")
            con.unregister("_incoming")
            _insert_rows(con, "raw.rejected_rows", [
                dict(source=source, period=p.file.period, source_file=p.file.rel, source_sheet=r.source_sheet,
                     source_row=r.source_row, file_sha256=p.file.sha256, rule=r.rule, detail=r.detail)
                for r in p.rejected], ["source", "period", "source_file", "source_sheet", "source_row",
                                       "file_sha256", "rule", "detail"])
        con.execute("delete from raw.file_manifest where source = ?", [source])
        _insert_rows(con, "raw.file_manifest", manifest, MANIFEST_COLUMNS)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return result


def record_unrouted(con: duckdb.DuckDBPyConnection, problems: list[DropZoneProblem], known: set[str]) -> int:
    """Files that belong to no contract (unknown folder, stray file) go in the manifest as errors."""
    ensure_raw_schema(con)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    rows = [{c: None for c in MANIFEST_COLUMNS} | dict(
        source=p.source or UNKNOWN, period=p.period or UNKNOWN, source_file=p.rel, status=p.status, message=p.message,
        loaded_at=now, rows_received=0, rows_loaded=0, rows_rejected=0, rows_unread=p.rows_unread())
        for p in problems if p.source not in known]
    con.execute("begin transaction")
    con.execute("delete from raw.file_manifest where source not in (select unnest(?::varchar[]))", [sorted(known)])
    _insert_rows(con, "raw.file_manifest", rows, MANIFEST_COLUMNS)
    con.execute("commit")
    return len(rows)
