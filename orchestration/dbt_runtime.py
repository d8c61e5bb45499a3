"""How dbt is invoked here: the project, its executable beside this Python, the vars from the contracts."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .contract_terms import benefit_terms, contract_data, eligibility_terms, registry_terms
from .ingest.contracts import default_contracts
from .settings import DBT_PROJECT_DIR, OFFLINE_ENV, Settings, child_env, get_settings


def dbt_executable() -> str:
    """dagster-dbt looks for `dbt` on PATH; from a non-activated venv use the one beside this Python."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def _program_details(contract, contracts_dir: Path | None) -> dict:
    """What dim_program shows of a program list, from its contract: program_name (default: the title),
    program_holder (the program's owner; default: the agency delivering the list) and program_order
    (position in dim_program and in the fct_household program columns; default: after the numbered ones)
    eligibility (contract_terms.eligibility_terms: whom the program is for) and benefit (its benefit value
    versions, contract_terms.benefit_terms)."""
    data = contract_data(contract.source, contracts_dir)
    order = data.get("program_order")
    return {"program_name": str(data.get("program_name") or contract.title),
            "program_holder": str(data.get("program_holder") or contract.agency or ""),
            "program_order": int(order) if order is not None else None,
            "eligibility": eligibility_terms(contract.source, contracts_dir),
            "benefit": benefit_terms(contract.source, contracts_dir)}


def dbt_vars(settings: Settings | None = None) -> dict:
    """Person-level sources for int_person_records come from the contracts: a new agency list is config.
    The programs (dim_program, the fct_household program columns, the program indicators) are the
    entries with kind 'program'; the registries (their desil columns, precedence and scale in the marts)
    those with kind 'registry' (contract_terms.registry_terms). ``settings``: default the environment's."""
    settings = settings or get_settings()
    sources = []
    for c in default_contracts(settings.contracts_dir).values():
        if c.kind == "aggregate":
            continue
        entry = {"source": c.source, "kind": c.kind, "unit": c.unit, "program": c.program,
                 "social_assistance": c.social_assistance,
                 "covers_whole_family": c.covers_whole_family, "required": list(c.required),
                 "identifiers": dict(c.identifiers)}
        if c.kind == "program" and c.program:
            entry.update(_program_details(c, settings.contracts_dir))
        if c.kind == "registry":
            entry["registry"] = registry_terms(c.source, settings.contracts_dir)
        sources.append(entry)
    return {"kabupaten": settings.kabupaten, "person_sources": sources}


def dbt_vars_arg(settings: Settings | None = None) -> list[str]:
    return ["--vars", json.dumps(dbt_vars(settings))]


def ensure_manifest(force: bool = False, settings: Settings | None = None) -> Path:
    """dbt_assets needs target/manifest.json at load time; parse once if it is missing or stale.
    ``settings``: default the environment's."""
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    sources = [p for p in DBT_PROJECT_DIR.rglob("*") if p.suffix in {".sql", ".yml", ".csv"}
               and "target" not in p.parts and "logs" not in p.parts]
    newest = max((p.stat().st_mtime for p in sources), default=0)
    if force or not manifest.exists() or manifest.stat().st_mtime < newest:
        # the runs' profile (this warehouse's build DB): dbt keeps partial parsing only for the same profile
        settings = settings or get_settings()
        subprocess.run([dbt_executable(), "parse", "--quiet", "--profiles-dir", str(DBT_PROJECT_DIR),
                        "--project-dir", str(DBT_PROJECT_DIR), *dbt_vars_arg(settings)],
                       cwd=DBT_PROJECT_DIR, env=child_env(settings, **OFFLINE_ENV), check=True, capture_output=True)
    return manifest


def keep_partial_parse(invocation_target: Path) -> None:
    """dagster-dbt starts every invocation from target/partial_parse.msgpack; dbt can reuse it only when
    the profile (the build DB path of this warehouse) and the vars match, which the file of `dbt parse`
    does not. Keeping the newest invocation's file lets the next invocation (the marts step, the next
    night) parse partially instead of in full (about 6 s each)."""
    src = Path(invocation_target) / "partial_parse.msgpack"
    if not src.exists():
        return
    dst = DBT_PROJECT_DIR / "target" / "partial_parse.msgpack"
    tmp = dst.with_suffix(".msgpack.tmp")
    shutil.copyfile(src, tmp)
    os.replace(tmp, dst)  # atomic: a concurrent dbt never reads half a file
