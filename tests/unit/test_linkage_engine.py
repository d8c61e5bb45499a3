"""Linkage engine on hand-made hard cases and on a deterministic synthetic set (real Splink)."""
from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from orchestration.linkage.engine import MODEL_PATH, link_records
from orchestration.linkage.evaluate import exact_nik_baseline_sql, pairwise_scores
from orchestration.linkage.splink_io import feature_table
from orchestration.linkage.fixtures import make_records

COLS = ["record_id", "source", "period", "is_current", "kind", "unit", "nik", "nik_valid", "nik_suspect",
        "no_kk", "no_kk_valid", "name_key", "tanggal_lahir", "jenis_kelamin", "kode_desa",
        "kode_kecamatan", "family_ref", "hubungan", "status_keberadaan", "truth"]


def _row(rid, source, nik, name, dob, sex, truth, *, suspect=False, kk="1802212303150001",
         desa="18.02.21.2005", kind="registry"):
    return dict(record_id=rid, source=source, period="2024-09", is_current=True, kind=kind,
                unit="person", nik=nik, nik_valid=nik is not None and not suspect, nik_suspect=suspect,
                no_kk=kk, no_kk_valid=kk is not None, name_key=name,
                tanggal_lahir=dt.date.fromisoformat(dob) if dob else None, jenis_kelamin=sex,
                kode_desa=desa, kode_kecamatan=desa[:8] if desa else "18.02.21",
                family_ref=f"kk:{kk}" if kk else None, hubungan=None, status_keberadaan="ada", truth=truth)


HARD = [
    # twins: same kecamatan, birth date, card, village; NIKs differ only in the serial
    _row("t1a", "dtks", "1802211204100001", "hasan basri", "2010-04-12", "L", "twin1"),
    _row("t1b", "p3ke", "1802211204100001", "hasan basri", "2010-04-12", "L", "twin1"),
    _row("t2a", "dtks", "1802211204100002", "husein basri", "2010-04-12", "L", "twin2"),
    _row("t2b", "p3ke", "1802211204100002", "husein basri", "2010-04-12", "L", "twin2"),
    # head's NIK typed on the wife's and child's rows in P3KE
    _row("h1", "dtks", "1802210505700003", "slamet riyadi", "1970-05-05", "L", "head"),
    _row("h2", "p3ke", "1802210505700003", "slamet riyadi", "1970-05-05", "L", "head"),
    _row("w1", "dtks", "1802214808720004", "siti aminah", "1972-08-08", "P", "wife"),
    _row("w2", "p3ke", "1802210505700003", "siti aminah", "1972-08-08", "P", "wife"),
    _row("c1", "dtks", "1802210101050005", "agus salim", "2005-01-01", "L", "child"),
    _row("c2", "p3ke", "1802210505700003", "agus salim", "2005-01-01", "L", "child"),
    # Excel-zeroed 16th digit + name variant (Siti / Sity, Nur Hayati / Nurhayati)
    _row("e1", "dtks", "1802215203800017", "siti nur hayati", "1980-03-12", "P", "excel", kk="1802211111110002"),
    _row("e2", "pbi_jk", "1802215203800010", "sity nurhayati", "1980-03-12", "P", "excel", suspect=True,
         kk=None, desa=None, kind="program"),
    # neighbour's NIK copied onto a BLT-DD row (no birth date there)
    _row("n1", "blt_dd", "1802210505700003", "paijo", None, None, "neighbour", kk=None, kind="program"),
    _row("n2", "dtks", "1802211506650001", "paijo", "1965-06-15", "L", "neighbour", kk="1802211111110003"),
]


def _con_with(rows) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    df = pd.DataFrame(rows)
    con.register("df", df)
    con.execute("CREATE TABLE recs AS SELECT * FROM df")
    return con


def test_features_nik_structure():
    con = _con_with(HARD)
    # through the library's feature_table: the HARD rows carry no optional desil column
    con.register("feats", feature_table(con, "recs"))
    f = {r[0]: r for r in con.execute("SELECT unique_id, nik12, nik_serial, nik_dob_ok FROM feats").fetchall()}
    assert f["t1a"][1] == f["t2a"][1] and f["t1a"][2] != f["t2a"][2]
    assert f["h1"][3] == "Y" and f["w2"][3] == "N" and f["c2"][3] == "N"  # copied head NIK detected
    assert f["e2"][3] is None  # suspect NIK: digits not trusted
    assert f["w1"][3] == "Y"   # women: day + 40


