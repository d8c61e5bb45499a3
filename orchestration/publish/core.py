"""Write-audit-publish of the two published DuckDB files.

write    public.duckdb and restricted.duckdb are built as hidden temp files in the published directory
         (same file system, so the swap is a rename) from the build database, attached read-only;
audit    the temp files are reopened read-only and checked: every table present with the build's row
         count, and the public file holds no personal column, no 16-digit number and no person's name;
publish  the temp files are fsynced and os.replace()d over the published files (atomic per file on
         POSIX; a reader that already has the old file open keeps reading the old inode), then the
         directory is fsynced. Exports are written afterwards from the published files.

A crash (even kill -9) before the swap leaves the previous files untouched; what it left (temp files,
staged exports, an exports folder set aside mid-swap) is cleaned and reported by the next publish
(leftovers.py). One publisher at a time: an advisory lock on `.publish.lock` (lock.py).

Whether a run published, was held back by a gate or failed is not recorded here: Dagster's run storage
holds it (the run's check evaluations, step failures and this asset's materialization), and
orchestration/run_records.py reads it back for `sikkep status`. This module writes only the publication.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import re
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

import duckdb

from .lock import TEMP_MARK, publish_lock
from .metadata import PERSONAL_COLUMNS, PUBLIC_TABLES, RESTRICTED_TABLES

PUBLIC_DB = "public.duckdb"
RESTRICTED_DB = "restricted.duckdb"
# Both published files are written in this storage version: DuckDB 1.x (what BI drivers, notebooks and
# duckdb-engine ship) reads it; DuckDB 2.0's own storage (version 69) it refuses. The newest DuckDB 1.x
# reads storage versions up to NEWEST_V1_STORAGE (the number in the file's main header).
STORAGE_VERSION = "v1.4.0"
NEWEST_V1_STORAGE = 68
# Types a count must never have in a public table: a HUGEINT sum reads as 18.0 in Parquet, CSV and BI tools
_WIDE_INTEGER = ("HUGEINT", "UHUGEINT", "INT128", "UINT128")

_SIXTEEN_DIGITS = r"(^|[^0-9])[0-9]{16}([^0-9]|$)"
# a SHA-256 digest (publication.sha256) holds 16 decimal digits in a row by chance (~1 file in 300): no NIK
_DIGEST = r"^[0-9a-f]{64}$"
# Official area names come from the Kemendagri reference, not from people: a village that shares a
# person's name must not block publication.
_REFERENCE_NAME_COLUMNS = frozenset({"nama_wilayah"})


class PublishError(RuntimeError):
    """Publication did not happen; the previous publication is untouched."""


class PublishBlocked(PublishError):
    """A gate failed: nothing was written."""


class AuditFailed(PublishError):
    """The freshly written files failed the audit: they were discarded."""


# --------------------------------------------------------------------------------------------- helpers

def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a directory be fsynced
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _sql_str(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


# ----------------------------------------------------------------------------------------- run info

def _gate_rows(gates) -> list[dict]:
    """Accepts {name: bool | 'passed'/'failed' | {passed|status, detail}} or a list of dicts."""
    rows = []
    items = gates.items() if isinstance(gates, dict) else [(g.get("name"), g) for g in (gates or [])]
    for name, result in items:
        detail = None
        if isinstance(result, dict):
            if "passed" in result:
                passed = bool(result["passed"])
            else:
                passed = str(result.get("status", "")).lower() in ("passed", "pass", "success", "ok")
            detail = result.get("detail") or result.get("message")
            if detail is not None and not isinstance(detail, str):
                detail = json.dumps(detail, default=str)
        elif isinstance(result, bool):
            passed = result
        else:
            passed = str(result).lower() in ("passed", "pass", "success", "ok", "true")
        checks = result.get("checks") if isinstance(result, dict) else None
        rows.append({"name": str(name), "passed": passed, "detail": detail, "checks": list(checks or [])})
    return rows


def _rejected_rows(files) -> list[dict]:
    """Files the ingest refused whole or lost rows of (already shown by privacy.show_path, reason masked).
    A stray folder may be named like a formula (`=1+1/`): such texts get the inert prefix like every
    spreadsheet cell (inert.py), so no public value ever starts with a formula trigger."""
    from .inert import inert_text

    return [{"path": inert_text(str(f.get("path"))), "source": inert_text(f.get("source")),
             "period": inert_text(f.get("period")), "status": f.get("status") or "rejected",
             "detail": inert_text(f.get("reason") or f.get("detail")), "rows": f.get("rows_rejected")}
            for f in files or []]


def _extract_rows(files) -> list[dict]:
    rows = []
    for f in files or []:
        path = f.get("path") or f.get("source_file") or f.get("file")
        source = f.get("source") or (Path(path).parts[0] if path and len(Path(path).parts) > 2 else None)
        rows.append({
            "path": str(path),
            "source": source,
            "period": f.get("period"),
            "sha256": f.get("sha256") or f.get("file_sha256"),
            "status": f.get("status", "used"),
        })
    return rows


def normalise_run_info(run_info: dict) -> dict:
    run_id = str(run_info.get("run_id") or uuid.uuid4().hex)
    started = run_info.get("started_at") or _now()
    if isinstance(started, str):
        started = datetime.fromisoformat(started)
    if started.tzinfo is not None:
        started = started.astimezone(timezone.utc).replace(tzinfo=None)
    return {
        "run_id": run_id,
        "started_at": started,
        "extract_files": _extract_rows(run_info.get("extract_files") or run_info.get("extracts")),
        "gates": _gate_rows(run_info.get("gates") or run_info.get("gate_results")),
        "rejected_files": _rejected_rows(run_info.get("rejected_files")),
    }


# ------------------------------------------------------------------------------------------- write

PUBLICATION_DDL = """
create table publication (
    run_id varchar not null,
    started_at timestamp,
    published_at timestamp not null,
    kind varchar not null,          -- 'run' | 'extract_file' | 'gate' | 'table' | 'rejected_file' | 'gate_check'
    name varchar,                   -- extract file path / gate name / table name
    source varchar,
    period varchar,
    sha256 varchar,
    status varchar,                 -- extract: used | gate: passed/failed | table: published
    detail varchar,
    row_count bigint
)
"""


def _write_publication(con, info: dict, published_at: datetime, tables: dict[str, int]) -> None:
    con.execute(PUBLICATION_DDL)
    rows = [(info["run_id"], info["started_at"], published_at, "run", None, None, info.get("period"), None,
             "published",
             json.dumps({"extract_files": len(info["extract_files"]), "gates": len(info["gates"])}), None)]
    for f in info["extract_files"]:
        rows.append((info["run_id"], info["started_at"], published_at, "extract_file", f["path"], f["source"],
                     f["period"], f["sha256"], f["status"], None, None))
    for g in info["gates"]:
        rows.append((info["run_id"], info["started_at"], published_at, "gate", g["name"], None, None, None,
                     "passed" if g["passed"] else "failed", g["detail"], None))
    for name, n in tables.items():
        rows.append((info["run_id"], info["started_at"], published_at, "table", name, None, None, None,
                     "published", None, n))
    # for the report (orchestration/report): rejected files and every gate's expectations with their
    # observed value and tolerance
    for f in info.get("rejected_files") or []:
        rows.append((info["run_id"], info["started_at"], published_at, "rejected_file", f["path"], f["source"],
                     f["period"], None, f["status"], f["detail"], f["rows"]))
    for g in info["gates"]:
        for c in g.get("checks") or []:
            rows.append((info["run_id"], info["started_at"], published_at, "gate_check", g["name"], None, None,
                         None, "passed" if c.get("success") else "failed", json.dumps(c, default=str), None))
    con.executemany("insert into publication values (?,?,?,?,?,?,?,?,?,?,?)", rows)


# The priority list is built by dbt (models/marts/mart_priority_list.sql: its registry columns and reason
# come from the contracts); the restricted file keeps it in reading order.
PRIORITY_LIST_SQL = """
create table priority_list as
select * from build.marts.priority_list
order by kode_kecamatan, kode_wilayah, desil nulls last, household_id
"""


def _write_db(target: Path, build_db: Path, tables: dict[str, str], with_priority: bool,
              info: dict, published_at: datetime, *, previous_public: Path | None = None,
              report: Callable[[str], None] = lambda _: None) -> dict[str, int]:
    """Write one published file in the storage of STORAGE_VERSION (BI drivers ship DuckDB 1.x, which
    cannot open DuckDB 2.0's own storage). previous_public: write the public file (history carried
    forward from it, descriptions as COMMENT ON)."""
    counts: dict[str, int] = {}
    con = duckdb.connect()
    try:
        con.execute(f"attach {_sql_str(target)} as pub (storage_version '{STORAGE_VERSION}')")
        con.execute("use pub")
        con.execute(f"attach {_sql_str(build_db)} as build (read_only)")
        for name, schema in tables.items():
            con.execute(f'create table "{name}" as select * from build."{schema}"."{name}"')
            counts[name] = con.execute(f'select count(*) from "{name}"').fetchone()[0]
        if with_priority:
            con.execute(PRIORITY_LIST_SQL)
            counts["priority_list"] = con.execute("select count(*) from priority_list").fetchone()[0]
        con.execute("detach build")
        if previous_public is not None:
            from .history import write_history

            counts.update(write_history(con, "pub", previous_public, info["period"], info["run_id"], report))
        _write_publication(con, info, published_at, counts)
        if previous_public is not None:
            _comment_public(con)
        con.execute("checkpoint pub")
        con.execute("use memory")
        con.execute("detach pub")
    finally:
        con.close()
    return counts


def _comment_public(con, describe: Callable[[dict], dict] | None = None) -> None:
    """COMMENT ON every table and column of the public file, from their single sources (comments.py).
    describe(columns by table) -> descriptions: the province publication's (orchestration/province)."""
    from .comments import comment_statements, public_descriptions

    columns: dict[str, list[str]] = {}
    for table, column in con.execute(
            "select table_name, column_name from duckdb_columns() where database_name = 'pub' "
            "and schema_name = 'main' order by table_name, column_index").fetchall():
        columns.setdefault(table, []).append(column)
    for statement in comment_statements("", columns, describe(columns) if describe else public_descriptions()):
        con.execute(statement)


