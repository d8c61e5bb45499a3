"""Run a GX 1.x expectation suite (expectations/<suite>.json) against the DuckDB build database.

GX cannot validate inside DuckDB, and copying a staged table into pandas to count its NULLs costs more
than the count. So DuckDB answers the row-level rules (one aggregate query per frame: rows, non-NULL
rows and unexpected rows of every expectation, with GX's own semantics) and GX validates the aggregate
it needs: one row per suite, one column per expectation holding GX's success ratio ((rows considered -
unexpected) / rows considered; 1 when no row is considered, as GX calls an empty column vacuously
true), checked against the suite's tolerance (`mostly`, default 1). Tolerances live in the JSON (GX
`mostly`, `min_value`), never in code. Only a failed expectation fetches rows: at most five examples
(lineage and masked NIK only) and the files it blames, both by SQL.

Frames (suite meta: `source`, `relation` = the staged table, default staging.stg_<source>; or
`meta.frames` = {name: SQL} for suites over the marts and indicators); each is a SQL query:
  current_rows  the staged rows of the source's newest period; virtual column nik_valid_given
                (nik_valid, NULL when no NIK was delivered: "invalid NIK share" among delivered NIKs)
  row_count     one row: period, rows, previous_period, previous_rows, row_count_ratio
                (rows / previous period's rows; NULL when there is no previous period)
  accounting    intermediate.int_row_accounting rows of the source (one per file): balanced, counts

Rules in SQL (the row-level expectations the suites use; another type is refused with a clear error):
  expect_column_values_to_not_be_null     unexpected = NULL; considered = every row
  expect_column_values_to_be_in_set       unexpected = non-NULL value not in value_set; considered = non-NULL
  expect_column_values_to_be_between      unexpected = non-NULL value outside [min_value, max_value]
                                          (strict_min / strict_max exclude the bound); considered = non-NULL
  expect_column_values_to_be_unique       unexpected = every non-NULL row whose value occurs more than once
"""
from __future__ import annotations

import datetime as dt
import decimal
import json
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..settings import EXPECTATIONS_DIR
from ..privacy import show_path
from .masking import mask_nik, mask_text

log = logging.getLogger(__name__)

LINEAGE = ["source_file", "source_sheet", "source_row"]
VIRTUAL = {"nik_valid_given": "case when nik_missing then null else nik_valid end"}
MAX_EXAMPLES = 5
MAX_BLAMED_FILES = 5

NOT_NULL = "expect_column_values_to_not_be_null"
IN_SET = "expect_column_values_to_be_in_set"
BETWEEN = "expect_column_values_to_be_between"
UNIQUE = "expect_column_values_to_be_unique"
RULES = (NOT_NULL, IN_SET, BETWEEN, UNIQUE)


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


