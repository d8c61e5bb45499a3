"""Exports written from the published files.

exports/public/<table>.parquet, <table>.csv, <table>.json   every public indicator table and its history
                                                             (ind_*_history) + its metadata
                                                             (description, unit, sources, area levels:
                                                             the dbt YAML of the model, via the manifest)
exports/restricted/priority_<kode_kecamatan>.xlsx            the SIKKEP priority list, one workbook per
                                                             kecamatan, one sheet per village
Every XLSX and CSV cell goes through inert.py (no value is ever read as a formula).
Each file is written to a hidden temp name and os.replace()d into place; files of an earlier
publication that the new one no longer produces (a kecamatan without priority households) are removed.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path

import duckdb

from .inert import inert_select, xlsx_row
from .lock import TEMP_MARK
from .comments import history_name, public_descriptions
from .metadata import PUBLIC_TABLES, public_table_metadata


def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.name}{TEMP_MARK}{os.getpid()}")


def _commit(tmp: Path, final: Path) -> Path:
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, final)
    return final


def _cleanup(directory: Path, keep: set[Path], patterns: tuple[str, ...]) -> None:
    for p in directory.iterdir():
        if not p.is_file():
            continue
        stale_temp = p.name.startswith(".") and TEMP_MARK in p.name
        stale_output = p not in keep and any(p.match(pat) for pat in patterns)
        if stale_temp or stale_output:
            with contextlib.suppress(FileNotFoundError):
                p.unlink()


def _sql_str(value) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _table_periods(con, table: str, info: dict, sources: list[str]) -> dict:
    cols = {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_name = ?", [table]).fetchall()}
    if table.endswith("_history"):  # one set per publication period
        return {"periods": [r[0] for r in con.execute(f'select distinct period from "{table}" order by 1').fetchall()]}
    if {"period_from", "period_to"} <= cols:
        pairs = con.execute(f'select distinct period_from, period_to from "{table}" order by 1').fetchall()
        return {"period_pairs": [list(p) for p in pairs]}
    if "period" in cols:
        return {"periods": [r[0] for r in con.execute(f'select distinct period from "{table}" order by 1').fetchall()]}
    current: dict[str, str] = {}
    for f in info["extract_files"]:
        if f["source"] and f["period"]:
            current[f["source"]] = max(current.get(f["source"], ""), f["period"])
    return {"current_periods": {s: p for s, p in sorted(current.items()) if "all" in sources or s in sources}}


def write_public_exports(public_db: Path, out_dir: Path, info: dict) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    metadata = public_table_metadata()  # descriptions and meta: the dbt YAML, via the dbt manifest
    # ind_*_history (trends) beside each ind_*: their texts generated from the same YAML (comments.py)
    descriptions = public_descriptions(metadata)
    metadata = {**metadata, **{history_name(t): {**metadata[t], **descriptions[history_name(t)]}
                               for t in PUBLIC_TABLES}}
    con = duckdb.connect(str(public_db), read_only=True)
    try:
        published_at = con.execute("select max(published_at) from publication").fetchone()[0]
        package_tables: list[dict] = []  # datapackage.json (datapackage.py), one entry per table
        for table in (*PUBLIC_TABLES, *(history_name(t) for t in PUBLIC_TABLES)):
            meta = metadata[table]
            meta_json = out_dir / f"{table}.json"
            write_table_files(con, table, out_dir, written)
            columns = [{"name": n, "type": t, "description": meta["columns"].get(n, "")} for n, t in con.execute(
                "select column_name, data_type from information_schema.columns where table_name = ? "
                "order by ordinal_position", [table]).fetchall()]
            doc = {
                "table": table,
                "description": meta["description"],
                "unit": meta["unit"],
                "source": meta["sources"],
                "area_level": meta["area_levels"],
                **_table_periods(con, table, info, meta["sources"]),
                "rows": con.execute(f'select count(*) from "{table}"').fetchone()[0],
                "columns": columns,
                "run_id": info["run_id"],
                "published_at": str(published_at),
                "publisher": "SIKKEP Satu Data",
            }
            tmp = _tmp(meta_json)
            tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
            written[f"{table}.json"] = _commit(tmp, meta_json)
            written.update(_spreadsheet_and_package_entry(con, table, out_dir, doc, package_tables))
        written["datapackage.json"] = _write_datapackage(con, out_dir, package_tables, info, published_at)
    finally:
        con.close()
    _cleanup(out_dir, set(written.values()), ("ind_*.parquet", "ind_*.csv", "ind_*.json", "ind_*.xlsx"))
    return written


def _spreadsheet_and_package_entry(con, table: str, out_dir: Path, doc: dict, package_tables: list) -> dict:
    """The table's XLSX twin (spreadsheet.py) and its entry of datapackage.json (datapackage.py)."""
    from .datapackage import _title
    from .spreadsheet import write_table_xlsx

    xlsx = out_dir / f"{table}.xlsx"
    tmp = out_dir / f".{xlsx.name}{TEMP_MARK}{os.getpid()}.xlsx"
    write_table_xlsx(con, table, tmp, _title(table))
    periods = doc.get("periods") or doc.get("period_pairs") or doc.get("current_periods")
    package_tables.append({"table": table, "description": doc["description"], "rows": doc["rows"],
                           "columns": [(c["name"], c["type"], c["description"]) for c in doc["columns"]],
                           "periods": periods, "sources": doc["source"], "area_levels": doc["area_level"]})
    return {f"{table}.xlsx": _commit(tmp, xlsx)}


