"""The Dagster code location: everything under orchestration/defs/ plus the global resources."""

from pathlib import Path

import dagster as dg

from .resources import WarehouseResource
from .settings import PROJECT_ROOT


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions.merge(
        dg.load_from_defs_folder(path_within_project=Path(PROJECT_ROOT)),
        dg.Definitions(resources={"warehouse": WarehouseResource()}),
    )
