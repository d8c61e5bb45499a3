"""Run a GX 1.x expectation suite (expectations/<suite>.json) against the DuckDB build database.

GX cannot validate inside DuckDB, so each suite names, per expectation, the frame it runs on
(`meta.frame`); only the columns the suite needs are fetched as pandas frames and validated with an
ephemeral GX context. Tolerances live in the JSON (GX `mostly`, `min_value`), never in code.

Frames (suite meta: `source`, `relation` = the staged table, default staging.stg_<source>; or
`meta.frames` = {name: SQL} for suites over the marts and indicators):
  current_rows  the staged rows of the source's newest period; virtual column nik_valid_given
                (nik_valid, NULL when no NIK was delivered: "invalid NIK share" among delivered NIKs)
  row_count     one row: period, rows, previous_period, previous_rows, row_count_ratio
                (rows / previous period's rows; NULL when there is no previous period)
  accounting    intermediate.int_row_accounting rows of the source (one per file): balanced, counts
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from ..settings import EXPECTATIONS_DIR
from ..privacy import show_path
from .masking import mask_nik, mask_text

log = logging.getLogger(__name__)

LINEAGE = ["source_file", "source_sheet", "source_row"]
VIRTUAL = {"nik_valid_given": "case when nik_missing then null else nik_valid end"}
MAX_EXAMPLES = 5
MAX_BLAMED_FILES = 5


@dataclass
class GateResult:
    suite: str
    passed: bool
    results: list[dict] = field(default_factory=list)

    @property
    def failures(self) -> list[dict]:
        return [r for r in self.results if not r["success"]]

    def summary(self) -> str:
        if self.passed:
            return f"{self.suite}: all {len(self.results)} expectations passed"
        parts = [f"{r['expectation']}({r.get('column') or ''}) observed {r['observed']} tolerance {r['tolerance']}"
                 + _files_text(r.get("files")) for r in self.failures]
        return mask_text(f"{self.suite}: {len(self.failures)} of {len(self.results)} expectations failed: " + "; ".join(parts))

    def as_metadata(self) -> dict:
        return {"suite": self.suite, "passed": self.passed, "results": self.results}


def _files_text(files: dict | None) -> str:
    """' in files a.csv (12 rows), b.xlsx (3 rows)': the source files a failure blames, most rows first
    (already shown by the rule of orchestration/privacy.py)."""
    if not files:
        return ""
    ranked = sorted(files.items(), key=lambda kv: (-kv[1], kv[0]))
    text = ", ".join(f"{f} ({n} rows)" for f, n in ranked[:MAX_BLAMED_FILES])
    if len(ranked) > MAX_BLAMED_FILES:
        text += f" and {len(ranked) - MAX_BLAMED_FILES} more files"
    return " in files " + text


def list_suites(expectations_dir: Path = EXPECTATIONS_DIR) -> list[str]:
    return sorted(p.stem for p in Path(expectations_dir).glob("*.json"))


def load_suite(suite_name: str, expectations_dir: Path = EXPECTATIONS_DIR) -> dict:
    path = Path(expectations_dir) / f"{suite_name}.json"
    if not path.exists():
        raise FileNotFoundError(f"no expectation suite {suite_name!r} at {path}")
    return json.loads(path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------- frames

def _qualified(relation: str) -> str:
    return ".".join(f'"{p}"' for p in relation.split("."))


def _table_columns(con, relation: str) -> set[str]:
    schema, table = relation.split(".")[-2:]
    rows = con.execute("select column_name from information_schema.columns where table_schema = ? and table_name = ?",
                       [schema, table]).fetchall()
    return {r[0] for r in rows}


def _frame_current_rows(con, relation: str, columns: list[str]) -> pd.DataFrame:
    existing = _table_columns(con, relation)
    if not existing:
        raise RuntimeError(f"quality gate: relation {relation} does not exist in the build database")
    wanted = list(dict.fromkeys(columns + [c for c in LINEAGE + ["nik_masked"] if c in existing]))
    select = []
    for c in wanted:
        if c in VIRTUAL:
            select.append(f"{VIRTUAL[c]} as {c}")
        elif c in existing:
            select.append(f'"{c}"')
        else:
            raise RuntimeError(f"quality gate: column {c!r} not in {relation}")
    rel = _qualified(relation)
    sql = (f"select {', '.join(select)} from {rel} "
           f"where period = (select max(period) from {rel}) order by source_file, source_sheet, source_row")
    return con.execute(sql).df()


def _frame_row_count(con, relation: str) -> pd.DataFrame:
    rel = _qualified(relation)
    return con.execute(f"""
        with p as (select period, count(*) as rows from {rel} group by period),
        o as (select period, rows, lag(period) over (order by period) as previous_period,
                     lag(rows) over (order by period) as previous_rows from p)
        select period, rows, previous_period, previous_rows,
               case when previous_rows > 0 then rows * 1.0 / previous_rows end as row_count_ratio
        from o order by period desc limit 1""").df()


def _frame_accounting(con, source: str) -> pd.DataFrame:
    return con.execute("""
        select source_file, period, status, rows_received, rows_loaded, rows_rejected_ingest, rows_in_raw,
               rows_staged, rows_quarantined, balanced
        from intermediate.int_row_accounting where source = ? order by source_file""", [source]).df()


# ------------------------------------------------------------------------------------------------- GX

@lru_cache(maxsize=1)
def _context():
    import great_expectations as gx
    ctx = gx.get_context(mode="ephemeral")
    try:  # no tqdm bars in logs
        from great_expectations.data_context.types.base import ProgressBarsConfig
        ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    except Exception:  # noqa: BLE001 - cosmetic only
        pass
    return ctx


def _validate(frame_name: str, df: pd.DataFrame, expectations: list[dict]) -> list[dict]:
    from great_expectations.core import ExpectationSuite
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    ctx = _context()
    ds_name = f"sikkep_{frame_name}"
    try:
        ds = ctx.data_sources.get(ds_name)
    except Exception:  # noqa: BLE001 - not there yet
        ds = ctx.data_sources.add_pandas(ds_name)
    try:
        asset = ds.get_asset("frame")
    except Exception:  # noqa: BLE001
        asset = ds.add_dataframe_asset(name="frame")
    try:
        bd = asset.get_batch_definition("whole")
    except Exception:  # noqa: BLE001
        bd = asset.add_batch_definition_whole_dataframe("whole")
    batch = bd.get_batch(batch_parameters={"dataframe": df.reset_index(drop=True)})
    suite = ExpectationSuite(name=f"{frame_name}")
    for e in expectations:
        suite.add_expectation_configuration(ExpectationConfiguration(type=e["type"], kwargs=e["kwargs"], meta=e.get("meta") or {}))
    res = batch.validate(suite, result_format={"result_format": "COMPLETE", "partial_unexpected_count": MAX_EXAMPLES,
                                               "include_unexpected_rows": False})
    # GX does not keep the suite's order: match results back to the expectations by type and kwargs
    by_key = {}
    for r in res.results:
        d = r.to_json_dict()
        cfg = d.get("expectation_config") or {}
        by_key[_key(cfg.get("type"), cfg.get("kwargs") or {})] = d
    return [by_key[_key(e["type"], e["kwargs"])] for e in expectations]


def _key(type_: str, kwargs: dict) -> str:
    return type_ + "|" + json.dumps({k: kwargs[k] for k in sorted(kwargs) if k in ("column", "column_list")}, default=str)


def _tolerance(kwargs: dict) -> Any:
    if "mostly" in kwargs:
        return {"max_unexpected_share": round(1 - float(kwargs["mostly"]), 6)}
    tol = {k: kwargs[k] for k in ("min_value", "max_value", "value_set") if k in kwargs}
    return tol or "exact"


def _observed(result: dict, df: pd.DataFrame, kwargs: dict) -> Any:
    r = result.get("result") or {}
    if "unexpected_percent" in r:
        # share of non-null values for value expectations; share of all rows for not_null
        share = (r.get("unexpected_percent") or 0.0) / 100.0
        return {"unexpected_share": round(share, 6), "unexpected_count": r.get("unexpected_count"),
                "element_count": r.get("element_count")}
    if "observed_value" in r:
        return r["observed_value"]
    col = kwargs.get("column")
    if col in df.columns and len(df) == 1:
        v = df[col].iloc[0]
        return None if pd.isna(v) else (float(v) if isinstance(v, (int, float)) else str(v))
    return r or None


def _examples(result: dict, df: pd.DataFrame, column: str | None) -> list[dict]:
    r = result.get("result") or {}
    idx = r.get("unexpected_index_list") or r.get("partial_unexpected_index_list") or []
    rows = []
    for i in idx[:MAX_EXAMPLES]:
        if isinstance(i, dict):  # GX may report {column: value, ...} entries
            i = i.get("index", None)
        if i is None or not (0 <= int(i) < len(df)):
            continue
        rec = df.iloc[int(i)]
        ex: dict[str, Any] = {}
        for c in LINEAGE:
            if c in df.columns and not pd.isna(rec[c]):
                ex[c] = rec[c].item() if hasattr(rec[c], "item") else rec[c]
        if "source_file" in ex:  # examples reach Dagster metadata: the file shown by privacy.py's rule
            ex["source_file"] = show_path(str(ex["source_file"]))
        if "source_sheet" in ex:
            ex["source_sheet"] = mask_text(str(ex["source_sheet"]))
        if "nik_masked" in df.columns and not pd.isna(rec["nik_masked"]):
            ex["nik"] = mask_nik(rec["nik_masked"])
        if column and column in df.columns and column not in ("nik", "nik_masked"):
            v = rec[column]
            ex[column] = None if pd.isna(v) else (v.item() if hasattr(v, "item") else v)
        if column == "nik" and "nik" in df.columns and not pd.isna(rec["nik"]):
            ex["nik"] = mask_nik(rec["nik"])
        rows.append(ex)
    if not rows and df.shape[0] and column in ("balanced",):
        bad = df[df[column] != True]  # noqa: E712
        rows = [{k: (None if pd.isna(v) else (v.item() if hasattr(v, "item") else v)) for k, v in rec.items()}
                for _, rec in bad.head(MAX_EXAMPLES).iterrows()]
        for ex in rows:
            if ex.get("source_file") is not None:
                ex["source_file"] = show_path(str(ex["source_file"]))
    return rows


def _blamed_files(con, result: dict, df: pd.DataFrame, frame_name: str, column: str | None,
                  relation: str) -> dict[str, int]:
    """{shown source file: rows} behind a failed expectation: the files of its unexpected rows; for the
    row count of the newest period, every file of that period; none for a suite over marts or indicators
    (their figures come from every file)."""
    counts: dict[str, int] = {}
    if frame_name == "row_count":
        rel = _qualified(relation)
        rows = con.execute(f"select source_file, count(*) from {rel} where period = (select max(period) from {rel}) "
                           "group by 1").fetchall()
    elif "source_file" not in df.columns:
        return {}
    elif frame_name == "accounting" or column == "balanced":
        bad = df[df["balanced"] != True]  # noqa: E712
        rows = bad.groupby("source_file").size().items()
    else:
        r = result.get("result") or {}
        idx = [i.get("index") if isinstance(i, dict) else i
               for i in (r.get("unexpected_index_list") or r.get("partial_unexpected_index_list") or [])]
        idx = [int(i) for i in idx if i is not None and 0 <= int(i) < len(df)]
        rows = df.iloc[idx].groupby("source_file").size().items() if idx else []
    for f, n in rows:
        if f is not None and not pd.isna(f):
            shown = show_path(str(f))
            counts[shown] = counts.get(shown, 0) + int(n)
    return counts


def run_suite(con, suite_name: str, expectations_dir: Path = EXPECTATIONS_DIR) -> GateResult:
    """Validate one suite against the build database `con` (a duckdb connection).

    Returns GateResult(passed, results=[{expectation, column, check, success, observed, tolerance,
    examples, files}]); examples carry lineage (file, sheet, row) and masked NIKs only; files = the
    source files a failure blames ({shown path: rows}), named in the summary."""
    suite = load_suite(suite_name, expectations_dir)
    meta = suite.get("meta") or {}
    source = meta.get("source") or suite_name.removeprefix("stg_")
    relation = meta.get("relation") or f"staging.stg_{source}"
    by_frame: dict[str, list[dict]] = {}
    for e in suite["expectations"]:
        by_frame.setdefault((e.get("meta") or {}).get("frame", "current_rows"), []).append(e)

    results: list[dict] = []
    for frame_name, exps in by_frame.items():
        if frame_name == "current_rows":
            cols = []
            for e in exps:
                k = e["kwargs"]
                cols += [k["column"]] if "column" in k else list(k.get("column_list", []))
            df = _frame_current_rows(con, relation, list(dict.fromkeys(cols)))
        elif frame_name == "row_count":
            df = _frame_row_count(con, relation)
        elif frame_name == "accounting":
            df = _frame_accounting(con, source)
        elif frame_name in (meta.get("frames") or {}):
            # a frame the suite defines itself as SQL (the marts and indicators suites): small metric frames
            df = con.execute(meta["frames"][frame_name]).df()
        else:
            raise ValueError(f"suite {suite_name}: unknown frame {frame_name!r}")
        for e, r in zip(exps, _validate(frame_name, df, exps)):
            column = e["kwargs"].get("column")
            success = bool(r.get("success"))
            if r.get("exception_info", {}).get("raised_exception"):
                success = False
            results.append({
                "expectation": e["type"],
                "column": column,
                "check": (e.get("meta") or {}).get("check"),
                "frame": frame_name,
                "success": success,
                "observed": _observed(r, df, e["kwargs"]),
                "tolerance": _tolerance(e["kwargs"]),
                "examples": [] if success else _examples(r, df, column),
                # the gate names the source files it blames (shown masked), in its summary too
                "files": {} if success else _blamed_files(con, r, df, frame_name, column, relation),
            })
    passed = all(r["success"] for r in results)
    gate = GateResult(suite=suite_name, passed=passed, results=results)
    log.info(gate.summary())
    return gate