def _q(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _table_columns(con, relation: str) -> set[str]:
    schema, table = relation.split(".")[-2:]
    rows = con.execute("select column_name from information_schema.columns where table_schema = ? and table_name = ?",
                       [schema, table]).fetchall()
    return {r[0] for r in rows}


def _sql_current_rows(con, relation: str, columns: list[str]) -> str:
    existing = _table_columns(con, relation)
    if not existing:
        raise RuntimeError(f"quality gate: relation {relation} does not exist in the build database")
    wanted = list(dict.fromkeys(columns + [c for c in LINEAGE + ["nik_masked"] if c in existing]))
    select = []
    for c in wanted:
        if c in VIRTUAL:
            select.append(f"{VIRTUAL[c]} as {c}")
        elif c in existing:
            select.append(_q(c))
        else:
            raise RuntimeError(f"quality gate: column {c!r} not in {relation}")
    rel = _qualified(relation)
    return f"select {', '.join(select)} from {rel} where period = (select max(period) from {rel})"


def _sql_row_count(relation: str) -> str:
    rel = _qualified(relation)
    return f"""
        with p as (select period, count(*) as rows from {rel} group by period),
        o as (select period, rows, lag(period) over (order by period) as previous_period,
                     lag(rows) over (order by period) as previous_rows from p)
        select period, rows, previous_period, previous_rows,
               case when previous_rows > 0 then rows * 1.0 / previous_rows end as row_count_ratio
        from o order by period desc limit 1"""


def _sql_accounting(source: str) -> str:
    return f"""
        select source_file, period, status, rows_received, rows_loaded, rows_rejected_ingest, rows_in_raw,
               rows_staged, rows_quarantined, balanced
        from intermediate.int_row_accounting where source = {_literal(source)}"""


# --------------------------------------------------------------------------------------- rules in SQL

def _unexpected(e: dict) -> str:
    """The SQL condition (over the frame `f`) of a row the expectation counts as unexpected."""
    kind, k = e["type"], e["kwargs"]
    c = _q(k["column"])
    if kind == NOT_NULL:
        return f"{c} is null"
    if kind == IN_SET:
        values = [v for v in k["value_set"] if v is not None]
        return f"{c} is not null and {c} not in ({', '.join(_literal(v) for v in values) or 'null'})" if values \
            else f"{c} is not null"
    if kind == BETWEEN:
        bounds = []
        if k.get("min_value") is not None:
            bounds.append(f"{c} {'>' if k.get('strict_min') else '>='} {_literal(k['min_value'])}")
        if k.get("max_value") is not None:
            bounds.append(f"{c} {'<' if k.get('strict_max') else '<='} {_literal(k['max_value'])}")
        return f"{c} is not null and not ({' and '.join(bounds) or 'true'})"
    if kind == UNIQUE:
        return f"{c} in (select {c} from f where {c} is not null group by {c} having count(*) > 1)"
    raise ValueError(f"quality gate: expectation type {kind!r} has no SQL form here "
                     f"(supported: {', '.join(RULES)}); add it in orchestration/quality/gates.py")


def _counts(con, frame_sql: str, exps: list[dict]) -> tuple[int, list[tuple[int, int, Any]]]:
    """(rows of the frame, [(non-NULL rows, unexpected rows, the value when the frame has one row)] per
    expectation): one query."""
    parts = ["count(*)"]
    for e in exps:
        c = _q(e["kwargs"]["column"])
        parts.append(f"case when count(*) = 1 then max({c}) end")
        parts.append(f"count({c})")
        if e["type"] == UNIQUE:  # every copy of a repeated value counts, as in GX
            parts.append(f"(select coalesce(sum(n), 0) from (select count(*) as n from f where {c} is not null "
                         f"group by {c} having count(*) > 1))")
        else:
            parts.append(f"count(*) filter (where {_unexpected(e)})")
    row = con.execute(f"with f as materialized ({frame_sql}) select {', '.join(parts)} from f").fetchone()
    return int(row[0]), [(int(row[2 + 3 * i]), int(row[3 + 3 * i]), _plain(row[1 + 3 * i])) for i in range(len(exps))]


def _considered(e: dict, rows: int, nonnull: int) -> int:
    return rows if e["type"] == NOT_NULL else nonnull


def _success_ratio(considered: int, unexpected: int) -> float:
    """GX's own success ratio (expectation.py _mostly_success); an empty column is vacuously true."""
    if considered == 0:
        return 1.0
    return (float(considered) - float(unexpected)) / float(considered)


def _frame_columns(con, frame_sql: str) -> list[str]:
    return [d[0] for d in con.execute(f"select * from ({frame_sql}) limit 0").description]


def _plain(v: Any) -> Any:
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, (dt.date, dt.datetime, dt.time)):
        return v.isoformat()
    return str(v)


def _examples(con, frame_sql: str, cols: list[str], e: dict) -> list[dict]:
    column = e["kwargs"].get("column")
    lineage = [c for c in LINEAGE if c in cols]
    pick = lineage + (["nik_masked"] if "nik_masked" in cols else [])
    if column and column in cols and column not in pick:
        pick.append(column)
    order = ", ".join(_q(c) for c in (lineage or [column]))
    rows = con.execute(f"with f as materialized ({frame_sql}) select {', '.join(_q(c) for c in pick)} from f "
                       f"where {_unexpected(e)} order by {order} limit {MAX_EXAMPLES}").fetchall()
    out = []
    for values in rows:
        rec = dict(zip(pick, values))
        ex: dict[str, Any] = {c: _plain(rec[c]) for c in lineage if rec[c] is not None}
        if "source_file" in ex:  # examples reach Dagster metadata: the file shown by privacy.py's rule
            ex["source_file"] = show_path(str(ex["source_file"]))
        if "source_sheet" in ex:
            ex["source_sheet"] = mask_text(str(ex["source_sheet"]))
        if rec.get("nik_masked") is not None:
            ex["nik"] = mask_nik(rec["nik_masked"])
        if column and column in rec and column not in ("nik", "nik_masked"):
            ex[column] = _plain(rec[column])
        if column == "nik" and rec.get("nik") is not None:
            ex["nik"] = mask_nik(rec["nik"])
        out.append(ex)
    return out


def _blamed_files(con, frame_sql: str, cols: list[str], frame_name: str, e: dict, relation: str) -> dict[str, int]:
    """{shown source file: rows} behind a failed expectation: the files of its unexpected rows; for the
    row count of the newest period, every file of that period; none for a suite over marts or indicators
    (their figures come from every file)."""
    if frame_name == "row_count":
        rel = _qualified(relation)
        rows = con.execute(f"select source_file, count(*) from {rel} where period = (select max(period) from {rel}) "
                           "group by 1").fetchall()
    elif "source_file" not in cols:
        return {}
    else:
        cond = "balanced is distinct from true" if e["kwargs"].get("column") == "balanced" else _unexpected(e)
        rows = con.execute(f"with f as materialized ({frame_sql}) select source_file, count(*) from f "
                           f"where {cond} group by 1").fetchall()
    counts: dict[str, int] = {}
    for f, n in rows:
        if f is not None:
            shown = show_path(str(f))
            counts[shown] = counts.get(shown, 0) + int(n)
    return counts


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


