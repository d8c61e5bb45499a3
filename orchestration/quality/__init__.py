"""Quality gates: Great Expectations 1.x suites (expectations/<suite>.json) run on frames fetched from
the DuckDB build database. Dagster asset checks call `run_suite`."""
from .gates import GateResult, list_suites, load_suite, run_suite
from .masking import mask_nik, mask_text

__all__ = ["GateResult", "list_suites", "load_suite", "run_suite", "mask_nik", "mask_text"]
