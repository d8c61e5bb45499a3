"""The refresh job, its nightly schedule and the drop-zone sensor."""

import hashlib
import json
import os
from pathlib import Path

import dagster as dg

from ...crash_recovery import recover_from_context
from ...ingest.discovery import DOCUMENTS, is_ignored, link_problem, sha256_of
from ...settings import get_settings

REFRESH_JOB = "refresh"

refresh_job = dg.define_asset_job(
    name=REFRESH_JOB,
    selection=dg.AssetSelection.all(),
    description="The nightly full refresh: ingest, staging and gates, linkage, marts, indicators, publish.",
    # One writer at a time: DuckDB allows one writer process per file, and re-importing dbt/GX per step
    # in subprocesses costs 8-10 s each; the in-process executor runs steps in order in one process.
    executor_def=dg.in_process_executor,
    tags={"dagster/max_retries": "2", "dagster/retry_strategy": "FROM_FAILURE"},
)


@dg.schedule(
    name="nightly_refresh",
    job=refresh_job,
    cron_schedule="0 1 * * *",
    execution_timezone="Asia/Jakarta",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Full refresh every night at 01:00 WIB.",
)
def nightly_refresh(context: dg.ScheduleEvaluationContext):
    # a crashed earlier run must not hold the writer pool (and the run queue) through the night
    recover_from_context(context)
    return dg.RunRequest()


def drop_zone_state(raw_dir, previous: dict) -> dict:
    """{relative path: [size, mtime_ns, sha256]} of every candidate extract; hashes only what changed."""
    state = {}
    if not os.path.isdir(raw_dir):
        return state
    for root, _, names in os.walk(raw_dir):
        for name in names:
            if is_ignored(Path(name)) or Path(name).suffix.lower() in DOCUMENTS:
                continue  # a cover letter or a photo beside an extract is not a new delivery
            path = os.path.join(root, name)
            rel = os.path.relpath(path, raw_dir).replace(os.sep, "/")
            why = link_problem(Path(path), Path(raw_dir))
            if why is not None:  # never followed (gone, outside the drop zone, a folder): the link itself counts
                state[rel] = [0, 0, "link:" + hashlib.sha256(why.encode()).hexdigest()]
                continue
            st = os.stat(path)
            old = previous.get(rel)
            if old and old[0] == st.st_size and old[1] == st.st_mtime_ns:
                state[rel] = old
            else:
                state[rel] = [st.st_size, st.st_mtime_ns, sha256_of(Path(path))]
    return state


def content_digest(state: dict) -> str:
    """Identity of a drop: paths and contents only (touching a file without changing it is no drop)."""
    items = sorted((rel, v[2]) for rel, v in state.items())
    return hashlib.sha256(json.dumps(items).encode()).hexdigest()[:24]


@dg.sensor(
    name="raw_drop_sensor",
    job=refresh_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts a refresh when new or changed extract files land in the drop zone (SIKKEP_RAW_DIR).",
)
def raw_drop_sensor(context: dg.SensorEvaluationContext):
    # Evaluated every minute by the daemon: a run whose process is gone (kill -9, lost machine) is marked
    # failed and its writer-pool slot freed, so queued and UI runs do not wait behind it for ever.
    recover_from_context(context)
    cursor = json.loads(context.cursor) if context.cursor else {"digest": None, "files": {}}
    state = drop_zone_state(get_settings().raw_dir, cursor.get("files", {}))
    digest = content_digest(state)
    changed = cursor.get("digest") != digest
    context.update_cursor(json.dumps({"digest": digest, "files": state}))
    if not changed or not state:
        return dg.SkipReason("no new or changed extract files")
    return dg.RunRequest(run_key=f"drop-{digest}", tags={"sikkep/trigger": "drop", "sikkep/drop": digest})


