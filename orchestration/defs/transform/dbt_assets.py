"""The dbt models as Dagster assets, in two steps around the linkage: staging+intermediate, then
marts+indicators. dbt tests become asset checks; a failing test fails the step and stops what follows."""
from collections.abc import Mapping
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from ...dbt_runtime import dbt_executable, dbt_vars_arg, ensure_manifest, keep_partial_parse
from ...privacy import mask_error
from ...quality.dbt_blame import with_blamed_files
from ...resources import WarehouseResource
from ...settings import DBT_PROJECT_DIR
from ...step_errors import masked_failures
from ...staging_state import record_built, rules_changed, rules_digest, unchanged_sources
from ..ingest.assets import WRITER_POOL

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
MANIFEST = ensure_manifest()

LAYER_GROUPS = {"staging": "staging", "intermediate": "staging", "marts": "marts",
                "indicators": "indicators", "reference": "reference"}


class SikkepTranslator(DagsterDbtTranslator):
    """Asset keys are <schema>/<name>: raw/dtks (sources), staging/stg_dtks, marts/fct_household …"""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        schema = dbt_resource_props.get("config", {}).get("schema") or dbt_resource_props.get("schema") or "main"
        # the table's name: a model published under another name (mart_quarantine -> marts.quarantine) by its alias
        return dg.AssetKey([schema, dbt_resource_props.get("alias") or dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        schema = dbt_resource_props.get("config", {}).get("schema") or ""
        return LAYER_GROUPS.get(schema, "transform")


translator = SikkepTranslator()
dbt_resource = DbtCliResource(project_dir=str(DBT_PROJECT_DIR), profiles_dir=str(DBT_PROJECT_DIR),
                              dbt_executable=dbt_executable())


KEEP_TARGETS = 6


def _prune_targets() -> None:
    """dagster-dbt gives each invocation its own target folder; keep the newest few (logs, run results)."""
    import shutil

    runs = sorted((p for p in (DBT_PROJECT_DIR / "target").glob("dbt_*-*") if p.is_dir()),
                  key=lambda p: p.stat().st_mtime)
    for old in runs[:-KEEP_TARGETS]:
        shutil.rmtree(old, ignore_errors=True)


def _build(context, warehouse: WarehouseResource, exclude: list[str] = (), full_refresh: bool = False):
    warehouse.export_env()
    # unit tests check the SQL, not the night's data: `make test` runs them (tests/integration), the
    # nightly build skips them (dbt's advice for production builds)
    args = ["build", *dbt_vars_arg(warehouse.settings), "--exclude-resource-type", "unit_test",
            *(["--exclude", " ".join(exclude)] if exclude else []), *(["--full-refresh"] if full_refresh else [])]
    invocation = dbt_resource.cli(args, context=context, raise_on_error=False)
    failed_tests = []
    for event in invocation.stream():
        # a failed test's files are read from its stored failing rows, once dbt has released the build
        # database (orchestration/quality/dbt_blame.py)
        if isinstance(event, dg.AssetCheckResult) and not event.passed:
            failed_tests.append(event)
        else:
            yield event
    if failed_tests:
        try:
            with warehouse.build_connection(read_only=True) as con:
                failed_tests = with_blamed_files(con, failed_tests, invocation.manifest)
        except duckdb.Error as exc:  # the tests' own failure is what matters: reported without files
            context.log.warning(f"could not read the failed tests' rows: {type(exc).__name__}: {mask_error(exc)}")
        yield from failed_tests
    keep_partial_parse(invocation.target_path)
    _prune_targets()
    error = invocation.get_error()
    if error is not None:
        raise error


@dbt_assets(manifest=MANIFEST, project=dbt_project, dagster_dbt_translator=translator, pool=WRITER_POOL,
            name="dbt_staging", select="path:seeds path:models/staging path:models/intermediate")
@masked_failures
def dbt_staging(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    # Staging follows change (staging_state.py): changed rules restage every file; otherwise a source
    # whose files are unchanged keeps its staged table and a changed source stages its new files only.
    with warehouse.build_connection() as con:
        digest = rules_digest(warehouse.settings, con)
        full = rules_changed(con, digest)
        keep = [] if full else unchanged_sources(con, digest)
    if full:
        context.log.info("staging: rules changed or never recorded: every file is staged again (--full-refresh)")
    elif keep:
        context.log.info(f"staging: unchanged since their last build, not staged again: {', '.join(keep)}")
    yield from _build(context, warehouse, exclude=[f"stg_{s}" for s in keep], full_refresh=full)
    with warehouse.build_connection() as con:
        record_built(con, digest)


@dbt_assets(manifest=MANIFEST, project=dbt_project, dagster_dbt_translator=translator, pool=WRITER_POOL,
            name="dbt_marts", select="path:models/marts path:models/indicators")
@masked_failures
def dbt_marts(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    yield from _build(context, warehouse)
