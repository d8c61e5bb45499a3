"""Write-audit-publish: public.duckdb and restricted.duckdb swapped atomically into warehouse/published/,
only when every gate of the run passed; then the open-data exports and the priority workbooks."""
import dagster as dg

from ...linkage.ids import backup_state
from ...privacy import mask_text, show_path
from ...publish.core import PublishError, publish
from ...resources import WarehouseResource
from ...run_records import CLEANED_METADATA
from ...status import rejected_files
from ...step_errors import masked_failures
from ..ingest.assets import WRITER_POOL

UPSTREAM = [
    ["marts", "fct_household"], ["marts", "fct_person"], ["marts", "xref_source_record"],
    ["marts", "fct_program_participation"], ["marts", "quarantine"],
    ["indicators", "ind_poverty_by_area"], ["indicators", "ind_program_coverage"],
    ["indicators", "ind_program_overlap"], ["indicators", "ind_priority_gap"],
    ["indicators", "ind_graduation"], ["indicators", "ind_data_quality"], ["indicators", "ind_program_budget"],
]


def _gate_results(context) -> dict:
    """Every asset check evaluated in this run, by name: the publication records them all."""
    gates = {}
    records = context.instance.all_logs(context.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    for record in records:
        ev = record.get_dagster_event().event_specific_data
        name = f"{ev.asset_key.to_user_string()}:{ev.check_name}"
        blocking = ev.severity == dg.AssetCheckSeverity.ERROR
        summary = ev.metadata.get("summary").value if ev.metadata.get("summary") else None
        checks = ev.metadata.get("checks").value if ev.metadata.get("checks") else None
        gates[name] = {"passed": bool(ev.passed) or not blocking, "detail": summary, "checks": checks}
    return gates


@dg.asset(
    key=["published", "publication"],
    deps=[dg.AssetKey(k) for k in UPSTREAM],
    group_name="publish",
    kinds={"duckdb"},
    pool=WRITER_POOL,
    description="public.duckdb (aggregates) and restricted.duckdb (by-name) in warehouse/published/, replaced "
                "atomically; a failed gate or a crash leaves the previous publication untouched.",
)
@masked_failures
def publication(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    s = warehouse.settings
    import duckdb

    with duckdb.connect(str(s.build_db), read_only=True) as con:
        files = [dict(zip(["path", "source", "period", "sha256"], r)) for r in con.execute(
            "select source_file, source, period, file_sha256 from raw.file_manifest where status = 'loaded' "
            "order by 1").fetchall()]
    for f in files:  # the publication table is public: file names are shown by the rule of privacy.py
        f["path"] = show_path(f["path"])
    try:
        rejected = rejected_files(s, busy=False)  # shown paths, masked reasons (status.py)
    except duckdb.CatalogException:  # a build database made without the ingest's raw.rejected_rows
        rejected = {"files": []}
    run_info = {"run_id": context.run_id, "extract_files": files, "gates": _gate_results(context),
                "rejected_files": [{**f, "source": f["path"].split("/")[0]} for f in rejected.get("files") or []]}
    cleaned: list[str] = []

    def leftover(line: str) -> None:  # what a killed earlier publish left: said in the log and kept in
        cleaned.append(line)          # the metadata, where `sikkep status` shows it beside this run
        context.log.warning(f"Leftover of a killed publish: {line}")

    try:
        paths = publish(s.build_db, s.published_dir, run_info, exports_dir=s.exports_dir, report=leftover,
                        postgres_url=s.publish_postgres, report_pdf=True)
    except PublishError as exc:
        # the reason itself, not Dagster's "Error occurred while executing op published__publication"
        raise dg.Failure(description=mask_text(f"publication held back, the previous one stays: {exc}")) from None
    if paths.get("report_note"):  # no PDF renderer: the HTML report is there, the run says why no PDF
        context.log.warning(paths["report_note"])
    # the ID registry that numbered this publication, kept beside it (restore it if the state DB is lost)
    backup = backup_state(s.state_db, context.run_id)
    return dg.MaterializeResult(metadata={
        "public": str(paths.get("public")), "restricted": str(paths.get("restricted")),
        "state_backup": str(backup) if backup else "",
        "extract_files": len(files), "gates": len(run_info["gates"]),
        CLEANED_METADATA: "; ".join(cleaned),
        # the schemas only: the URL may hold a password
        "postgres": "sikkep_public, sikkep_restricted" if s.publish_postgres else "",
        # the publication's report (orchestration/report): HTML always, PDF when a renderer was found
        "report": dg.MetadataValue.path(str(paths["report"])),
        "report_pdf": dg.MetadataValue.path(str(paths["report_pdf"])) if paths.get("report_pdf") else
        (paths.get("report_note") or ""),
    })