def test_hard_cases_link_correctly():
    con = _con_with(HARD)
    link_records(con, "recs", MODEL_PATH, 0.9)
    cl = dict(con.execute("SELECT record_id, cluster_id FROM linkage_clusters").fetchall())
    same = lambda a, b: cl[a] == cl[b]  # noqa: E731
    assert same("t1a", "t1b") and same("t2a", "t2b") and not same("t1a", "t2a"), "twins"
    assert same("h1", "h2") and same("w1", "w2") and same("c1", "c2")
    assert not same("h1", "w2") and not same("h1", "c2") and not same("w2", "c2"), "copied head NIK"
    assert same("e1", "e2"), "Excel-zeroed NIK + name variant"
    assert not same("n1", "h1") and not same("n1", "h2"), "neighbour's NIK"
    m = dict(con.execute("SELECT record_id, match_method FROM linkage_clusters").fetchall())
    assert m["t1a"] == "nik_exact" and m["e2"] == "probabilistic"


@pytest.fixture(scope="module")
def synthetic():
    df = make_records(1500, seed=7)
    con = duckdb.connect()
    con.register("df", df)
    con.execute("CREATE TABLE recs AS SELECT * FROM df")
    link_records(con, "recs", MODEL_PATH, 0.9)
    return con


def test_pairwise_precision_recall_floor(synthetic):
    con = synthetic
    truth = "SELECT record_id, true_person AS truth FROM recs"
    s = pairwise_scores(con, "SELECT record_id, cluster_id FROM linkage_clusters", truth)
    base = pairwise_scores(con, exact_nik_baseline_sql("recs"), truth)
    assert s["precision"] >= 0.98 and s["recall"] >= 0.97, s
    assert s["f1"] > base["f1"] + 0.05, (s, base)


def test_output_shape(synthetic):
    con = synthetic
    cols = [r[0] for r in con.execute("DESCRIBE linkage_clusters").fetchall()]
    assert cols == ["record_id", "cluster_id", "match_probability", "match_method"]
    n, n_distinct, bad = con.execute(
        "SELECT count(*), count(DISTINCT record_id), count(*) FILTER (WHERE match_method NOT IN "
        "('nik_exact','probabilistic','singleton')) FROM linkage_clusters").fetchall()[0]
    assert n == n_distinct == con.execute("SELECT count(*) FROM recs").fetchall()[0][0] and bad == 0
    assert con.execute("SELECT count(*) FROM linkage_clusters WHERE match_method='singleton' "
                       "AND match_probability IS NOT NULL").fetchall()[0][0] == 0


def test_namesake_tie_goes_to_the_poorest_family_only_for_lists_that_target_it():
    def head(rid, nik, dob, kk, desil):
        return {**_row(rid, "dtks", nik, "paijo", dob, "L", rid, kk=kk), "hubungan": "kepala", "desil": desil}
    rows = [
        head("p1", "1802211506650001", "1965-06-15", "1802211111110003", 1),
        head("p2", "1802210303710002", "1971-03-03", "1802211111110004", 3),
        # kampung lists: a name and a village, nothing else
        {**_row("blt", "blt_dd", None, "paijo", None, None, "?", kk=None, kind="program"), "desil": None},
        {**_row("zis", "baznas", None, "paijo", None, None, "?", kk=None, kind="program"), "desil": None},
    ]
    con = _con_with(rows)
    link_records(con, "recs", MODEL_PATH, 0.9, poorest_first_sources=["blt_dd"])
    cl = dict(con.execute("SELECT record_id, cluster_id FROM linkage_clusters").fetchall())
    assert cl["blt"] == cl["p1"] != cl["p2"]
    assert cl["zis"] not in (cl["p1"], cl["p2"]), "a list without the rule stays unlinked between namesakes"
    link_records(con, "recs", MODEL_PATH, 0.9)
    cl = dict(con.execute("SELECT record_id, cluster_id FROM linkage_clusters").fetchall())
    assert cl["blt"] not in (cl["p1"], cl["p2"])