# ------------------------------------------------------------------------------------------- audit

def scan_for_personal_data(con, names: Iterable[str] = ()) -> list[str]:
    """Problems found in every table of `con`: personal column names, 16-digit numbers, known names."""
    problems = []
    names = {n.strip().upper() for n in names if n and len(n.strip()) >= 4}
    cols = con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'main'").fetchall()  # every table, publication included: no exemption
    for table, column, dtype in cols:
        if column.lower() in PERSONAL_COLUMNS:
            problems.append(f"{table}.{column}: personal column name")
        qcol = f'"{column}"'
        if dtype.upper().startswith(("VARCHAR", "TEXT", "STRING")):
            n = con.execute(
                f'select count(*) from "{table}" where regexp_matches({qcol}, ?) and not regexp_matches({qcol}, ?)',
                [_SIXTEEN_DIGITS, _DIGEST]).fetchone()[0]
            if n:
                problems.append(f"{table}.{column}: {n} values holding a 16-digit number")
            if names and column.lower() not in _REFERENCE_NAME_COLUMNS:
                values = {v[0].strip().upper() for v in con.execute(
                    f'select distinct {qcol} from "{table}" where {qcol} is not null').fetchall()}
                hits = values & names
                if hits:
                    problems.append(f"{table}.{column}: {len(hits)} values equal to a person's name")
        elif any(t in dtype.upper() for t in ("INT", "DECIMAL", "DOUBLE", "FLOAT", "NUMERIC", "REAL")):
            n = con.execute(
                f'select count(*) from "{table}" where abs({qcol}) >= 1e15 and abs({qcol}) < 1e16').fetchone()[0]
            if n:
                problems.append(f"{table}.{column}: {n} 16-digit numbers")
    return problems


