"""Score a publication against the generator's answer key: linkage, quarantine and indicators.

`sikkep score --key DIR` (DIR = `<raw>_answer_key`) reads only the published files, as an auditor
would, and compares them with the truth behind every generated row. It is the measuring stick of the
linkage and indicator work (numbers in BENCHMARKS.md and the issue notes), not part of a refresh.

What the project is judged on (current period, pairwise; TARGETS below):
- persons and households: pairwise precision / recall / F1 (F1 >= 0.995);
- quarantine: precision / recall / F1 of the quarantined rows against `expect_quarantine` (F1 >= 0.95);
- kabupaten indicators: counts within 0.5 % of the truth, percentages within 0.5 percentage points.

Truth follows the published contract: a household's desil is the poorest of the desils its current
registry records give (not the hidden welfare desil); households are active families with living,
present members (a family known only by a kecamatan still counts at kabupaten level), and `households`
counts those the current extracts name (a family no list names is in no publication; Dukcapil's
`keluarga_dukcapil` counts every active family); `penduduk` is their members; a program's recipient
households are the true families of the listed persons (recipients on unusable rows too, as the key
says), and a recipient family is unregistered when it is in no current registry (not in DTKS, P3KE).

Diagnostics for the linkage engineer: pairwise scores by source, and the rows placed apart from the
rest of their person's rows ("split": its person_id differs from the one most of its true person's
rows got) or together with another person's rows ("merged": its true person differs from the one most
rows of its person_id belong to), by defect tag of the answer key.
"""
from __future__ import annotations

from pathlib import Path

import duckdb

from ..linkage.evaluate import exact_nik_baseline_sql, pairwise_scores

SOCIAL_ASSISTANCE = ("pkh", "bpnt", "pbi_jk", "blt_dd", "rtlh", "baznas")
PROGRAMS = SOCIAL_ASSISTANCE + ("kur",)

# What the project is judged on.
TARGETS = {"linkage_f1": 0.995, "quarantine_f1": 0.95, "count_diff_pct": 0.5, "pct_diff_pts": 0.5}
# Counts are compared as a relative difference in %, the rest (ending in _pct) in percentage points.
PER_PROGRAM = ("recipient_households", "recipient_households_desil_1", "recipient_households_desil_1_4",
               "recipient_households_unregistered", "coverage_desil_1_pct", "exclusion_error_desil_1_pct",
               "inclusion_error_desil_1_4_pct",
               # against each program's own eligibility (contract block eligibility; NULL without a criterion)
               "households_eligible", "recipient_households_eligible", "coverage_eligible_pct",
               "exclusion_error_eligible_pct", "inclusion_error_eligible_pct")


# ind_program_budget (rupiah per year: recipients x the program's benefit value from its contract)
PER_BUDGET = ("rupiah_total", "rupiah_desil_1", "rupiah_desil_1_4", "rupiah_eligible", "rupiah_not_eligible",
              "rupiah_unregistered", "share_desil_1_pct", "rupiah_to_cover_priority_gap")
_ANNUAL = {"keluarga_bulan": 12, "keluarga_tahun": 1, "rumah": 1, "orang_bulan": 12}


def _benefit(program: str, period: str | None) -> dict | None:
    """The benefit version the warehouse applies: the newest valid at the list's period."""
    from ..contract_terms import benefit_terms
    from ..settings import get_settings

    versions = [b for b in benefit_terms(program, get_settings().contracts_dir)
                if period is None or b["valid_from"] <= period]
    return versions[-1] if versions else None