def test_namesake_tie_goes_to_the_only_head_at_the_rows_address():
    def head(rid, nik, dob, kk, desil, address, rt=None):
        return {**_row(rid, "dtks", nik, "paijo", dob, "L", rid, kk=kk), "hubungan": "kepala", "desil": desil,
                "address_key": address, "address_rt": rt}

    def kampung(rid, source, address, rt=None):
        return {**_row(rid, source, None, "paijo", None, None, "?", kk=None, kind="program"), "desil": None,
                "address_key": address, "address_rt": rt}
    rows = [
        # two namesake heads of one village, equally poor: only the address tells them apart
        head("p1", "1802211506650001", "1965-06-15", "1802211111110003", 1, "DUSUN 4", 3),
        head("p2", "1802210303710002", "1971-03-03", "1802211111110004", 1, "DUSUN 2 GG MELATI"),
        kampung("blt", "blt_dd", "DUSUN 2"),                  # held in p2's address
        kampung("zis", "baznas", "DUSUN 4 DEKAT MASJID", 3),  # holds p1's address, same RT
        kampung("rt", "baznas", "DUSUN 4", 5),                # p1's dusun, another RT (often mistyped); p2 lives elsewhere
        kampung("none", "blt_dd", None),                      # no address: the tie stays
    ]
    con = _con_with(rows)
    link_records(con, "recs", MODEL_PATH, 0.9, poorest_first_sources=["blt_dd"])
    cl = dict(con.execute("SELECT record_id, cluster_id FROM linkage_clusters").fetchall())
    assert cl["blt"] == cl["p2"] != cl["p1"]
    assert cl["zis"] == cl["p1"]
    assert cl["rt"] == cl["p1"]
    assert cl["none"] not in (cl["p1"], cl["p2"]), "equal desil, no address: ambiguous, unlinked"


def test_namesake_tie_goes_to_the_address_that_fits_best():
    def head(rid, nik, dob, kk, address, rt=None):
        return {**_row(rid, "dtks", nik, "paijo", dob, "L", rid, kk=kk), "hubungan": "kepala", "desil": 2,
                "address_key": address, "address_rt": rt}
    rows = [
        head("p1", "1802211506650001", "1965-06-15", "1802211111110003", "DUSUN 2 GG MELATI"),
        head("p2", "1802210303710002", "1971-03-03", "1802211111110004", "DUSUN 2", 4),
        head("p3", "1802210909800003", "1980-09-09", "1802211111110005", "DUSUN 2", 7),
        # 'Dusun 2' without RT: p2 and p3 fit equally (the same address), better than p1: ambiguous
        {**_row("x", "baznas", None, "paijo", None, None, "?", kk=None, kind="program"), "desil": None,
         "address_key": "DUSUN 2", "address_rt": None},
        # 'Dusun 2 RT 7': only p3 has the same address and RT
        {**_row("y", "baznas", None, "paijo", None, None, "?", kk=None, kind="program"), "desil": None,
         "address_key": "DUSUN 2", "address_rt": 7},
    ]
    con = _con_with(rows)
    link_records(con, "recs", MODEL_PATH, 0.9)
    cl = dict(con.execute("SELECT record_id, cluster_id FROM linkage_clusters").fetchall())
    assert cl["y"] == cl["p3"]
    assert cl["x"] not in (cl["p1"], cl["p2"], cl["p3"])


