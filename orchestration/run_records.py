"""The run history, read from Dagster's own run storage: every run, whoever started it.

There is no run log of our own. A run carries in its tags who started it and what it was made from,
set when the run is created (`sikkep refresh`, the schedule, the sensor) or, for a run launched from the
UI, when it starts (WarehouseResource.setup_for_execution):
    sikkep/trigger      cli | schedule | sensor; a run without it was launched from the Dagster UI
    sikkep/fingerprint  the drop zone and rules it started from (orchestration/fingerprint.py)
Its outcome is read back from its events: the publication materialized (published), a blocking check
failed (held back by a gate), a step failed, the run failed or was canceled.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

import dagster as dg
from dagster._core.storage.tags import PARENT_RUN_ID_TAG, SCHEDULE_NAME_TAG, SENSOR_NAME_TAG

from .privacy import mask_error

TAG_TRIGGER = "sikkep/trigger"
TAG_FINGERPRINT = "sikkep/fingerprint"
PUBLISH_KEY = dg.AssetKey(["published", "publication"])
# what the publication step reports when it removed what a killed publish left (publish/leftovers.py)
CLEANED_METADATA = "leftovers_cleaned"

_OUTCOME_EVENTS = {dg.DagsterEventType.ASSET_MATERIALIZATION, dg.DagsterEventType.ASSET_CHECK_EVALUATION,
                   dg.DagsterEventType.STEP_FAILURE, dg.DagsterEventType.RUN_FAILURE,
                   dg.DagsterEventType.RESOURCE_INIT_FAILURE}
_IN_PROGRESS = {dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
                dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING}


def refresh_tags(trigger: str, fingerprint: str) -> dict[str, str]:
    return {TAG_TRIGGER: trigger, TAG_FINGERPRINT: fingerprint}


def trigger_of(tags) -> str:
    if tags.get(TAG_TRIGGER):
        return "sensor" if tags[TAG_TRIGGER] == "drop" else tags[TAG_TRIGGER]  # 'drop': runs before Dec 2026
    if SCHEDULE_NAME_TAG in tags:
        return "schedule"
    if SENSOR_NAME_TAG in tags:
        return "sensor"
    return "ui"  # the webserver adds no tag of its own


@dataclass
class RefreshOutcome:
    run_id: str
    published: bool
    materialized: list[str] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)
    status: str = "SUCCESS"
    run_failure: str | None = None
    cleaned: str | None = None  # leftovers of a killed publish this run's publish step removed
    skipped: str | None = None  # no run: nothing changed since the last publication (up_to_date.py)
    checks_run: int = 0  # asset checks (gates, dbt tests) evaluated in the run
    log_file: str | None = None  # where `sikkep refresh` wrote the run's full output

    @property
    def exit_code(self) -> int:
        if self.published or self.skipped:
            return 0
        return 2 if self.failed_checks else 1

    @property
    def in_progress(self) -> bool:
        return self.status in {s.value for s in _IN_PROGRESS}

    @property
    def verdict(self) -> str:
        if self.published:
            return "published"
        if self.in_progress:
            return "in progress (" + self.status.lower().replace("_", " ") + ")"
        if self.failed_checks:
            return "held back by a gate"
        if self.status == "CANCELED":
            return "canceled"
        if self.failed_steps or self.status == "FAILURE":
            return "failed"
        return "did not publish (the publish step was not part of the run)"

    def reason(self) -> str:
        if self.skipped:
            return self.skipped
        if self.published:
            return f"Published (run {self.run_id})."
        parts = []
        if self.failed_checks:
            parts.append("a gate held publication back: " + "; ".join(self.failed_checks))
        if self.failed_steps:
            parts.append("steps failed: " + "; ".join(self.failed_steps))
        if self.run_failure and not self.failed_steps:
            parts.append(self.run_failure)
        if not parts:
            parts.append("the publish step did not run")
        return mask_error(  # a step's failure is an exception's own text: paths in it shown by the one rule
            f"Not published (run {self.run_id}): " + ". ".join(parts) +
            ". The previous publication is untouched. Fix the extract or the rule named above, then run "
            "`sikkep refresh` again; details in `sikkep status` and the Dagster UI.")


def _check_summary(evaluation) -> str:
    key = evaluation.asset_key.to_user_string()
    md = evaluation.metadata or {}
    detail = md.get("summary")
    text = detail.value if detail is not None else ""
    return f"{key} / {evaluation.check_name}" + (f" ({text})" if text else "")


def _last_line(error) -> str:
    """The cause's own words: Dagster wraps it in "Error occurred while executing op …", which says nothing."""
    while error is not None and error.cause is not None:
        error = error.cause
    if error is None:
        return ""
    # the last line that says something: not DuckDB's pointer under the query ("LINE 1: …" and "^^^")
    lines = [ln for ln in error.message.strip().splitlines()
             if ln.strip(" ^\t") and not re.match(r"LINE \d+:", ln)]
    # a step's unexpected exception is stored as "dagster…Failure: OSError: …" (step_errors.py): the
    # exception's own type name follows
    return re.sub(r"^dagster\._core\.definitions\.events\.Failure: ", "", (lines or [""])[-1])[:400]