def _truth_budget(con: duckdb.DuckDBPyConnection, t: dict) -> None:
    """Truth of ind_program_budget at kabupaten level: every true recipient family x the benefit (per
    person: the distinct recipients the list names in the family, PBI-JK NONAKTIF not); the priority gap = desil-1 families with
    no social assistance (their members for a per-person benefit)."""
    no_program = " AND ".join(f"NOT {p}" for p in SOCIAL_ASSISTANCE)
    gap_h, gap_m = con.execute(f"""SELECT count(*), coalesce(sum(members), 0) FROM truth_hh
                                   WHERE desil = 1 AND {no_program}""").fetchall()[0]
    for p in PROGRAMS:
        period = con.execute("SELECT max(period) FROM key_rows WHERE source = ?", [p]).fetchall()[0][0]
        b = _benefit(p, period)
        if b is None:
            for name in PER_BUDGET:
                t[f"{p}.{name}"] = None
            continue
        dm = _eligibility_desil_max(p)
        unit = b["rupiah"] * _ANNUAL[b["per"]]
        amount = (f"{unit} * coalesce(n.persons, 1)" if b["per"] == "orang_bulan" else str(unit))
        eligible = f"desil <= {dm}" if dm is not None else "FALSE"
        recipient = "coalesce(recipient, TRUE)" if "recipient" in _columns(con, "key_rows") else "TRUE"
        total, d1, d14, el, unreg = con.execute(f"""
            WITH n AS (SELECT household_key, count(DISTINCT person_key) AS persons FROM key_rows
                       WHERE source = '{p}' AND period = '{period}' AND {recipient} GROUP BY household_key)
            SELECT coalesce(sum({amount}), 0), coalesce(sum({amount}) FILTER (WHERE desil = 1), 0),
                   coalesce(sum({amount}) FILTER (WHERE desil <= 4), 0),
                   coalesce(sum({amount}) FILTER (WHERE {eligible}), 0),
                   coalesce(sum({amount}) FILTER (WHERE NOT registered), 0)
            FROM truth_hh h LEFT JOIN n USING (household_key) WHERE {p}""").fetchall()[0]
        t[f"{p}.rupiah_total"], t[f"{p}.rupiah_desil_1"], t[f"{p}.rupiah_desil_1_4"] = total, d1, d14
        t[f"{p}.rupiah_eligible"] = el if dm is not None else None
        t[f"{p}.rupiah_not_eligible"] = total - el if dm is not None else None
        t[f"{p}.rupiah_unregistered"] = unreg
        t[f"{p}.share_desil_1_pct"] = 100.0 * d1 / total if total else None
        t[f"{p}.rupiah_to_cover_priority_gap"] = unit * (gap_m if b["per"] == "orang_bulan" else gap_h)


def _eligibility_desil_max(program: str) -> int | None:
    """The program's eligibility as its contract states it (the same terms the warehouse uses)."""
    from ..contract_terms import eligibility_terms
    from ..settings import get_settings

    return eligibility_terms(program, get_settings().contracts_dir)["desil_max"]


def is_pct(indicator: str) -> bool:
    return indicator.endswith("_pct")


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
               x.source, x.person_id, x.household_id, x.period, k.person_key, k.household_key,
               coalesce(k.defects, '') AS defects
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


def _prf(tp: int, predicted: int, true: int) -> dict:
    precision = tp / predicted if predicted else 1.0
    recall = tp / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def _by_source(con: duckdb.DuckDBPyConnection) -> dict:
    """Pairwise person scores of the pairs that involve at least one row of the source.

    In a group of n rows of which s are of the source, n(n-1)/2 - (n-s)(n-s-1)/2 pairs involve it;
    summed over published persons (predicted), true persons (true) and their intersections (TP)."""
    def pairs(group: str) -> str:
        return f"""SELECT source, sum(n * (n - 1) // 2 - (n - s) * (n - s - 1) // 2)::HUGEINT AS pairs FROM (
                       SELECT source, count(*) AS s, sum(count(*)) OVER (PARTITION BY {group}) AS n
                       FROM j GROUP BY {group}, source) GROUP BY source"""
    rows = con.execute(f"""
        WITH j AS (SELECT source, CAST(person_id AS VARCHAR) AS c, CAST(person_key AS VARCHAR) AS t FROM scored),
             pr AS ({pairs('c')}), tr AS ({pairs('t')}), tp AS ({pairs('c, t')}),
             n AS (SELECT source, count(*) AS records FROM j GROUP BY source),
             s AS (SELECT source, count(*) FILTER (WHERE split) AS split, count(*) FILTER (WHERE merged) AS merged
                   FROM placed GROUP BY source)
        SELECT n.source, n.records, coalesce(pr.pairs, 0), coalesce(tr.pairs, 0), coalesce(tp.pairs, 0),
               coalesce(s.split, 0), coalesce(s.merged, 0)
        FROM n LEFT JOIN pr USING (source) LEFT JOIN tr USING (source) LEFT JOIN tp USING (source)
               LEFT JOIN s USING (source)
        ORDER BY n.source""").fetchall()
    out = {}
    for source, records, predicted, true, tp, split, merged in rows:
        out[source] = {"records": int(records), "predicted_pairs": int(predicted), "true_pairs": int(true),
                       "true_positive_pairs": int(tp), **_prf(int(tp), int(predicted), int(true)),
                       "split_rows": int(split), "merged_rows": int(merged)}
    return out


