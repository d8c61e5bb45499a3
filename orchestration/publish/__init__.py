"""Write-audit-publish of the SIKKEP publication (pure Python + DuckDB; no Dagster here).

    publish(build_db_path, published_dir, run_info) -> paths
    read_status(published_dir) -> dict             (for `sikkep status`)
    find_leftovers / clean_leftovers               (what a killed publish left; leftovers.py)
Run outcomes (published, held back, failed) live in Dagster's run storage (orchestration/run_records.py).
"""
from .core import (
    PUBLIC_DB,
    RESTRICTED_DB,
    AuditFailed,
    PublishBlocked,
    PublishError,
    publish,
    read_status,
    scan_for_personal_data,
)
from .leftovers import clean_leftovers, find_leftovers
from .metadata import PUBLIC_TABLES, RESTRICTED_TABLES

__all__ = [
    "PUBLIC_DB", "RESTRICTED_DB", "PUBLIC_TABLES", "RESTRICTED_TABLES", "AuditFailed", "PublishBlocked",
    "PublishError", "clean_leftovers", "find_leftovers", "publish", "read_status", "scan_for_personal_data",
]
