"""Stable ID registry and household formation, on hand-made linked persons (DuckDB only)."""
from __future__ import annotations

import duckdb
import pytest

from orchestration.linkage.households import form_households
from orchestration.linkage.ids import assign_stable_ids, attach_state


@pytest.fixture()
def con(tmp_path):
    c = duckdb.connect()
    attach_state(c, tmp_path / "state" / "state.duckdb")
    yield c
    c.close()


def _assign(con, pairs, run):
    con.execute("CREATE OR REPLACE TEMP TABLE m AS SELECT * FROM (VALUES " +
                ", ".join(f"('{c}', '{k}')" for c, k in pairs) + ") t(cluster_id, member_key)")
    stats = assign_stable_ids(con, "person", "SELECT * FROM m", run, "ids")
    return dict(con.execute("SELECT cluster_id, stable_id FROM ids").fetchall()), stats


def test_same_input_same_ids_and_new_period_keeps_ids(con):
    a, s = _assign(con, [("c1", "k1"), ("c1", "k2"), ("c2", "k3")], "r1")
    assert sorted(a.values()) == ["P0000000001", "P0000000002"] and s["issued"] == 2
    b, s = _assign(con, [("x", "k1"), ("x", "k2"), ("y", "k3")], "r2")
    assert b == {"x": a["c1"], "y": a["c2"]} and s["issued"] == 0
    # a new period: new rows (keys) for known people plus a new person
    c, s = _assign(con, [("x", "k1"), ("x", "k2"), ("x", "k9"), ("y", "k3"), ("z", "k7")], "r3")
    assert c["x"] == a["c1"] and c["y"] == a["c2"] and c["z"] == "P0000000003"


def test_merge_and_split_logged(con):
    a, _ = _assign(con, [("c1", "k1"), ("c1", "k2"), ("c2", "k3"), ("c3", "k4"), ("c3", "k5"), ("c3", "k6")], "r1")
    b, s = _assign(con, [("m", "k1"), ("m", "k2"), ("m", "k3"),        # c1 + c2 merged
                         ("s1", "k4"), ("s1", "k5"), ("s2", "k6")], "r2")  # c3 split
    assert b["m"] == a["c1"] and b["s1"] == a["c3"] and b["s2"] not in a.values()
    ev = set(con.execute("SELECT event, stable_id, other_id FROM state.id_events WHERE run_id='r2'").fetchall())
    assert ("merge", a["c1"], a["c2"]) in ev and ("split", b["s2"], a["c3"]) in ev
    assert s["merges"] == 1 and s["splits"] == 1


def _records(con, rows, household_refs=None):
    cols = ("record_id, person_id, kind, unit, family_ref, hubungan, status_keberadaan, is_current, "
            "no_kk, no_kk_valid, tanggal_lahir")
    refs = household_refs or {}
    # period from is_current: the current period and the one before
    rows = [r + (refs.get(r[0]), "2025-09" if r[7] else "2025-03") for r in rows]
    cols += ", household_ref, period"
    con.execute("CREATE OR REPLACE TEMP TABLE recs AS SELECT * FROM (VALUES " + ", ".join(
        "(" + ", ".join("NULL" if v is None else f"'{v}'" if isinstance(v, str) else str(v) for v in r) + ")"
        for r in rows) + f") t({cols})")


KK1, KK2, KK3 = "1802210101150001", "1802210101150002", "1802210101150003"


def test_households_rules():
    con = duckdb.connect()
    _records(con, [
        # family 1 in DTKS and P3KE: head, wife, child (child moved in DTKS but present in P3KE)
        ("r1", "A", "registry", "person", f"kk:{KK1}", "kepala", "ada", True, KK1, True, "1970-01-01"),
        ("r2", "B", "registry", "person", f"kk:{KK1}", "pasangan", "ada", True, KK1, True, "1972-01-01"),
        ("r3", "C", "registry", "person", f"kk:{KK1}", "anak", "pindah", True, KK1, True, "2000-01-01"),
        ("r4", "A", "registry", "family", "p3ke:F1", "kepala", None, True, None, False, "1970-01-01"),
        ("r5", "B", "registry", "family", "p3ke:F1", "pasangan", None, True, None, False, "1972-01-01"),
        ("r6", "C", "registry", "family", "p3ke:F1", "anak", None, True, None, False, "2000-01-01"),
        # grandmother died (current DTKS); old period rows do not count
        ("r7", "D", "registry", "person", f"kk:{KK1}", "orang_tua", "meninggal", True, KK1, True, "1940-01-01"),
        ("r8", "E", "registry", "person", f"kk:{KK1}", "anak", "ada", False, KK1, True, "2001-01-01"),
        # program recipient with family 1's No KK, in no registry: joins family 1
        ("r9", "F", "program", "family", f"kk:{KK1}", None, None, True, KK1, True, None),
        # two program-only persons with one valid No KK: one household; a third alone
        ("r10", "G", "program", "family", f"kk:{KK2}", None, None, True, KK2, True, None),
        ("r11", "H", "program", "person", None, None, None, True, KK2, True, "1990-01-01"),
        ("r12", "I", "program", "person", None, None, None, True, None, False, None),
        # a married son on his parents' old card (DTKS) and in his own P3KE family: not a merge
        ("r13", "J", "registry", "person", f"kk:{KK3}", "kepala", "ada", True, KK3, True, "1960-01-01"),
        ("r14", "K", "registry", "person", f"kk:{KK3}", "anak", "ada", True, KK3, True, "1990-01-01"),
        ("r15", "K", "registry", "family", "p3ke:F9", "kepala", None, True, None, False, "1990-01-01"),
        ("r16", "L", "registry", "family", "p3ke:F9", "pasangan", None, True, None, False, "1991-01-01"),
        ("r17", "K", "registry", "family", "p3ke:F9", "kepala", None, True, None, False, "1990-01-01"),
        # a family-level list names M's family (no No KK): a known family, even if alone
        ("r18", "M", "program", "family", None, None, None, True, None, False, None),
    ])
    form_households(con, "SELECT * FROM recs", "SELECT record_id, person_id FROM recs", "hh")
    h = {p: (k, d, head) for p, k, d, head in con.execute(
        "SELECT person_id, household_key, deceased, is_head FROM hh").fetchall()}
    assert h["A"][0] == h["B"][0] == h["C"][0] == h["F"][0] is not None
    assert h["D"] == (None, True, False)
    assert h["E"][0] is None  # only an old-period row: no current household
    assert h["G"][0] == h["H"][0] != h["I"][0] and h["I"][0] is not None
    assert h["J"][0] != h["K"][0] == h["L"][0]
    heads = con.execute("SELECT household_key, count(*) FILTER (WHERE is_head) FROM hh "
                        "WHERE household_key IS NOT NULL GROUP BY 1").fetchall()
    assert all(n == 1 for _, n in heads)
    assert h["A"][2] and h["K"][2] and h["J"][2]
    # only I is a lone recipient of person-level lists with nothing naming the family
    unknown = [p for (p,) in con.execute("SELECT person_id FROM hh WHERE NOT family_known").fetchall()]
    assert unknown == ["I"]


