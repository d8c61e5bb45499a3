"""The Dagster instance used by `sikkep refresh` and the UI: DAGSTER_HOME under the warehouse dir."""
from __future__ import annotations

from pathlib import Path

from .settings import PROJECT_ROOT, Settings, export_to_process

DAGSTER_YAML = PROJECT_ROOT / "dagster.yaml"


def ensure_dagster_home(settings: Settings) -> Path:
    """settings.dagster_home (DAGSTER_HOME, default <warehouse>/dagster), seeded with the project's
    dagster.yaml and set for this process (DagsterInstance.get(), `dagster dev`)."""
    from . import sqlite_storage

    sqlite_storage.install()  # no WAL checkpoint per stored event (sqlite_storage.py)
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    if not target.exists() and DAGSTER_YAML.exists():
        target.write_text(DAGSTER_YAML.read_text())
    export_to_process(settings, ["DAGSTER_HOME"])
    return home
