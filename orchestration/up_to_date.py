"""Whether a refresh has anything to do: one decision for `sikkep refresh`, the nightly schedule and the
drop sensor (a run launched from the UI is a deliberate rebuild, like `sikkep refresh --force`).

Nothing to do when the publication on disk is whole and was made by a run that started from the same
extract files and rules (its `sikkep/fingerprint` tag in Dagster's run storage) and finished its
publish step. Anything else (no publication, public and restricted of different runs, leftovers of a
killed publish, a run unknown to this Dagster instance, a fingerprint that differs) means: refresh.
"""
from __future__ import annotations

import dagster as dg

from .publish import read_status
from .run_records import TAG_FINGERPRINT, run_outcome
from .settings import Settings


def nothing_to_do(instance: dg.DagsterInstance, settings: Settings, fingerprint: str) -> str | None:
    """The reason a refresh started now would change nothing, or None when it must run."""
    pub = read_status(settings.published_dir, settings.exports_dir)
    if not pub.get("published") or not pub.get("consistent") or pub.get("leftovers"):
        return None
    run_id = pub["run_id"]
    run = instance.get_run_by_id(run_id)
    if run is None or run.tags.get(TAG_FINGERPRINT) != fingerprint:
        return None
    if not run_outcome(instance, run_id).published:
        return None  # its files are there, but its publish step never finished (killed after the swap)
    return (f"Nothing changed since the last publication (run {run_id}): same extract files, same rules. "
            f"The publication in {settings.published_dir} is current.")