def test_giant_family_ref_ignored():
    con = duckdb.connect()
    rows = [(f"g{i}", f"P{i}", "registry", "person", "kk:1802210000000000", "anak", "ada", True, None, False,
             None) for i in range(40)]
    _records(con, rows)
    form_households(con, "SELECT * FROM recs", "SELECT record_id, person_id FROM recs", "hh", max_family_size=30)
    assert con.execute("SELECT count(DISTINCT household_key) FROM hh").fetchall()[0][0] == 40  # each alone


def test_person_without_no_kk_joins_the_family_of_its_dtks_household():
    con = duckdb.connect()
    _records(con, [
        ("a", "P1", "registry", "person", f"kk:{KK1}", "kepala", "ada", True, KK1, True, "1970-01-01"),
        ("b", "P2", "registry", "person", f"kk:{KK1}", "pasangan", "ada", True, KK1, True, "1972-01-01"),
        # the No KK was typed wrong on this row: no family ref, but the same DTKS household (IDBDT)
        ("c", "P3", "registry", "person", None, "anak", "ada", True, None, False, "2000-01-01"),
        # a PKH row with the IDBDT of the household and no No KK
        ("d", "P4", "program", "family", None, None, None, True, None, False, None),
        # another DTKS household: stays apart
        ("e", "P5", "registry", "person", None, "kepala", "ada", True, None, False, "1960-01-01"),
    ], household_refs={"a": "R1", "b": "R1", "c": "R1", "d": "R1", "e": "R2"})
    form_households(con, "SELECT * FROM recs", "SELECT record_id, person_id FROM recs", "hh")
    hh = dict(con.execute("SELECT person_id, household_key FROM hh").fetchall())
    assert hh["P1"] == hh["P2"] == hh["P3"] == hh["P4"]
    assert hh["P5"] != hh["P1"]


def test_recipient_who_left_the_registry_is_attributed_to_the_last_family_but_not_a_member():
    con = duckdb.connect()
    _records(con, [
        ("a", "P1", "registry", "person", f"kk:{KK1}", "kepala", "ada", True, KK1, True, "1970-01-01"),
        ("b", "P2", "registry", "person", f"kk:{KK1}", "pasangan", "ada", True, KK1, True, "1972-01-01"),
        # DTKS could not find her this period; her PBI-JK card is still active
        ("c1", "P3", "registry", "person", f"kk:{KK1}", "anak", "tidak_ditemukan", True, KK1, True, "2000-01-01"),
        ("c2", "P3", "program", "person", None, None, None, True, None, False, "2000-01-01"),
        # gone from the current registry (a death not yet recorded), still on a program list
        ("d1", "P4", "registry", "person", f"kk:{KK1}", "orang_tua", "ada", False, KK1, True, "1940-01-01"),
        ("d2", "P4", "program", "person", None, None, None, True, None, False, "1940-01-01"),
        # moved: a new family elsewhere, not this one
        ("e1", "P5", "registry", "person", f"kk:{KK1}", "anak", "ada", False, KK1, True, "1998-01-01"),
        ("e2", "P5", "registry", "person", f"kk:{KK1}", "anak", "pindah", True, KK1, True, "1998-01-01"),
        ("e3", "P5", "program", "person", None, None, None, True, None, False, "1998-01-01"),
    ])
    form_households(con, "SELECT * FROM recs", "SELECT record_id, person_id FROM recs", "hh")
    h = {p: (k, present, head) for p, k, present, head in con.execute(
        "SELECT person_id, household_key, present, is_head FROM hh").fetchall()}
    assert h["P1"][0] == h["P2"][0] == h["P3"][0] == h["P4"][0]
    assert h["P1"][1] and h["P2"][1] and not h["P3"][1] and not h["P4"][1]
    assert h["P5"][0] not in (None, h["P1"][0]) and h["P5"][1]
    assert h["P1"][2] and not h["P3"][2] and not h["P4"][2]
    # P5's new family (after moving) is unknown; the attributed recipients' family is known
    known = dict(con.execute("SELECT person_id, family_known FROM hh").fetchall())
    assert not known["P5"] and known["P3"] and known["P4"] and known["P1"]
