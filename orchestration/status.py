"""`sikkep status`: the current publication, the extract files behind it and the last runs' gates."""
from __future__ import annotations

from .publish.core import read_status
from .run_log import last_runs
from .settings import Settings


def status_report(settings: Settings) -> dict:
    pub = read_status(settings.published_dir)
    runs = last_runs(settings)
    lines = [f"Warehouse: {settings.warehouse_dir}   raw dir: {settings.raw_dir}   kabupaten: {settings.kabupaten}"]
    if not pub.get("published"):
        lines.append("Published: nothing yet (run `sikkep refresh`).")
    else:
        lines.append(f"Published: run {pub.get('run_id')} at {pub.get('published_at')} UTC")
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
    if runs:
        last = runs[0]
        lines.append(f"Last refresh: run {last['run_id']} finished {last['finished_at']} UTC: "
                     f"{'published' if last['published'] else 'NOT published'}")
        if not last["published"]:
            lines.append(f"  why: {last['reason']}")
    else:
        lines.append("No refresh recorded yet.")
    return {"publication": pub, "runs": runs, "text": "\n".join(lines)}
