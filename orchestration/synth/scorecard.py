"""Score a publication against the generator's answer key: linkage, accounting and indicators.

`sikkep score --key DIR` (DIR = `<raw>_answer_key`) reads only the published files, as an auditor
would, and compares them with the truth behind every generated row. It is the measuring stick of the
linkage and indicator work (numbers in BENCHMARKS.md and the issue notes), not part of a refresh.

Truth follows the published contract: a household's desil is the poorest of the desils its current
registry records give (not the hidden welfare desil); households are active families with living,
present members; a program's recipient households are the true families of the listed persons.
"""
from __future__ import annotations

from pathlib import Path

import duckdb

from ..linkage.evaluate import exact_nik_baseline_sql, pairwise_scores

SOCIAL_ASSISTANCE = ("pkh", "bpnt", "pbi_jk", "blt_dd", "rtlh", "baznas")
PROGRAMS = SOCIAL_ASSISTANCE + ("kur",)


def _attach(con: duckdb.DuckDBPyConnection, published: Path, key_dir: Path) -> str:
    con.execute(f"ATTACH '{(published / 'public.duckdb').as_posix()}' AS pub (READ_ONLY)")
    con.execute(f"ATTACH '{(published / 'restricted.duckdb').as_posix()}' AS res (READ_ONLY)")
    for name in ("rows", "persons", "households"):
        con.execute(f"CREATE TEMP VIEW key_{name} AS SELECT * FROM read_parquet('{(key_dir / f'{name}.parquet').as_posix()}')")
    return con.execute("SELECT max(period) FROM key_households").fetchall()[0][0]


def _linkage(con: duckdb.DuckDBPyConnection, current: str) -> dict:
    con.execute("""CREATE TEMP TABLE scored AS
        SELECT x.source || '|' || x.period || '|' || x.source_file || '|' || coalesce(x.source_sheet, '') || '|'
                   || x.source_row AS record_id,
               x.person_id, x.household_id, x.period, k.person_key, k.household_key
        FROM res.xref_source_record x
        JOIN key_rows k ON k.source_file = x.source_file AND coalesce(k.source_sheet, '') = coalesce(x.source_sheet, '')
                       AND k.source_row = x.source_row""")
    persons = pairwise_scores(con, "SELECT record_id, person_id AS cluster_id FROM scored",
                              "SELECT record_id, person_key AS truth FROM scored")
    # Current households: rows of the current period of living, present persons with a household on both sides.
    households = pairwise_scores(
        con,
        f"""SELECT s.record_id, s.household_id AS cluster_id FROM scored s
            JOIN key_persons p ON p.person_key = s.person_key AND p.period = '{current}'
            WHERE s.household_id IS NOT NULL AND p.alive AND NOT p.moved_out AND p.household_key IS NOT NULL""",
        f"""SELECT s.record_id, p.household_key AS truth FROM scored s
            JOIN key_persons p ON p.person_key = s.person_key AND p.period = '{current}'
            WHERE s.household_id IS NOT NULL AND p.alive AND NOT p.moved_out AND p.household_key IS NOT NULL""")
    return {"persons": persons, "households": households}


def _exact_nik(con: duckdb.DuckDBPyConnection, build_db: Path | None) -> dict | None:
    """What agencies do today: one person per NIK as typed. Needs the staged rows (build database)."""
    if build_db is None or not build_db.exists():
        return None
    con.execute(f"ATTACH '{build_db.as_posix()}' AS build (READ_ONLY)")
    return pairwise_scores(con, exact_nik_baseline_sql("build.intermediate.int_person_records"),
                           "SELECT record_id, person_key AS truth FROM scored")


def _accounting(con: duckdb.DuckDBPyConnection) -> dict:
    row = con.execute("""
        WITH q AS (SELECT source_file, coalesce(source_sheet, '') AS sheet, source_row FROM res.quarantine),
             k AS (SELECT source_file, coalesce(source_sheet, '') AS sheet, source_row, expect_quarantine,
                          defects LIKE '%duplicate_file%' AS dup_file FROM key_rows)
        SELECT count(*) FILTER (WHERE k.expect_quarantine AND q.source_row IS NOT NULL),
               count(*) FILTER (WHERE NOT k.expect_quarantine AND q.source_row IS NOT NULL),
               count(*) FILTER (WHERE k.expect_quarantine AND q.source_row IS NULL AND NOT k.dup_file)
        FROM k LEFT JOIN q USING (source_file, sheet, source_row)""").fetchall()[0]
    return {"quarantined_expected": row[0], "quarantined_unexpected": row[1], "missed_quarantine": row[2]}