def _write_datapackage(con, out_dir: Path, package_tables: list, info: dict, published_at) -> Path:
    from .datapackage import build_package, write_package

    area = con.execute("select kode_wilayah, nama_wilayah from ind_poverty_by_area where level = 'kabupaten' "
                       "limit 1").fetchone()
    package = build_package(package_tables, {"kode_wilayah": area[0], "nama_wilayah": area[1]} if area else {},
                            info, published_at)
    final = out_dir / "datapackage.json"
    tmp = _tmp(final)
    write_package(tmp, package)
    return _commit(tmp, final)


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
PRIORITY_COLUMNS = [
    ("household_id", "ID Keluarga"), ("kode_wilayah", "Kode Desa"), ("nama_desa", "Desa / Kampung"),
    ("nama_kepala_keluarga", "Kepala Keluarga"), ("nik_kepala_masked", "NIK (tersamar)"),
    ("members", "Jumlah Anggota"), ("desil", "Desil"), ("alasan", "Alasan Prioritas"),
]


def priority_columns(con) -> list[tuple[str, str]]:
    """PRIORITY_COLUMNS with each registry's desil (priority_list.desil_<registry>, one per registry
    contract: models/marts/mart_priority_list.sql) before the reason, in the table's order."""
    registry = [(c, f"Desil {c[len('desil_'):].upper()}") for (c,) in con.execute(
        "select column_name from duckdb_columns() where table_name = 'priority_list' "
        "and column_name like 'desil\\_%' escape '\\' order by column_index").fetchall()]
    return PRIORITY_COLUMNS[:-1] + registry + PRIORITY_COLUMNS[-1:]


def _sheet_name(name: str, used: set[str]) -> str:
    base = _SHEET_BAD.sub(" ", name).strip()[:31] or "Desa"
    candidate, i = base, 2
    while candidate.lower() in used:
        suffix = f" ({i})"
        candidate, i = base[: 31 - len(suffix)] + suffix, i + 1
    used.add(candidate.lower())
    return candidate


def write_priority_workbooks(restricted_db: Path, out_dir: Path, info: dict) -> dict[str, Path]:
    from openpyxl import Workbook

    out_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(restricted_db), read_only=True)
    try:
        columns = priority_columns(con)
        cols = ", ".join(c for c, _ in columns)
        rows = con.execute(
            f"select kode_kecamatan, nama_kecamatan, {cols} from priority_list "
            "order by kode_kecamatan nulls last, kode_wilayah nulls last, household_id").fetchall()
    finally:
        con.close()
    by_kecamatan: dict[tuple, dict[tuple, list]] = {}
    for kode_kec, nama_kec, *rest in rows:
        village = (rest[1], rest[2])  # kode_wilayah, nama_desa
        by_kecamatan.setdefault((kode_kec, nama_kec), {}).setdefault(village, []).append(rest)
    written: dict[str, Path] = {}
    for (kode_kec, nama_kec), villages in by_kecamatan.items():
        code = (kode_kec or "tanpa_kecamatan").replace(".", "")
        final = out_dir / f"priority_{code}.xlsx"
        wb = Workbook(write_only=True)
        used: set[str] = set()
        for (kode_desa, nama_desa), items in villages.items():
            title = nama_desa or (kode_desa or "Tanpa desa (hanya kecamatan)")
            ws = wb.create_sheet(_sheet_name(title, used))
            # every row through xlsx_row: a name such as =HYPERLINK(...) is a text cell, never a formula
            ws.append(xlsx_row(ws, [f"Daftar prioritas SIKKEP - Kecamatan {nama_kec or kode_kec or '-'} - "
                                    f"Desa {nama_desa or '-'} ({kode_desa or 'desa tidak diketahui'})"]))
            ws.append(xlsx_row(ws, [f"RAHASIA: data pribadi (UU 27/2022). Publikasi {info['run_id']}"]))
            ws.append(xlsx_row(ws, [label for _, label in columns]))
            for item in items:
                ws.append(xlsx_row(ws, item))
        tmp = out_dir / f".{final.name}{TEMP_MARK}{os.getpid()}.xlsx"
        wb.save(tmp)
        written[final.name] = _commit(tmp, final)
    _cleanup(out_dir, set(written.values()), ("priority_*.xlsx",))
    return written


def write_exports(public_db: Path, restricted_db: Path, exports_dir: Path, info: dict) -> dict:
    public_dir = exports_dir / "public"
    restricted_dir = exports_dir / "restricted"
    files = {}
    files.update({f"public/{k}": v for k, v in write_public_exports(public_db, public_dir, info).items()})
    files.update({f"restricted/{k}": v for k, v in write_priority_workbooks(restricted_db, restricted_dir, info).items()})
    return {"public": public_dir, "restricted": restricted_dir, "files": files}


def write_table_files(con: duckdb.DuckDBPyConnection, table: str, out_dir: Path, written: dict) -> None:
    """<table>.parquet and <table>.csv, each written beside and moved in whole (kabupaten and province)."""
    parquet, csv = out_dir / f"{table}.parquet", out_dir / f"{table}.csv"
    tmp = _tmp(parquet)
    con.execute(f'copy "{table}" to {_sql_str(tmp)} (format parquet)')
    written[f"{table}.parquet"] = _commit(tmp, parquet)
    tmp = _tmp(csv)
    # text cells that a spreadsheet would run as a formula get a ' prefix (inert.py)
    con.execute(f"copy ({inert_select(con, table)}) to {_sql_str(tmp)} (format csv, header true)")
    written[f"{table}.csv"] = _commit(tmp, csv)
