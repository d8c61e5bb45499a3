"""dbt vars built from the extract contracts, so a new person/family source needs a contract only.

`person_sources_from_contracts()` -> the `person_sources` var int_person_records unions over:
    dbt build --vars '{"person_sources": [...], "kabupaten": "18.02"}'
"""
from __future__ import annotations

from pathlib import Path

import yaml

CONTRACTS_DIR = Path(__file__).resolve().parent.parent / "contracts"


class _StrBoolLoader(yaml.SafeLoader):
    """YAML 1.1 reads NO / no / Y as booleans; contract names and aliases are text."""


_StrBoolLoader.add_constructor("tag:yaml.org,2002:bool", lambda loader, node: loader.construct_scalar(node))


def load_contract(path: Path) -> dict:
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_StrBoolLoader)


def person_sources_from_contracts(contracts_dir: Path = CONTRACTS_DIR) -> list[dict]:
    out = []
    for p in sorted(Path(contracts_dir).glob("*.yml")):
        c = load_contract(p)
        if c.get("kind") not in ("registry", "program"):
            continue  # aggregates (dukcapil_agregat) are not person rows
        program = c.get("program")
        out.append({
            "source": str(c["source"]),
            "kind": c["kind"],
            "unit": c.get("unit") or "person",
            "program": None if program in (None, "null", "None") else str(program),
            "required": [str(x).lower() for x in (c.get("required") or [])],
            "identifiers": {str(k): str(v).lower() for k, v in (c.get("identifiers") or {}).items()},
        })
    return out


def dbt_vars(kabupaten: str, contracts_dir: Path = CONTRACTS_DIR) -> dict:
    return {"kabupaten": kabupaten, "person_sources": person_sources_from_contracts(contracts_dir)}