def _placement(con: duckdb.DuckDBPyConnection) -> dict:
    """Rows placed apart from their person's other rows (split) or with another person's rows (merged),
    by defect tag. Majorities break ties by the smaller id, so the count is deterministic."""
    con.execute("""CREATE TEMP TABLE placed AS
        WITH j AS (SELECT record_id, source, defects, CAST(person_id AS VARCHAR) AS c,
                          CAST(person_key AS VARCHAR) AS t FROM scored),
             tc AS (SELECT t, c, count(*) AS n FROM j GROUP BY t, c),
             main_c AS (SELECT t, c FROM tc QUALIFY row_number() OVER (PARTITION BY t ORDER BY n DESC, c) = 1),
             main_t AS (SELECT c, t FROM tc QUALIFY row_number() OVER (PARTITION BY c ORDER BY n DESC, t) = 1)
        SELECT j.record_id, j.source, j.defects, j.c <> mc.c AS split, j.t <> mt.t AS merged
        FROM j JOIN main_c mc ON mc.t = j.t JOIN main_t mt ON mt.c = j.c""")
    total, split, merged = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE split), count(*) FILTER (WHERE merged) FROM placed").fetchall()[0]
    by_tag = {}
    for tag, rows, s, m in con.execute("""
            SELECT CASE WHEN tag = '' THEN 'clean' ELSE tag END AS tag, count(*),
                   count(*) FILTER (WHERE split), count(*) FILTER (WHERE merged)
            FROM (SELECT unnest(string_split(defects, ',')) AS tag, split, merged FROM placed)
            GROUP BY 1 ORDER BY 3 DESC, 4 DESC, 1""").fetchall():
        by_tag[tag] = {"rows": int(rows), "split": int(s), "merged": int(m)}
    return {"rows": int(total), "split_rows": int(split), "merged_rows": int(merged), "by_tag": by_tag}


def _exact_nik(con: duckdb.DuckDBPyConnection, build_db: Path | None) -> dict | None:
    """What agencies do today: one person per NIK as typed. Needs the staged rows (build database)."""
    if build_db is None or not Path(build_db).exists():
        return None
    try:
        con.execute(f"ATTACH '{Path(build_db).as_posix()}' AS build (READ_ONLY)")
        return pairwise_scores(con, exact_nik_baseline_sql("build.intermediate.int_person_records"),
                               "SELECT record_id, person_key AS truth FROM scored")
    except duckdb.Error:  # a build database of another shape (or locked): the baseline is optional
        return None


