"""exports/public/datapackage.json: a Frictionless (Tabular) Data Package of the public exports, with the
metadata Satu Data Indonesia asks for (Perpres 39/2019): Indonesian title and descriptions, licence,
produsen data and walidata, update frequency, period, every column's description and unit, and BPS-style
indicator metadata (konsep, definisi, rumus, satuan) on the indicator columns.

Nothing is described twice: table and column texts are comments.public_descriptions() (the dbt YAML of
the indicators and descriptions.yml, the same text as COMMENT ON and the export JSON); units, titles,
concepts and formulas are in datapackage.yml beside this file. Each table is one CSV resource (for
machines; typed by its schema) and one XLSX resource (for spreadsheets: codes such as 18.02 stay text,
spreadsheet.py)."""
from __future__ import annotations

import fnmatch
import json
from functools import lru_cache
from pathlib import Path

import yaml

PROFILE = "tabular-data-package"
# DuckDB type -> Table Schema type
_TYPES = {"VARCHAR": "string", "BIGINT": "integer", "INTEGER": "integer", "SMALLINT": "integer",
          "TINYINT": "integer", "UBIGINT": "integer", "UINTEGER": "integer", "HUGEINT": "integer",
          "DOUBLE": "number", "FLOAT": "number", "REAL": "number", "BOOLEAN": "boolean", "DATE": "date",
          "TIMESTAMP": "datetime"}


@lru_cache(maxsize=1)
def config() -> dict:
    return yaml.safe_load(Path(__file__).with_name("datapackage.yml").read_text(encoding="utf-8"))


def _clean(text) -> str:
    return " ".join(str(text or "").split())


def field_type(duckdb_type: str) -> str:
    t = duckdb_type.upper()
    if t.startswith("DECIMAL"):
        return "number"
    if t.startswith("VARCHAR"):
        return "string"
    return _TYPES.get(t, "string")


def unit_of(column: str, ftype: str) -> str | None:
    """The unit of a numeric column by the rules of datapackage.yml; None for text or no rule."""
    if ftype not in ("integer", "number"):
        return None
    for rule in config()["units"]:
        if fnmatch.fnmatchcase(column, rule["match"]):
            return rule["unit"]
    return None


def resource_name(table: str, fmt: str) -> str:
    """Frictionless names are lower-case letters, digits, '-', '.', '_'; the XLSX twin is <table>-xlsx."""
    return table if fmt == "csv" else f"{table}-{fmt}"


def _title(table: str) -> str:
    titles = config()["titles"]
    base = table.removesuffix("_history")
    title = titles.get(base) or base
    return f"Riwayat {title[0].lower()}{title[1:]}" if table.endswith("_history") else title


def _field(column: str, dtype: str, description: str) -> dict:
    ftype = field_type(dtype)
    field = {"name": column, "type": ftype, "description": description}
    if ftype == "datetime":
        field["format"] = "any"  # DuckDB writes '2026-12-05 01:02:03.456789'
    unit = unit_of(column, ftype)
    if unit:
        field["satuan"] = unit
    indicator = config()["indicators"].get(column)
    if indicator:
        field["indikator"] = {"konsep": _clean(indicator["konsep"]), "definisi": description,
                              "rumus": _clean(indicator["rumus"]), "satuan": unit}
    return field


def build_package(tables: list[dict], area: dict, info: dict, published_at) -> dict:
    """tables: [{"table", "description", "columns": [(name, duckdb type, description)], "periods", "rows",
    "sources", "area_levels"}]; area: {"kode_wilayah", "nama_wilayah"} of the kabupaten/kota."""
    cfg = config()["package"]
    wilayah = area.get("nama_wilayah") or area.get("kode_wilayah") or ""
    kode = area.get("kode_wilayah") or ""
    fill = lambda text: _clean(text).format(wilayah=wilayah, kode=kode)  # noqa: E731
    resources = []
    for t in tables:
        fields = [_field(c, dtype, desc) for c, dtype, desc in t["columns"]]
        common = {"title": _title(t["table"]), "description": t["description"],
                  "schema": {"fields": fields, "missingValues": [""]},
                  "periode": t["periods"], "sumber": t["sources"], "tingkat_wilayah": t["area_levels"],
                  "jumlah_baris": t["rows"]}
        resources.append({"name": resource_name(t["table"], "csv"), "path": f"{t['table']}.csv", "format": "csv",
                          "mediatype": "text/csv", "encoding": "utf-8", "profile": "tabular-data-resource",
                          **common})
        resources.append({"name": resource_name(t["table"], "xlsx"), "path": f"{t['table']}.xlsx", "format": "xlsx",
                          "mediatype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          "profile": "tabular-data-resource", **common,
                          "dialect": {"excel": {"sheet": 1}}})
    return {
        "profile": PROFILE,
        "name": f"sikkep-{kode.replace('.', '-')}" if kode else "sikkep",
        "id": f"sikkep-{kode}-{info['run_id']}",
        "title": fill(cfg["title"]),
        "description": fill(cfg["description"]),
        "keywords": list(cfg["keywords"]),
        "licenses": [dict(lic) for lic in cfg["licenses"]],
        "contributors": [{"title": fill(cfg["produsen_data"]), "role": "author"},
                         {"title": fill(cfg["walidata"]), "role": "publisher"}],
        "produsen_data": fill(cfg["produsen_data"]),
        "walidata": fill(cfg["walidata"]),
        "frekuensi_pemutakhiran": fill(cfg["frekuensi_pemutakhiran"]),
        "periode": info.get("period"),
        "wilayah": {"kode_wilayah": kode, "nama_wilayah": wilayah},
        "created": str(published_at).replace(" ", "T")[:19] + "Z",
        "version": info["run_id"],
        "run_id": info["run_id"],  # like every export JSON: which publication these files are (leftovers.py)
        "catatan_lembar_kerja": fill(cfg["spreadsheet_note"]),
        "resources": resources,
    }


def write_package(path: Path, package: dict) -> None:
    path.write_text(json.dumps(package, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
