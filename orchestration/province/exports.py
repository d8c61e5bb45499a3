"""Exports of the province publication: exports/public/<table>.parquet, .csv (inert cells) and .json (its
metadata), for every table of the published file. The texts are the COMMENT ON of the file itself (the
kabupaten descriptions plus the province's, publish.py), so the exports say what the database says."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb

from ..publish.exports import _cleanup, _commit, _tmp, write_table_files
from ..publish.metadata import public_table_metadata
from .rollup import PROVINSI


def write_province_exports(public_db: Path, out_dir: Path, summary: dict) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    metadata = public_table_metadata()  # unit and sources: the dbt YAML of each model
    written: dict[str, Path] = {}
    con = duckdb.connect(str(public_db), read_only=True)
    try:
        tables = dict(con.execute("select table_name, comment from duckdb_tables() "
                                  "where schema_name = 'main' order by table_name").fetchall())
        for table, comment in tables.items():
            if table == "publication":
                continue
            meta_json = out_dir / f"{table}.json"
            write_table_files(con, table, out_dir, written)
            base = metadata.get(table.removesuffix("_history"), {})
            doc = {
                "table": table,
                "description": comment,
                "unit": base.get("unit"),
                "source": base.get("sources"),
                "area_level": [PROVINSI, *base.get("area_levels", [])],
                "provinsi": summary["provinsi"],
                "period": summary["period"],
                "kabupaten_delivered": [{"kode_wilayah": k["kode"], "nama_wilayah": k["nama"], "run_id": k["run_id"],
                                         "period": k["period"]} for k in summary["delivered"]],
                "kabupaten_missing": [{"kode_wilayah": k, "nama_wilayah": n} for k, n in summary["missing"]],
                "rows": con.execute(f'select count(*) from "{table}"').fetchone()[0],
                "columns": [{"name": n, "type": t, "description": c} for n, t, c in con.execute(
                    "select column_name, data_type, comment from duckdb_columns() where schema_name = 'main' "
                    "and table_name = ? order by column_index", [table]).fetchall()],
                "run_id": summary["run_id"],
                "published_at": str(summary["published_at"]),
                "publisher": "SIKKEP Satu Data (provinsi)",
            }
            tmp = _tmp(meta_json)
            tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
            written[f"{table}.json"] = _commit(tmp, meta_json)
    finally:
        con.close()
    _cleanup(out_dir, set(written.values()), ("ind_*.parquet", "ind_*.csv", "ind_*.json"))
    return written
