"""The refresh job, its nightly schedule and the drop-zone sensor.

The schedule and the sensor decide like `sikkep refresh` (orchestration/up_to_date.py): a SkipReason
when nothing changed since the last publication, else a run tagged with its trigger and fingerprint
(orchestration/run_records.py), which is how `sikkep status` lists it. Both read the drop zone: an
error of an evaluation is stored (the tick's error, the daemon's log) masked, like a step's
(orchestration/step_errors.py).
"""

import json

import dagster as dg

from ...crash_recovery import recover_from_context
from ...fingerprint import content_digest, drop_zone_state, load_file_state, refresh_fingerprint, save_file_state
from ...run_records import refresh_tags
from ...settings import get_settings
from ...step_errors import masked_failures
from ...up_to_date import nothing_to_do

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
    description="Full refresh every night at 01:00 WIB, skipped when nothing changed since the last publication.",
)
@masked_failures
def nightly_refresh(context: dg.ScheduleEvaluationContext):
    # a crashed earlier run must not hold the writer pool (and the run queue) through the night
    recover_from_context(context)
    settings = get_settings()
    fingerprint = refresh_fingerprint(settings)
    why = nothing_to_do(context.instance, settings, fingerprint)
    if why:
        return dg.SkipReason(why)
    return dg.RunRequest(tags=refresh_tags("schedule", fingerprint))


FILE_STATE_NAME = "drop_zone_files.json"


@dg.sensor(
    name="raw_drop_sensor",
    job=refresh_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts a refresh when new or changed extract files land in the drop zone (SIKKEP_RAW_DIR), "
                "unless the publication already holds them.",
)
@masked_failures
def raw_drop_sensor(context: dg.SensorEvaluationContext):
    # Evaluated every minute by the daemon: a run whose process is gone (kill -9, lost machine) is marked
    # failed and its writer-pool slot freed, so queued and UI runs do not wait behind it for ever.
    recover_from_context(context)
    settings = get_settings()
    # the cursor holds digests and a count only: the per-file state (paths) stays in the state folder
    cursor = json.loads(context.cursor) if context.cursor else {"digest": None}
    state_file = settings.state_db.parent / FILE_STATE_NAME
    state = drop_zone_state(settings.raw_dir, load_file_state(state_file))
    save_file_state(state_file, state)
    digest = content_digest(state)
    changed = cursor.get("digest") != digest
    drops = cursor.get("drops", 0) + changed
    context.update_cursor(json.dumps({"digest": digest, "drops": drops}))
    if not changed or not state:
        return dg.SkipReason("no new or changed extract files")
    fingerprint = refresh_fingerprint(settings, state)
    why = nothing_to_do(context.instance, settings, fingerprint)
    if why:  # e.g. a file dropped and taken back, or the first look after the daemon started
        return dg.SkipReason(why)
    # the run key is per detected drop, not per content: the same files delivered again after another
    # drop (A, B, back to A) are a new drop that Dagster must not drop as a repeated key
    return dg.RunRequest(run_key=f"drop-{drops}-{digest}",
                         tags=refresh_tags("sensor", fingerprint) | {"sikkep/drop": digest})