def _accounting(con: duckdb.DuckDBPyConnection) -> dict:
    """Quarantine against the key. Rows of a re-delivered identical file are loaded once (from the first
    path), so a `duplicate_file` row that is in neither table is not a miss."""
    tp, fp, fn = con.execute("""
        WITH q AS (SELECT DISTINCT source_file, coalesce(source_sheet, '') AS sheet, source_row FROM res.quarantine),
             k AS (SELECT source_file, coalesce(source_sheet, '') AS sheet, source_row, expect_quarantine,
                          coalesce(defects, '') LIKE '%duplicate_file%' AS dup_file FROM key_rows)
        SELECT count(*) FILTER (WHERE k.expect_quarantine AND q.source_row IS NOT NULL),
               count(*) FILTER (WHERE NOT k.expect_quarantine AND q.source_row IS NOT NULL),
               count(*) FILTER (WHERE k.expect_quarantine AND q.source_row IS NULL AND NOT k.dup_file)
        FROM k LEFT JOIN q USING (source_file, sheet, source_row)""").fetchall()[0]
    return {"quarantined_expected": tp, "quarantined_unexpected": fp, "missed_quarantine": fn,
            "quarantine": {"tp": tp, "fp": fp, "fn": fn, **_prf(tp, tp + fp, tp + fn)}}


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> set[str]:
    return {r[0] for r in con.execute(f"DESCRIBE {relation}").fetchall()}


def _truth_kabupaten(con: duckdb.DuckDBPyConnection, current: str) -> dict:
    cols = _columns(con, "key_households")
    desil = "least(CASE WHEN in_dtks THEN desil_dtks END, CASE WHEN in_p3ke THEN desil_p3ke END)"
    registered = "coalesce(in_dtks, false) OR coalesce(in_p3ke, false)"
    if {"in_dtsen", "desil_dtsen"} <= cols:  # DTSEN, where the key knows it, takes precedence
        desil = f"CASE WHEN in_dtsen AND desil_dtsen IS NOT NULL THEN desil_dtsen ELSE {desil} END"
        registered += " OR coalesce(in_dtsen, false)"
    con.execute(f"""CREATE TEMP TABLE truth_hh AS
        SELECT household_key, members, {desil} AS desil, {registered} AS registered,
               in_dtks, in_p3ke, {", ".join(f"coalesce({p}, false) AS {p}" for p in PROGRAMS)}
        FROM key_households WHERE period = '{current}' AND active AND members > 0""")
    t = {}
    # `households` counts unified households, i.e. the families the extracts make known: a family with a
    # present member on a usable row of a source's current delivery. A DTKS row of a family DTKS does not
    # hold is a departed member (status moved) on his old family's record: it withdraws, it places no one.
    # Families no list names (the non-poor majority) are in no publication; `keluarga_dukcapil` counts them.
    t["households"] = con.execute(f"""
        WITH cur AS (SELECT source, max(period) AS period FROM key_rows GROUP BY source)
        SELECT count(DISTINCT r.household_key)
        FROM key_rows r JOIN cur USING (source, period)
        JOIN key_persons p ON p.person_key = r.person_key AND p.period = '{current}'
        JOIN truth_hh h ON h.household_key = r.household_key
        WHERE NOT r.expect_quarantine AND p.alive AND NOT p.moved_out AND NOT (r.source = 'dtks' AND NOT h.in_dtks)
        """).fetchall()[0][0]
    t["penduduk"] = con.execute("SELECT coalesce(sum(members), 0) FROM truth_hh").fetchall()[0][0]
    t["keluarga_dukcapil"] = con.execute(
        f"SELECT count(*) FROM key_households WHERE period = '{current}' AND active").fetchall()[0][0]
    t["households_desil_1"], t["households_desil_1_4"], t["persons_desil_1"], t["persons_desil_1_4"] = con.execute(
        """SELECT count(*) FILTER (WHERE desil = 1), count(*) FILTER (WHERE desil <= 4),
                  coalesce(sum(members) FILTER (WHERE desil = 1), 0), coalesce(sum(members) FILTER (WHERE desil <= 4), 0)
           FROM truth_hh""").fetchall()[0]
    no_program = " AND ".join(f"NOT {p}" for p in SOCIAL_ASSISTANCE)
    t["households_desil_1_no_program"], t["households_sikkep_priority"] = con.execute(
        f"""SELECT count(*) FILTER (WHERE desil = 1 AND {no_program}),
                   count(*) FILTER (WHERE in_p3ke AND in_dtks AND {no_program}) FROM truth_hh""").fetchall()[0]
    h1 = t["households_desil_1"]
    for p in PROGRAMS:
        rec, rec1, rec14, unreg = con.execute(
            f"""SELECT count(*), count(*) FILTER (WHERE desil = 1), count(*) FILTER (WHERE desil <= 4),
                       count(*) FILTER (WHERE NOT registered) FROM truth_hh WHERE {p}""").fetchall()[0]
        t[f"{p}.recipient_households"] = rec
        t[f"{p}.recipient_households_desil_1"] = rec1
        t[f"{p}.recipient_households_desil_1_4"] = rec14
        t[f"{p}.recipient_households_unregistered"] = unreg
        t[f"{p}.coverage_desil_1_pct"] = 100.0 * rec1 / h1 if h1 else None
        t[f"{p}.exclusion_error_desil_1_pct"] = 100.0 * (h1 - rec1) / h1 if h1 else None
        t[f"{p}.inclusion_error_desil_1_4_pct"] = 100.0 * (rec - rec14) / rec if rec else None
        dm = _eligibility_desil_max(p)
        if dm is None:  # no desil criterion (credit): published NULL
            for name in PER_PROGRAM[7:]:
                t[f"{p}.{name}"] = None
            continue
        he, rece = con.execute(f"""SELECT count(*) FILTER (WHERE desil <= {dm}),
                                         count(*) FILTER (WHERE desil <= {dm} AND {p}) FROM truth_hh""").fetchall()[0]
        t[f"{p}.households_eligible"] = he
        t[f"{p}.recipient_households_eligible"] = rece
        t[f"{p}.coverage_eligible_pct"] = 100.0 * rece / he if he else None
        t[f"{p}.exclusion_error_eligible_pct"] = 100.0 * (he - rece) / he if he else None
        t[f"{p}.inclusion_error_eligible_pct"] = 100.0 * (rec - rece) / rec if rec else None
    _truth_budget(con, t)
    return t


