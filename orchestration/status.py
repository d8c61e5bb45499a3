"""`sikkep status`: the current publication and the extract files behind it, what a killed publish left,
the runs of every trigger (CLI, schedule, sensor, UI) with their outcome, and the files the last ingest
rejected."""
from __future__ import annotations

import duckdb

from .instance import ensure_dagster_home
from .privacy import mask_text, show_path
from .publish.core import read_status
from .run_records import recent_runs, runs_in_progress
from .settings import Settings

RUNS_SHOWN = 10


def rejected_files(settings: Settings, busy: bool) -> dict:
    """Files of the drop zone that were refused whole, or lost rows, in the last ingest (raw.file_manifest
    of the build database). Not read while a run is in progress: a reader of the build database would
    hold back the run's writer (DuckDB allows one writer and no reader beside it)."""
    if busy:
        return {"available": False, "why": "a run is in progress; the rejected files are shown when it ends"}
    if not settings.build_db.exists():
        return {"available": False, "why": "nothing ingested yet"}
    try:
        with duckdb.connect(str(settings.build_db), read_only=True) as con:
            tables = {r[0] for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'").fetchall()}
            if "file_manifest" not in tables:
                return {"available": False, "why": "nothing ingested yet"}
            columns = {r[0] for r in con.execute("select column_name from information_schema.columns "
                                                 "where table_schema = 'raw' and table_name = 'file_manifest'")
                       .fetchall()}
            unread = "m.rows_unread" if "rows_unread" in columns else "null"  # ingested before it existed
            rows = con.execute(f"""
                select m.source_file, m.status, m.rows_received, m.rows_rejected, {unread},
                       concat_ws('; ', m.message, r.reasons) as reason
                from raw.file_manifest m
                left join (select source_file, string_agg(rule || ' (' || n || ' rows)', ', ' order by rule)
                               as reasons
                           from (select source_file, rule, count(*) as n from raw.rejected_rows group by 1, 2)
                           group by 1) r using (source_file)
                where m.status = 'error' or m.rows_rejected > 0
                order by m.status, m.source_file""").fetchall()
    except duckdb.IOException as exc:  # a run started meanwhile, or a locked file
        return {"available": False, "why": f"the build database is in use ({type(exc).__name__})"}
    files = [{"path": show_path(f), "status": s, "rows_received": n or 0, "rows_rejected": j or 0,
              "rows_unread": u, "reason": mask_text(str(why or ""))[:300]} for f, s, n, j, u, why in rows]
    return {"available": True, "files": files}


def _publication_lines(pub: dict) -> list[str]:
    if not pub.get("published"):
        return ["Published: nothing yet (run `sikkep refresh`)."]
    lines = [f"Published: run {pub.get('run_id')} at {pub.get('published_at')} UTC"]
    for name, f in (pub.get("files") or {}).items():
        lines.append(f"  {name}: {f.get('path')} ({(f.get('bytes') or 0) / 1e6:.1f} MB)")
    if pub.get("consistent") is False:
        lines.append("  WARNING: public and restricted come from different runs (a publish was interrupted); "
                     "the next refresh repairs it.")
    files = pub.get("extract_files") or []
    lines.append(f"  from {len(files)} extract files:")
    for f in files:
        lines.append(f"    {f.get('source') or '':<17} {f.get('period') or '':<8} {f.get('path')}  "
                     f"sha256 {str(f.get('sha256') or '')[:12]}")
    gates = pub.get("gates") or []
    failed = [g for g in gates if not (g.get("passed") or g.get("status") == "passed")]
    gx = [g for g in gates if ":gx_" in str(g.get("name"))]
    lines.append(f"  gates: {len(gates) - len(failed)} of {len(gates)} passed "
                 f"({len(gx)} Great Expectations suites, the rest dbt tests and accounting checks)")
    for g in failed[:10]:
        lines.append(f"    failed: {g.get('name')}: {g.get('detail') or ''}")
    return lines


def _run_lines(runs: list[dict]) -> list[str]:
    if not runs:
        return ["Runs: none recorded in this Dagster instance yet."]
    lines = ["Runs (newest first; every trigger: cli, schedule, sensor, ui):"]
    for r in runs:
        retry = f" (retry of {r['retry_of']})" if r.get("retry_of") else ""
        lines.append(f"  {r['started_at']} UTC  {r['trigger']:<8} run {r['run_id']}{retry}: {r['outcome']}")
        if r.get("reason"):
            lines.append(f"    why: {r['reason']}")
        if r.get("cleaned"):
            lines.append(f"    first cleaned what a killed publish left: {r['cleaned']}")
    return lines


def _rejected_lines(rejected: dict) -> list[str]:
    if not rejected["available"]:
        return [f"Rejected files: not shown ({rejected['why']})."]
    files = rejected["files"]
    if not files:
        return ["Rejected files: none in the last ingest."]
    lines = [f"Rejected files and rows (last ingest, raw.file_manifest): {len(files)}"]
    for f in files:
        what = "file refused" if f["status"] == "error" else "rows refused"
        if f["rows_rejected"] or f["status"] != "error":
            rows = f"{f['rows_rejected']} of {f['rows_received']} rows rejected"
        elif f["rows_unread"] is not None:
            rows = f"{f['rows_unread']} rows unread"
        else:
            rows = "its rows cannot be counted"
        lines.append(f"  {f['path']}: {what}, {rows}: {f['reason']}")
    return lines


def status_report(settings: Settings) -> dict:
    import dagster as dg

    pub = read_status(settings.published_dir, settings.exports_dir)
    ensure_dagster_home(settings)
    with dg.DagsterInstance.get() as instance:
        runs = recent_runs(instance, RUNS_SHOWN)
        busy = bool(runs_in_progress(instance))
    rejected = rejected_files(settings, busy)
    lines = [f"Warehouse: {settings.warehouse_dir}   raw dir: {settings.raw_dir}   kabupaten: {settings.kabupaten}"]
    lines += _publication_lines(pub)
    if pub.get("leftovers"):
        lines.append("WARNING: a publish was killed and left: " + "; ".join(pub["leftovers"]) +
                     ". The next refresh cleans it up (`sikkep refresh`; it does not skip while this is here).")
    lines += _run_lines(runs)
    lines += _rejected_lines(rejected)
    return {"publication": pub, "runs": runs, "rejected_files": rejected, "text": "\n".join(lines)}
