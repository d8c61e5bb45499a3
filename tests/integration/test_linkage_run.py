"""run_linkage end to end on a build DuckDB file + state DB: contract tables and stable IDs."""
from __future__ import annotations

import duckdb
import pytest

from orchestration.linkage.engine import run_linkage
from orchestration.linkage.fixtures import make_records

pytestmark = pytest.mark.slow


def _build(path, df):
    con = duckdb.connect(str(path))
    con.register("df", df)
    con.execute("CREATE SCHEMA IF NOT EXISTS intermediate")
    con.execute("CREATE OR REPLACE TABLE intermediate.int_person_records AS "
                "SELECT * EXCLUDE (true_person, true_family) FROM df")
    con.unregister("df")
    return con


def test_run_linkage_contract_and_stable_ids(tmp_path):
    df = make_records(600, seed=11)
    state = tmp_path / "warehouse" / "state" / "state.duckdb"
    con = _build(tmp_path / "build.duckdb", df)
    s1 = run_linkage(con, state, run_id="r1")
    assert s1["records"] == len(df)
    cols = lambda t: [r[0] for r in con.execute(f"DESCRIBE linkage.{t}").fetchall()]  # noqa: E731
    assert cols("record_person") == ["record_id", "person_id", "match_method", "match_probability"]
    assert cols("person_household") == ["person_id", "household_id", "deceased", "is_head", "present", "family_known"]
    rp1 = con.execute("SELECT * FROM linkage.record_person ORDER BY 1").fetchall()
    ph1 = con.execute("SELECT * FROM linkage.person_household ORDER BY 1").fetchall()
    assert all(p.startswith("P") and len(p) == 11 for _, p, _, _ in rp1)
    # every person exactly once in person_household; one head per household
    assert len(ph1) == len({p for _, p, _, _ in rp1}) == len({r[0] for r in ph1})
    assert con.execute("SELECT count(*) FROM (SELECT household_id FROM linkage.person_household "
                       "WHERE household_id IS NOT NULL GROUP BY 1 HAVING count(*) FILTER (WHERE is_head) <> 1)"
                       ).fetchall()[0][0] == 0
    con.close()

    # a rebuild from scratch (new build DB, same state): identical IDs
    con = _build(tmp_path / "build2.duckdb", df)
    s2 = run_linkage(con, state, run_id="r2")
    assert s2["person_ids"]["issued"] == 0 and s2["household_ids"]["issued"] == 0
    assert con.execute("SELECT * FROM linkage.record_person ORDER BY 1").fetchall() == rp1
    assert con.execute("SELECT * FROM linkage.person_household ORDER BY 1").fetchall() == ph1
    con.close()

    # a new DTKS period (copy of the current one) keeps every person's ID
    cur = df[df.source == "dtks"].query("is_current").copy()
    df.loc[df.source == "dtks", "is_current"] = False
    cur["period"] = "2025-03"
    cur["record_id"] = cur["record_id"].str.replace("2024-09", "2025-03")
    df2 = __import__("pandas").concat([df, cur], ignore_index=True)
    con = _build(tmp_path / "build3.duckdb", df2)
    run_linkage(con, state, run_id="r3")
    old = dict((r, p) for r, p, _, _ in rp1)
    new = dict(con.execute("SELECT record_id, person_id FROM linkage.record_person").fetchall())
    changed = sum(1 for r, p in old.items() if new[r] != p)
    assert changed == 0
    con.close()


def _partition(con) -> set[frozenset]:
    rows = con.execute("SELECT person_id, list(record_id ORDER BY record_id) FROM linkage.record_person "
                       "GROUP BY 1").fetchall()
    return {frozenset(records) for _, records in rows}


def _link(tmp_path, name: str, df, state, run_id: str, **kwargs) -> tuple[dict, set[frozenset]]:
    """One linkage run on a fresh build DB holding ``df``: its summary and the persons it found."""
    con = _build(tmp_path / f"{name}.duckdb", df)
    try:
        return run_linkage(con, state, run_id=run_id, **kwargs), _partition(con)
    finally:
        con.close()


def _contested(df) -> dict[str, bool]:
    """Each record's ``nik_contested`` feature (it depends on the other records holding its NIK)."""
    from orchestration.linkage.splink_io import feature_table

    con = duckdb.connect()
    con.register("df", df.drop(columns=["true_person", "true_family"]))
    feats = feature_table(con, "df")
    return dict(zip(feats.column("unique_id").to_pylist(), feats.column("nik_contested").to_pylist()))


def _recontested(before, after) -> int:
    """Records of ``before`` still in ``after`` whose NIK became (or stopped being) contested: their content
    key changes, so they are scored again."""
    b, a = _contested(before), _contested(after)
    return sum(1 for r, flag in b.items() if r in a and a[r] != flag)