def storage_version_number(path: Path) -> int | None:
    """The storage version in a DuckDB file's main header (after the 8-byte checksum: 'DUCK', uint64)."""
    with open(path, "rb") as f:
        head = f.read(20)
    if len(head) < 20 or head[8:12] != b"DUCK":
        return None
    return int.from_bytes(head[12:20], "little")


def check_public_shape(con) -> list[str]:
    """Problems of the public file's shape: a count of a 128-bit type; a table or column without a comment."""
    problems = []
    for table, column, dtype, comment in con.execute(
            "select table_name, column_name, data_type, comment from duckdb_columns() "
            "where schema_name = 'main' and database_name = current_database()").fetchall():
        if dtype.upper() in _WIDE_INTEGER or re.fullmatch(r"DECIMAL\(\d+,\s*0\)", dtype.upper()):
            problems.append(f"{table}.{column}: {dtype} (counts are BIGINT)")
        if not (comment or "").strip():
            problems.append(f"{table}.{column}: no description")
    for table, comment in con.execute(
            "select table_name, comment from duckdb_tables() where schema_name = 'main' "
            "and database_name = current_database()").fetchall():
        if not (comment or "").strip():
            problems.append(f"{table}: no description")
    return problems


def _audit(public_tmp: Path, restricted_tmp: Path, public_counts: dict, restricted_counts: dict) -> None:
    problems = []
    for path, counts in ((public_tmp, public_counts), (restricted_tmp, restricted_counts)):
        version = storage_version_number(path)
        if version is None or version > NEWEST_V1_STORAGE:
            problems.append(f"{path.name}: storage version {version}, DuckDB 1.x reads up to {NEWEST_V1_STORAGE}")
        con = duckdb.connect(str(path), read_only=True)
        try:
            for name, n in counts.items():
                got = con.execute(f'select count(*) from "{name}"').fetchone()[0]
                if got != n:
                    problems.append(f"{path.name}:{name}: {got} rows, expected {n}")
            if con.execute("select count(*) from publication where kind = 'run'").fetchone()[0] != 1:
                problems.append(f"{path.name}: publication has no run row")
        finally:
            con.close()
    rcon = duckdb.connect(str(restricted_tmp), read_only=True)
    try:
        person_names = [r[0] for r in rcon.execute("select distinct nama from fct_person where nama is not null").fetchall()]
    finally:
        rcon.close()
    pcon = duckdb.connect(str(public_tmp), read_only=True)
    try:
        problems += scan_for_personal_data(pcon, person_names)
        problems += check_public_shape(pcon)
    finally:
        pcon.close()
    if problems:
        raise AuditFailed("audit of the new publication failed: " + "; ".join(problems[:20]))


