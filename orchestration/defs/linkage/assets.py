"""Record linkage: predict and cluster with the committed Splink model, stable person and household IDs."""
import dagster as dg

from ...linkage.engine import run_linkage
from ...resources import WarehouseResource
from ...settings import LINKAGE_MODEL_PATH
from ...step_errors import masked_failures
from ..ingest.assets import WRITER_POOL

RECORDS = dg.AssetKey(["intermediate", "int_person_records"])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(["linkage", "record_person"], deps=[RECORDS], group_name="linkage", kinds={"splink", "duckdb"},
                     description="Every staged person row -> stable person_id (Splink 5 predict + cluster with the "
                                 "committed model; the ID registry in the state database keeps IDs across runs)."),
        dg.AssetSpec(["linkage", "record_quarantine"], deps=[RECORDS], group_name="linkage", kinds={"duckdb"},
                     description="Staged rows quarantined after linkage: no place resolves and the row's person "
                                 "is found in no row with a place (linkage/quarantine.py)."),
        dg.AssetSpec(["linkage", "person_household"], deps=[RECORDS], group_name="linkage", kinds={"duckdb"},
                     description="Every person -> current household (family, keluarga) with a stable household_id; "
                                 "deceased persons and persons with no remaining claim have none."),
    ],
    pool=WRITER_POOL,
    can_subset=False,
)
@masked_failures
def linkage(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    s = warehouse.settings
    s.state_db.parent.mkdir(parents=True, exist_ok=True)
    with warehouse.build_connection() as con:
        s.linkage_spill_dir.mkdir(parents=True, exist_ok=True)
        # a warehouse that has published must find its ID registry: without it everybody would be renumbered
        summary = run_linkage(con, s.state_db, records_table=RECORDS.path[0] + "." + RECORDS.path[1],
                              model_path=LINKAGE_MODEL_PATH, memory_limit=s.linkage_memory,
                              temp_dir=s.linkage_spill_dir, threads=s.linkage_threads,
                              require_registry=(s.published_dir / "restricted.duckdb").exists())
    meta = {k: v for k, v in summary.items() if isinstance(v, (int, float, str, bool))}
    meta.update({f"seconds_{k}": v for k, v in summary.get("seconds", {}).items()})
    context.log.info(f"linkage: {meta}")
    yield dg.MaterializeResult(asset_key=["linkage", "record_person"], metadata=meta)
    yield dg.MaterializeResult(asset_key=["linkage", "record_quarantine"],
                               metadata={"rows": summary.get("quarantined_after_linkage", 0)})
    yield dg.MaterializeResult(asset_key=["linkage", "person_household"],
                               metadata={k: v for k, v in meta.items() if "household" in k})
