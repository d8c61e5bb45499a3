"""What a publication is made from: the drop zone's files and the project's rules. A refresh whose
fingerprint equals the one of the last publication has nothing to do (orchestration/up_to_date.py).

Plain files and hashes, no Dagster: the sensor, the schedule and `sikkep refresh` (all three decide
through up_to_date.py) import it, never the other way round.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from .ingest.discovery import DOCUMENTS, is_ignored, link_problem, sha256_of
from .settings import DBT_PROJECT_DIR, EXPECTATIONS_DIR, LINKAGE_MODEL_PATH, PACKAGE_DIR, Settings

RULE_DIRS = [PACKAGE_DIR / "contracts", DBT_PROJECT_DIR / "models", DBT_PROJECT_DIR / "macros",
             DBT_PROJECT_DIR / "seeds", EXPECTATIONS_DIR]
# the pipeline's own code is a rule too: an upgraded linkage or household rule must republish even when
# no extract changed (the demo generator is not part of a refresh)
CODE_EXCLUDED = {"synth"}


def drop_zone_state(raw_dir, previous: dict) -> dict:
    """{relative path: [size, mtime_ns, sha256]} of every candidate extract; hashes only what changed
    since `previous` (the sensor keeps it in its cursor, so a quiet minute costs no hashing)."""
    state = {}
    if not os.path.isdir(raw_dir):
        return state
    for root, _, names in os.walk(raw_dir):
        for name in names:
            if is_ignored(Path(name)) or Path(name).suffix.lower() in DOCUMENTS:
                continue  # a cover letter or a photo beside an extract is not a new delivery
            path = os.path.join(root, name)
            rel = os.path.relpath(path, raw_dir).replace(os.sep, "/")
            why = link_problem(Path(path), Path(raw_dir))
            if why is not None:  # never followed (gone, outside the drop zone, a folder): the link itself counts
                state[rel] = [0, 0, "link:" + hashlib.sha256(why.encode()).hexdigest()]
                continue
            st = os.stat(path)
            old = previous.get(rel)
            if old and old[0] == st.st_size and old[1] == st.st_mtime_ns:
                state[rel] = old
            else:
                state[rel] = [st.st_size, st.st_mtime_ns, sha256_of(Path(path))]
    return state


def load_file_state(path: Path) -> dict:
    """The drop zone's last seen {relative path: [size, mtime_ns, sha256]}. Kept in the warehouse's state
    folder, never in the sensor's cursor: Dagster shows cursors in its UI and file names can hold a NIK or a
    person's name. A missing or damaged file only costs one re-hashing."""
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return {}


def save_file_state(path: Path, state: dict) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state))
    os.replace(tmp, path)


def content_digest(state: dict) -> str:
    """Identity of a drop: paths and contents only (touching a file without changing it is no drop)."""
    items = sorted((rel, v[2]) for rel, v in state.items())
    return hashlib.sha256(json.dumps(items).encode()).hexdigest()[:24]


def _code_files() -> list:
    return sorted(p for p in PACKAGE_DIR.rglob("*.py")
                  if not CODE_EXCLUDED.intersection(p.relative_to(PACKAGE_DIR).parts))


def rules_digest(contracts_dir: Path | None) -> str:
    """The project's rules (contracts, dbt, expectations, linkage model, code) and ``contracts_dir``'s
    contracts (settings.contracts_dir)."""
    h = hashlib.sha256()
    paths = [LINKAGE_MODEL_PATH] + sorted(p for d in RULE_DIRS if d.exists() for p in d.rglob("*") if p.is_file())
    paths += _code_files()
    if contracts_dir:
        paths += sorted(Path(contracts_dir).rglob("*.yml"))
    for p in paths:
        if p.exists():
            h.update(str(p.name).encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:24]


def refresh_fingerprint(settings: Settings, state: dict | None = None) -> str:
    """The fingerprint of a refresh started now; `state`: a drop_zone_state the caller already has."""
    drop = content_digest(drop_zone_state(settings.raw_dir, {}) if state is None else state)
    return hashlib.sha256(f"{drop}|{rules_digest(settings.contracts_dir)}|{settings.kabupaten}".encode()).hexdigest()[:32]