def _published_kabupaten(con: duckdb.DuckDBPyConnection) -> dict:
    p = {}
    wanted = ("households", "penduduk", "keluarga_dukcapil", "households_desil_1", "households_desil_1_4",
              "persons_desil_1", "persons_desil_1_4")
    have = [c for c in wanted if c in _columns(con, "pub.ind_poverty_by_area")]  # an older publication: fewer
    row = con.execute(f"""SELECT {", ".join(have)} FROM pub.ind_poverty_by_area
                          WHERE level = 'kabupaten'""").fetchall()[0]
    p.update(zip(have, row))
    p["households_desil_1_no_program"], p["households_sikkep_priority"] = con.execute(
        """SELECT households_desil_1_no_program, households_sikkep_priority FROM pub.ind_priority_gap
           WHERE level = 'kabupaten'""").fetchall()[0]
    per_program = [c for c in PER_PROGRAM if c in _columns(con, "pub.ind_program_coverage")]  # older: fewer
    for prog, *values in con.execute(
            f"""SELECT program, {", ".join(per_program)}
                FROM pub.ind_program_coverage WHERE level = 'kabupaten'""").fetchall():
        for name, value in zip(per_program, values):
            p[f"{prog}.{name}"] = value
    if con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = 'pub' "
                   "AND table_name = 'ind_program_budget'").fetchall()[0][0]:
        for prog, *values in con.execute(
                f"""SELECT program, {", ".join(PER_BUDGET)} FROM pub.ind_program_budget
                    WHERE level = 'kabupaten'""").fetchall():
            for name, value in zip(PER_BUDGET, values):
                p[f"{prog}.{name}"] = value
    return p


