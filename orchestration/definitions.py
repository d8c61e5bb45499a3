"""The Dagster code location: everything under orchestration/defs/ plus the global resources."""

from pathlib import Path

import dagster as dg

from . import sqlite_storage
from .resources import WarehouseResource
from .settings import PROJECT_ROOT

# every process that loads the code location (sikkep refresh, a run worker, the code server) stores
# Dagster events without a WAL checkpoint per event (sqlite_storage.py)
sqlite_storage.install()


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions.merge(
        dg.load_from_defs_folder(path_within_project=Path(PROJECT_ROOT)),
        dg.Definitions(resources={"warehouse": WarehouseResource()}),
    )
