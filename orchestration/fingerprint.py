"""What a publication was made from: the drop zone's files and the project's rules. Same fingerprint as
the last publication -> a refresh has nothing to do."""
from __future__ import annotations

import hashlib
import os

from .defs.automation.jobs import content_digest, drop_zone_state
from .settings import DBT_PROJECT_DIR, EXPECTATIONS_DIR, LINKAGE_MODEL_PATH, PACKAGE_DIR, Settings

RULE_DIRS = [PACKAGE_DIR / "contracts", DBT_PROJECT_DIR / "models", DBT_PROJECT_DIR / "macros",
             DBT_PROJECT_DIR / "seeds", EXPECTATIONS_DIR]
# the pipeline's own code is a rule too: an upgraded linkage or household rule must republish even when
# no extract changed (the demo generator is not part of a refresh)
CODE_EXCLUDED = {"synth"}


def _code_files() -> list:
    return sorted(p for p in PACKAGE_DIR.rglob("*.py")
                  if not CODE_EXCLUDED.intersection(p.relative_to(PACKAGE_DIR).parts))


def rules_digest() -> str:
    h = hashlib.sha256()
    paths = [LINKAGE_MODEL_PATH] + sorted(p for d in RULE_DIRS if d.exists() for p in d.rglob("*") if p.is_file())
    paths += _code_files()
    extra = os.environ.get("SIKKEP_CONTRACTS_DIR")
    if extra:
        paths += sorted(p for p in __import__("pathlib").Path(extra).rglob("*.yml"))
    for p in paths:
        if p.exists():
            h.update(str(p.name).encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:24]


def refresh_fingerprint(settings: Settings) -> str:
    drop = content_digest(drop_zone_state(settings.raw_dir, {}))
    return hashlib.sha256(f"{drop}|{rules_digest()}|{settings.kabupaten}".encode()).hexdigest()[:32]
