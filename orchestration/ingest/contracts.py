"""Extract contracts: one YAML per source (folder, columns and their header aliases, unit, program)."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from ..settings import CONTRACTS_DIR

KINDS = {"registry", "program", "aggregate"}
UNITS = {"person", "family", "household", "aggregate"}
# how linkage resolves a name-only row matching several namesake families equally well (engine.link_records)
NAMESAKE_TIES = {"ambiguous", "poorest"}


_NOT_KEY = re.compile(r"[^0-9A-Z]")


def header_key(text: object) -> str:
    """Header names vary in case, spacing and punctuation: `No KK`, `NO_KK`, `no.kk` -> `NOKK`."""
    return _NOT_KEY.sub("", str(text or "").upper())


@dataclass(frozen=True)
class Contract:
    source: str
    title: str
    agency: str
    kind: str
    unit: str
    program: str | None
    columns: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    identifiers: dict[str, str] = field(default_factory=dict)
    social_assistance: bool = True
    header_scan_rows: int = 30
    namesake_ties: str = "ambiguous"
    # a person-level list that insures every member of a family (PBI-JK): its recipients of unknown
    # family are counted as estimated families in the indicators, not one household each
    covers_whole_family: bool = False
    digest: str = ""

    @property
    def alias_index(self) -> dict[str, str]:
        """normalised header -> canonical column (first contract column wins on a clash)."""
        index: dict[str, str] = {}
        for canonical, aliases in self.columns.items():
            for alias in (canonical, *aliases):
                index.setdefault(header_key(alias), canonical)
        return index


def _parse(path: Path) -> Contract:
    text = path.read_bytes()
    data = yaml.safe_load(text) or {}
    where = f"contract {path.name}"
    source = data.get("source")
    if source != path.stem:
        raise ValueError(f"{where}: 'source' must equal the file name ({path.stem!r}), got {source!r}")
    if data.get("kind") not in KINDS:
        raise ValueError(f"{where}: 'kind' must be one of {sorted(KINDS)}")
    if data.get("unit") not in UNITS:
        raise ValueError(f"{where}: 'unit' must be one of {sorted(UNITS)}")
    columns = {str(k): tuple(str(a) for a in (v or [])) for k, v in (data.get("columns") or {}).items()}
    if not columns:
        raise ValueError(f"{where}: no columns")
    bad = [c for c in columns if not re.fullmatch(r"[a-z][a-z0-9_]*", c)]
    if bad:
        raise ValueError(f"{where}: canonical column names must be snake_case: {bad}")
    required = tuple(data.get("required") or ())
    unknown = [c for c in required if c not in columns]
    if unknown:
        raise ValueError(f"{where}: required columns not among columns: {unknown}")
    namesake_ties = str(data.get("namesake_ties", "ambiguous"))
    if namesake_ties not in NAMESAKE_TIES:
        raise ValueError(f"{where}: 'namesake_ties' must be one of {sorted(NAMESAKE_TIES)}")
    covers_whole_family = bool(data.get("covers_whole_family", False))
    if covers_whole_family and data["unit"] != "person":
        raise ValueError(f"{where}: 'covers_whole_family' applies to person-level lists only (unit: person)")
    program = data.get("program")
    if data["kind"] == "program" and not program:
        raise ValueError(f"{where}: a program list needs a 'program' code")
    return Contract(
        source=source,
        title=data.get("title", source),
        agency=data.get("agency", ""),
        kind=data["kind"],
        unit=data["unit"],
        program=program,
        columns=columns,
        required=required,
        identifiers=dict(data.get("identifiers") or {}),
        social_assistance=bool(data.get("social_assistance", True)),
        header_scan_rows=int(data.get("header_scan_rows", 30)),
        namesake_ties=namesake_ties,
        covers_whole_family=covers_whole_family,
        digest=hashlib.sha256(text).hexdigest()[:16],
    )


def load_contracts(directory: Path | None = None) -> dict[str, Contract]:
    directory = Path(directory or CONTRACTS_DIR)
    return {c.source: c for c in (_parse(p) for p in sorted(directory.glob("*.yml")))}


_SETTINGS = object()


def default_contracts(contracts_dir: Path | None | object = _SETTINGS) -> dict[str, Contract]:
    """The project's contracts, plus (or overridden by) those in ``contracts_dir`` (settings.contracts_dir,
    SIKKEP_CONTRACTS_DIR; by default the environment's settings): a district adds a new agency list by
    dropping one YAML file there, without touching the code."""
    if contracts_dir is _SETTINGS:
        from ..settings import get_settings

        contracts_dir = get_settings().contracts_dir
    return _cached_contracts(str(CONTRACTS_DIR), str(contracts_dir) if contracts_dir else "")


@lru_cache(maxsize=8)
def _cached_contracts(base: str, extra: str) -> dict[str, Contract]:
    contracts = load_contracts(Path(base))
    if extra:
        contracts.update(load_contracts(Path(extra)))
    return contracts