def _truth_kabupaten(con: duckdb.DuckDBPyConnection, current: str) -> dict:
    programs = ", ".join(f"bool_or({p}) AS {p}" for p in PROGRAMS)
    con.execute(f"""CREATE TEMP TABLE truth_hh AS
        SELECT household_key, members,
               least(CASE WHEN in_dtks THEN desil_dtks END, CASE WHEN in_p3ke THEN desil_p3ke END) AS desil,
               in_dtks, in_p3ke, {", ".join(PROGRAMS)}
        FROM key_households WHERE period = '{current}' AND active AND members > 0""")
    t = {}
    t["households_desil_1"], t["households_desil_1_4"], t["persons_desil_1"], t["persons_desil_1_4"] = con.execute(
        """SELECT count(*) FILTER (WHERE desil = 1), count(*) FILTER (WHERE desil <= 4),
                  coalesce(sum(members) FILTER (WHERE desil = 1), 0), coalesce(sum(members) FILTER (WHERE desil <= 4), 0)
           FROM truth_hh""").fetchall()[0]
    no_program = " AND ".join(f"NOT {p}" for p in SOCIAL_ASSISTANCE)
    t["households_desil_1_no_program"], t["households_sikkep_priority"] = con.execute(
        f"""SELECT count(*) FILTER (WHERE desil = 1 AND {no_program}),
                   count(*) FILTER (WHERE in_p3ke AND in_dtks AND {no_program}) FROM truth_hh""").fetchall()[0]
    for p in PROGRAMS:
        rec, rec1, rec14 = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE desil = 1), count(*) FILTER (WHERE desil <= 4) FROM truth_hh WHERE {p}"
        ).fetchall()[0]
        t[f"{p}.recipient_households"] = rec
        t[f"{p}.recipient_households_desil_1"] = rec1
        t[f"{p}.coverage_desil_1_pct"] = 100.0 * rec1 / t["households_desil_1"] if t["households_desil_1"] else None
        t[f"{p}.inclusion_error_desil_1_4_pct"] = 100.0 * (rec - rec14) / rec if rec else None
    return t


def _published_kabupaten(con: duckdb.DuckDBPyConnection) -> dict:
    p = {}
    row = con.execute("""SELECT households_desil_1, households_desil_1_4, persons_desil_1, persons_desil_1_4
                         FROM pub.ind_poverty_by_area WHERE level = 'kabupaten'""").fetchall()[0]
    p["households_desil_1"], p["households_desil_1_4"], p["persons_desil_1"], p["persons_desil_1_4"] = row
    p["households_desil_1_no_program"], p["households_sikkep_priority"] = con.execute(
        """SELECT households_desil_1_no_program, households_sikkep_priority FROM pub.ind_priority_gap
           WHERE level = 'kabupaten'""").fetchall()[0]
    for prog, rec, rec1, cov, inc in con.execute(
            """SELECT program, recipient_households, recipient_households_desil_1, coverage_desil_1_pct,
                      inclusion_error_desil_1_4_pct
               FROM pub.ind_program_coverage WHERE level = 'kabupaten'""").fetchall():
        p[f"{prog}.recipient_households"] = rec
        p[f"{prog}.recipient_households_desil_1"] = rec1
        p[f"{prog}.coverage_desil_1_pct"] = cov
        p[f"{prog}.inclusion_error_desil_1_4_pct"] = inc
    return p


def score(published: Path, key_dir: Path, build_db: Path | None = None) -> dict:
    con = duckdb.connect()
    try:
        current = _attach(con, Path(published), Path(key_dir))
        linkage = _linkage(con, current)
        linkage["persons_exact_nik"] = _exact_nik(con, build_db)
        truth, pub = _truth_kabupaten(con, current), _published_kabupaten(con)
        indicators = {}
        for name, true_value in truth.items():
            got = pub.get(name)
            rel = None
            if true_value not in (None, 0) and got is not None:
                rel = (float(got) - float(true_value)) / float(true_value) * 100.0
            indicators[name] = {"truth": true_value, "published": got, "diff_pct": rel}
        return {"current_period": current, "linkage": linkage, "accounting": _accounting(con),
                "indicators": indicators}
    finally:
        con.close()


def render(result: dict) -> str:
    lines = [f"Current period: {result['current_period']}", "", "Linkage (pairwise):",
             "| | records | precision | recall |", "|---|---|---|---|"]
    for name, s in result["linkage"].items():
        if s:
            lines.append(f"| {name} | {s['records']:,} | {s['precision']:.4f} | {s['recall']:.4f} |")
    a = result["accounting"]
    lines += ["", f"Quarantine: {a['quarantined_expected']} expected, {a['quarantined_unexpected']} unexpected, "
                  f"{a['missed_quarantine']} missed", "", "Kabupaten indicators:",
              "| indicator | truth | published | diff % |", "|---|---|---|---|"]
    for name, v in result["indicators"].items():
        fmt = (lambda x: "NULL" if x is None else (f"{x:.2f}" if isinstance(x, float) else f"{x:,}"))
        diff = "" if v["diff_pct"] is None else f"{v['diff_pct']:+.2f}"
        lines.append(f"| {name} | {fmt(v['truth'])} | {fmt(v['published'])} | {diff} |")
    return "\n".join(lines)
