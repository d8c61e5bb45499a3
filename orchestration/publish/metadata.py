"""What is published where, and the metadata that travels with every public table.

The description, unit, area levels and sources of each public table are written once, in the dbt YAML
of its model (dbt_project/models/indicators/_indicators.yml: description and meta), and read here from
the dbt manifest (target/manifest.json, `dbt parse`) when the exports are written.
"""
from __future__ import annotations

import json
from pathlib import Path

# public.duckdb: the contract's indicator tables (schema `indicators` of the build database). Which
# tables are public is decided here (the published contract), not by the dbt YAML.
PUBLIC_TABLES: tuple[str, ...] = (
    "ind_poverty_by_area",
    "ind_program_coverage",
    "ind_program_overlap",
    "ind_priority_gap",
    "ind_graduation",
    "ind_data_quality",
    "ind_program_budget",
)

# meta.sources entry standing for every program list (contracts with kind 'program', dim_program order)
PROGRAM_SOURCES = "programs"


class MetadataError(RuntimeError):
    """The dbt manifest does not describe a public table (description, meta.unit, area_levels, sources)."""


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v) for v in value]


def program_sources() -> list[str]:
    """The sources of the program lists, in dim_program order (contract program_order, then name)."""
    from ..dbt_runtime import dbt_vars

    programs = [s for s in dbt_vars()["person_sources"] if s["kind"] == "program" and s.get("program")]
    indexed = sorted(enumerate(programs), key=lambda ip: (
        ip[1].get("program_order") if ip[1].get("program_order") is not None else 1_000_000 + ip[0], ip[0]))
    return [s["source"] for _, s in indexed]


def _manifest_path() -> Path:
    from ..dbt_runtime import ensure_manifest
    from ..settings import DBT_PROJECT_DIR

    try:
        return ensure_manifest()
    except Exception:  # dbt could not parse now: an earlier manifest still holds the YAML
        fallback = DBT_PROJECT_DIR / "target" / "manifest.json"
        if fallback.exists():
            return fallback
        raise


def public_table_metadata(manifest_path: Path | None = None) -> dict[str, dict]:
    """table -> {description, unit, sources, area_levels, columns: {column: description}} for every
    public table, from its dbt model's description and meta in the manifest."""
    manifest = json.loads(Path(manifest_path or _manifest_path()).read_text(encoding="utf-8"))
    models = {n["name"]: n for n in manifest.get("nodes", {}).values() if n.get("resource_type") == "model"}
    out: dict[str, dict] = {}
    missing: list[str] = []
    programs: list[str] | None = None
    for table in PUBLIC_TABLES:
        node = models.get(table)
        if node is None:
            missing.append(f"{table}: no dbt model")
            continue
        meta = {**(node.get("meta") or {}), **((node.get("config") or {}).get("meta") or {})}
        description = " ".join((node.get("description") or "").split())
        for key, value in (("description", description), ("meta.unit", meta.get("unit")),
                           ("meta.area_levels", meta.get("area_levels")), ("meta.sources", meta.get("sources"))):
            if not value:
                missing.append(f"{table}: {key}")
        sources: list[str] = []
        for s in _as_list(meta.get("sources")):
            if s == PROGRAM_SOURCES:
                programs = program_sources() if programs is None else programs
                sources += [p for p in programs if p not in sources]
            elif s not in sources:
                sources.append(s)
        out[table] = {
            "description": description,
            "unit": str(meta.get("unit") or ""),
            "sources": sources,
            "area_levels": _as_list(meta.get("area_levels")),
            "columns": {c: " ".join((col.get("description") or "").split())
                        for c, col in (node.get("columns") or {}).items()},
        }
    if missing:
        raise MetadataError("dbt manifest lacks the metadata of public tables: " + "; ".join(missing))
    return out


# restricted.duckdb: by-name tables for the poverty team. name -> schema in the build database.
RESTRICTED_TABLES: dict[str, str] = {
    "fct_household": "marts",
    "fct_person": "marts",
    "xref_source_record": "marts",
    "quarantine": "marts",
}

# Column names that must never appear in the public zone. (`name` is not one: publication.name names the
# extract files, gates and tables of a run; its values are audited like every value of every public table.)
PERSONAL_COLUMNS = frozenset({
    "nik", "no_kk", "nama", "tanggal_lahir", "alamat", "address", "person_id", "household_id",
    "head_person_id", "nik_masked", "head_name", "idbdt", "noka",
})
