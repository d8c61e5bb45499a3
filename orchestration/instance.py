"""The Dagster instance used by `sikkep refresh` and the UI: DAGSTER_HOME under the warehouse dir."""
from __future__ import annotations

import os
from pathlib import Path

from .settings import PROJECT_ROOT, get_settings

DAGSTER_YAML = PROJECT_ROOT / "dagster.yaml"


def ensure_dagster_home() -> Path:
    """DAGSTER_HOME defaults to <warehouse>/dagster, seeded with the project's dagster.yaml."""
    home = Path(os.environ.get("DAGSTER_HOME") or get_settings().warehouse_dir / "dagster")
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    if not target.exists() and DAGSTER_YAML.exists():
        target.write_text(DAGSTER_YAML.read_text())
    os.environ["DAGSTER_HOME"] = str(home)
    return home
