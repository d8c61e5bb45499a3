"""A small run history in the state database (never dropped by a rebuild): what each refresh did."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import duckdb

from .settings import Settings

DDL = """create table if not exists run_history (
    run_id varchar, finished_at timestamp, published boolean, exit_code integer,
    failed_checks varchar, failed_steps varchar, reason varchar)"""


def record_run(settings: Settings, outcome) -> None:
    settings.state_db.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.state_db)) as con:
        con.execute(DDL)
        con.execute("insert into run_history values (?, ?, ?, ?, ?, ?, ?)", [
            outcome.run_id, datetime.now(timezone.utc).replace(tzinfo=None), outcome.published, outcome.exit_code,
            json.dumps(outcome.failed_checks), json.dumps(outcome.failed_steps), outcome.reason()])


def last_runs(settings: Settings, n: int = 5) -> list[dict]:
    if not settings.state_db.exists():
        return []
    try:
        with duckdb.connect(str(settings.state_db), read_only=True) as con:
            con.execute("select 1")
            tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
            if "run_history" not in tables:
                return []
            cols = ["run_id", "finished_at", "published", "exit_code", "failed_checks", "failed_steps", "reason"]
            rows = con.execute(f"select {', '.join(cols)} from run_history order by finished_at desc limit ?", [n]).fetchall()
    except duckdb.IOException:
        return []  # a refresh holds the state database right now
    return [dict(zip(cols, r)) for r in rows]