def test_pair_cache_scores_only_new_records_and_changes_nothing(tmp_path):
    df = make_records(500, seed=5)
    first = df[df.source != "dtks"]  # the DTKS delivery arrives in the second run
    state = tmp_path / "state.duckdb"
    s1, _ = _link(tmp_path, "b1", first, state, "r1")
    assert s1["new_records"] == len(first) and s1["cached_pairs"] == 0

    s2, incremental = _link(tmp_path, "b2", df, state, "r2")
    # the DTKS rows, and the rows whose NIK a DTKS row now contests (or confirms)
    assert s2["new_records"] == int((df.source == "dtks").sum()) + _recontested(first, df)
    assert s2["cached_pairs"] > 0

    # the same records linked from scratch, without a cache: the same persons
    _, fresh = _link(tmp_path, "b3", df, tmp_path / "fresh_state.duckdb", "r3", use_cache=False)
    assert fresh == incremental

    # nothing new: nothing scored, same persons
    s4, again = _link(tmp_path, "b4", df, state, "r4")
    assert s4["new_records"] == 0
    assert again == incremental

    # a list withdrawn: its records and their pairs leave the cache; the rest links as from scratch
    fewer = df[df.source != "baznas"]
    assert len(fewer) < len(df)
    s5, after_removal = _link(tmp_path, "b5", fewer, state, "r5")
    assert s5["new_records"] == _recontested(df, fewer)
    _, fresh = _link(tmp_path, "b6", fewer, tmp_path / "fresh_state2.duckdb", "r6", use_cache=False)
    assert fresh == after_removal
    st = duckdb.connect(str(state), read_only=True)
    assert st.execute("SELECT count(*) FROM linkage_seen").fetchall()[0][0] == len(fewer)
    assert st.execute("SELECT data_type FROM information_schema.columns WHERE table_name = 'linkage_seen'"
                      ).fetchall() == [("UBIGINT",)]
    st.close()


def test_place_rule_is_decided_after_linkage(tmp_path):
    """design.md: a row whose place resolves to nothing is linked when its person is found in a row with a
    place (the problem stays flagged), and quarantined when not; two place-less rows of one unknown person
    do not vouch for each other."""
    import pandas as pd

    df = make_records(300, seed=7)
    assert df.kode_kecamatan.notna().all()
    known = df[(df.source == "dtks") & df.nik.notna() & df.tanggal_lahir.notna()].iloc[0]

    def unplaced(base, rid: str, **over) -> dict:
        row = base.to_dict()
        row.update(record_id=rid, source="pbi_jk", kind="program", unit="person", program="pbi_jk",
                   family_ref=None, household_ref=None, hubungan=None, status_keberadaan=None, desil=None,
                   kode_desa=None, kode_kecamatan=None, no_kk=None, no_kk_valid=False,
                   flags="place_unresolved", **over)
        return row

    stranger = dict(nik="3171015507910007", nama="Wagiyem Sastro", name_key="wagiyem sastro",
                    tanggal_lahir=pd.Timestamp("1991-07-15").date(), jenis_kelamin="P", nik_valid=True,
                    nik_suspect=False)
    extra = pd.DataFrame([
        unplaced(known, "pbi_jk|x|known"),                  # a known person, place garbage: linked
        unplaced(known, "pbi_jk|x|stranger", **stranger),   # found nowhere: quarantined
        unplaced(known, "kur|x|stranger", **stranger),      # the same stranger again: quarantined too
    ])
    state = tmp_path / "state.duckdb"
    con = _build(tmp_path / "build.duckdb", pd.concat([df, extra], ignore_index=True))
    try:
        summary = run_linkage(con, state, run_id="r1")
        quarantined = con.execute("SELECT record_id, rule FROM linkage.record_quarantine ORDER BY 1").fetchall()
        assert quarantined == [("kur|x|stranger", "place_unresolved"), ("pbi_jk|x|stranger", "place_unresolved")]
        assert summary["quarantined_after_linkage"] == 2
        linked = dict(con.execute("SELECT record_id, person_id FROM linkage.record_person").fetchall())
        assert linked["pbi_jk|x|known"] == linked[known.record_id]
        # every record exactly once: linked or quarantined
        assert len(linked) + len(quarantined) == len(df) + len(extra)
        assert not set(linked) & {r for r, _ in quarantined}
    finally:
        con.close()


def test_a_lost_id_registry_stops_the_run_instead_of_renumbering_everybody(tmp_path):
    import shutil

    from orchestration.linkage.ids import IdRegistryError, backup_state

    df = make_records(80, seed=3)
    state = tmp_path / "state" / "state.duckdb"
    s1, _ = _link(tmp_path, "b1", df, state, "r1")          # the first run ever: a registry is created
    assert s1["person_ids"]["issued"] > 0
    backup = backup_state(state, "r1")
    st = duckdb.connect(str(state), read_only=True)
    tables = {r[0] for r in st.execute("select table_name from information_schema.tables").fetchall()}
    st.close()
    assert "id_registry" in tables and "id_registry_next" not in tables  # replaced in one transaction

    # a warehouse that has published: the registry must be there
    state.unlink()
    with pytest.raises(IdRegistryError, match="missing.*backups"):
        _link(tmp_path, "b2", df, state, "r2", require_registry=True)
    state.write_bytes(b"not a database" * 100)
    with pytest.raises(IdRegistryError, match="cannot be opened"):
        _link(tmp_path, "b3", df, state, "r3", require_registry=True)
    state.unlink()
    con = duckdb.connect(str(state))
    con.execute("create table id_registry (kind varchar, member_key varchar, stable_id varchar, "
                "first_seen_run varchar, last_seen_run varchar)")
    con.close()
    with pytest.raises(IdRegistryError, match="empty"):
        _link(tmp_path, "b4", df, state, "r4", require_registry=True)

    # restored from the backup kept with the publication: the same IDs as before
    shutil.copyfile(backup, state)
    s5, persons5 = _link(tmp_path, "b5", df, state, "r5", require_registry=True)
    assert s5["person_ids"]["issued"] == 0


def test_state_backups_keep_the_newest(tmp_path):
    import os

    from orchestration.linkage.ids import backup_state

    state = tmp_path / "state.duckdb"
    duckdb.connect(str(state)).close()
    for i in range(7):
        b = backup_state(state, f"run-{i}", keep=3)
        os.utime(b, (1_000_000 + i, 1_000_000 + i))
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == [
        "state-run-4.duckdb", "state-run-5.duckdb", "state-run-6.duckdb"]