# ----------------------------------------------------------------------------------------- publish

def publish(build_db_path, published_dir, run_info: dict, *, exports_dir=None, require_gates_passed: bool = True,
            report: Callable[[str], None] | None = None, postgres_url: str | None = None,
            report_pdf: bool = False, _before_swap: Callable[[dict], None] | None = None) -> dict[str, Path]:
    """Write, audit and atomically publish public.duckdb + restricted.duckdb, then the exports.

    run_info: {"run_id", "started_at", "extract_files": [{"path", "sha256", "period", "source"?}],
    "gates": {name: bool | {"passed": bool, "detail": ...}} or [{"name", "passed"|"status", "detail"}]}.
    Returns the paths written: public, restricted, publication (= public), exports_public, exports_restricted.
    Raises PublishBlocked (a gate failed: nothing written), AuditFailed, or any error before the swap;
    in every such case the previous publication is left byte-identical. `report` is told, one line each,
    what a killed earlier publish left and this one cleaned. postgres_url (SIKKEP_PUBLISH_POSTGRES): the
    same tables are staged in PostgreSQL before the swap and swapped in one transaction after it
    (postgres.py); a PostgreSQL that cannot take them holds the whole publication back. The report
    (orchestration/report) lands in published/laporan/ with the swap; report_pdf: print its PDF too (the
    Dagster asset does; a missing or failing renderer is said in the returned report_note, never an error).
    """
    build_db = Path(build_db_path).resolve()
    published = Path(published_dir).resolve()
    exports = Path(exports_dir).resolve() if exports_dir else published.parent / "exports"
    info = normalise_run_info(run_info)
    if not build_db.exists():
        raise PublishError(f"build database not found: {build_db}")
    failed = [g["name"] for g in info["gates"] if not g["passed"]]
    if failed and require_gates_passed:
        raise PublishBlocked(f"gates failed, publication held back: {', '.join(failed)}")

    published.mkdir(parents=True, exist_ok=True)
    with publish_lock(published):
        from .leftovers import clean_leftovers

        for line in clean_leftovers(published, exports):
            (report or (lambda _: None))(line)
        token = f"{TEMP_MARK}{re.sub(r'[^A-Za-z0-9_-]', '_', info['run_id'])[:40]}-{os.getpid()}"
        public_tmp = published / f".{PUBLIC_DB}{token}"
        restricted_tmp = published / f".{RESTRICTED_DB}{token}"
        published_at = _now()
        from .history import publication_period

        info["period"] = publication_period(info, published_at)
        staging = exports.parent / f".{exports.name}{token}"
        pg = None
        try:
            public_counts = _write_db(public_tmp, build_db, {t: "indicators" for t in PUBLIC_TABLES},
                                      False, info, published_at, previous_public=published / PUBLIC_DB,
                                      report=report or (lambda _: None))
            restricted_counts = _write_db(restricted_tmp, build_db, RESTRICTED_TABLES, True, info, published_at)
            _audit(public_tmp, restricted_tmp, public_counts, restricted_counts)
            for p in (public_tmp, restricted_tmp):
                if Path(str(p) + ".wal").exists():
                    raise PublishError(f"{p.name} still has a write-ahead log after checkpoint")
                _fsync_file(p)
            # The exports are made from the audited temp files BEFORE the swap: an export that fails
            # holds the whole publication back instead of leaving new databases beside old exports.
            from .exports import write_exports

            staged = write_exports(public_tmp, restricted_tmp, staging, info)
            # the report (orchestration/report) from the audited public file, moved in after the swap
            from ..report import build_report

            report_staged = published / f".laporan{token}"
            laporan = build_report(public_tmp, report_staged, pdf=report_pdf)
            if postgres_url:
                from . import postgres

                pg = postgres.stage(postgres_url, public_tmp, restricted_tmp)
                for name in pg["cleaned"]:
                    (report or (lambda _: None))(f"PostgreSQL schema {name} (left by a killed publish) dropped")
            if _before_swap is not None:
                _before_swap({"public": public_tmp, "restricted": restricted_tmp})
            # the swap: restricted first, public last (public carries the run id readers check first)
            os.replace(restricted_tmp, published / RESTRICTED_DB)
            os.replace(public_tmp, published / PUBLIC_DB)
            _fsync_dir(published)
        except BaseException as exc:
            if postgres_url and pg is not None:
                postgres.drop(pg)
            for p in (public_tmp, restricted_tmp):
                for q in (p, Path(str(p) + ".wal")):
                    with contextlib.suppress(FileNotFoundError):
                        q.unlink()
            shutil.rmtree(staging, ignore_errors=True)
            shutil.rmtree(published / f".laporan{token}", ignore_errors=True)
            raise
        export_paths = _swap_exports(staging, exports, staged)
        from ..report import HTML_NAME, PDF_NAME, swap_report

        report_dir = swap_report(report_staged, published)
        if pg is not None:
            # after the DuckDB swap: if this fails, PostgreSQL keeps the previous publication whole, the
            # run fails, and the next refresh publishes again (up_to_date.py: its publish step did not finish)
            postgres.swap(pg)

    return {
        "public": published / PUBLIC_DB,
        "restricted": published / RESTRICTED_DB,
        "publication": published / PUBLIC_DB,
        "exports_public": export_paths["public"],
        "exports_restricted": export_paths["restricted"],
        "report": report_dir / HTML_NAME,
        "report_pdf": report_dir / PDF_NAME if laporan["pdf"] else None,
        "report_note": laporan["note"],
        **{f"export:{k}": v for k, v in export_paths["files"].items()},
    }


