"""A small run history in the state database (never dropped by a rebuild): what each refresh did."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import duckdb

from .settings import Settings

DDL = """create table if not exists run_history (
    run_id varchar, finished_at timestamp, published boolean, exit_code integer,
    failed_checks varchar, failed_steps varchar, reason varchar, fingerprint varchar)"""


def record_run(settings: Settings, outcome, fingerprint: str | None = None) -> None:
    settings.state_db.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.state_db)) as con:
        con.execute(DDL)
        con.execute("alter table run_history add column if not exists fingerprint varchar")
        con.execute("insert into run_history values (?, ?, ?, ?, ?, ?, ?, ?)", [
            outcome.run_id, datetime.now(timezone.utc).replace(tzinfo=None), outcome.published, outcome.exit_code,
            json.dumps(outcome.failed_checks), json.dumps(outcome.failed_steps), outcome.reason(), fingerprint])


def last_published_fingerprint(settings: Settings) -> tuple[str | None, str | None]:
    """(fingerprint, run_id) of the newest run that published, if the publication is still there."""
    if not (settings.published_dir / "public.duckdb").exists():
        return None, None
    for run in last_runs(settings, 50):
        if run["published"]:
            return run.get("fingerprint"), run["run_id"]
    return None, None


def last_runs(settings: Settings, n: int = 5) -> list[dict]:
    if not settings.state_db.exists():
        return []
    try:
        with duckdb.connect(str(settings.state_db), read_only=True) as con:
            con.execute("select 1")
            tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
            if "run_history" not in tables:
                return []
            cur = con.execute("select * from run_history order by finished_at desc limit ?", [n])
            cols = [d[0] for d in cur.description]
            rows = cur.fetchall()
    except duckdb.IOException:
        return []  # a refresh holds the state database right now
    return [{"fingerprint": None} | dict(zip(cols, r)) for r in rows]
