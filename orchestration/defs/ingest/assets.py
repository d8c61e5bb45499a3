"""One raw asset per extract contract, plus the file manifest that accounts for every file."""

import re

import dagster as dg

from ...ingest.contracts import Contract, default_contracts
from ...ingest.discovery import scan
from ...privacy import mask_text, show_path
from ...ingest.loader import load_source, record_unrouted
from ...resources import WarehouseResource
from ...step_errors import masked_failures

WRITER_POOL = "warehouse_writer"


def owner_team(agency: str) -> str:
    """Dagster owners are teams or e-mails: the agency that holds the source, as a team slug."""
    return "team:" + (re.sub(r"[^a-z0-9]+", "_", agency.lower()).strip("_")[:40] or "satu_data")


def _raw_asset(contract: Contract) -> dg.AssetsDefinition:
    @dg.asset(
        key=["raw", contract.source],
        group_name="ingest",
        kinds={"duckdb", "python"},
        pool=WRITER_POOL,
        description=f"{contract.title} ({contract.agency}): every file of every period under "
                    f"raw/{contract.source}/YYYY-MM/ loaded as text with lineage "
                    f"(contract orchestration/contracts/{contract.source}.yml).",
        owners=[owner_team(contract.agency)],
        tags={"sikkep/kind": contract.kind},
        metadata={"agency": contract.agency, "unit": contract.unit, "program": contract.program or "",
                  "contract_digest": contract.digest},
    )
    @masked_failures
    def _asset(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        settings = warehouse.settings
        contracts = default_contracts(settings.contracts_dir)
        files, problems = scan(settings.raw_dir, contracts)
        mine = [f for f in files if f.source == contract.source]
        with warehouse.build_connection() as con:
            result = load_source(con, contract, mine, problems, progress=context.log.debug,
                                 workers=settings.ingest_workers)
        for message in result.errors:
            context.log.warning(message)
        return dg.MaterializeResult(metadata={
            "files_seen": result.files_seen, "files_loaded": result.files_loaded,
            "files_unchanged": result.files_unchanged, "files_duplicate": result.files_duplicate,
            "files_error": result.files_error, "rows_loaded": result.rows_loaded,
            "rows_rejected": result.rows_rejected,
            "errors": dg.MetadataValue.md("\n".join(f"- {e}" for e in result.errors) or "none"),
        })

    return _asset


raw_assets = [_raw_asset(c) for c in default_contracts().values()]


@dg.asset(
    key=["raw", "file_manifest"],
    group_name="ingest",
    kinds={"duckdb"},
    pool=WRITER_POOL,
    deps=[a.key for a in raw_assets],
    description="Every file seen in the drop zone: status (loaded, duplicate, error), SHA-256, row counts "
                "(received = loaded + rejected) and the reason for any error.",
)
@masked_failures
def file_manifest(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    contracts = default_contracts(warehouse.settings.contracts_dir)
    _, problems = scan(warehouse.settings.raw_dir, contracts)
    with warehouse.build_connection() as con:
        unrouted = record_unrouted(con, problems, set(contracts))
        summary = con.execute(
            "select status, count(*), sum(rows_received), sum(rows_loaded), sum(rows_rejected) "
            "from raw.file_manifest group by 1 order by 1").fetchall()
    for p in problems:
        context.log.warning(p.message)
    return dg.MaterializeResult(metadata={
        "unrouted_files": unrouted,
        "by_status": dg.MetadataValue.md("\n".join(
            f"- {s}: {n} files, {r or 0} rows received, {l or 0} loaded, {j or 0} rejected"
            for s, n, r, l, j in summary)),
    })


@dg.asset_check(asset=file_manifest, blocking=True, description="rows received = rows loaded + rows rejected, per file")
@masked_failures
def manifest_rows_balance(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.build_connection() as con:
        bad = con.execute(
            "select source_file from raw.file_manifest where rows_received <> rows_loaded + rows_rejected").fetchall()
        loaded = con.execute(
            "select m.source_file, m.rows_loaded from raw.file_manifest m where m.status = 'loaded'").fetchall()
        actual = {}
        for source in {r[0] for r in con.execute("select distinct source from raw.file_manifest where status='loaded'").fetchall()}:
            for f, n in con.execute(f"select source_file, count(*) from raw.{source} group by 1").fetchall():
                actual[f] = n
    # the check names the files it blames, shown by the rule of orchestration/privacy.py
    mismatched = sorted({show_path(f) for f in [f for f, n in loaded if actual.get(f, 0) != n] + [f for (f,) in bad]})
    summary = (f"{len(loaded)} loaded files balance" if not mismatched else
               f"rows received <> loaded + rejected in {len(mismatched)} files: {', '.join(mismatched[:5])}"
               + (f" and {len(mismatched) - 5} more" if len(mismatched) > 5 else ""))
    return dg.AssetCheckResult(
        passed=not mismatched,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"summary": mask_text(summary), "files_checked": len(loaded),
                  "mismatched": dg.MetadataValue.json(mismatched[:20])},
    )


@dg.asset_check(asset=file_manifest, blocking=True,
                description="the drop zone exists and holds at least one extract file")
@masked_failures
def drop_zone_has_extracts(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    # an empty or missing raw/ is a mistake to say at once, not 45 s later as a failing dbt test
    raw_dir = warehouse.settings.raw_dir
    files, _ = scan(raw_dir, default_contracts(warehouse.settings.contracts_dir), hashed=False)
    if not raw_dir.is_dir():
        summary = (f"the raw directory {raw_dir} does not exist: set SIKKEP_RAW_DIR or create it and drop the "
                   "extracts as raw/<source>/<YYYY-MM>/<file>")
    elif not files:
        summary = (f"the raw directory {raw_dir} holds no extract file (expected raw/<source>/<YYYY-MM>/<file>.csv "
                   "or .xlsx; see sikkep status for files that were refused)")
    else:
        summary = f"{len(files)} extract files"
    return dg.AssetCheckResult(passed=bool(files), severity=dg.AssetCheckSeverity.ERROR,
                               metadata={"summary": mask_text(summary), "files": len(files)})
