"""What the report says, read from the public publication only (public.duckdb: aggregates, audited).

Every figure of the report comes from one query here, so the report and its test read the same rows.
A table or column a publication does not have (an older publication) leaves its section empty."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb

KECAMATAN = "kecamatan"
KABUPATEN = "kabupaten"
ELIGIBILITY_COLUMNS = ("eligibility_rule", "households_eligible", "recipient_households_eligible",
                       "coverage_eligible_pct", "exclusion_error_eligible_pct", "inclusion_error_eligible_pct")


def _rows(con, sql: str, params=()) -> list[dict]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def _columns(con, table: str) -> set[str]:
    return {r[0] for r in con.execute(
        "select column_name from duckdb_columns() where database_name = current_database() and table_name = ?",
        [table]).fetchall()}


def _publication(con) -> dict:
    run = _rows(con, "select run_id, started_at, published_at, period from publication where kind = 'run'")[0]
    files = _rows(con, "select name as path, source, period from publication where kind = 'extract_file' "
                       "order by source, period, name")
    rejected = _rows(con, "select name as path, source, period, status, detail as reason, row_count as rows "
                          "from publication where kind = 'rejected_file' order by status, name")
    gates = _rows(con, "select name, status, detail from publication where kind = 'gate' order by status, name")
    checks: dict[str, list[dict]] = {}
    for r in _rows(con, "select name, status, detail from publication where kind = 'gate_check' order by name"):
        checks.setdefault(r["name"], []).append({**json.loads(r["detail"] or "{}"), "status": r["status"]})
    for g in gates:
        g["checks"] = checks.get(g["name"], [])
    return {**run, "files": files, "rejected": rejected, "gates": gates}


def _history_change(con, current_period: str | None) -> dict:
    """The kabupaten's figures at this publication's period and at the newest earlier one (ind_*_history)."""
    tables = {r[0] for r in con.execute("select table_name from duckdb_tables() "
                                        "where database_name = current_database()").fetchall()}
    if "ind_poverty_by_area_history" not in tables:
        return {"periods": [], "previous": None, "kabupaten": [], "kecamatan": []}
    periods = [r[0] for r in con.execute(
        "select distinct period from ind_poverty_by_area_history where period is not null order by 1").fetchall()]
    earlier = [p for p in periods if current_period is None or p < current_period]
    previous = earlier[-1] if earlier else None
    trend = _rows(con, """
        select p.period, p.households, p.households_desil_1, p.persons_desil_1, p.extreme_poverty_pct,
               g.households_desil_1_no_program, g.households_sikkep_priority
        from ind_poverty_by_area_history p
        left join ind_priority_gap_history g
          on g.period = p.period and g.level = p.level and g.kode_wilayah = p.kode_wilayah
        where p.level = ? order by p.period""", [KABUPATEN]) if "ind_priority_gap_history" in tables else []
    kecamatan = []
    if previous is not None:
        kecamatan = _rows(con, """
            select c.kode_wilayah, c.nama_wilayah,
                   p.households_desil_1 as before_desil_1, c.households_desil_1 as now_desil_1,
                   p.extreme_poverty_pct as before_pct, c.extreme_poverty_pct as now_pct
            from ind_poverty_by_area c
            left join ind_poverty_by_area_history p
              on p.period = ? and p.level = c.level and p.kode_wilayah = c.kode_wilayah
            where c.level = ? order by c.kode_wilayah""", [previous, KECAMATAN])
    return {"periods": periods, "previous": previous, "kabupaten": trend, "kecamatan": kecamatan}


def read_report_data(public_db: Path) -> dict:
    """Every section of the report, from public.duckdb (opened read-only)."""
    con = duckdb.connect(str(public_db), read_only=True)
    try:
        pub = _publication(con)
        kab = _rows(con, "select * from ind_poverty_by_area where level = ?", [KABUPATEN])
        quality_cols = _columns(con, "ind_data_quality")
        extra = [c for c in ("files_received", "files_rejected", "rows_unread") if c in quality_cols]
        # each program's own eligibility rule (contract `eligibility`), in publications that carry it
        eligible = [c for c in ELIGIBILITY_COLUMNS if c in _columns(con, "ind_program_coverage")]
        data = {
            "publication": pub,
            "kabupaten": kab[0] if kab else {},
            "quality": _rows(con, "select source, period, rows_received, rows_loaded, rows_quarantined, nik_valid_pct, "
                                  f"rows_linked, linked_pct{''.join(', ' + c for c in extra)} "
                                  "from ind_data_quality order by source, period"),
            "poverty": _rows(con, "select kode_wilayah, nama_wilayah, penduduk, households, households_desil_1, "
                                  "households_desil_1_4, persons_desil_1, extreme_poverty_pct "
                                  "from ind_poverty_by_area where level = ? order by kode_wilayah", [KECAMATAN]),
            "coverage": _rows(con, "select program, recipient_households, recipient_households_desil_1, "
                                   "recipient_households_unregistered, households_desil_1, coverage_desil_1_pct, "
                                   "exclusion_error_desil_1_pct, inclusion_error_desil_1_4_pct"
                                   f"{''.join(', ' + c for c in eligible)} "
                                   "from ind_program_coverage where level = ? order by program", [KABUPATEN]),
            "gap": _rows(con, "select kode_wilayah, nama_wilayah, households_desil_1, households_desil_1_no_program, "
                              "households_sikkep_priority from ind_priority_gap where level = ? "
                              "order by kode_wilayah", [KECAMATAN]),
            "graduation": _rows(con, "select period_from, period_to, households_desil_1_from, graduated, entered, "
                                     "remained, exited_other from ind_graduation where level = ? "
                                     "order by period_from", [KABUPATEN]),
        }
        data["change"] = _history_change(con, pub.get("period"))
    finally:
        con.close()
    return data
