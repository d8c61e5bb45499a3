"""Blocking Great Expectations gates: one suite per staged source (expectations/stg_<source>.json), one on
the marts and one on the indicators. A failed gate fails its check and nothing downstream runs.

Dagster blocks only the direct children of a checked asset, and dbt builds staging and intermediate in
one step; so a suite is attached to the table the next stage reads (suite meta `asset`; default the person
rows that linkage reads)."""
import dagster as dg

from ...privacy import mask_text
from ...quality.gates import list_suites, load_suite, run_suite
from ...resources import WarehouseResource
from ...step_errors import masked_failures

DEFAULT_GATED_ASSET = "intermediate/int_person_records"


def _gx_check(suite: str) -> dg.AssetChecksDefinition:
    meta = load_suite(suite).get("meta") or {}
    gated = dg.AssetKey((meta.get("asset") or DEFAULT_GATED_ASSET).split("/"))

    @dg.asset_check(asset=gated, name=f"gx_{suite}", blocking=True,
                    description=f"Great Expectations suite expectations/{suite}.json (tolerances in the suite). "
                                + (meta.get("description") or ""))
    @masked_failures
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
                    {k: r.get(k) for k in ("expectation", "column", "check", "observed", "tolerance", "files", "examples")}
                    for r in result.failures][:10]),
                # every expectation, observed against tolerance (no examples): the publication's report
                "checks": dg.MetadataValue.json([
                    {k: r.get(k) for k in ("expectation", "column", "check", "success", "observed", "tolerance")}
                    for r in result.results]),
            },
        )

    return _check


gx_gates = [_gx_check(s) for s in list_suites()]