def compare(name: str, true_value, got) -> dict:
    """One indicator against its truth: counts by relative difference (%), percentages by points."""
    out = {"truth": true_value, "published": got, "kind": "pct" if is_pct(name) else "count",
           "diff_pct": None, "diff_pts": None}
    if is_pct(name):
        if true_value is not None and got is not None:
            out["diff_pts"] = float(got) - float(true_value)
            out["within_target"] = abs(out["diff_pts"]) <= TARGETS["pct_diff_pts"] + 1e-9
        else:  # a NULL percentage (zero denominator) is right only where the truth is NULL too
            out["within_target"] = true_value is None and got is None
    else:
        t, g = (0 if true_value is None else true_value), got
        if g is not None and t != 0:
            out["diff_pct"] = (float(g) - float(t)) / float(t) * 100.0
            out["within_target"] = abs(out["diff_pct"]) <= TARGETS["count_diff_pct"] + 1e-9
        elif t == 0:  # nothing to count: right when nothing (or no row) is published
            out["diff_pct"] = 0.0 if not g else None
            out["within_target"] = not g
        else:
            out["within_target"] = False
    return out


def _severity(v: dict) -> float:
    """How far outside (>1) or inside (<=1) its target an indicator is; missing values are the worst."""
    if v["kind"] == "pct":
        d, target = v["diff_pts"], TARGETS["pct_diff_pts"]
    else:
        d, target = v["diff_pct"], TARGETS["count_diff_pct"]
    if d is None:
        return 0.0 if v.get("within_target") else float("inf")
    return abs(d) / target


def summarise(result: dict) -> dict:
    link, q, ind = result["linkage"], result["accounting"]["quarantine"], result["indicators"]
    worst = max(ind, key=lambda k: _severity(ind[k])) if ind else None
    w = ind.get(worst) if worst else None
    hh = ind.get("households", {})
    summary = {
        "persons_f1": link["persons"]["f1"], "households_f1": link["households"]["f1"], "quarantine_f1": q["f1"],
        "households_diff_pct": hh.get("diff_pct"),
        "worst_indicator": None if w is None else {
            "name": worst, "diff": w["diff_pts"] if w["kind"] == "pct" else w["diff_pct"],
            "unit": "pts" if w["kind"] == "pct" else "%", "within_target": w["within_target"]},
        "indicators_within_target": sum(1 for v in ind.values() if v["within_target"]),
        "indicators": len(ind),
    }
    summary["targets_met"] = {
        "persons_f1": summary["persons_f1"] >= TARGETS["linkage_f1"],
        "households_f1": summary["households_f1"] >= TARGETS["linkage_f1"],
        "quarantine_f1": summary["quarantine_f1"] >= TARGETS["quarantine_f1"],
        "indicators": summary["indicators_within_target"] == summary["indicators"],
    }
    return summary


def score(published: Path, key_dir: Path, build_db: Path | None = None) -> dict:
    con = duckdb.connect()
    try:
        current = _attach(con, Path(published), Path(key_dir))
        linkage = _linkage(con, current)
        linkage["persons_exact_nik"] = _exact_nik(con, build_db)
        placement = _placement(con)
        by_source = _by_source(con)
        truth, pub = _truth_kabupaten(con, current), _published_kabupaten(con)
        indicators = {name: compare(name, true_value, pub.get(name)) for name, true_value in truth.items()}
        result = {"current_period": current, "targets": dict(TARGETS), "linkage": linkage,
                  "linkage_by_source": by_source, "placement": placement, "accounting": _accounting(con),
                  "indicators": indicators}
        return {"summary": summarise(result), **result}
    finally:
        con.close()


def _fmt(x) -> str:
    if x is None:
        return "NULL"
    if isinstance(x, float):
        return f"{x:.2f}"
    return f"{x:,}"


def _mark(ok: bool | None) -> str:
    return "" if ok is None else ("yes" if ok else "**NO**")