def test_name_only_row_does_not_join_a_namesake_living_elsewhere():
    rows = [
        {**_row("p1", "dtks", "1802211506650001", "tukiyem", "1965-06-15", "P", "p1", kk="1802211111110003"),
         "hubungan": "kepala", "desil": 1, "address_key": "DUSUN 3 GG SAWAH LEBAR", "address_rt": 13},
        # the only TUKIYEM of the village in the registries, but the kampung list places its TUKIYEM in
        # Dusun 5: another family, not in any registry
        {**_row("b1", "blt_dd", None, "tukiyem", None, None, "?", kk=None, kind="program"), "desil": None,
         "address_key": "DUSUN 5 GG LINTAS SUMATERA", "address_rt": None},
        # no address on the row: nothing speaks against the only namesake
        {**_row("b2", "blt_dd", None, "tukiyem", None, None, "?", kk=None, kind="program"), "desil": None,
         "address_key": None, "address_rt": None},
    ]
    con = _con_with(rows)
    link_records(con, "recs", MODEL_PATH, 0.9)
    cl = dict(con.execute("SELECT record_id, cluster_id FROM linkage_clusters").fetchall())
    assert cl["b1"] != cl["p1"]
    assert cl["b2"] == cl["p1"]


def test_a_sources_own_person_id_links_its_deliveries_and_only_within_that_source():
    def pbi(rid, period, nik, name, dob, noka):
        return {**_row(rid, "pbi_jk", nik, name, dob, "P", "x", kk=None, desa=None, kind="program"),
                "period": period, "kode_kecamatan": "18.02.21", "person_ref": f"pbi_jk:{noka}" if noka else None}
    rows = [
        pbi("a1", "2025-03", "1802214808720004", "siti aminah", "1972-08-08", "1234567890"),
        # next delivery: the head's NIK typed on her row, the birth date left blank, the name respelled;
        # only the BPJS card number (NOKA) is still hers
        pbi("a2", "2025-09", "1802210505700003", "sity aminah", None, "1234567890"),
        # another source's id system: a P3KE individual id equal in digits is no evidence
        {**pbi("c1", "2025-09", None, "siti aminah", None, None), "source": "p3ke", "kind": "registry",
         "person_ref": "p3ke:1234567890", "kode_desa": "18.02.21.2001"},
    ]
    con = _con_with(rows)
    link_records(con, "recs", MODEL_PATH, 0.9)
    cl = dict(con.execute("SELECT record_id, cluster_id FROM linkage_clusters").fetchall())
    assert cl["a1"] == cl["a2"]
    assert cl["c1"] not in (cl["a1"], cl["a2"])


def test_one_delivery_lists_a_person_once():
    """A wrong-person NIK bridges two people of one DTKS delivery (x scores 0.95 with both a and b): the
    cluster cannot be one person, so it is re-clustered at stricter thresholds until it falls apart. An
    exact duplicate row (a2: same NIK, name, birth date, No KK) is the same row delivered twice."""
    from orchestration.linkage.engine import _refine_oversized

    con = duckdb.connect()
    con.execute("""CREATE TABLE person_records AS SELECT * FROM (VALUES
        ('a',  'dtks', '2025-09', '1802013012980001', FALSE, NULL, 'numan', DATE '1998-12-30', '1802011111110003'),
        ('a2', 'dtks', '2025-09', '1802013012980001', FALSE, NULL, 'numan', DATE '1998-12-30', '1802011111110003'),
        ('b',  'dtks', '2025-09', '1802013012980002', FALSE, NULL, 'fajar', DATE '1998-12-30', '1802011111110004'),
        ('x',  'kur',  '2025-09', '1802013012980001', FALSE, NULL, 'fajar', DATE '1998-12-30', NULL),
        ('c',  'dtks', '2025-03', '1802013012980001', FALSE, NULL, 'numan', DATE '1998-12-30', '1802011111110003'))
        t(unique_id, source, period, nik, nik_suspect, nik_dob_ok, name_key, dob, no_kk)""")
    con.execute("""CREATE TABLE __cc_edges AS SELECT * FROM (VALUES
        ('a', 'a2', 0.99999999), ('a', 'c', 0.99999999), ('a', 'x', 0.95), ('b', 'x', 0.95))
        t(unique_id_l, unique_id_r, match_probability)""")
    con.execute("CREATE TABLE clusters AS SELECT unique_id, 'k' AS cluster_id FROM person_records")
    out = dict(con.execute(f"SELECT unique_id, cluster_id FROM {_refine_oversized(con, 'clusters')}").fetchall())
    assert out["a"] == out["a2"] == out["c"]
    assert len({out["a"], out["b"], out["x"]}) == 3


