"""The scorecard's arithmetic on a tiny hand-made publication and answer key (real DuckDB and Parquet files).

The world (current period 2025-09; 2025-03 is an older delivery):
  family H1 (A, B, C; DTKS desil 1, P3KE desil 2; PKH, BPNT), H2 (D; P3KE desil 3; PBI-JK),
  H3 (E; in no registry; BLT-DD), H4 (F; DTKS desil 6; PKH), H5 (active, no member left; PKH),
  H6 (G and another; named only on a DTKS row of the family G left), H7 (inactive).
Published: A's PKH row is split off (p9), C's DTKS row is merged into B (p2), C's P3KE row stands
alone (p3) and sits in its own household h9.
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.synth import scorecard

CUR, OLD = "2025-09", "2025-03"
PROGS = scorecard.PROGRAMS

# (source, period, file, sheet, row, person, family, defects, expect_quarantine, published person, household)
# published person None = not in the xref (quarantined or loaded from the first copy only)
ROWS = [
    ("dtks", OLD, "dtks/2025-03/a.csv", None, 2, 1, 1, "", False, "p1", "h1"),
    ("dtks", OLD, "dtks/2025-03/a.csv", None, 3, 2, 1, "", False, "p2", "h1"),
    ("dtks", CUR, "dtks/2025-09/a.csv", None, 2, 1, 1, "", False, "p1", "h1"),
    ("dtks", CUR, "dtks/2025-09/a.csv", None, 3, 2, 1, "", False, "p2", "h1"),
    ("dtks", CUR, "dtks/2025-09/a.csv", None, 4, 3, 1, "name_variant,nik_head_copied", False, "p2", "h1"),
    ("dtks", CUR, "dtks/2025-09/a.csv", None, 5, 6, 4, "", False, "p6", "h4"),
    ("dtks", CUR, "dtks/2025-09/a.csv", None, 6, 7, 6, "", False, "p7", None),  # G moved to H6: status 2
    ("p3ke", CUR, "p3ke/2025-09/b.xlsx", "S1", 5, 1, 1, "", False, "p1", "h1"),
    ("p3ke", CUR, "p3ke/2025-09/b.xlsx", "S1", 6, 2, 1, "", False, "p2", "h1"),
    ("p3ke", CUR, "p3ke/2025-09/b.xlsx", "S1", 7, 3, 1, "", False, "p3", "h9"),
    ("p3ke", CUR, "p3ke/2025-09/b.xlsx", "S1", 8, 4, 2, "", False, "p4", "h2"),
    ("pkh", CUR, "pkh/2025-09/c.csv", None, 2, 1, 1, "nik_typo", False, "p9", "h1"),
    ("pkh", CUR, "pkh/2025-09/c.csv", None, 3, 6, 4, "", False, "p6", "h4"),
    ("pbi_jk", CUR, "pbi_jk/2025-09/d.csv", None, 2, 4, 2, "nik_missing", False, "p4", "h2"),
    ("blt_dd", CUR, "blt_dd/2025-09/e.csv", None, 2, 5, 3, "", False, "p5", "h3"),
    ("blt_dd", CUR, "blt_dd/2025-09/e.csv", None, 3, 99, None, "unusable", True, None, None),           # TP
    ("blt_dd", CUR, "blt_dd/2025-09/e_kirim_ulang.csv", None, 2, 5, 3, "duplicate_file", False, None, None),
    ("blt_dd", CUR, "blt_dd/2025-09/e_kirim_ulang.csv", None, 3, 99, None, "unusable,duplicate_file", True, None,
     None),                                                                                               # not a miss
    ("bpnt", CUR, "bpnt/2025-09/f.csv", None, 2, 1, 1, "", False, None, None),                            # FP
    ("bpnt", CUR, "bpnt/2025-09/f.csv", None, 3, 2, 1, "unusable", True, None, None),                     # FN
]
QUARANTINED = [("blt_dd", "blt_dd/2025-09/e.csv", 3), ("bpnt", "bpnt/2025-09/f.csv", 2)]

# person: family at the current period (all alive and present); 99 is found in no population
PERSONS = {1: 1, 2: 1, 3: 1, 4: 2, 5: 3, 6: 4, 7: 6, 99: None}

# family: active, members, in_dtks, desil_dtks, in_p3ke, desil_p3ke, recipient programs
HOUSEHOLDS = {
    1: (True, 3, True, 1, True, 2, {"pkh", "bpnt"}),
    2: (True, 2, False, None, True, 3, {"pbi_jk"}),
    3: (True, 1, False, None, False, None, {"blt_dd"}),
    4: (True, 4, True, 6, False, None, {"pkh"}),
    5: (True, 0, True, 1, False, None, {"pkh"}),
    6: (True, 2, False, None, False, None, set()),
    7: (False, 0, True, 2, False, None, set()),
}

# published kabupaten coverage: recipients, desil 1, desil 1-4, unregistered, coverage, exclusion, inclusion;
# then against the program's own eligibility: eligible, eligible recipients, coverage, exclusion, inclusion
COVERAGE = {
    "pkh": (2, 1, 1, 0, 100.0, 0.0, 50.3, 2, 1, 50.0, 50.0, 50.0),      # inclusion 0.3 points off: within
    "bpnt": (1, 1, 1, 0, 100.0, 0.0, 0.0, 2, 1, 50.0, 50.0, 0.0),
    "pbi_jk": (1, 0, 1, 0, 0.0, 100.0, 0.6, 2, 1, 50.0, 50.0, 0.0),     # inclusion 0.6 points off: outside
    "blt_dd": (1, 0, 0, 1, 0.0, 100.0, 100.0, 1, 0, 0.0, 100.0, 100.0),
    "rtlh": (0, 0, 0, 0, 0.0, 100.0, None, 2, 0, 0.0, 100.0, None),
    "baznas": (0, 0, 0, 0, 0.0, 100.0, 0.0, 2, 0, 0.0, 100.0, None),    # a percentage where the truth is NULL: outside
}                                                                       # kur: no row at all


# published kabupaten budget (rupiah per year): total, desil 1, desil 1-4, eligible, not eligible, unregistered,
# share desil 1, priority gap; baznas and kur (no benefit value): no row
BUDGET = {
    "pkh": (6_000_000, 3_000_000, 3_000_000, 3_000_000, 3_000_000, 0, 50.0, 0),
    "bpnt": (2_400_000, 2_400_000, 2_400_000, 2_400_000, 0, 0, 100.0, 0),
    "pbi_jk": (504_000, 0, 504_000, 504_000, 0, 0, 0.0, 0),
    "blt_dd": (3_600_000, 0, 0, 0, 3_600_000, 3_600_000, 0.0, 0),
    "rtlh": (0, 0, 0, 0, 0, 0, None, 0),
}


def _write_key(key: Path) -> None:
    key.mkdir()
    con = duckdb.connect()
    con.execute("""CREATE TABLE rows (source VARCHAR, period VARCHAR, source_file VARCHAR, source_sheet VARCHAR,
                   source_row BIGINT, person_key BIGINT, household_key BIGINT, defects VARCHAR, expect_quarantine BOOLEAN)""")
    con.executemany("INSERT INTO rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [r[:9] for r in ROWS])
    con.execute("""CREATE TABLE persons (period VARCHAR, person_key BIGINT, household_key BIGINT, alive BOOLEAN,
                   moved_out BOOLEAN, in_population BOOLEAN)""")
    for period in (OLD, CUR):
        con.executemany("INSERT INTO persons VALUES (?, ?, ?, true, false, ?)",
                        [(period, p, h, p != 99) for p, h in PERSONS.items()])
    cols = ", ".join(f"{p} BOOLEAN" for p in PROGS)
    con.execute(f"""CREATE TABLE households (period VARCHAR, household_key BIGINT, active BOOLEAN, members BIGINT,
                    in_dtks BOOLEAN, desil_dtks BIGINT, in_p3ke BOOLEAN, desil_p3ke BIGINT, {cols})""")
    for period in (OLD, CUR):
        for h, (active, members, in_d, dd, in_p, dp, progs) in HOUSEHOLDS.items():
            if period == OLD:  # the older period says something else entirely: it must not count
                active, members, progs = True, 9, set(PROGS)
            con.execute(f"INSERT INTO households VALUES ({', '.join(['?'] * (8 + len(PROGS)))})",
                        [period, h, active, members, in_d, dd, in_p, dp] + [p in progs for p in PROGS])
    for name in ("rows", "persons", "households"):
        con.execute(f"COPY {name} TO '{(key / f'{name}.parquet').as_posix()}' (FORMAT parquet)")
    con.close()


def _write_publication(published: Path, households: int = 5) -> None:
    published.mkdir(parents=True)
    pub = duckdb.connect(str(published / "public.duckdb"))
    pub.execute("""CREATE TABLE ind_poverty_by_area AS SELECT * FROM (VALUES
        ('kabupaten', '18.02', ?, 12, 6, 1, 2, 3, 5), ('kecamatan', '18.02.01', 99, 99, 99, 99, 99, 99, 99))
        t(level, kode_wilayah, households, penduduk, keluarga_dukcapil, households_desil_1, households_desil_1_4,
          persons_desil_1, persons_desil_1_4)""", [households])
    pub.execute("""CREATE TABLE ind_priority_gap AS SELECT * FROM (VALUES ('kabupaten', '18.02', 0, 0))
                   t(level, kode_wilayah, households_desil_1_no_program, households_sikkep_priority)""")
    pub.execute("""CREATE TABLE ind_program_coverage (level VARCHAR, kode_wilayah VARCHAR, program VARCHAR,
        recipient_households BIGINT, recipient_households_desil_1 BIGINT, recipient_households_desil_1_4 BIGINT,
        recipient_households_unregistered BIGINT, coverage_desil_1_pct DOUBLE, exclusion_error_desil_1_pct DOUBLE,
        inclusion_error_desil_1_4_pct DOUBLE, households_eligible BIGINT, recipient_households_eligible BIGINT,
        coverage_eligible_pct DOUBLE, exclusion_error_eligible_pct DOUBLE, inclusion_error_eligible_pct DOUBLE)""")
    pub.executemany("INSERT INTO ind_program_coverage VALUES ('kabupaten', '18.02', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(p, *v) for p, v in COVERAGE.items()])
    pub.execute("INSERT INTO ind_program_coverage VALUES ('kecamatan', '18.02.01', 'pkh', 50, 50, 50, 50, 1, 1, 1, "
                "50, 50, 1, 1, 1)")
    pub.execute(f"""CREATE TABLE ind_program_budget (level VARCHAR, kode_wilayah VARCHAR, program VARCHAR,
        {", ".join(f"{c} {'DOUBLE' if c.endswith('_pct') else 'BIGINT'}" for c in scorecard.PER_BUDGET)})""")
    pub.executemany(f"INSERT INTO ind_program_budget VALUES ('kabupaten', '18.02', ?, {', '.join('?' * 8)})",
                    [(p, *v) for p, v in BUDGET.items()])
    pub.close()
    res = duckdb.connect(str(published / "restricted.duckdb"))
    res.execute("""CREATE TABLE xref_source_record (source VARCHAR, period VARCHAR, source_file VARCHAR,
                   source_sheet VARCHAR, source_row BIGINT, person_id VARCHAR, household_id VARCHAR)""")
    res.executemany("INSERT INTO xref_source_record VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(r[0], r[1], r[2], r[3], r[4], r[9], r[10]) for r in ROWS if r[9] is not None])
    res.execute("""CREATE TABLE quarantine (source VARCHAR, period VARCHAR, source_file VARCHAR, source_sheet VARCHAR,
                   source_row BIGINT, rule VARCHAR, detail VARCHAR)""")
    res.executemany("INSERT INTO quarantine VALUES (?, '2025-09', ?, NULL, ?, 'r', 'd')", QUARANTINED)
    res.close()


@pytest.fixture(scope="module")
def scored(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("scorecard")
    _write_key(base / "key")
    _write_publication(base / "warehouse" / "published")
    result = scorecard.score(base / "warehouse" / "published", base / "key", base / "warehouse" / "build" / "none.duckdb")
    result["_base"] = base
    return result


def test_pairwise_persons_and_households(scored):
    p = scored["linkage"]["persons"]
    # true persons A(4 rows) B(3) C(2) D(2) E(1) F(2) G(1): 6+3+1+1+1 = 12 true pairs; published p1(3) p2(4)
    # p4(2) p6(2): 3+6+1+1 = 11 predicted; together (p1,A)=3 (p2,B)=3 (p4,D)=1 (p6,F)=1: 8
    assert (p["records"], p["true_pairs"], p["predicted_pairs"], p["true_positive_pairs"]) == (15, 12, 11, 8)
    assert p["precision"] == pytest.approx(8 / 11) and p["recall"] == pytest.approx(8 / 12)
    assert p["f1"] == pytest.approx(16 / 23)  # 2 TP / (predicted + true)
    h = scored["linkage"]["households"]
    # H1: 9 rows (one in h9) -> 36 true pairs, h1 holds 8 of them -> 28; H2 and H4: one pair each
    assert (h["true_pairs"], h["predicted_pairs"], h["true_positive_pairs"]) == (38, 30, 30)
    assert h["precision"] == 1.0 and h["f1"] == pytest.approx(2 * 30 / 68)
    assert scored["linkage"]["persons_exact_nik"] is None  # no build database


def test_quarantine_tp_fp_fn(scored):
    a = scored["accounting"]
    assert (a["quarantined_expected"], a["quarantined_unexpected"], a["missed_quarantine"]) == (1, 1, 1)
    q = a["quarantine"]
    assert (q["tp"], q["fp"], q["fn"]) == (1, 1, 1)
    assert q["precision"] == q["recall"] == q["f1"] == pytest.approx(0.5)


def test_split_and_merged_rows_by_tag_and_source(scored):
    pl = scored["placement"]
    # split: A's PKH row (p9, nik_typo) and C's P3KE row (p3: C's tie p2/p3 goes to the smaller id p2)
    # merged: C's DTKS row in p2, whose rows are mostly B's
    assert (pl["rows"], pl["split_rows"], pl["merged_rows"]) == (15, 2, 1)
    assert pl["by_tag"]["nik_typo"] == {"rows": 1, "split": 1, "merged": 0}
    assert pl["by_tag"]["clean"] == {"rows": 12, "split": 1, "merged": 0}
    assert pl["by_tag"]["name_variant"] == pl["by_tag"]["nik_head_copied"] == {"rows": 1, "split": 0, "merged": 1}
    assert pl["by_tag"]["nik_missing"] == {"rows": 1, "split": 0, "merged": 0}
    s = scored["linkage_by_source"]
    # pairs with a PKH row: A 6-3 = 3, F 1 (true); p6 1 (predicted); (p6,F) 1 (TP)
    assert (s["pkh"]["true_pairs"], s["pkh"]["predicted_pairs"], s["pkh"]["true_positive_pairs"]) == (4, 1, 1)
    assert s["pkh"]["recall"] == pytest.approx(0.25) and s["pkh"]["split_rows"] == 1
    # DTKS: true A 6-1, B 3, C 1, F 1 = 10; predicted p1 3, p2 6, p6 1 = 10; TP 3 + 3 + 1 = 7
    assert (s["dtks"]["records"], s["dtks"]["true_pairs"], s["dtks"]["predicted_pairs"],
            s["dtks"]["true_positive_pairs"]) == (7, 10, 10, 7)
    assert s["dtks"]["merged_rows"] == 1 and s["dtks"]["split_rows"] == 0
    # P3KE: true A 3, B 2, C 1, D 1 = 7; predicted p1 2, p2 3, p4 1 = 6; TP 2 + 2 + 1 = 5
    assert (s["p3ke"]["true_pairs"], s["p3ke"]["predicted_pairs"], s["p3ke"]["true_positive_pairs"]) == (7, 6, 5)
    assert s["blt_dd"]["records"] == 1 and s["blt_dd"]["recall"] == 1.0


def test_truth_of_kabupaten_indicators(scored):
    ind = scored["indicators"]
    truth = {k: v["truth"] for k, v in ind.items()}
    # named by a usable current row: H1, H2, H3, H4 (not H6: G's row is DTKS's, H6 is not in DTKS)
    assert truth["households"] == 4
    assert truth["penduduk"] == 3 + 2 + 1 + 4 + 2  # active families with members (H5 has none)
    assert truth["keluarga_dukcapil"] == 6          # every active family
    assert (truth["households_desil_1"], truth["households_desil_1_4"]) == (1, 2)
    assert (truth["persons_desil_1"], truth["persons_desil_1_4"]) == (3, 5)
    assert (truth["households_desil_1_no_program"], truth["households_sikkep_priority"]) == (0, 0)
    assert [truth[f"pkh.{m}"] for m in scorecard.PER_PROGRAM[:7]] == [2, 1, 1, 0, 100.0, 0.0, 50.0]
    assert [truth[f"pbi_jk.{m}"] for m in scorecard.PER_PROGRAM[:7]] == [1, 0, 1, 0, 0.0, 100.0, 0.0]
    assert [truth[f"blt_dd.{m}"] for m in scorecard.PER_PROGRAM[:7]] == [1, 0, 0, 1, 0.0, 100.0, 100.0]
    assert [truth[f"kur.{m}"] for m in scorecard.PER_PROGRAM[:7]] == [0, 0, 0, 0, 0.0, 100.0, None]
    # each program's own eligibility from its contract (PKH desil 1-4, PBI-JK 1-5, BLT-DD 1, KUR none):
    # households H1 (desil 1), H2 (3), H3 (unregistered), H4 (6) -> eligible, eligible recipients, coverage,
    # exclusion, inclusion
    assert [truth[f"pkh.{m}"] for m in scorecard.PER_PROGRAM[7:]] == [2, 1, 50.0, 50.0, 50.0]
    assert [truth[f"pbi_jk.{m}"] for m in scorecard.PER_PROGRAM[7:]] == [2, 1, 50.0, 50.0, 0.0]
    assert [truth[f"blt_dd.{m}"] for m in scorecard.PER_PROGRAM[7:]] == [1, 0, 0.0, 100.0, 100.0]
    assert [truth[f"kur.{m}"] for m in scorecard.PER_PROGRAM[7:]] == [None] * 5
    # budget: true recipient families x the contract's benefit per year (PKH 3,000,000; BPNT 12 x 200,000;
    # PBI-JK 12 x 42,000 per listed person: D; BLT-DD 12 x 300,000 to unregistered H3); no priority gap
    # (H1, the only desil-1 family, receives PKH and BPNT); Baznas and KUR have no benefit value
    for p, values in BUDGET.items():
        assert tuple(truth[f"{p}.{m}"] for m in scorecard.PER_BUDGET) == values, p
    assert {truth[f"{p}.{m}"] for p in ("baznas", "kur") for m in scorecard.PER_BUDGET} == {None}


def test_comparison_with_published(scored):
    ind = scored["indicators"]
    assert ind["households"]["diff_pct"] == pytest.approx(25.0) and not ind["households"]["within_target"]
    assert ind["penduduk"]["diff_pct"] == 0.0 and ind["penduduk"]["within_target"]
    pkh = ind["pkh.inclusion_error_desil_1_4_pct"]
    assert pkh["kind"] == "pct" and pkh["diff_pct"] is None
    assert pkh["diff_pts"] == pytest.approx(0.3) and pkh["within_target"]
    pbi = ind["pbi_jk.inclusion_error_desil_1_4_pct"]
    assert pbi["diff_pts"] == pytest.approx(0.6) and not pbi["within_target"]
    assert ind["rtlh.inclusion_error_desil_1_4_pct"]["within_target"]        # NULL = NULL
    assert not ind["baznas.inclusion_error_desil_1_4_pct"]["within_target"]  # 0.0 where the truth is NULL
    assert ind["kur.recipient_households"]["within_target"]                  # no row, nothing to count
    assert not ind["kur.coverage_desil_1_pct"]["within_target"]              # no row, truth 0.0
    s = scored["summary"]
    assert s["persons_f1"] == pytest.approx(16 / 23) and s["quarantine_f1"] == pytest.approx(0.5)
    assert s["households_diff_pct"] == pytest.approx(25.0)
    assert s["worst_indicator"]["name"] in ("kur.coverage_desil_1_pct", "kur.exclusion_error_desil_1_pct",
                                            "baznas.inclusion_error_desil_1_4_pct")  # missing values first
    assert s["indicators"] == len(ind)
    outside = {k for k, v in ind.items() if not v["within_target"]}
    assert outside == {"households", "pbi_jk.inclusion_error_desil_1_4_pct", "baznas.inclusion_error_desil_1_4_pct",
                       "kur.coverage_desil_1_pct", "kur.exclusion_error_desil_1_pct"}
    assert s["indicators_within_target"] == len(ind) - 5
    assert s["targets_met"] == {"persons_f1": False, "households_f1": False, "quarantine_f1": False,
                                "indicators": False}


def test_compare_rules():
    c = scorecard.compare
    assert c("x", 200, 201)["diff_pct"] == pytest.approx(0.5) and c("x", 200, 201)["within_target"]
    assert not c("x", 200, 202)["within_target"]
    assert c("x", 0, 0)["within_target"] and not c("x", 0, 3)["within_target"]
    assert not c("x", 10, None)["within_target"]
    assert c("a.y_pct", 10.0, 10.5)["within_target"] and not c("a.y_pct", 10.0, 10.51)["within_target"]
    assert c("a.y_pct", None, None)["within_target"] and not c("a.y_pct", 5.0, None)["within_target"]


def test_render_shows_summary_targets_and_diagnostics(scored):
    text = scorecard.render(scored)
    assert text.index("Summary") < text.index("Linkage (pairwise)")
    assert f"persons F1 {16 / 23:.4f}" in text and "quarantine F1 0.5000" in text
    assert "| households | 4 | 5 | +25.00 % | **NO** |" in text
    assert "| pkh.inclusion_error_desil_1_4_pct | 50.00 | 50.30 | +0.30 pts | yes |" in text
    assert "Quarantine: TP 1, FP 1" in text
    assert "| pkh | 2 | 1.0000 | 0.2500 | 0.4000 | 1 | 0 |" in text
    assert "of 15 linked rows, 2 are placed apart" in text
    assert "| nik_typo | 1 | 1 | 100.00 | 0 | 0.00 |" in text


def test_score_command_and_evaluate_table(scored, tmp_path, capsys):
    from orchestration import cli, evaluate

    base = scored["_base"]
    out = tmp_path / "score.md"
    assert cli.main(["score", "--key", str(base / "key"), "--warehouse", str(base / "warehouse"),
                     "--out", str(out)]) == 0
    assert "Linkage diagnostics" in out.read_text() and "Summary" in capsys.readouterr().out

    ok = {"dir": str(tmp_path / "default20k"), "seed": 2, "households": 20000, "periods": 2,
          "generate": {"reused": True, "seconds": 0.0}, "refresh": {"exit_code": 0, "seconds": 61.0}, "score": scored}
    bad = {"dir": str(tmp_path / "holdout20k"), "seed": 11, "households": 20000, "periods": 2,
           "generate": {"reused": False, "seconds": 12.0}, "refresh": {"exit_code": 1, "seconds": 5.0}, "score": None}
    md = evaluate.table([ok, bad])
    assert md.splitlines()[0] == "| measure | target | default20k | holdout20k |"
    assert f"| persons F1 | >= 0.995 | **{16 / 23:.4f}** | failed |" in md
    assert "| households | ±0.5 % | **+25.00 % (5 vs 4)** | failed |" in md
    assert "| refresh s |  | 61 | 5 (exit 1) |" in md


def test_evaluate_reuses_matching_data_only(tmp_path):
    from orchestration import evaluate

    assert evaluate.profile_dir(tmp_path, "holdout", 20000).name == "holdout20k"
    assert evaluate.size_label(3000) == "3k" and evaluate.size_label(2500) == "2.5k"
    raw, key = tmp_path / "raw", tmp_path / "raw_answer_key"
    raw.mkdir(), key.mkdir()
    (raw / "dtks").mkdir()
    (key / "rows.parquet").write_bytes(b"x")
    (key / "summary.json").write_text('{"households": 3000, "seed": 2, "periods": ["2025-03", "2025-09"]}')
    assert evaluate.existing_data_matches(raw, key, "default", 2, 3000, 2)
    assert not evaluate.existing_data_matches(raw, key, "holdout", 2, 3000, 2)
    assert not evaluate.existing_data_matches(raw, key, "default", 3, 3000, 2)
    assert not evaluate.existing_data_matches(raw, key, "default", 2, 3000, 3)
    (raw / "summary.json").write_text('{"households": 3000, "seed": 2, "periods": 2, "profile": "holdout"}')
    assert evaluate.existing_data_matches(raw, key, "holdout", 2, 3000, 2)
