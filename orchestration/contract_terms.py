"""The terms a contract sets beyond reading its files: how a registry ranks households (block `registry`)
and whom a program is for (block `eligibility`).

The marts take them as dbt vars (dbt_runtime.dbt_vars), so no model names a registry: a new registry
(DTSEN) is a new contract file. Read from the same YAML the contract came from (SIKKEP_CONTRACTS_DIR
overrides the project's, as in ingest.contracts.default_contracts).
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from .settings import CONTRACTS_DIR


def contract_file(source: str, contracts_dir: Path | None) -> Path | None:
    """The YAML a contract was read from (the file name is the source)."""
    for directory in (contracts_dir, CONTRACTS_DIR):
        if directory and (path := Path(directory) / f"{source}.yml").is_file():
            return path
    return None


def contract_data(source: str, contracts_dir: Path | None) -> dict:
    path = contract_file(source, contracts_dir)
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path else {}


def _int(value, where: str, key: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: registry '{key}' must be a whole number, got {value!r}") from None


def registry_terms(source: str, contracts_dir: Path | None) -> dict:
    """A registry's terms (contract block `registry`):
    label             how people read its name (priority reason, export headers); default SOURCE upper case
    order             whose record comes first where one is chosen (a household's village, No KK): lower first
    desil_precedence  a household's desil comes from the registries of the lowest precedence that rank it,
                      the poorest among them (DTSEN before DTKS/P3KE)
    desil_scale       {min, max}: the desils it ranks (DTKS/P3KE 1-4, DTSEN 1-10); others count as unranked
    priority          set on the registries of the SIKKEP priority group (listed in each of them, no social
                      assistance); the number orders them in the priority reason"""
    where = f"contract {source}.yml"
    block = contract_data(source, contracts_dir).get("registry") or {}
    if not isinstance(block, dict):
        raise ValueError(f"{where}: 'registry' must be a mapping")
    scale = block.get("desil_scale") or {}
    lo, hi = _int(scale.get("min", 1), where, "desil_scale.min"), _int(scale.get("max", 10), where, "desil_scale.max")
    if not 1 <= lo <= hi <= 10:
        raise ValueError(f"{where}: registry desil_scale must lie within 1..10 with min <= max, got {lo}..{hi}")
    label = str(block.get("label") or source.upper())
    if not re.fullmatch(r"[\w ./-]+", label):
        raise ValueError(f"{where}: registry label may hold letters, digits, spaces and . / - only")
    priority = block.get("priority")
    return {"label": label,
            "order": _int(block.get("order", 100), where, "order"),
            "desil_precedence": _int(block.get("desil_precedence", 1), where, "desil_precedence"),
            "desil_scale": {"min": lo, "max": hi},
            "priority": None if priority is None else _int(priority, where, "priority")}


def eligibility_terms(source: str, contracts_dir: Path | None) -> dict:
    """A program's own eligibility (contract block `eligibility`): desil_max (eligible = household desil
    1..desil_max; none = no desil criterion, e.g. credit) and rule, the criterion in words (Indonesian;
    default 'Desil 1' / 'Desil 1-k'). ind_program_coverage measures coverage and errors against it."""
    where = f"contract {source}.yml"
    block = contract_data(source, contracts_dir).get("eligibility") or {}
    if not isinstance(block, dict):
        raise ValueError(f"{where}: 'eligibility' must be a mapping")
    desil_max = block.get("desil_max")
    if desil_max is not None:
        try:
            desil_max = int(desil_max)
        except (TypeError, ValueError):
            raise ValueError(f"{where}: eligibility desil_max must be a whole number, got {desil_max!r}") from None
        if not 1 <= desil_max <= 10:
            raise ValueError(f"{where}: eligibility desil_max must lie within 1..10, got {desil_max}")
    default = ("Tanpa kriteria desil" if desil_max is None
               else "Desil 1" if desil_max == 1 else f"Desil 1-{desil_max}")
    return {"desil_max": desil_max, "rule": str(block.get("rule") or default)}


BENEFIT_UNITS = {"keluarga_bulan": "per keluarga per bulan", "keluarga_tahun": "per keluarga per tahun",
                 "orang_bulan": "per orang per bulan", "rumah": "per rumah"}


def benefit_terms(source: str, contracts_dir: Path | None) -> list[dict]:
    """A program's benefit values (contract block `benefit`, a list: versions with valid_from YYYY-MM,
    rupiah, per (BENEFIT_UNITS) and legal_source). ind_program_budget applies the newest version valid at
    the program list's period; no entry = no estimate (credit, or a value the district has not set)."""
    where = f"contract {source}.yml"
    entries = contract_data(source, contracts_dir).get("benefit") or []
    if not isinstance(entries, list):
        raise ValueError(f"{where}: 'benefit' must be a list of versions")
    out = []
    for e in entries:
        if not isinstance(e, dict):
            raise ValueError(f"{where}: each benefit version must be a mapping")
        valid_from, per = str(e.get("valid_from") or ""), e.get("per")
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", valid_from):
            raise ValueError(f"{where}: benefit valid_from must be YYYY-MM, got {e.get('valid_from')!r}")
        if per not in BENEFIT_UNITS:
            raise ValueError(f"{where}: benefit per must be one of {sorted(BENEFIT_UNITS)}, got {per!r}")
        try:
            rupiah = int(e.get("rupiah"))
        except (TypeError, ValueError):
            raise ValueError(f"{where}: benefit rupiah must be a whole number, got {e.get('rupiah')!r}") from None
        if rupiah <= 0 or not str(e.get("legal_source") or "").strip():
            raise ValueError(f"{where}: a benefit needs rupiah > 0 and its legal_source")
        out.append({"valid_from": valid_from, "rupiah": rupiah, "per": per,
                    "legal_source": str(e["legal_source"]).strip()})
    if len({e["valid_from"] for e in out}) != len(out):
        raise ValueError(f"{where}: two benefit versions with the same valid_from")
    return sorted(out, key=lambda e: e["valid_from"])
