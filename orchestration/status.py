"""`sikkep status`: the current publication, the extract files behind it and the last runs' gates."""
from __future__ import annotations

import json

import duckdb

from .run_log import last_runs
from .settings import Settings


def _publication(settings: Settings) -> dict | None:
    path = settings.published_dir / "public.duckdb"
    if not path.exists():
        return None
    with duckdb.connect(str(path), read_only=True) as con:
        tables = [r[0] for r in con.execute("select table_name from information_schema.tables order by 1").fetchall()]
        info: dict = {"file": str(path), "tables": tables}
        if "publication" in tables:
            cols = [d[0] for d in con.execute("select * from publication limit 0").description]
            rows = [dict(zip(cols, r)) for r in con.execute("select * from publication").fetchall()]
            info["publication"] = rows
    return info


def status_report(settings: Settings) -> dict:
    pub = _publication(settings)
    runs = last_runs(settings)
    lines = [f"Warehouse: {settings.warehouse_dir}   raw dir: {settings.raw_dir}   kabupaten: {settings.kabupaten}"]
    if pub is None:
        lines.append("Published: nothing yet (run `sikkep refresh`).")
    else:
        lines.append(f"Published: {pub['file']} ({len(pub['tables'])} tables) and restricted.duckdb beside it")
        for row in pub.get("publication", [])[:1]:
            for key, value in row.items():
                text = value if isinstance(value, str) else json.dumps(value, default=str)
                if len(text) > 600:
                    text = text[:600] + " …"
                lines.append(f"  {key}: {text}")
    if runs:
        last = runs[0]
        lines.append(f"Last run {last['run_id']} at {last['finished_at']}: "
                     f"{'published' if last['published'] else 'NOT published'}")
        if not last["published"]:
            lines.append(f"  why: {last['reason']}")
    else:
        lines.append("No refresh recorded yet.")
    return {"publication": pub, "runs": runs, "text": "\n".join(lines)}