def _swap_exports(staging: Path, exports: Path, staged: dict, folders=("public", "restricted")) -> dict:
    """Move each staged export folder into place (rename of the old one aside, rename of the new one in).
    folders: the province publication (orchestration/province) has public exports only."""
    exports.mkdir(parents=True, exist_ok=True)
    for sub in folders:
        new, final = staging / sub, exports / sub
        old = exports / f".{sub}.old"
        shutil.rmtree(old, ignore_errors=True)
        if final.exists():
            os.replace(final, old)
        os.replace(new, final)
        shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)
    _fsync_dir(exports)
    files = {k: exports / Path(v).relative_to(staging) for k, v in staged["files"].items()}
    return {"public": exports / "public", "restricted": exports / "restricted", "files": files}


# ------------------------------------------------------------------------------------------ status

def _read_publication(path: Path) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            "select kind, name, source, period, sha256, status, detail, row_count, run_id, started_at, "
            "published_at from publication order by kind, name").fetchall()
    finally:
        con.close()
    out = {"run_id": None, "started_at": None, "published_at": None, "extract_files": [], "gates": [], "tables": {}}
    for kind, name, source, period, sha, status, detail, n, run_id, started, published_at in rows:
        out["run_id"], out["started_at"], out["published_at"] = run_id, str(started), str(published_at)
        if kind == "extract_file":
            out["extract_files"].append({"path": name, "source": source, "period": period, "sha256": sha})
        elif kind == "gate":
            out["gates"].append({"name": name, "status": status, "detail": detail})
        elif kind == "table":
            out["tables"][name] = n
    return out


