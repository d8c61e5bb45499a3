"""Write-audit-publish of the province publication, with the kabupaten publication's machinery
(orchestration/publish: the lock, leftovers, storage version, history, COMMENT ON, the personal-data
scan and shape audit, the exports swap).

write    snapshots of the kabupaten public.duckdb files are checked (inputs.py); the province file is
         written as a hidden temp file in <province>/published/ (rollup.py), its gates run (gates.py),
         then its history (carried from the last province publication), publication table and comments
audit    the temp file is reopened read-only: storage version, row counts, only public tables, no
         personal column, no 16-digit number, BIGINT counts, every table and column described
publish  exports are staged from it, then it is fsynced and os.replace()d over published/public.duckdb,
         then the exports folder is swapped. Any failure before the swap leaves the last good province
         publication untouched; what a killed run left is cleaned by the next one.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Callable

import duckdb
import yaml

from ..publish.comments import public_descriptions
from ..publish.core import (
    NEWEST_V1_STORAGE, PUBLIC_DB, STORAGE_VERSION, AuditFailed, PublishBlocked, _comment_public, _fsync_dir,
    _fsync_file, _now,
    _swap_exports, _write_publication, check_public_shape, scan_for_personal_data, storage_version_number,
)
from ..publish.history import write_history
from ..publish.leftovers import clean_leftovers
from ..publish.lock import TEMP_MARK, publish_lock
from . import gates, rollup
from .inputs import KabupatenInput, ProvinceError, check_set, is_indicator, read_and_check, snapshot
from .reference import kabupaten_of, province_name

__all__ = ["ProvinceError", "ProvinceBlocked", "publish_province"]


class ProvinceBlocked(ProvinceError, PublishBlocked):
    """A gate of the roll-up failed: nothing was published."""


@lru_cache(maxsize=1)
def _texts() -> dict:
    return yaml.safe_load(Path(__file__).with_name("descriptions.yml").read_text(encoding="utf-8"))


def _clean(text) -> str:
    return " ".join(str(text or "").split())


def province_descriptions(columns_by_table: dict[str, list[str]]) -> dict[str, dict]:
    """The kabupaten publication's descriptions with the province's additions (descriptions.yml)."""
    texts = _texts()
    out = public_descriptions()
    prefix = _clean(texts["table_prefix"])
    for table, columns in columns_by_table.items():
        d = out.get(table)
        if d is None or table == "publication":
            continue
        d["description"] = f"{prefix} {d['description']}"
        for c in columns:
            if c in texts["columns"]:
                d["columns"][c] = _clean(texts["columns"][c])
    pub = out["publication"]
    pub["description"] = _clean(texts["publication"]["description"])
    pub["columns"].update({k: _clean(v) for k, v in texts["publication"]["columns"].items()})
    return out


def _publication(con, info: dict, published_at, counts: dict, inputs: list[KabupatenInput],
                 missing: dict[str, str], names: dict[str, str]) -> None:
    _write_publication(con, info, published_at, counts)
    con.execute("alter table publication add column kode_wilayah varchar")
    con.execute("alter table publication add column source_run_id varchar")
    con.execute("alter table publication add column source_published_at timestamp")
    base = (info["run_id"], info["started_at"], published_at)
    rows = [(*base, "kabupaten", names[i.kode], None, i.period, i.sha256, "delivered", None, None, i.kode,
             i.run_id, i.published_at) for i in inputs]
    rows += [(*base, "kabupaten", n, None, None, None, "missing", "tidak mengirim publikasi", None, k, None, None)
             for k, n in missing.items()]
    periods = sorted({i.period for i in inputs if i.period})
    detail = "; ".join(f"{i.kode} {i.period}" for i in sorted(inputs, key=lambda i: i.kode))
    rows.append((*base, "check", "periods", None, info["period"], None, "same" if len(periods) <= 1 else "mixed",
                 detail, None, None, None, None))
    con.executemany("insert into publication values (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)


def _audit(path: Path, counts: dict[str, int]) -> None:
    problems = []
    version = storage_version_number(path)
    if version is None or version > NEWEST_V1_STORAGE:
        problems.append(f"storage version {version}, DuckDB 1.x reads up to {NEWEST_V1_STORAGE}")
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [r[0] for r in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'main'").fetchall()]
        problems += [f"{t}: not a public table" for t in tables if t != "publication" and not t.startswith("ind_")]
        for name, n in counts.items():
            if con.execute(f'select count(*) from "{name}"').fetchone()[0] != n:
                problems.append(f"{name}: row count differs from what was written")
        if con.execute("select count(*) from publication where kind = 'run'").fetchone()[0] != 1:
            problems.append("publication has no run row")
        problems += scan_for_personal_data(con)
        problems += check_public_shape(con)
    finally:
        con.close()
    if problems:
        raise AuditFailed("audit of the new province publication failed: " + "; ".join(problems[:20]))


def publish_province(sources: list[str], province_dir, provinsi: str, *, run_id: str | None = None,
                     report: Callable[[str], None] = lambda _: None,
                     _before_swap: Callable[[Path], None] | None = None) -> dict:
    """Roll the kabupaten publications `sources` (warehouse folders, published/ folders or public.duckdb
    files) up into <province_dir>/published/public.duckdb and <province_dir>/exports/public/.

    Returns a summary: provinsi, period, run_id, published_at, delivered [{kode, nama, run_id, period}],
    missing [(kode, nama)], mixed_periods, paths. Raises ProvinceError (refused inputs), ProvinceBlocked
    (a gate failed), AuditFailed, or any error; in every case the last province publication is untouched."""
    nama = province_name(provinsi)
    if nama is None:
        raise ProvinceError(f"province {provinsi!r} is not in the Kemendagri reference (a 2-digit code such as 18)")
    if not sources:
        raise ProvinceError("no kabupaten publication given (--from DIR ...)")
    names = kabupaten_of(provinsi)
    province_dir = Path(province_dir).resolve()
    published, exports = province_dir / "published", province_dir / "exports"
    run_id = run_id or f"provinsi-{provinsi}-{uuid.uuid4().hex[:12]}"
    info = {"run_id": run_id, "started_at": _now(), "extract_files": []}
    published.mkdir(parents=True, exist_ok=True)
    with publish_lock(published):
        for line in clean_leftovers(published, exports):
            report(line)
        token = f"{TEMP_MARK}{re.sub(r'[^A-Za-z0-9_-]', '_', run_id)[:40]}-{os.getpid()}"
        tmp = published / f".{PUBLIC_DB}{token}"
        staging = exports.parent / f".{exports.name}{token}"
        snapshots = [published / f".input-{i}.duckdb{token}" for i in range(len(sources))]
        try:
            inputs = [snapshot(s, p) for s, p in zip(sources, snapshots)]
            problems = [p for inp in inputs for p in read_and_check(inp)]
            if not problems:
                problems = check_set(inputs, provinsi, names)
            if problems:
                raise ProvinceError("kabupaten publications refused, nothing published: " + "; ".join(problems[:20]))
            missing = {k: n for k, n in names.items() if k not in {i.kode for i in inputs}}
            periods = sorted({i.period for i in inputs if i.period})
            info["period"] = periods[-1] if periods else _now().strftime("%Y-%m")
            published_at = _now()
            counts = _write(tmp, inputs, snapshots, info, published_at, provinsi, nama, missing, names,
                            published / PUBLIC_DB, report)
            _audit(tmp, counts)
            if Path(str(tmp) + ".wal").exists():
                raise ProvinceError(f"{tmp.name} still has a write-ahead log after checkpoint")
            _fsync_file(tmp)
            summary = {
                "provinsi": provinsi, "nama": nama, "period": info["period"], "run_id": run_id,
                "published_at": published_at, "mixed_periods": len(periods) > 1,
                "delivered": [{"kode": i.kode, "nama": names[i.kode], "run_id": i.run_id, "period": i.period}
                              for i in sorted(inputs, key=lambda i: i.kode)],
                "missing": sorted(missing.items()),
            }
            from .exports import write_province_exports

            staged = write_province_exports(tmp, staging / "public", summary)
            if _before_swap is not None:
                _before_swap(tmp)
            os.replace(tmp, published / PUBLIC_DB)
            _fsync_dir(published)
        except BaseException:
            for q in (tmp, Path(str(tmp) + ".wal")):
                with contextlib.suppress(FileNotFoundError):
                    q.unlink()
            shutil.rmtree(staging, ignore_errors=True)
            raise
        finally:
            for p in snapshots:
                for q in (p, Path(str(p) + ".wal")):
                    with contextlib.suppress(FileNotFoundError):
                        q.unlink()
        paths = _swap_exports(staging, exports, {"files": {f"public/{k}": v for k, v in staged.items()}},
                              folders=("public",))
    summary["paths"] = {"public": published / PUBLIC_DB, "exports": paths["public"]}
    return summary


def _write(tmp: Path, inputs, snapshots, info, published_at, provinsi, nama, missing, names, previous: Path,
           report) -> dict[str, int]:
    con = duckdb.connect()
    try:
        con.execute(f"attach '{tmp}' as pub (storage_version '{STORAGE_VERSION}')")
        catalogs = [f"k{i}" for i in range(len(inputs))]
        for cat, p in zip(catalogs, snapshots):
            con.execute(f"attach '{p}' as {cat} (read_only)")
        counts = rollup.build(con, "pub", inputs, catalogs, provinsi, nama)
        failed = {}
        for name, check in (("rules_reproduce_inputs", lambda: gates.rules_reproduce_inputs(con, inputs, catalogs)),
                            ("levels_add_up", lambda: gates.levels_add_up(con, "pub", inputs, catalogs))):
            problems = check()
            if problems:
                failed[name] = problems
        if failed:
            raise ProvinceBlocked("province gates failed, nothing published: " + "; ".join(
                f"{name}: {'; '.join(p[:5])}" for name, p in failed.items()))
        info["gates"] = [{"name": n, "passed": True, "detail": None} for n in
                         ("inputs_audit_clean", "inputs_complete", "public_tables_only", "rules_reproduce_inputs",
                          "levels_add_up")]
        for cat in catalogs:
            con.execute(f"detach {cat}")
        con.execute("use pub")
        counts.update(write_history(con, "pub", previous, info["period"], info["run_id"], report))
        _publication(con, info, published_at, counts, inputs, missing, names)
        _comment_public(con, province_descriptions)
        con.execute("checkpoint pub")
        con.execute("use memory")
        con.execute("detach pub")
    finally:
        con.close()
    return counts