def _validate(frame_name: str, df, expectations: list[dict]) -> list[dict]:
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
    res = batch.validate(suite, result_format={"result_format": "SUMMARY", "partial_unexpected_count": 0})
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


def run_suite(con, suite_name: str, expectations_dir: Path = EXPECTATIONS_DIR) -> GateResult:
    """Validate one suite against the build database `con` (a duckdb connection).

    Returns GateResult(passed, results=[{expectation, column, check, frame, success, observed, tolerance,
    examples, files}]); observed = {unexpected_share, unexpected_count, element_count} (share of the rows
    considered: every row for not_null, the non-NULL ones otherwise); examples carry lineage (file,
    sheet, row) and masked NIKs only; files = the source files a failure blames ({shown path: rows}),
    named in the summary."""
    suite = load_suite(suite_name, expectations_dir)
    meta = suite.get("meta") or {}
    source = meta.get("source") or suite_name.removeprefix("stg_")
    relation = meta.get("relation") or f"staging.stg_{source}"
    by_frame: dict[str, list[dict]] = {}
    for e in suite["expectations"]:
        if e["type"] not in RULES:
            _unexpected(e)  # raises: the type has no SQL form
        by_frame.setdefault((e.get("meta") or {}).get("frame", "current_rows"), []).append(e)

    measured: list[tuple] = []  # frame, its SQL, expectation, rows, non-NULL, unexpected, the one row's value
    for frame_name, exps in by_frame.items():
        if frame_name == "current_rows":
            cols = list(dict.fromkeys(e["kwargs"]["column"] for e in exps))
            frame_sql = _sql_current_rows(con, relation, cols)
        elif frame_name == "row_count":
            frame_sql = _sql_row_count(relation)
        elif frame_name == "accounting":
            frame_sql = _sql_accounting(source)
        elif frame_name in (meta.get("frames") or {}):
            frame_sql = meta["frames"][frame_name]  # a frame the suite defines itself (marts, indicators)
        else:
            raise ValueError(f"suite {suite_name}: unknown frame {frame_name!r}")
        rows, per_exp = _counts(con, frame_sql, exps)
        measured += [(frame_name, frame_sql, e, rows, *counted) for e, counted in zip(exps, per_exp)]

    # GX decides on the aggregate: one row, one success-ratio column per expectation, the suite's tolerance
    import pandas as pd  # here, not at import: loading the definitions stays without pandas (0.6 s)

    ratios = pd.DataFrame({f"e{i}": [_success_ratio(_considered(e, rows, nn), u)]
                           for i, (_, _, e, rows, nn, u, _) in enumerate(measured)})
    checks = [{"type": BETWEEN, "kwargs": {"column": f"e{i}", "min_value": float(e["kwargs"].get("mostly", 1.0))}}
              for i, (_, _, e, *_) in enumerate(measured)]
    verdicts = _validate(f"metrics_{suite_name}", ratios, checks) if checks else []

    results: list[dict] = []
    frame_cols: dict[str, list[str]] = {}
    suite_frames = meta.get("frames") or {}
    for (frame_name, frame_sql, e, rows, nonnull, unexpected, value), v in zip(measured, verdicts):
        column = e["kwargs"].get("column")
        success = bool(v.get("success")) and not (v.get("exception_info") or {}).get("raised_exception")
        considered = _considered(e, rows, nonnull)
        examples: list[dict] = []
        files: dict[str, int] = {}
        one_figure = frame_name in suite_frames and rows == 1
        if not success and not one_figure:
            if frame_name not in frame_cols:
                frame_cols[frame_name] = _frame_columns(con, frame_sql)
            examples = _examples(con, frame_sql, frame_cols[frame_name], e)
            # the gate names the source files it blames (shown masked), in its summary too
            files = _blamed_files(con, frame_sql, frame_cols[frame_name], frame_name, e, relation)
        results.append({
            "expectation": e["type"],
            "column": column,
            "check": (e.get("meta") or {}).get("check"),
            "frame": frame_name,
            "success": success,
            # a one-row metric frame of the suite's own (kabupaten minus kecamatan sums, unlinked rows):
            # the figure itself says more than a share of one row
            "observed": value if one_figure else
            {"unexpected_share": round(unexpected / considered, 6) if considered else 0.0,
             "unexpected_count": unexpected, "element_count": rows},
            "tolerance": _tolerance(e["kwargs"]),
            "examples": examples,
            "files": files,
        })
    passed = all(r["success"] for r in results)
    gate = GateResult(suite=suite_name, passed=passed, results=results)
    log.info(gate.summary())
    return gate