def read_status(published_dir, exports_dir=None) -> dict:
    """What is published (run, time, extract files, gates, tables) and what a killed publish left."""
    published = Path(published_dir)
    exports = Path(exports_dir) if exports_dir else published.parent / "exports"
    status: dict = {"published_dir": str(published), "published": False, "files": {}}
    for label, fname in (("public", PUBLIC_DB), ("restricted", RESTRICTED_DB)):
        path = published / fname
        if not path.exists():
            status["files"][label] = {"path": str(path), "exists": False}
            continue
        st = path.stat()
        entry = {"path": str(path), "exists": True, "bytes": st.st_size,
                 "modified": datetime.fromtimestamp(st.st_mtime, timezone.utc).isoformat()}
        try:
            entry.update(_read_publication(path))
        except Exception as exc:  # a damaged file is reported, not raised
            entry["error"] = f"{type(exc).__name__}: {exc}"
        status["files"][label] = entry
    pub = status["files"].get("public", {})
    res = status["files"].get("restricted", {})
    if pub.get("run_id"):
        status.update(published=True, run_id=pub["run_id"], published_at=pub["published_at"],
                      started_at=pub["started_at"], extract_files=pub["extract_files"], gates=pub["gates"])
    status["consistent"] = bool(pub.get("run_id")) and pub.get("run_id") == res.get("run_id")
    from .leftovers import find_leftovers

    status["leftovers"] = find_leftovers(published, exports, status.get("run_id"))
    return status
