"""The write-audit-publish library on a small hand-made build database (real DuckDB files)."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from orchestration.publish import (
    AuditFailed,
    PublishBlocked,
    publish,
    read_status,
)

NIKS = {"P1": "1802210101800001", "P3": "1802210303700003", "P7": "1802010707750007"}
NAMES = {"P1": "SUPARMAN", "P3": "WAYAN SUDARSA", "P7": "RUSDI"}
SIXTEEN = re.compile(r"(?<!\d)\d{16}(?!\d)")


def make_build_db(path: Path, households_desil_1: int = 2) -> Path:
    con = duckdb.connect(str(path))
    try:
        for s in ("indicators", "marts", "intermediate"):
            con.execute(f"create schema if not exists {s}")
        con.execute(f"""create table indicators.ind_poverty_by_area as select * from (values
            ('kabupaten', '18.02', 'LAMPUNG TENGAH', 1700, 510, 4, {households_desil_1}, 3, 3, 5, 0.1765),
            ('kecamatan', '18.02.21', 'ANAK TUHA', 1500, 450, 2, 1, 2, 2, 4, 0.1333),
            ('kecamatan', '18.02.01', 'PADANG RATU', 200, 60, 2, 1, 1, 1, 1, 0.5))
            t(level, kode_wilayah, nama_wilayah, penduduk, keluarga_dukcapil, households, households_desil_1,
              households_desil_1_4, persons_desil_1, persons_desil_1_4, extreme_poverty_pct)""")
        con.execute("""create table indicators.ind_program_coverage as select * from (values
            ('kabupaten', '18.02', 'LAMPUNG TENGAH', 'pkh', 1, 0, 1, 0, 2, 0.0, 100.0, 0.0))
            t(level, kode_wilayah, nama_wilayah, program, recipient_households, recipient_households_desil_1,
              recipient_households_desil_1_4, recipient_households_unregistered, households_desil_1,
              coverage_desil_1_pct, exclusion_error_desil_1_pct, inclusion_error_desil_1_4_pct)""")
        con.execute("""create table indicators.ind_program_budget as select * from (values
            ('pkh', 'kabupaten', '18.02', 'LAMPUNG TENGAH', '2024-09', 3000000, 0, 3000000, 3000000, 0, 0, 0.0,
             6000000, 'estimate'))
            t(program, level, kode_wilayah, nama_wilayah, period, rupiah_total, rupiah_desil_1, rupiah_desil_1_4,
              rupiah_eligible, rupiah_not_eligible, rupiah_unregistered, share_desil_1_pct,
              rupiah_to_cover_priority_gap, basis)""")
        con.execute("""create table indicators.ind_program_overlap as select * from (values ('pkh', 'pkh', 1))
            t(program_a, program_b, households_both)""")
        con.execute("""create table indicators.ind_priority_gap as select * from (values
            ('kabupaten', '18.02', 'LAMPUNG TENGAH', 2, 2, 2)) t(level, kode_wilayah, nama_wilayah,
            households_desil_1, households_desil_1_no_program, households_sikkep_priority)""")
        con.execute("""create table indicators.ind_graduation as select * from (values
            ('2024-03', '2024-09', 'kabupaten', '18.02', 'LAMPUNG TENGAH', 3, 1, 1, 1, 1))
            t(period_from, period_to, level, kode_wilayah, nama_wilayah, households_desil_1_from, graduated,
              entered, remained, exited_other)""")
        con.execute("""create table indicators.ind_data_quality as select * from (values
            ('dtks', '2024-09', 8, 8, 0, 100.0, 7, 87.5)) t(source, period, rows_received, rows_loaded,
            rows_quarantined, nik_valid_pct, rows_linked, linked_pct)""")
        con.execute("""create table marts.dim_wilayah as select * from (values
            ('kabupaten', '18.02', 'LAMPUNG TENGAH', null), ('kecamatan', '18.02.21', 'ANAK TUHA', '18.02.21'),
            ('kecamatan', '18.02.01', 'PADANG RATU', '18.02.01'),
            ('desa', '18.02.21.2001', 'BUMI JAYA', '18.02.21'), ('desa', '18.02.21.2002', 'HAJI PEMANGGILAN', '18.02.21'))
            t(level, kode_wilayah, nama_wilayah, kode_kecamatan)""")
        con.execute(f"""create table marts.fct_person as select * from (values
            ('P1', 'H1', '{NIKS["P1"]}', '{NAMES["P1"]}', date '1980-01-01', 'L', true, false),
            ('P3', 'H2', '{NIKS["P3"]}', '{NAMES["P3"]}', date '1970-03-03', 'L', true, false),
            ('P7', 'H4', '{NIKS["P7"]}', '{NAMES["P7"]}', date '1975-07-07', 'L', true, false))
            t(person_id, household_id, nik, nama, tanggal_lahir, jenis_kelamin, nik_valid, deceased)""")
        con.execute("""create table marts.fct_household as select * from (values
            ('H1', '1802210101100001', '18.02.21.2001', '18.02.21', 'P1', 2, 1, 1, 2, true, true, false, false, false, false, false, false, true, 1, true),
            ('H2', '1802210101100002', '18.02.21.2002', '18.02.21', 'P3', 2, 3, 3, 4, true, true, true, false, true, false, false, false, false, 2, false),
            ('H4', null, null, '18.02.01', 'P7', 1, 1, 1, 1, true, true, false, false, false, false, false, false, false, 0, true))
            t(household_id, no_kk, kode_wilayah, kode_kecamatan, head_person_id, members, desil, desil_dtks,
              desil_p3ke, in_dtks, in_p3ke, pkh, bpnt, pbi_jk, blt_dd, rtlh, baznas, kur, programs_count,
              sikkep_priority)""")
        con.execute("""create table marts.xref_source_record as select * from (values
            ('dtks', '2024-09', 'dtks/2024-09/dtks.csv', null, 2, 'P1', 'H1', 'nik_exact', 1.0))
            t(source, period, source_file, source_sheet, source_row, person_id, household_id, match_method,
              match_probability)""")
        con.execute("""create table marts.quarantine as select * from (values
            ('blt_dd', '2024-09', 'blt_dd/2024-09/blt.xlsx', 'ANAK TUHA', 7, 'no_identity', 'no name, NIK 1802**********01'))
            t(source, period, source_file, source_sheet, source_row, rule, detail)""")
        # built by dbt (models/marts/mart_priority_list.sql, its own unit test) from the households above
        con.execute(f"""create table marts.priority_list as select * from (values
            ('H4', '18.02.01', 'PADANG RATU', null, null, '{NAMES["P7"]}', '1802**********07', 1, 1, 1, 1,
             'Terdaftar di P3KE (desil 1) dan DTKS (desil 1), tidak menerima bantuan sosial'),
            ('H1', '18.02.21', 'ANAK TUHA', '18.02.21.2001', 'BUMI JAYA', '{NAMES["P1"]}', '1802**********01', 2, 1,
             1, 2, 'Terdaftar di P3KE (desil 2) dan DTKS (desil 1), tidak menerima bantuan sosial (hanya KUR)'))
            t(household_id, kode_kecamatan, nama_kecamatan, kode_wilayah, nama_desa, nama_kepala_keluarga,
              nik_kepala_masked, members, desil, desil_dtks, desil_p3ke, alasan)""")
    finally:
        con.close()
    return path


def run_info(run_id: str = "run-1", gates=None) -> dict:
    return {
        "run_id": run_id,
        "started_at": "2024-10-01T01:00:00",
        "extract_files": [
            {"path": "dtks/2024-09/dtks.csv", "sha256": "a" * 64, "period": "2024-09"},
            {"path": "p3ke/2024-09/p3ke.xlsx", "sha256": "b" * 64, "period": "2024-09", "source": "p3ke"},
        ],
        "gates": gates if gates is not None else {"stg_dtks": True, "marts": {"passed": True, "detail": "12 ok"}},
    }


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def env(tmp_path):
    build = make_build_db(tmp_path / "build" / "sikkep.duckdb") if (tmp_path / "build").mkdir() is None else None
    return {"build": build, "published": tmp_path / "published", "exports": tmp_path / "exports"}


def do_publish(env, **kw):
    return publish(env["build"], env["published"], kw.pop("info", run_info()), exports_dir=env["exports"], **kw)


def test_publish_writes_public_and_restricted_with_publication(env):
    paths = do_publish(env)
    pub = duckdb.connect(str(paths["public"]), read_only=True)
    try:
        tables = {r[0] for r in pub.execute("show tables").fetchall()}
        indicators = {"ind_poverty_by_area", "ind_program_coverage", "ind_program_overlap",
                      "ind_priority_gap", "ind_graduation", "ind_data_quality", "ind_program_budget"}
        assert tables == indicators | {f"{t}_history" for t in indicators} | {"publication"}
        files = pub.execute("select name, source, period, sha256 from publication where kind = 'extract_file' order by 1").fetchall()
        assert files == [("dtks/2024-09/dtks.csv", "dtks", "2024-09", "a" * 64),
                         ("p3ke/2024-09/p3ke.xlsx", "p3ke", "2024-09", "b" * 64)]
        gates = pub.execute("select name, status, detail from publication where kind = 'gate' order by 1").fetchall()
        assert gates == [("marts", "passed", "12 ok"), ("stg_dtks", "passed", None)]
        assert pub.execute("select distinct run_id from publication").fetchall() == [("run-1",)]
    finally:
        pub.close()
    res = duckdb.connect(str(paths["restricted"]), read_only=True)
    try:
        tables = {r[0] for r in res.execute("show tables").fetchall()}
        assert tables == {"fct_household", "fct_person", "xref_source_record", "quarantine", "priority_list", "publication"}
        prio = res.execute("select household_id, nama_kepala_keluarga, nik_kepala_masked, desil, alasan "
                           "from priority_list order by 1").fetchall()
        assert [p[:4] for p in prio] == [("H1", "SUPARMAN", "1802**********01", 1), ("H4", "RUSDI", "1802**********07", 1)]
        assert all("P3KE" in p[4] and "DTKS" in p[4] for p in prio)
    finally:
        res.close()
    assert not [p for p in env["published"].iterdir() if ".tmp-" in p.name]


def test_failed_publish_leaves_previous_files_byte_identical(env):
    paths = do_publish(env)
    before = {k: digest(paths[k]) for k in ("public", "restricted")}

    def boom(_temps):
        raise RuntimeError("injected failure before the swap")

    with pytest.raises(RuntimeError, match="injected"):
        do_publish(env, info=run_info("run-2"), _before_swap=boom)
    assert {k: digest(paths[k]) for k in ("public", "restricted")} == before
    assert not [p for p in env["published"].iterdir() if ".tmp-" in p.name]
    status = read_status(env["published"])
    assert status["run_id"] == "run-1" and status["leftovers"] == []


def test_failed_gate_blocks_publication(env):
    paths = do_publish(env)
    before = digest(paths["public"])
    with pytest.raises(PublishBlocked, match="marts"):
        do_publish(env, info=run_info("run-2", gates=[{"name": "marts", "status": "failed", "detail": "x"}]))
    assert digest(paths["public"]) == before
    status = read_status(env["published"])
    assert status["run_id"] == "run-1"
    # the held-back run itself is recorded by Dagster's run storage (tests/integration/test_refresh_path.py)
    assert not (env["published"] / "last_attempt.json").exists()


def test_audit_rejects_personal_data_in_public_tables(env):
    paths = do_publish(env)
    before = digest(paths["public"])
    con = duckdb.connect(str(env["build"]))
    con.execute(f"update indicators.ind_poverty_by_area set kode_wilayah = '{NIKS['P1']}' where level = 'kecamatan'")
    con.close()
    with pytest.raises(AuditFailed, match="16-digit"):
        do_publish(env, info=run_info("run-2"))
    assert digest(paths["public"]) == before


def test_audit_rejects_a_persons_name_in_public_tables(env):
    con = duckdb.connect(str(env["build"]))
    con.execute("update indicators.ind_program_overlap set program_a = 'WAYAN SUDARSA'")
    con.close()
    with pytest.raises(AuditFailed, match="name"):
        do_publish(env)
    assert not (env["published"] / "public.duckdb").exists()


def test_stale_temps_are_cleaned_by_the_next_publish(env):
    env["published"].mkdir()
    stale = env["published"] / ".public.duckdb.tmp-crashed-123"
    stale.write_bytes(b"half a file")
    (env["published"] / ".public.duckdb.tmp-crashed-123.wal").write_bytes(b"x")
    do_publish(env)
    assert not [p for p in env["published"].iterdir() if ".tmp-" in p.name]


def test_exports_public_parquet_csv_metadata_and_priority_workbooks(env):
    do_publish(env)
    pub_dir = env["exports"] / "public"
    for table in ("ind_poverty_by_area", "ind_program_coverage", "ind_program_overlap", "ind_priority_gap",
                  "ind_graduation", "ind_data_quality", "ind_program_budget"):
        assert (pub_dir / f"{table}.parquet").exists() and (pub_dir / f"{table}.csv").exists()
        meta = json.loads((pub_dir / f"{table}.json").read_text())
        assert {"description", "unit", "source", "area_level", "columns", "run_id"} <= set(meta)
        assert duckdb.connect().execute(f"select count(*) from read_parquet('{pub_dir / (table + '.parquet')}')").fetchall()[0][0] == meta["rows"]
    meta = json.loads((pub_dir / "ind_poverty_by_area.json").read_text())
    assert meta["current_periods"] == {"dtks": "2024-09", "p3ke": "2024-09"}
    assert json.loads((pub_dir / "ind_graduation.json").read_text())["period_pairs"] == [["2024-03", "2024-09"]]

    res_dir = env["exports"] / "restricted"
    books = sorted(p.name for p in res_dir.glob("*.xlsx"))
    assert books == ["priority_180201.xlsx", "priority_180221.xlsx"]
    wb = load_workbook(res_dir / "priority_180221.xlsx", read_only=True)
    assert wb.sheetnames == ["BUMI JAYA"]
    rows = list(wb["BUMI JAYA"].iter_rows(values_only=True))
    assert rows[2][0] == "ID Keluarga" and rows[3][0] == "H1" and rows[3][4] == "1802**********01"
    wb = load_workbook(res_dir / "priority_180201.xlsx", read_only=True)
    assert wb.sheetnames == ["Tanpa desa (hanya kecamatan)"]


def test_exports_of_an_earlier_publication_are_replaced(env):
    do_publish(env)
    (env["exports"] / "restricted" / "priority_189999.xlsx").write_bytes(b"old")
    do_publish(env, info=run_info("run-2"))
    assert not (env["exports"] / "restricted" / "priority_189999.xlsx").exists()


def test_no_sixteen_digit_number_or_name_anywhere_public(env):
    do_publish(env)
    con = duckdb.connect(str(env["published"] / "public.duckdb"), read_only=True)
    try:
        values = []
        for (table,) in con.execute("show tables").fetchall():
            for row in con.execute(f'select * from "{table}"').fetchall():
                values += [str(v) for v in row if v is not None]
    finally:
        con.close()
    for p in (env["exports"] / "public").iterdir():
        if p.suffix in (".csv", ".json"):
            values.append(p.read_text())
        elif p.suffix == ".parquet":
            values += [str(v) for row in duckdb.connect().execute(f"select * from read_parquet('{p}')").fetchall() for v in row]
    blob = "\n".join(values)
    assert not SIXTEEN.search(blob)
    for nik in NIKS.values():
        assert nik not in blob
    for name in NAMES.values():
        assert name not in blob.upper()


def test_read_status_reports_publication(env):
    assert read_status(env["published"])["published"] is False
    do_publish(env)
    status = read_status(env["published"])
    assert status["published"] and status["consistent"] and status["run_id"] == "run-1"
    assert len(status["extract_files"]) == 2 and len(status["gates"]) == 2
    assert status["files"]["public"]["tables"]["ind_poverty_by_area"] == 3
    assert status["files"]["restricted"]["tables"]["priority_list"] == 2
    assert status["leftovers"] == []
