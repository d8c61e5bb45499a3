"""The Dagster code location: everything under orchestration/defs/ plus the global resources."""

from pathlib import Path

import dagster as dg

from . import slot_claim, sqlite_storage
from .resources import WarehouseResource
from .settings import PROJECT_ROOT

# every process that loads the code location (sikkep refresh, a run worker, the code server) stores
# Dagster events without a WAL checkpoint per event (sqlite_storage.py)
sqlite_storage.install()
# ... and claims a writer-pool slot only while it is free, also against another process (slot_claim.py)
slot_claim.install()


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions.merge(
        dg.load_from_defs_folder(path_within_project=Path(PROJECT_ROOT)),
        dg.Definitions(resources={"warehouse": WarehouseResource()}),
    )
