"""Write-audit-publish of the SIKKEP publication (pure Python + DuckDB; no Dagster here).

    publish(build_db_path, published_dir, run_info) -> paths
    read_status(published_dir) -> dict             (for `sikkep status`)
    record_attempt(published_dir, run_info, outcome, reason)   (a run that did not publish)
"""
from .core import (
    LAST_ATTEMPT,
    PUBLIC_DB,
    RESTRICTED_DB,
    AuditFailed,
    PublishBlocked,
    PublishError,
    cleanup_stale_temps,
    publish,
    read_status,
    record_attempt,
    scan_for_personal_data,
)
from .metadata import PUBLIC_TABLES, RESTRICTED_TABLES

__all__ = [
    "LAST_ATTEMPT", "PUBLIC_DB", "RESTRICTED_DB", "PUBLIC_TABLES", "RESTRICTED_TABLES", "AuditFailed",
    "PublishBlocked", "PublishError", "cleanup_stale_temps", "publish", "read_status", "record_attempt",
    "scan_for_personal_data",
]