def run_outcome(instance: dg.DagsterInstance, run_id: str) -> RefreshOutcome:
    """What the run did, from its events in the instance's event log."""
    run = instance.get_run_by_id(run_id)
    outcome = RefreshOutcome(run_id, published=False, status=run.status.value if run else "UNKNOWN")
    for entry in instance.all_logs(run_id, of_type=_OUTCOME_EVENTS):
        event = entry.get_dagster_event()
        if event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
            outcome.materialized.append(event.asset_key.to_user_string())
            if event.asset_key == PUBLISH_KEY:
                outcome.published = True
                cleaned = event.step_materialization_data.materialization.metadata.get(CLEANED_METADATA)
                outcome.cleaned = cleaned.value if cleaned is not None and cleaned.value else None
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            ev = event.event_specific_data
            outcome.checks_run += 1
            if not ev.passed and ev.severity == dg.AssetCheckSeverity.ERROR:
                outcome.failed_checks.append(_check_summary(ev))
        elif event.event_type == dg.DagsterEventType.STEP_FAILURE:
            outcome.failed_steps.append(
                f"{event.step_key}: {mask_error(_last_line(event.event_specific_data.error))}")
        elif event.event_type == dg.DagsterEventType.RESOURCE_INIT_FAILURE:  # e.g. an unknown kabupaten
            error = getattr(event.event_specific_data, "error", None)
            outcome.failed_steps.append(f"{event.step_key or 'resources'}: {mask_error(_last_line(error))}")
        elif event.event_type == dg.DagsterEventType.RUN_FAILURE:
            outcome.run_failure = mask_error(event.message)
    return outcome


def _utc(ts: float | None) -> str | None:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M:%S") if ts else None


def recent_runs(instance: dg.DagsterInstance, limit: int = 10) -> list[dict]:
    """The newest runs of every job and trigger, newest first, each with its outcome."""
    runs = []
    for record in instance.get_run_records(limit=limit):
        run = record.dagster_run
        outcome = run_outcome(instance, run.run_id)
        runs.append({
            "run_id": run.run_id, "job": run.job_name, "trigger": trigger_of(run.tags),
            "retry_of": run.tags.get(PARENT_RUN_ID_TAG), "status": run.status.value,
            "started_at": _utc(record.start_time or record.create_timestamp.timestamp()),
            "finished_at": _utc(record.end_time), "outcome": outcome.verdict, "published": outcome.published,
            "reason": None if outcome.published or outcome.in_progress else outcome.reason(),
            "cleaned": outcome.cleaned, "fingerprint": run.tags.get(TAG_FINGERPRINT),
        })
    return runs


def runs_in_progress(instance: dg.DagsterInstance) -> list[str]:
    return [r.run_id for r in instance.get_runs(filters=dg.RunsFilter(statuses=list(_IN_PROGRESS)))]


def tag_fingerprint(instance: dg.DagsterInstance | None, run_id: str | None, fingerprint: Callable[[], str]) -> None:
    """Records what a run started from when whoever launched it did not (the UI); computed only then."""
    run = instance.get_run_by_id(run_id) if instance is not None and run_id else None
    if run is not None and TAG_FINGERPRINT not in run.tags:
        instance.add_run_tags(run_id, {TAG_FINGERPRINT: fingerprint()})
