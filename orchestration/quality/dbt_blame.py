"""A failed dbt test names the source files it blames (#17 item 4), like a failed GX gate.

dbt keeps each data test's failing rows as a view in schema `audit` of the build database
(dbt_project.yml: store_failures as view: defining a view costs nothing; a test that passes leaves an
empty view). dagster-dbt reports a failed test with its failing-row count only, and the dbt child holds
the build database's lock until `dbt build` ends; so the step holds back the results of failed tests,
and once dbt has ended reads the files behind each one here:
  - a test whose failing rows carry `source_file` (dbt's not_null keeps every column when it stores
    its failures): those rows' files;
  - a test whose failing rows are values of the tested column (unique, accepted_values, relationships,
    the project's own generic tests): the rows of the tested model holding those values (under the
    test's `where`), when that model carries `source_file`;
  - otherwise (a test of a table without lineage: indicators, the place reference): no file, said so.
Files are shown by orchestration/privacy.py's rule; the counts are rows of the tested model.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import dagster as dg

from ..privacy import mask_error, mask_text, show_path
from .gates import _files_text

MAX_FILES_KEPT = 50
SUMMARY_KEY = "summary"  # what run_records shows of a failed check in `sikkep refresh` and `sikkep status`


def _relation(node: Mapping[str, Any]) -> str:
    return ".".join(f'"{p}"' for p in (node["schema"], node.get("alias") or node["name"]))


def _columns(con, schema: str, name: str) -> list[str]:
    return [r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_catalog = current_database() "
        "and table_schema = ? and table_name = ? order by ordinal_position", [schema, name]).fetchall()]


def _blamed_rows_sql(con, test: Mapping[str, Any], manifest: Mapping[str, Any]) -> str | None:
    """The SQL of (source_file, rows) behind a failed test, or None when its rows carry no lineage."""
    failures = _relation(test)
    stored = _columns(con, test["schema"], test.get("alias") or test["name"])
    if not stored:
        return None
    if "source_file" in stored:
        return f"select source_file, count(*) from {failures} group by 1"
    model = manifest["nodes"].get(test.get("attached_node") or "")
    column = test.get("column_name") or ((test.get("test_metadata") or {}).get("kwargs") or {}).get("column_name")
    if not model or not column or "source_file" not in _columns(con, model["schema"], model.get("alias") or model["name"]):
        return None
    where = (test.get("config") or {}).get("where")
    condition = f"({where}) and " if where and "{" not in where else ""
    return (f"select source_file, count(*) from {_relation(model)} "
            f"where {condition}({column}) in (select \"{stored[0]}\" from {failures}) group by 1")


def blamed_files(con, test: Mapping[str, Any], manifest: Mapping[str, Any]) -> dict[str, int] | None:
    """{shown path: rows} of a failed test; None when its failing rows cannot be traced to files."""
    sql = _blamed_rows_sql(con, test, manifest)
    if sql is None:
        return None
    files: dict[str, int] = {}
    for source_file, rows in con.execute(sql).fetchall():
        shown = show_path(source_file) if source_file is not None else "(tanpa file)"
        files[shown] = files.get(shown, 0) + int(rows)
    return files


def _summary(check_name: str, failed_rows: Any, files: dict[str, int] | None, why: str | None) -> str:
    head = f"dbt test {check_name}: {failed_rows if failed_rows is not None else '?'} failing results"
    if files:
        return mask_text(head + _files_text(files))
    return mask_text(head + f" ({why or 'its failing rows carry no source file'})")


def with_blamed_files(con, results: Iterable[dg.AssetCheckResult], manifest: Mapping[str, Any]
                      ) -> list[dg.AssetCheckResult]:
    """The held-back results of failed tests, each with the files it blames in its metadata (`files`,
    `summary`); dagster-dbt's own metadata (failed_row_count, unique_id …) kept. Never raises for a
    test it cannot trace: the test still fails, its summary says why no file is named."""
    out = []
    for result in results:
        metadata = dict(result.metadata or {})
        unique_id = metadata.get("unique_id")
        unique_id = getattr(unique_id, "value", unique_id)
        failed = metadata.get("dagster_dbt/failed_row_count")
        failed = getattr(failed, "value", failed)
        test = manifest["nodes"].get(unique_id or "")
        files, why = None, None
        if test is None:
            why = "the test is not in the manifest"
        else:
            try:
                files = blamed_files(con, test, manifest)
            except Exception as exc:  # noqa: BLE001 - naming files must never hide the failure itself
                why = f"its failing rows could not be read: {type(exc).__name__}: {mask_error(exc)}"[:300]
        ranked = dict(sorted((files or {}).items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_FILES_KEPT])
        metadata[SUMMARY_KEY] = _summary(result.check_name, failed, files, why)
        metadata["files"] = dg.MetadataValue.json(ranked)
        metadata["files_blamed"] = len(files or {})
        out.append(dg.AssetCheckResult(
            passed=result.passed, asset_key=result.asset_key, check_name=result.check_name,
            severity=result.severity, metadata=metadata, description=result.description))
    return out
