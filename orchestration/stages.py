"""The stages of a refresh, and which stage each step of the refresh job belongs to (the console's stage lines,
the benchmark's per-stage table)."""
from __future__ import annotations

STAGES = ["ingest", "staging", "gates", "linkage", "marts", "indicators", "publish"]


def stage_of(step_key: str) -> str:
    """The stage of a step of the refresh job. Indicators are built inside the marts' dbt step; the gates are
    the blocking checks between them."""
    if step_key.startswith("raw__"):
        return "ingest"
    if step_key == "dbt_staging":
        return "staging"
    if step_key == "linkage":
        return "linkage"
    if step_key == "dbt_marts":
        return "marts"
    if step_key.startswith("published__"):
        return "publish"
    return "gates"