def render(result: dict) -> str:
    s = result.get("summary") or summarise(result)
    t = result.get("targets", TARGETS)
    w = s["worst_indicator"]
    worst = "n/a" if w is None else (
        f"{w['name']} {'NULL' if w['diff'] is None else format(w['diff'], '+.2f')} {w['unit']}"
        f" ({'within' if w['within_target'] else 'OUTSIDE'} target)")
    hh = s["households_diff_pct"]
    lines = [f"Current period: {result['current_period']}", "",
             "Summary (targets: linkage F1 >= {0}, quarantine F1 >= {1}, counts within {2} %, "
             "percentages within {3} points):".format(t["linkage_f1"], t["quarantine_f1"], t["count_diff_pct"],
                                                      t["pct_diff_pts"]),
             f"- persons F1 {s['persons_f1']:.4f} ({_mark(s['targets_met']['persons_f1'])}), "
             f"households F1 {s['households_f1']:.4f} ({_mark(s['targets_met']['households_f1'])}), "
             f"quarantine F1 {s['quarantine_f1']:.4f} ({_mark(s['targets_met']['quarantine_f1'])})",
             f"- households {'NULL' if hh is None else format(hh, '+.2f')} % vs truth; "
             f"indicators within target {s['indicators_within_target']} of {s['indicators']}; worst: {worst}",
             "", "Linkage (pairwise):",
             "| | records | precision | recall | F1 |", "|---|---|---|---|---|"]
    for name, v in result["linkage"].items():
        if v:
            lines.append(f"| {name} | {v['records']:,} | {v['precision']:.4f} | {v['recall']:.4f} | "
                         f"{v.get('f1', 0.0):.4f} |")
    a = result["accounting"]
    q = a.get("quarantine") or {"tp": a["quarantined_expected"], "fp": a["quarantined_unexpected"],
                                "fn": a["missed_quarantine"], **_prf(a["quarantined_expected"],
                                                                      a["quarantined_expected"] + a["quarantined_unexpected"],
                                                                      a["quarantined_expected"] + a["missed_quarantine"])}
    lines += ["", f"Quarantine: TP {q['tp']:,}, FP {q['fp']:,} (quarantined, not expected), FN {q['fn']:,} "
                  f"(expected, not quarantined): precision {q['precision']:.4f}, recall {q['recall']:.4f}, "
                  f"F1 {q['f1']:.4f}",
              "", "Kabupaten indicators (counts: difference in %; percentages: difference in points):",
              "| indicator | truth | published | diff | within target |", "|---|---|---|---|---|"]
    for name, v in result["indicators"].items():
        if v.get("kind", "count") == "pct":
            diff = "" if v.get("diff_pts") is None else f"{v['diff_pts']:+.2f} pts"
        else:
            diff = "" if v.get("diff_pct") is None else f"{v['diff_pct']:+.2f} %"
        lines.append(f"| {name} | {_fmt(v['truth'])} | {_fmt(v['published'])} | {diff} | "
                     f"{_mark(v.get('within_target'))} |")
    by_source = result.get("linkage_by_source")
    if by_source:
        lines += ["", "Linkage diagnostics: persons by source (pairs involving a row of the source):",
                  "| source | records | precision | recall | F1 | rows split | rows merged |",
                  "|---|---|---|---|---|---|---|"]
        for src, v in by_source.items():
            lines.append(f"| {src} | {v['records']:,} | {v['precision']:.4f} | {v['recall']:.4f} | {v['f1']:.4f} | "
                         f"{v['split_rows']:,} | {v['merged_rows']:,} |")
    p = result.get("placement")
    if p:
        lines += ["", f"Linkage diagnostics: of {p['rows']:,} linked rows, {p['split_rows']:,} are placed apart from "
                      f"the rest of their person's rows (split: person_id differs from the one most of the true "
                      f"person's rows got) and {p['merged_rows']:,} with another person's rows (merged); by defect "
                      f"tag (a row counts under each of its tags):",
                  "| defect tag | rows | split | split % | merged | merged % |", "|---|---|---|---|---|---|"]
        for tag, v in p["by_tag"].items():
            if v["split"] or v["merged"] or tag == "clean" or tag.startswith("nik_"):
                lines.append(f"| {tag} | {v['rows']:,} | {v['split']:,} | {100.0 * v['split'] / v['rows']:.2f} | "
                             f"{v['merged']:,} | {100.0 * v['merged'] / v['rows']:.2f} |")
    return "\n".join(lines)
