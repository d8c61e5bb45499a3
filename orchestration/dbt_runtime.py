"""How dbt is invoked here: the project, its executable beside this Python, the vars from the contracts."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .ingest.contracts import default_contracts
from .settings import DBT_PROJECT_DIR, OFFLINE_ENV, get_settings


def dbt_executable() -> str:
    """dagster-dbt looks for `dbt` on PATH; from a non-activated venv use the one beside this Python."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def dbt_vars() -> dict:
    """Person-level sources for int_person_records come from the contracts: a new agency list is config."""
    sources = [
        {"source": c.source, "kind": c.kind, "unit": c.unit, "program": c.program,
         "social_assistance": c.social_assistance, "required": list(c.required),
         "identifiers": dict(c.identifiers)}
        for c in default_contracts().values() if c.kind != "aggregate"
    ]
    return {"kabupaten": get_settings().kabupaten, "person_sources": sources}


def dbt_vars_arg() -> list[str]:
    return ["--vars", json.dumps(dbt_vars())]


def ensure_manifest(force: bool = False) -> Path:
    """dbt_assets needs target/manifest.json at load time; parse once if it is missing or stale."""
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    sources = [p for p in DBT_PROJECT_DIR.rglob("*") if p.suffix in {".sql", ".yml", ".csv"}
               and "target" not in p.parts and "logs" not in p.parts]
    newest = max((p.stat().st_mtime for p in sources), default=0)
    if force or not manifest.exists() or manifest.stat().st_mtime < newest:
        env = {**os.environ, **OFFLINE_ENV}
        subprocess.run([dbt_executable(), "parse", "--quiet", "--profiles-dir", str(DBT_PROJECT_DIR),
                        "--project-dir", str(DBT_PROJECT_DIR), *dbt_vars_arg()],
                       cwd=DBT_PROJECT_DIR, env=env, check=True, capture_output=True)
    return manifest
