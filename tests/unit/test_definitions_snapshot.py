"""Snapshot of every asset key (with its group and upstream assets), check, job, schedule and sensor of the
code location. A change to the graph shows up here as a diff to review; regenerate with
SIKKEP_UPDATE_SNAPSHOT=1 (a missing snapshot file is a failure, never written silently)."""
from __future__ import annotations

import json
import os
from pathlib import Path

from orchestration.definitions import defs

SNAPSHOT = Path(__file__).with_name("definitions_snapshot.json")


def current() -> dict:
    d = defs()
    graph = d.resolve_asset_graph()
    return {
        "assets": sorted(k.to_user_string() for k in d.resolve_all_asset_keys()),
        "groups": {k.to_user_string(): graph.get(k).group_name for k in sorted(graph.get_all_asset_keys())},
        "deps": {k.to_user_string(): sorted(p.to_user_string() for p in graph.get(k).parent_keys)
                 for k in sorted(graph.get_all_asset_keys())},
        "checks": sorted(f"{k.asset_key.to_user_string()}:{k.name}" for k in graph.asset_check_keys
                         if not k.name.startswith(("not_null_", "unique_", "accepted_values_", "relationships_",
                                                   "dbt_utils_", "sikkep_"))),
        "dbt_test_checks": sum(1 for k in graph.asset_check_keys
                               if k.name.startswith(("not_null_", "unique_", "accepted_values_", "relationships_"))),
        "jobs": sorted(j.name for j in d.jobs or [] if not j.name.startswith("__")),
        "schedules": sorted(f"{s.name}:{s.cron_schedule}:{s.execution_timezone}" for s in d.schedules or []),
        "sensors": sorted(s.name for s in d.sensors or []),
    }


def test_definitions_match_snapshot():
    now = current()
    if os.environ.get("SIKKEP_UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(now, indent=1) + "\n")
    assert SNAPSHOT.exists(), f"{SNAPSHOT.name} is missing: write it with SIKKEP_UPDATE_SNAPSHOT=1 and review it"
    assert now == json.loads(SNAPSHOT.read_text())


def test_every_warehouse_writer_is_in_the_writer_pool():
    d = defs()
    for assets_def in d.assets or []:
        if hasattr(assets_def, "op") and assets_def.keys:
            assert assets_def.op.pool == "warehouse_writer", assets_def.keys