def test_the_committed_model_blocks_with_the_rules_of_model_settings():
    """One place for the blocking rules: model_settings.py; the committed model JSON carries them (a rule added
    there and not to the model would never run)."""
    import json

    from orchestration.linkage.model_settings import base_settings

    committed = json.loads(MODEL_PATH.read_text())["blocking_rules_to_generate_predictions"]
    assert [b["blocking_rule"] for b in committed] == [
        b["blocking_rule"] for b in base_settings()["blocking_rules_to_generate_predictions"]]


def test_a_row_giving_no_village_nor_nik_is_searched_in_its_kecamatan():
    """PBI-JK lists name the kecamatan only: a row whose NIK arrived as '1.80E+15' and whose birth date is blank
    still reaches its person's registry rows by name within the kecamatan (not a namesake's elsewhere)."""
    rows = [
        {**_row("d1", "dtks", "1802285202820001", "suyati rahman", "1982-02-12", "P", "p1",
                desa="18.02.28.2008"), "hubungan": "kepala", "desil": 2},
        {**_row("d2", "dtks", "1802195202800001", "suyati rahman", "1980-02-12", "P", "p2",
                desa="18.02.19.2003", kk="1802191111110002"), "hubungan": "kepala", "desil": 3},
        {**_row("j1", "pbi_jk", None, "suyati rahman", None, "P", "p1", kk=None, desa=None, kind="program"),
         "kode_kecamatan": "18.02.28"},
    ]
    con = _con_with(rows)
    link_records(con, "recs", MODEL_PATH, 0.9)
    cl = dict(con.execute("SELECT record_id, cluster_id FROM linkage_clusters").fetchall())
    assert cl["j1"] == cl["d1"]
    assert cl["d2"] != cl["d1"]


def test_a_name_typed_past_every_name_key_is_searched_at_its_address():
    """'Bamban' on a kampung list shares no name key with the registry's 'Bambang' (no NIK, no birth date):
    the same address and RT in the village, and the same initial, bring the pair to the model."""
    rows = [
        {**_row("r1", "dtks", "1802071506650001", "bambang", "1965-06-15", "L", "p1", desa="18.02.07.2008"),
         "hubungan": "kepala", "desil": 1, "address_key": "DUSUN 6", "address_rt": 15},
        {**_row("r2", "dtks", "1802071707700001", "bambang", "1970-07-17", "L", "p2", desa="18.02.07.2008",
                kk="1802071111110009"), "hubungan": "kepala", "desil": 1, "address_key": "DUSUN 2",
         "address_rt": 3},
        {**_row("b1", "blt_dd", None, "bamban", None, None, "p1", kk=None, desa="18.02.07.2008", kind="program"),
         "desil": None, "address_key": "DUSUN 6", "address_rt": 15},
    ]
    con = _con_with(rows)
    link_records(con, "recs", MODEL_PATH, 0.9)
    cl = dict(con.execute("SELECT record_id, cluster_id FROM linkage_clusters").fetchall())
    assert cl["b1"] == cl["r1"]
    assert cl["r2"] != cl["r1"]


def test_an_excel_zeroed_nik_of_another_name_is_contested_like_an_equal_one():
    """One NIK on people of different names is evidence of nothing, also when one of the two copies lost its 16th
    digit to Excel (a neighbour's NIK typed as a number on a kampung list): the same NIK as the NIK comparison
    sees it. The person's own zeroed copy (a name alike) contests nothing."""
    rows = [
        _row("x1", "dtks", "1802210505700003", "paijo", "1970-05-05", "L", "paijo"),
        _row("b1", "blt_dd", "1802210505700000", "dian", None, None, "dian", kk=None, kind="program"),
        _row("y1", "dtks", "1802214808720004", "siti aminah", "1972-08-08", "P", "siti"),
        _row("y2", "pbi_jk", "1802214808720000", "siti aminah", "1972-08-08", "P", "siti", kk=None, desa=None,
             kind="program"),
    ]
    con = _con_with(rows)
    con.register("feats", feature_table(con, "recs"))
    contested = dict(con.execute("SELECT unique_id, nik_contested FROM feats").fetchall())
    assert contested == {"x1": True, "b1": True, "y1": False, "y2": False}
