"""Real `dbt build --select marts indicators` on hand-made stage inputs with hand-computed answers.

The inputs of the marts (intermediate.int_person_records, intermediate.quarantine,
intermediate.int_dukcapil_agregat, linkage.*, raw.file_manifest, reference.dim_wilayah) are created directly
in a temporary DuckDB file, so these tests exercise only the marts and indicators (and their dbt unit
and data tests). When an upstream node of another stage is not in the project yet, a copy of the project
gets a placeholder node of the same name (never built: only marts and indicators are selected).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT = PROJECT_ROOT / "dbt_project"
DBT = Path(sys.executable).parent / "dbt"

IPR_COLUMNS = {
    "record_id": "VARCHAR", "source": "VARCHAR", "period": "VARCHAR", "is_current": "BOOLEAN",
    "source_file": "VARCHAR", "source_sheet": "VARCHAR", "source_row": "INTEGER", "kind": "VARCHAR",
    "unit": "VARCHAR", "program": "VARCHAR", "nik": "VARCHAR", "nik_valid": "BOOLEAN",
    "nik_suspect": "BOOLEAN", "no_kk": "VARCHAR", "no_kk_valid": "BOOLEAN", "nama": "VARCHAR",
    "name_key": "VARCHAR", "tanggal_lahir": "DATE", "jenis_kelamin": "VARCHAR", "kode_desa": "VARCHAR",
    "kode_kecamatan": "VARCHAR", "place_resolved_by": "VARCHAR", "family_ref": "VARCHAR",
    "household_ref": "VARCHAR", "hubungan": "VARCHAR", "status_keberadaan": "VARCHAR",
    "desil": "INTEGER", "recipient": "BOOLEAN", "flags": "VARCHAR",
}

SEED_ROWS = [
    # level, kode_wilayah, nama_wilayah, kode_kecamatan, kode_kabupaten, jenis
    ("kabupaten", "18.02", "LAMPUNG TENGAH", None, "18.02", "kabupaten"),
    ("kecamatan", "18.02.21", "ANAK TUHA", "18.02.21", "18.02", "kecamatan"),
    ("kecamatan", "18.02.01", "PADANG RATU", "18.02.01", "18.02", "kecamatan"),
    ("desa", "18.02.21.2001", "BUMI JAYA", "18.02.21", "18.02", "kampung"),
    ("desa", "18.02.21.2002", "HAJI PEMANGGILAN", "18.02.21", "18.02", "kampung"),
    ("desa", "18.02.01.2001", "HAUR NGEMBUS", "18.02.01", "18.02", "kampung"),
    ("kabupaten", "18.04", "LAMPUNG BARAT", None, "18.04", "kabupaten"),
    ("kecamatan", "18.04.01", "BALIK BUKIT", "18.04.01", "18.04", "kecamatan"),
    ("desa", "18.04.01.2001", "SEBARUS", "18.04.01", "18.04", "kampung"),
]

# person_id -> (nama, nik, tanggal_lahir, jenis_kelamin)
PEOPLE = {
    "P1": ("SUPARMAN", "1802210101800001", date(1980, 1, 1), "L"),
    "P2": ("SITI AMINAH", "1802214202820002", date(1982, 2, 2), "P"),
    "P3": ("WAYAN SUDARSA", "1802210303700003", date(1970, 3, 3), "L"),
    "P4": ("MADE RAI", "1802210404400004", date(1940, 4, 4), "L"),
    "P5": ("KETUT ARTA", "1802210505000005", date(2000, 5, 5), "L"),
    "P6": ("PAINEM", None, None, None),
    "P7": ("RUSDI", "1802010707750007", date(1975, 7, 7), "L"),
    "P8": ("SAMINAH", "1802014808500008", date(1950, 8, 8), "P"),
}

D_21_1 = "18.02.21.2001"
D_21_2 = "18.02.21.2002"
D_01_1 = "18.02.01.2001"

# (source, period, person, kind, program, family_ref, kode_desa, kode_kecamatan, hubungan, status, desil, recipient, household_ref)
RECORDS = [
    # DTKS history 2024-03
    ("dtks", "2024-03", "P1", "registry", None, "kk:1", D_21_1, "18.02.21", "kepala", "ada", 1, None, "B1"),
    ("dtks", "2024-03", "P2", "registry", None, "kk:1", D_21_1, "18.02.21", "pasangan", "ada", 1, None, "B1"),
    ("dtks", "2024-03", "P3", "registry", None, "kk:2", D_21_2, "18.02.21", "kepala", "ada", 1, None, "B2"),
    ("dtks", "2024-03", "P8", "registry", None, "kk:8", D_21_1, "18.02.21", "kepala", "ada", 1, None, "B8"),
    ("dtks", "2024-03", "P7", "registry", None, "kk:7", D_01_1, "18.02.01", "kepala", "ada", 2, None, "B7"),
    # DTKS current 2024-09
    ("dtks", "2024-09", "P1", "registry", None, "kk:1", D_21_1, "18.02.21", "kepala", "ada", 1, None, "B1"),
    ("dtks", "2024-09", "P2", "registry", None, "kk:1", D_21_1, "18.02.21", "pasangan", "ada", 1, None, "B1"),
    ("dtks", "2024-09", "P3", "registry", None, "kk:2", D_21_2, "18.02.21", "kepala", "ada", 3, None, "B2"),
    ("dtks", "2024-09", "P4", "registry", None, "kk:2", D_21_2, "18.02.21", "orang_tua", "meninggal", 3, None, "B2"),
    ("dtks", "2024-09", "P5", "registry", None, "kk:2", D_21_2, "18.02.21", "anak", "pindah", 2, None, "B2"),
    ("dtks", "2024-09", "P8", "registry", None, "kk:8", D_21_1, "18.02.21", "kepala", "meninggal", 1, None, "B8"),
    ("dtks", "2024-09", "P7", "registry", None, "kk:7", D_01_1, "18.02.01", "kepala", "ada", 1, None, "B7"),
    # P3KE history 2024-03 and current 2024-09
    ("p3ke", "2024-03", "P1", "registry", None, "p3ke:1", D_21_1, "18.02.21", "kepala", None, 1, None, None),
    ("p3ke", "2024-09", "P1", "registry", None, "p3ke:1", D_21_1, "18.02.21", "kepala", None, 2, None, None),
    ("p3ke", "2024-09", "P3", "registry", None, "p3ke:2", D_21_2, "18.02.21", "kepala", None, 4, None, None),
    ("p3ke", "2024-09", "P5", "registry", None, "p3ke:2", D_21_2, "18.02.21", "anak", None, 4, None, None),
    ("p3ke", "2024-09", "P7", "registry", None, "p3ke:7", D_01_1, "18.02.01", "kepala", None, 1, None, None),
    # programs, current 2024-09 (plus an old PKH delivery that must not count as participation now)
    ("pkh", "2024-03", "P1", "program", "pkh", "kk:1", D_21_1, "18.02.21", None, None, None, True, None),
    ("pkh", "2024-09", "P3", "program", "pkh", "kk:2", D_21_2, "18.02.21", None, None, None, True, None),
    ("pbi_jk", "2024-09", "P3", "program", "pbi_jk", None, None, "18.02.21", None, None, None, False, None),
    ("pbi_jk", "2024-09", "P5", "program", "pbi_jk", None, None, "18.02.21", None, None, None, True, None),
    ("kur", "2024-09", "P1", "program", "kur", None, None, "18.02.21", None, None, None, True, None),
    ("blt_dd", "2024-09", "P6", "program", "blt_dd", None, None, "18.02.01", None, None, None, True, None),
]

PERSON_HOUSEHOLD = [
    # person_id, household_id, deceased, is_head
    ("P1", "H1", False, True), ("P2", "H1", False, False),
    ("P3", "H2", False, True), ("P4", None, True, False), ("P5", "H2", False, False),
    ("P6", "H3", False, True), ("P7", "H4", False, True), ("P8", None, True, False),
]

MANIFEST = [
    # source, period, source_file, status, rows_received, rows_loaded, rows_rejected
    ("dtks", "2024-03", "dtks/2024-03/dtks.csv", "loaded", 5, 5, 0),
    ("dtks", "2024-09", "dtks/2024-09/dtks.csv", "loaded", 8, 8, 0),
    ("dtks", "2024-09", "dtks/2024-09/dtks_copy.csv", "duplicate", 8, 0, 0),
    ("p3ke", "2024-03", "p3ke/2024-03/p3ke.xlsx", "loaded", 1, 1, 0),
    ("p3ke", "2024-09", "p3ke/2024-09/p3ke.xlsx", "loaded", 4, 4, 0),
    ("pkh", "2024-03", "pkh/2024-03/pkh.xlsx", "loaded", 1, 1, 0),
    ("pkh", "2024-09", "pkh/2024-09/pkh.xlsx", "loaded", 1, 1, 0),
    ("pbi_jk", "2024-09", "pbi_jk/2024-09/pbi.csv", "loaded", 2, 2, 0),
    ("kur", "2024-09", "kur/2024-09/kur.csv", "loaded", 2, 2, 0),
    ("blt_dd", "2024-09", "blt_dd/2024-09/blt.xlsx", "loaded", 3, 3, 0),
    ("dukcapil_agregat", "2024-12", "dukcapil_agregat/2024-12/agr.csv", "loaded", 4, 4, 0),
]

UNPLACED_ID = "kur|2024-09|kur/2024-09/kur.csv||3"

QUARANTINE = [
    ("blt_dd", "2024-09", "blt_dd/2024-09/blt.xlsx", "ANAK TUHA", 7, "no_identity", "neither name nor valid NIK"),
    ("blt_dd", "2024-09", "blt_dd/2024-09/blt.xlsx", "ANAK TUHA", 8, "place_unresolved", "kampung 'X'"),
]

DUKCAPIL = [
    # kode_wilayah, period, jumlah_penduduk, jumlah_kk
    (D_21_1, "2024-12", 1000, 300), (D_21_2, "2024-12", 500, 150), (D_01_1, "2024-12", 200, 60),
    ("18.04.01.2001", "2024-12", 999, 333),
    (D_21_1, "2024-06", 5, 5), (D_21_2, "2024-06", 5, 5), (D_01_1, "2024-06", 5, 5),
]


def create_inputs(db_path: Path) -> None:
    """The stage inputs of the marts, as other stages write them (docs/architecture.md)."""
    con = duckdb.connect(str(db_path))
    try:
        for schema in ("intermediate", "linkage", "raw", "reference", "staging"):
            con.execute(f"create schema if not exists {schema}")
        con.execute("create table reference.dim_wilayah (level varchar, kode_wilayah varchar, nama_wilayah varchar,"
                    " kode_kecamatan varchar, kode_kabupaten varchar, jenis varchar)")
        con.executemany("insert into reference.dim_wilayah values (?,?,?,?,?,?)", SEED_ROWS)

        cols = ", ".join(f"{c} {t}" for c, t in IPR_COLUMNS.items())
        con.execute(f"create table intermediate.int_person_records ({cols})")
        current = {}
        for r in RECORDS:
            current[r[0]] = max(current.get(r[0], ""), r[1])
        rows, record_person = [], []
        for i, (src, period, pid, kind, program, fam, desa, kec, hub, status, desil, recip, hh_ref) in enumerate(RECORDS):
            nama, nik, lahir, jk = PEOPLE[pid]
            ext = "xlsx" if src in ("p3ke", "pkh", "blt_dd") else "csv"
            f = f"{src}/{period}/{src}.{ext}"
            sheet = "Sheet1" if ext == "xlsx" else None
            row_no = i + 2
            rid = f"{src}|{period}|{f}|{sheet or ''}|{row_no}"
            rec = {
                "record_id": rid, "source": src, "period": period, "is_current": period == current[src],
                "source_file": f, "source_sheet": sheet, "source_row": row_no, "kind": kind,
                "unit": "person", "program": program, "nik": nik, "nik_valid": nik is not None,
                "nik_suspect": False, "no_kk": None, "no_kk_valid": False, "nama": nama,
                "name_key": nama.lower(), "tanggal_lahir": lahir, "jenis_kelamin": jk, "kode_desa": desa,
                "kode_kecamatan": kec, "place_resolved_by": "code", "family_ref": fam,
                "household_ref": hh_ref, "hubungan": hub, "status_keberadaan": status, "desil": desil,
                "recipient": recip, "flags": None,
            }
            rows.append(tuple(rec[c] for c in IPR_COLUMNS))
            method = "nik_exact" if nik else "singleton"
            record_person.append((rid, pid, method, 1.0 if nik else None))
        # a KUR row whose place resolves to nothing and whose person linkage found in no row with a place:
        # staged, then quarantined after linkage (linkage.record_quarantine), never in xref
        unplaced = dict(zip(IPR_COLUMNS, rows[-1]))
        unplaced.update(record_id=UNPLACED_ID, source="kur", period="2024-09", is_current=True,
                        source_file="kur/2024-09/kur.csv", source_sheet=None, source_row=3, kind="program",
                        program="kur", nik="3171010101900001", nama="Orang Asing", name_key="orang asing",
                        kode_desa=None, kode_kecamatan=None, place_resolved_by=None, family_ref=None,
                        household_ref=None, flags="place_unresolved")
        rows.append(tuple(unplaced[c] for c in IPR_COLUMNS))
        con.executemany(f"insert into intermediate.int_person_records values ({','.join('?' * len(IPR_COLUMNS))})", rows)
        con.execute("create table intermediate.int_person_rows as select *, "
                    "case when kode_kecamatan is null then 'kode=; kecamatan=Antah Berantah; desa=; sheet=' end"
                    " as place_detail from intermediate.int_person_records")
        con.execute("create table linkage.record_quarantine (record_id varchar, rule varchar)")
        con.execute("insert into linkage.record_quarantine values (?, 'place_unresolved')", [UNPLACED_ID])

        con.execute("create table linkage.record_person (record_id varchar, person_id varchar,"
                    " match_method varchar, match_probability double)")
        con.executemany("insert into linkage.record_person values (?,?,?,?)", record_person)
        con.execute("create table linkage.person_household (person_id varchar, household_id varchar,"
                    " deceased boolean, is_head boolean, present boolean default true,"
                    " family_known boolean default true)")
        con.executemany("insert into linkage.person_household (person_id, household_id, deceased, is_head)"
                        " values (?,?,?,?)", PERSON_HOUSEHOLD)

        con.execute("""create table raw.file_manifest (source varchar, period varchar, source_file varchar,
            source_sheet_count integer, file_sha256 varchar, file_bytes bigint, status varchar,
            duplicate_of varchar, rows_received integer, rows_loaded integer, rows_rejected integer,
            header_row integer, columns_mapped varchar, message varchar, loaded_at timestamp, rows_unread bigint)""")
        con.executemany(
            "insert into raw.file_manifest values (?,?,?,1,'ab',10,?,null,?,?,?,1,'{}',null,now(),null)", MANIFEST)
        con.execute("create table intermediate.quarantine (source varchar, period varchar, source_file varchar,"
                    " source_sheet varchar, source_row integer, rule varchar, detail varchar)")
        con.executemany("insert into intermediate.quarantine values (?,?,?,?,?,?,?)", QUARANTINE)
        con.execute("create table intermediate.int_dukcapil_agregat (kode_wilayah varchar, period varchar,"
                    " jumlah_penduduk integer, jumlah_kk integer)")
        con.executemany("insert into intermediate.int_dukcapil_agregat values (?,?,?,?)", DUKCAPIL)
    finally:
        con.close()


def _has_node(project: Path, filename: str) -> bool:
    return any(project.joinpath("models").rglob(filename))


def prepare_project(dest: Path) -> Path:
    """A copy of the dbt project with placeholders for upstream nodes other stages have not written yet."""
    project = dest / "dbt_project"
    shutil.copytree(DBT_PROJECT, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    stubs = project / "models" / "_upstream_placeholders"
    for name, schema in (("int_person_records", "intermediate"), ("quarantine", "intermediate"),
                         ("int_dukcapil_agregat", "intermediate")):
        if not _has_node(project, f"{name}.sql"):
            stubs.mkdir(parents=True, exist_ok=True)
            (stubs / f"{name}.sql").write_text(
                f"{{{{ config(schema='{schema}') }}}}\nselect 1 as placeholder\n")
    if not (project / "seeds" / "dim_wilayah.csv").exists():
        (project / "seeds").mkdir(exist_ok=True)
        (project / "seeds" / "dim_wilayah.csv").write_text(
            "level,kode_wilayah,nama_wilayah,kode_kecamatan,kode_kabupaten,jenis\n"
            "kabupaten,18.02,LAMPUNG TENGAH,,18.02,kabupaten\n")
    raw_declared = any("name: raw" in p.read_text() for p in project.joinpath("models").rglob("*.yml"))
    if not raw_declared:
        stubs.mkdir(parents=True, exist_ok=True)
        (stubs / "raw_sources.yml").write_text(
            "version: 2\nsources:\n  - name: raw\n    schema: raw\n    tables:\n      - name: file_manifest\n")
    return project


def run_dbt(project: Path, db_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, SIKKEP_BUILD_DB=str(db_path), SIKKEP_KABUPATEN="18.02",
               DBT_SEND_ANONYMOUS_USAGE_STATS="false", DO_NOT_TRACK="1")
    return subprocess.run(
        [str(DBT), *args, "--project-dir", str(project), "--profiles-dir", str(project)],
        cwd=project, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def built_db(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("marts")
    db_path = tmp / "build.duckdb"
    create_inputs(db_path)
    project = prepare_project(tmp)
    result = run_dbt(project, db_path, "build", "--select", "marts", "indicators")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    return db_path


def q(db_path: Path, sql: str):
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_dim_wilayah_keeps_only_the_served_kabupaten(built_db):
    rows = q(built_db, "select level, count(*) from marts.dim_wilayah group by level order by level")
    assert rows == [("desa", 3), ("kabupaten", 1), ("kecamatan", 2)]


def test_fct_household_per_definitions(built_db):
    rows = q(built_db, """select household_id, kode_wilayah, kode_kecamatan, head_person_id, members, desil,
        desil_dtks, desil_p3ke, in_dtks, in_p3ke, pkh, bpnt, pbi_jk, blt_dd, rtlh, baznas, kur,
        programs_count, sikkep_priority from marts.fct_household order by household_id""")
    assert rows == [
        ("H1", D_21_1, "18.02.21", "P1", 2, 1, 1, 2, True, True,
         False, False, False, False, False, False, True, 1, True),
        # P4 died, P5 moved out of DTKS (DTKS claim withdrawn) but is present in P3KE; PBI NONAKTIF ignored
        ("H2", D_21_2, "18.02.21", "P3", 2, 3, 3, 4, True, True,
         True, False, True, False, False, False, False, 2, False),
        ("H3", None, "18.02.01", "P6", 1, None, None, None, False, False,
         False, False, False, True, False, False, False, 1, False),
        ("H4", D_01_1, "18.02.01", "P7", 1, 1, 1, 1, True, True,
         False, False, False, False, False, False, False, 0, True),
    ]


def test_fct_person_and_xref(built_db):
    persons = q(built_db, "select person_id, household_id, nik, nik_valid, deceased from marts.fct_person order by 1")
    assert len(persons) == 8
    assert ("P4", None, "1802210404400004", True, True) in persons
    assert ("P6", "H3", None, False, False) in persons
    n_records = q(built_db, "select count(*) from intermediate.int_person_records")[0][0]
    # every staged row but the one quarantined after linkage
    assert q(built_db, "select count(*), count(distinct record_id) from marts.xref_source_record")[0] == (
        n_records - 1, n_records - 1)
    assert q(built_db, f"select count(*) from marts.xref_source_record where record_id = '{UNPLACED_ID}'") == [(0,)]


def test_quarantine_after_linkage_is_published_with_the_staged_one(built_db):
    rows = q(built_db, "select source, source_file, source_row, rule, detail from marts.quarantine order by 1, 3")
    assert [r[:4] for r in rows] == [
        ("blt_dd", "blt_dd/2024-09/blt.xlsx", 7, "no_identity"),
        ("blt_dd", "blt_dd/2024-09/blt.xlsx", 8, "place_unresolved"),
        ("kur", "kur/2024-09/kur.csv", 3, "place_unresolved"),
    ]
    assert "Antah Berantah" in rows[-1][4] and "tidak ditemukan" in rows[-1][4]
    # the place-less row counts as quarantined, not linked
    assert q(built_db, "select rows_received, rows_quarantined, rows_linked from indicators.ind_data_quality "
                       "where source = 'kur'") == [(2, 1, 1)]
    # the person's CURRENT household, also on history rows
    assert q(built_db, "select distinct household_id from marts.xref_source_record where person_id = 'P3'") == [("H2",)]


def test_program_participation_keeps_history(built_db):
    rows = q(built_db, "select household_id, program, period, recipient_rows from marts.fct_program_participation order by 1,2,3")
    assert ("H1", "pkh", "2024-03", 1) in rows
    assert ("H2", "pbi_jk", "2024-09", 1) in rows  # only P5's AKTIF row
    assert len(rows) == 5


def test_poverty_by_area(built_db):
    rows = q(built_db, """select level, kode_wilayah, penduduk, keluarga_dukcapil, households, households_desil_1,
        households_desil_1_4, persons_desil_1, persons_desil_1_4, extreme_poverty_pct
        from indicators.ind_poverty_by_area order by level, kode_wilayah""")
    assert rows == [
        ("desa", D_01_1, 200, 60, 1, 1, 1, 1, 1, 0.5),
        ("desa", D_21_1, 1000, 300, 1, 1, 1, 2, 2, 0.2),
        ("desa", D_21_2, 500, 150, 1, 0, 1, 0, 2, 0.0),
        ("kabupaten", "18.02", 1700, 510, 4, 2, 3, 3, 5, round(300 / 1700, 4)),
        ("kecamatan", "18.02.01", 200, 60, 2, 1, 1, 1, 1, 0.5),  # H3 known only at kecamatan
        ("kecamatan", "18.02.21", 1500, 450, 2, 1, 2, 2, 4, round(200 / 1500, 4)),
    ]


def test_program_coverage(built_db):
    rows = q(built_db, """select program, recipient_households, recipient_households_desil_1,
        recipient_households_desil_1_4, recipient_households_unregistered, households_desil_1,
        coverage_desil_1_pct, exclusion_error_desil_1_pct, inclusion_error_desil_1_4_pct
        from indicators.ind_program_coverage where level = 'kabupaten' order by program""")
    by = {r[0]: r[1:] for r in rows}
    assert len(by) == 7
    assert by["kur"] == (1, 1, 1, 0, 2, 50.0, 50.0, 0.0)
    assert by["blt_dd"] == (1, 0, 0, 1, 2, 0.0, 100.0, 100.0)
    assert by["pkh"] == (1, 0, 1, 0, 2, 0.0, 100.0, 0.0)
    assert by["rtlh"] == (0, 0, 0, 0, 2, 0.0, 100.0, None)


def test_program_overlap(built_db):
    rows = dict(((a, b), n) for a, b, n in q(built_db, "select * from indicators.ind_program_overlap"))
    assert len(rows) == 49
    assert rows[("pkh", "pbi_jk")] == 1 and rows[("pbi_jk", "pkh")] == 1
    assert rows[("pkh", "pkh")] == 1 and rows[("kur", "pkh")] == 0


def test_priority_gap(built_db):
    rows = q(built_db, """select level, kode_wilayah, households_desil_1, households_desil_1_no_program,
        households_sikkep_priority from indicators.ind_priority_gap order by level, kode_wilayah""")
    assert ("kabupaten", "18.02", 2, 2, 2) in rows  # KUR is not social assistance
    assert ("kecamatan", "18.02.21", 1, 1, 1) in rows


def test_graduation(built_db):
    rows = q(built_db, """select period_from, period_to, level, kode_wilayah, households_desil_1_from,
        graduated, entered, remained, exited_other from indicators.ind_graduation order by level, kode_wilayah""")
    assert ("2024-03", "2024-09", "kabupaten", "18.02", 3, 1, 1, 1, 1) in rows
    assert ("2024-03", "2024-09", "desa", D_21_1, 2, 0, 0, 1, 1) in rows  # H1 remained, P8's family died out
    assert ("2024-03", "2024-09", "desa", D_21_2, 1, 1, 0, 0, 0) in rows  # H2 graduated (desil 1 -> 3)
    assert ("2024-03", "2024-09", "kecamatan", "18.02.01", 0, 0, 1, 0, 0) in rows  # H4 entered


def test_data_quality(built_db):
    rows = {(r[0], r[1]): r[2:] for r in q(built_db, "select * from indicators.ind_data_quality")}
    # ..., files_received, files_rejected, rows_unread: a duplicate delivery is no file received
    assert rows[("dtks", "2024-09")] == (8, 8, 0, 100.0, 7, 87.5, 1, 0, 0)
    assert rows[("blt_dd", "2024-09")] == (3, 3, 2, 0.0, 1, round(100 / 3, 4), 1, 0, 0)
    assert rows[("dukcapil_agregat", "2024-12")] == (4, 4, 0, None, None, None, 1, 0, 0)


def test_public_indicators_carry_no_personal_columns(built_db):
    cols = q(built_db, "select table_name, column_name from information_schema.columns where table_schema = 'indicators'")
    banned = ("nik", "no_kk", "nama", "tanggal_lahir", "alamat", "person_id", "household_id")
    assert not [c for c in cols if c[1] in banned]
    tables = {t for t, _ in cols}
    assert tables == {"ind_poverty_by_area", "ind_program_coverage", "ind_program_overlap",
                      "ind_priority_gap", "ind_graduation", "ind_data_quality", "ind_program_budget"}
