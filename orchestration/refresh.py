"""`sikkep refresh`: the nightly job, now, in-process, with a one-paragraph verdict."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

import dagster as dg

from .instance import ensure_dagster_home
from .privacy import mask_text

PUBLISH_KEY = dg.AssetKey(["published", "publication"])


@dataclass
class RefreshOutcome:
    run_id: str
    published: bool
    materialized: list[str] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if self.published:
            return 0
        return 2 if self.failed_checks else 1

    def reason(self) -> str:
        if self.published:
            return f"Published (run {self.run_id})."
        parts = []
        if self.failed_checks:
            parts.append("a gate held publication back: " + "; ".join(self.failed_checks))
        if self.failed_steps:
            parts.append("steps failed: " + "; ".join(self.failed_steps))
        if not parts:
            parts.append("the publish step did not run")
        return mask_text(
            f"Not published (run {self.run_id}): " + ". ".join(parts) +
            ". The previous publication is untouched. Fix the extract or the rule named above, then run "
            "`sikkep refresh` again; details in `sikkep status` and the Dagster UI.")


def _check_summary(evaluation) -> str:
    key = evaluation.asset_key.to_user_string()
    md = evaluation.metadata or {}
    detail = md.get("summary")
    text = detail.value if detail is not None else ""
    return f"{key} / {evaluation.check_name}" + (f" ({text})" if text else "")


def _log_level() -> str:
    """Step-by-step progress on a terminal; only warnings in CI logs and pipes (SIKKEP_LOG_LEVEL overrides)."""
    if os.environ.get("SIKKEP_LOG_LEVEL"):
        return os.environ["SIKKEP_LOG_LEVEL"].upper()
    return "INFO" if sys.stderr.isatty() and not os.environ.get("CI") else "WARNING"


def run_refresh(selection: dg.AssetSelection | None = None) -> RefreshOutcome:
    ensure_dagster_home()
    from .definitions import defs

    definitions = defs()
    job = definitions.resolve_job_def("refresh")
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False,
                                        run_config={"loggers": {"console": {"config": {"log_level": _log_level()}}}},
                                        asset_selection=list(selection.resolve(definitions.resolve_asset_graph()))
                                        if selection is not None else None)
        materialized = []
        failed_checks = []
        failed_steps = []
        for event in result.all_events:
            if event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
                materialized.append(event.asset_key.to_user_string())
            elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
                ev = event.event_specific_data
                if not ev.passed and ev.severity == dg.AssetCheckSeverity.ERROR:
                    failed_checks.append(_check_summary(ev))
            elif event.event_type == dg.DagsterEventType.STEP_FAILURE:
                err = event.event_specific_data.error
                msg = (err.message.strip().splitlines() or [""])[-1][:400] if err else ""
                failed_steps.append(f"{event.step_key}: {msg}")
        published = PUBLISH_KEY.to_user_string() in materialized
        return RefreshOutcome(result.run_id, published, materialized, failed_checks, failed_steps)
