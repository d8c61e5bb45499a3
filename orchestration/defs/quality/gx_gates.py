"""Blocking Great Expectations gates: one suite per staged source (expectations/stg_<source>.json).

Dagster blocks only the direct children of a checked asset, and staging and intermediate models run in
one dbt step; so each suite is attached to the intermediate table that the next stage reads (the person
rows for linkage, the Dukcapil aggregates for the indicators). A failed gate fails its check and
linkage, marts, indicators and publication do not run."""
import dagster as dg

from ...privacy import mask_text
from ...quality.gates import list_suites, run_suite
from ...resources import WarehouseResource


PERSON_RECORDS = dg.AssetKey(["intermediate", "int_person_records"])
GATED_ASSET = {"stg_dukcapil_agregat": dg.AssetKey(["intermediate", "int_dukcapil_agregat"])}


def _gx_check(suite: str) -> dg.AssetChecksDefinition:
    gated = GATED_ASSET.get(suite, PERSON_RECORDS)

    @dg.asset_check(asset=gated, name=f"gx_{suite}", blocking=True,
                    description=f"Great Expectations suite expectations/{suite}.json (tolerances in the suite).")
    def _check(context, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.build_connection() as con:
            result = run_suite(con, suite)
        if not result.passed:
            context.log.error(result.summary())
        return dg.AssetCheckResult(
            passed=result.passed,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "summary": mask_text(result.summary()),
                "expectations": len(result.results),
                "failed": dg.MetadataValue.json([
                    {k: r.get(k) for k in ("expectation", "column", "observed", "tolerance", "examples")}
                    for r in result.failures][:10]),
            },
        )

    return _check


gx_gates = [_gx_check(s) for s in list_suites() if s.startswith("stg_")]
