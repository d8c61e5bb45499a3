"""Real dbt build of the staging + intermediate layers on hand-made raw tables in a temp DuckDB.

The raw tables follow docs/architecture.md (every contract column VARCHAR + lineage, raw.file_manifest,
raw.rejected_rows), built from orchestration/contracts/*.yml, so the test exercises exactly what the
ingest hands over. One dbt build per module (module-scoped fixture).
"""
from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DBT_DIR = ROOT / "dbt_project"
CONTRACTS_DIR = ROOT / "orchestration" / "contracts"
LINEAGE = [("source_file", "varchar"), ("source_sheet", "varchar"), ("source_row", "integer"), ("period", "varchar"),
           ("file_sha256", "varchar"), ("extra_columns", "varchar"), ("loaded_at", "timestamp")]

pytestmark = pytest.mark.slow


class _StrBoolLoader(yaml.SafeLoader):
    """YAML 1.1 reads NO / no as booleans; contract column names and aliases are text."""


_StrBoolLoader.add_constructor("tag:yaml.org,2002:bool", lambda loader, node: loader.construct_scalar(node))


def contract_columns(source: str) -> list[str]:
    c = yaml.load((CONTRACTS_DIR / f"{source}.yml").read_text(), Loader=_StrBoolLoader)
    return [str(k).lower() for k in c["columns"]]


def create_raw(con: duckdb.DuckDBPyConnection, tables: dict[str, list[dict]], rejected: list[dict] = (),
               extra_manifest: list[dict] = ()) -> None:
    """tables: source -> rows (canonical column -> text, plus source_file/source_sheet/source_row/period)."""
    con.execute("create schema if not exists raw")
    counts: dict[tuple, int] = defaultdict(int)
    rejected_counts: dict[tuple, int] = defaultdict(int)
    for r in rejected:
        rejected_counts[(r["source"], r["period"], r["source_file"])] += 1
    sources = [p.stem for p in sorted(CONTRACTS_DIR.glob("*.yml"))]
    for source in sources:
        cols = contract_columns(source)
        ddl = [f'"{c}" varchar' for c in cols] + [f"{n} {t}" for n, t in LINEAGE]
        con.execute(f"create or replace table raw.{source} ({', '.join(ddl)})")
        for row in tables.get(source, []):
            unknown = set(row) - set(cols) - {n for n, _ in LINEAGE}
            assert not unknown, f"{source}: not contract columns {unknown}"
            names = cols + ["source_file", "source_sheet", "source_row", "period", "file_sha256", "loaded_at"]
            values = [row.get(c) for c in cols] + [row["source_file"], row.get("source_sheet"), row["source_row"],
                                                   row["period"], "sha-" + row["source_file"], "2024-10-01 00:00:00"]
            con.execute(f"insert into raw.{source} ({', '.join(chr(34) + n + chr(34) for n in names)}) "
                        f"values ({', '.join('?' for _ in names)})", values)
            counts[(source, row["period"], row["source_file"])] += 1
    con.execute("""create or replace table raw.file_manifest (
        source varchar, period varchar, source_file varchar, source_sheet_count integer, file_sha256 varchar,
        file_bytes bigint, status varchar, duplicate_of varchar, rows_received bigint, rows_loaded bigint,
        rows_rejected bigint, header_row varchar, columns_mapped varchar, message varchar,
        contract_digest varchar, loaded_at timestamp)""")
    con.execute("""create or replace table raw.rejected_rows (source varchar, period varchar, source_file varchar,
        source_sheet varchar, source_row integer, file_sha256 varchar, rule varchar, detail varchar)""")
    for key in sorted(set(counts) | set(rejected_counts)):
        source, period, f = key
        loaded, rej = counts.get(key, 0), rejected_counts.get(key, 0)
        con.execute("insert into raw.file_manifest (source, period, source_file, status, rows_received, rows_loaded,"
                    " rows_rejected, file_sha256) values (?, ?, ?, 'loaded', ?, ?, ?, ?)",
                    [source, period, f, loaded + rej, loaded, rej, "sha-" + f])
    for m in extra_manifest:
        con.execute(f"insert into raw.file_manifest ({', '.join(m)}) values ({', '.join('?' for _ in m)})", list(m.values()))
    for r in rejected:
        con.execute("insert into raw.rejected_rows (source, period, source_file, source_sheet, source_row, rule, detail)"
                    " values (?, ?, ?, ?, ?, ?, ?)", [r["source"], r["period"], r["source_file"], r.get("source_sheet"),
                                                      r["source_row"], r["rule"], r["detail"]])


def dbt_env(db_path: Path) -> dict:
    env = dict(os.environ)
    env.update(DBT_SEND_ANONYMOUS_USAGE_STATS="false", DO_NOT_TRACK="1", SIKKEP_BUILD_DB=str(db_path),
               SIKKEP_KABUPATEN="18.02")
    return env


def run_dbt(db_path: Path, *args: str, target_dir: Path | None = None) -> subprocess.CompletedProcess:
    dbt = Path(sys.executable).parent / "dbt"
    cmd = [str(dbt), *args, "--profiles-dir", str(DBT_DIR)]
    if target_dir is not None:
        cmd += ["--target-path", str(target_dir)]
    return subprocess.run(cmd, cwd=DBT_DIR, env=dbt_env(db_path), capture_output=True, text=True, timeout=900)


STAGING_SELECT = ["--select", "path:seeds", "path:models/staging", "path:models/intermediate"]


def dtks(row: int, period: str = "2024-09", f: str = "dtks/2024-09/dtks.csv", **values) -> dict:
    return dict(source_file=f, source_row=row, period=period, **values)


# NIK 18.02.21 + 45.07.89 (woman born 5 July 1989) + 0001
NIK_W = "1802214507890001"
NIK_M = "1802211203850002"   # man born 12 March 1985
KK = "1802210101100003"      # KK issued in 18.02.21 on 01-01-2010

SAMPLE = {
    "dtks": [
        dtks(2, idbdt="BDT1", idartbdt="ART1", kode_wilayah="1802212005", nama="Hj. Siti Aminah, S.Pd", jenis_kelamin="2",
             tanggal_lahir="05/07/1989", nik=NIK_W, no_kk=KK, hubungan="1", status_keberadaan="1", desil="1",
             ada_pkh="Ya", ada_bpnt="0", ada_pbi="Y", alamat="Dsn. IV, Gg. Melati RT.003/RW.02"),
        dtks(3, idbdt="BDT1", idartbdt="ART2", kode_wilayah="18.02.21.2005", nama="M. Yusuf bin Ahmad", jenis_kelamin="1",
             tanggal_lahir="1985-03-12", nik="'" + NIK_M, no_kk=KK, hubungan="2", status_keberadaan="1", desil="Desil 1"),
        dtks(4, idbdt="BDT1", idartbdt="ART3", kode_wilayah="1802212005", nama="Budi", jenis_kelamin="1",
             tanggal_lahir="12 Agustus 1975", nik="1.80221E+15", no_kk=KK, hubungan="3", status_keberadaan="3", desil="1"),
        dtks(5, idbdt="BDT2", idartbdt="ART4", kode_wilayah="1802212005", nama="", jenis_kelamin="1",
             tanggal_lahir="", nik="12345", no_kk="", hubungan="8", status_keberadaan="4", desil=""),
        dtks(6, idbdt="BDT3", idartbdt="ART5", kode_wilayah="1804012001", nama="Ahmad Dahlan", jenis_kelamin="1",
             tanggal_lahir="31/02/1980", nik="", no_kk="", hubungan="1", status_keberadaan="2", desil="2"),
        dtks(2, period="2024-03", f="dtks/2024-03/dtks.csv", idbdt="BDT1", idartbdt="ART1", kode_wilayah="1802212005",
             nama="SITI AMINAH", jenis_kelamin="2", tanggal_lahir="32874", nik=NIK_W, no_kk=KK, hubungan="1",
             status_keberadaan="1", desil="1"),
    ],
    "p3ke": [
        dict(source_file="p3ke/2024-09/p3ke_anak_tuha.xlsx", source_sheet="Kec. Anak Tuha", source_row=5, period="2024-09",
             id_keluarga="P3KE-001", id_individu="I-1", kode_wilayah=None, kecamatan=None, desa="Bumiaji",
             desil="Desil 1", nama="Siti Aminah", nik=NIK_W, no_kk=KK, jenis_kelamin="Perempuan",
             hubungan="Kepala Keluarga", tanggal_lahir="1989-07-05", padan_dukcapil="Ya", penerima_pkh="Tidak"),
        dict(source_file="p3ke/2024-09/p3ke_anak_tuha.xlsx", source_sheet="Kec. Anak Tuha", source_row=6, period="2024-09",
             id_keluarga="P3KE-001", id_individu="I-2", kode_wilayah=None, kecamatan=None, desa="Negara Bumi",
             desil="DESIL 1", nama="Moh. Yusuf", nik="1802211203850000", no_kk=KK, jenis_kelamin="Laki-laki",
             hubungan="Suami", tanggal_lahir="12-03-1985"),
        dict(source_file="p3ke/2024-09/p3ke_gunung_sugih.xlsx", source_sheet="Sheet1", source_row=7, period="2024-09",
             id_keluarga="P3KE-002", id_individu="I-3", kode_wilayah=None, kecamatan=None, desa="Gunung Sugih",
             desil="2", nama="Drs. H. Bambang Sutrisno", nik="1802041506700003", no_kk=None, jenis_kelamin="L",
             hubungan="Kepala Keluarga", tanggal_lahir="15 Jun 1970"),
        dict(source_file="p3ke/2024-09/p3ke_gunung_sugih.xlsx", source_sheet="Sheet1", source_row=8, period="2024-09",
             id_keluarga="P3KE-002", id_individu="I-4", kode_wilayah="1802042099", kecamatan="Gn. Sugih",
             desa="Kampung Tak Dikenal", desil="2", nama="Sri Wahyuni", nik="1802045506720004", no_kk=None,
             jenis_kelamin="Perempuan", hubungan="Istri", tanggal_lahir="15 Juni 1972"),
    ],
    "blt_dd": [
        dict(source_file="blt_dd/2024-09/blt_dd.xlsx", source_sheet="Terbanggi Besar", source_row=4, period="2024-09",
             nomor="1", desa="Bandarjaya Barat", nama="Wagiyem", nik="", nominal="Rp 300.000",
             alamat="Dusun 04 RT 3"),
        dict(source_file="blt_dd/2024-09/blt_dd.xlsx", source_sheet="Terbanggi Besar", source_row=5, period="2024-09",
             nomor="2", desa="Kp. Poncowati", nama="Sarinah", nik="-", nominal="300000",
             alamat="Jln. Merdeka No. 12"),
        dict(source_file="blt_dd/2024-09/blt_dd.xlsx", source_sheet="Sheet3", source_row=4, period="2024-09",
             nomor="1", desa="Entah", nama="Tukiyem", nik="", nominal="300000", alamat="DUSUN EMPAT 003/002"),
    ],
    "pbi_jk": [
        dict(source_file="pbi_jk/2024-09/pbi.csv", source_row=2, period="2024-09", noka="0001234567890",
             nik=NIK_M, nama="MUHAMMAD YUSUF", tanggal_lahir="12/03/1985", jenis_kelamin="L",
             kecamatan="Kec. Anak Tuha", desa="Bumi Aji", segmen="PBI APBN", status_peserta="NON AKTIF"),
        dict(source_file="pbi_jk/2024-09/pbi.csv", source_row=3, period="2024-09", noka="0001234567891",
             nik=NIK_W, nama="SITI AMINAH", tanggal_lahir="05/07/1989", jenis_kelamin="L",
             kecamatan="ANAK TUHA", desa="BUMI AJI", segmen="PBI APBN", status_peserta="AKTIF"),
        # 'Sp.' abbreviates Seputih in Lampung Tengah; no NIK, so the place alone keeps the row
        dict(source_file="pbi_jk/2024-09/pbi.csv", source_row=4, period="2024-09", noka="0001234567892",
             nik="", nama="SUMIATI", tanggal_lahir="01/01/1970", jenis_kelamin="P",
             kecamatan="Sp. Raman", segmen="PBI APBD", status_peserta="AKTIF"),
        dict(source_file="pbi_jk/2024-09/pbi.csv", source_row=5, period="2024-09", noka="0001234567893",
             nik="", nama="TUKIMAN", tanggal_lahir="02/02/1971", jenis_kelamin="L",
             kecamatan="Seputihbanyak", segmen="PBI APBD", status_peserta="AKTIF"),
    ],
    "dukcapil_agregat": [
        dict(source_file="dukcapil_agregat/2024-06/agregat.csv", source_row=2, period="2024-06",
             kode_wilayah="18.02.21.2005", nama_wilayah="BUMI AJI", jumlah_penduduk="2.345", jumlah_kk="701",
             laki_laki="1200", perempuan="1145"),
        dict(source_file="dukcapil_agregat/2024-06/agregat.csv", source_row=3, period="2024-06",
             kode_wilayah="1804012001", nama_wilayah="LUAR", jumlah_penduduk="100", jumlah_kk="30"),
        dict(source_file="dukcapil_agregat/2024-06/agregat.csv", source_row=4, period="2024-06",
             kode_wilayah="1802212001", nama_wilayah="SRIKATON", jumlah_penduduk="banyak", jumlah_kk="30"),
    ],
}
REJECTED = [dict(source="dtks", period="2024-09", source_file="dtks/2024-09/dtks.csv", source_row=7,
                 rule="ragged_row", detail="row has 30 fields, header 20 (NIK 1802214507890001)")]


def sample_raw(db: Path) -> Path:
    """A build database holding the raw tables of SAMPLE and REJECTED (nothing staged yet)."""
    con = duckdb.connect(str(db))
    create_raw(con, SAMPLE, REJECTED)
    con.close()
    return db


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("staging")
    db = sample_raw(tmp / "build.duckdb")
    res = run_dbt(db, "build", *STAGING_SELECT, target_dir=tmp / "target")
    if res.returncode != 0:
        pytest.fail("dbt build failed:\n" + res.stdout[-6000:] + res.stderr[-2000:])
    con = duckdb.connect(str(db), read_only=True)
    yield con, res
    con.close()


def q(con, sql, *params):
    return con.execute(sql, list(params)).fetchall()


# --- gate scenarios: kur good (stable over two periods), pkh bad (40% invalid NIK), bpnt collapsing ---------
def _nik(i: int, woman: bool = False) -> str:
    day = 1 + i % 28
    return f"180221{day + (40 if woman else 0):02d}{1 + i % 12:02d}{80 + i % 15:02d}{1 + i:04d}"


def _program_rows(source: str, period: str, n: int, bad_share: float = 0.0, **extra) -> list[dict]:
    rows = []
    n_bad = int(round(n * bad_share))
    for i in range(n):
        nik = _nik(i) if i >= n_bad else f"12345{i:04d}"
        rows.append(dict(source_file=f"{source}/{period}/{source}.xlsx", source_sheet="Sheet1", source_row=i + 2,
                         period=period, nik=nik, nama=f"Penerima {chr(65 + i % 26)}{chr(65 + i // 26 % 26)}",
                         kecamatan="Anak Tuha", desa="Bumi Aji", **extra))
    return rows


SAMPLE["kur"] = _program_rows("kur", "2024-03", 20) + _program_rows("kur", "2024-09", 22)
SAMPLE["pkh"] = _program_rows("pkh", "2024-09", 20, bad_share=0.4)
SAMPLE["bpnt"] = _program_rows("bpnt", "2024-03", 20) + _program_rows("bpnt", "2024-09", 6)


# --- staging / intermediate ---------------------------------------------------------------------------
def test_every_raw_row_is_staged_or_quarantined_exactly_once(built):
    con, _ = built
    raw = q(con, "select count(*) from raw.dtks")[0][0] + q(con, "select count(*) from raw.p3ke")[0][0]
    rec = q(con, "select count(*) from intermediate.int_person_records where source in ('dtks', 'p3ke')")[0][0]
    qua = q(con, "select count(*) from intermediate.quarantine where source in ('dtks', 'p3ke') and rule not like 'ingest:%'")[0][0]
    assert rec + qua == raw
    both = q(con, """select count(*) from intermediate.int_person_records r join intermediate.quarantine qq
                     on qq.source = r.source and qq.source_file = r.source_file and qq.source_row = r.source_row
                     and coalesce(qq.source_sheet, '') = coalesce(r.source_sheet, '')""")[0][0]
    assert both == 0
    assert q(con, "select bool_and(balanced), count(*) from intermediate.int_row_accounting")[0] == (True, 12)


def test_int_person_records_has_the_interface_columns(built):
    con, _ = built
    cols = [r[0] for r in q(con, "select column_name from information_schema.columns where table_schema = 'intermediate'"
                                 " and table_name = 'int_person_records' order by ordinal_position")]
    assert cols == ["record_id", "source", "period", "is_current", "source_file", "source_sheet", "source_row", "kind",
                    "unit", "program", "nik", "nik_valid", "nik_suspect", "no_kk", "no_kk_valid", "nama", "name_key",
                    "tanggal_lahir", "jenis_kelamin", "kode_desa", "kode_kecamatan", "place_resolved_by", "family_ref",
                    "household_ref", "person_ref", "hubungan", "status_keberadaan", "address_key", "address_rt",
                    "desil", "recipient", "flags"]
    # the source's own person id, namespaced by the source
    assert q(con, "select person_ref from intermediate.int_person_records where source = 'dtks' and source_row = 2"
                  " and period = '2024-09'") == [("dtks:ART1",)]


def test_cleaning_and_place_resolution(built):
    con, _ = built
    rec = {(r[0], r[1], r[2]): r[3:] for r in q(con, """
        select source, period, source_row, nik, nik_valid, nik_suspect, name_key, tanggal_lahir::varchar, jenis_kelamin,
               kode_desa, kode_kecamatan, place_resolved_by, family_ref, hubungan, status_keberadaan, desil, recipient,
               flags, is_current
        from intermediate.int_person_records
        where coalesce(source_sheet, '') <> 'Sheet3'  -- the place-less BLT-DD sheet, checked below""")}
    # DTKS: apostrophe NIK repaired; names normalised; code with and without dots
    assert rec[("dtks", "2024-09", 3)][:6] == (NIK_M, True, False, "MUHAMMAD YUSUF", "1985-03-12", "L")
    assert rec[("dtks", "2024-09", 2)][3] == "SITI AMINAH"
    assert rec[("dtks", "2024-09", 2)][6:9] == ("18.02.21.2005", "18.02.21", "code")
    # scientific NIK: not recoverable, NULL + suspect, row kept (good name and place)
    r = rec[("dtks", "2024-09", 4)]
    assert r[0] is None and r[1] is False and r[2] is True and "nik_suspect:scientific_lossy" in r[14]
    assert r[4] == "1975-08-12" and r[11] == "meninggal"
    # Excel serial birth date in the older period; is_current false there
    assert rec[("dtks", "2024-03", 2)][4] == "1990-01-01" and rec[("dtks", "2024-03", 2)][15] is False
    # P3KE: kecamatan from the sheet name, village by normalised name ('Bumiaji' = 'Bumi Aji')
    assert rec[("p3ke", "2024-09", 5)][6:9] == ("18.02.21.2005", "18.02.21", "sheet")
    assert rec[("p3ke", "2024-09", 5)][9] == "p3ke:P3KE-001"
    # ambiguous village: kecamatan kept, village NULL, flagged
    r = rec[("p3ke", "2024-09", 6)]
    assert r[6] is None and r[7] == "18.02.21" and "desa_ambiguous" in r[14]
    # kecamatan from the file name ('p3ke_gunung_sugih.xlsx'), village exact
    assert rec[("p3ke", "2024-09", 7)][6:9] == ("18.02.04.1005", "18.02.04", "file")
    assert rec[("p3ke", "2024-09", 7)][3] == "BAMBANG SUTRISNO"
    # unknown village code inside the kabupaten: kecamatan from the code, flagged
    r = rec[("p3ke", "2024-09", 8)]
    assert r[6] is None and r[7] == "18.02.04" and "kode_desa_unknown" in r[14]
    # BLT-DD: kecamatan = sheet, 'Bandarjaya Barat' = 'Bandar Jaya Barat', 'Kp. Poncowati'
    assert rec[("blt_dd", "2024-09", 4)][6:8] == ("18.02.07.1003", "18.02.07")
    assert rec[("blt_dd", "2024-09", 5)][6:8] == ("18.02.07.2010", "18.02.07")
    # PBI-JK NONAKTIF is not a recipient; 'Kec. Anak Tuha' resolves by name; sex mismatch invalidates the NIK
    assert rec[("pbi_jk", "2024-09", 2)][13] is False and rec[("pbi_jk", "2024-09", 2)][8] == "name"
    assert rec[("pbi_jk", "2024-09", 3)][1] is False and "nik_invalid:sex_mismatch" in rec[("pbi_jk", "2024-09", 3)][14]
    assert rec[("pbi_jk", "2024-09", 4)][7:9] == ("18.02.08", "name")
    assert rec[("pbi_jk", "2024-09", 5)][7:9] == ("18.02.10", "name")
    # addresses in one comparable form: RT/RW out (RT kept apart), Dsn./Jln. unified, roman numerals and
    # leading zeros as numbers, No. dropped
    addr = {(r[0], r[1]): (r[2], r[3]) for r in q(con, """
        select source, source_row, address_key, address_rt from intermediate.int_person_records
        where period = '2024-09' and source in ('dtks', 'blt_dd') and coalesce(source_sheet, '') <> 'Sheet3'""")}
    assert addr[("dtks", 2)] == ("DUSUN 4 GG MELATI", 3)
    assert addr[("blt_dd", 4)] == ("DUSUN 4", 3)
    assert addr[("blt_dd", 5)] == ("JL MERDEKA 12", None)
    assert addr[("dtks", 3)] == (None, None)
    # number words and a bare RT/RW pair: 'DUSUN EMPAT 003/002' is Dusun 4, RT 3
    assert q(con, "select address_key, address_rt from intermediate.int_person_records "
                  "where source = 'blt_dd' and source_sheet = 'Sheet3' and source_row = 4") == [("DUSUN 4", 3)]


def test_quarantine_rules_and_masking(built):
    con, _ = built
    rows = {(r[0], r[1]): (r[2], r[3]) for r in q(con, "select source, source_row, rule, detail from intermediate.quarantine")}
    assert rows[("dtks", 5)][0] == "no_identity"
    # a place that resolves to nothing is decided after linkage: staged here, with the problem flagged
    for source, sheet, row in (("dtks", "", 6), ("blt_dd", "Sheet3", 4)):
        flags = q(con, "select flags from intermediate.int_person_records where source = ? and source_row = ?"
                       " and coalesce(source_sheet, '') = ?", source, row, sheet)
        assert flags and "place_unresolved" in flags[0][0], (source, row, flags)
        assert not q(con, "select rule from intermediate.quarantine where source = ? and source_row = ?"
                          " and coalesce(source_sheet, '') = ?", source, row, sheet)
    assert rows[("dtks", 7)] == ("ingest:ragged_row", "row has 30 fields, header 20 (NIK 1802**********01)")
    assert rows[("dukcapil_agregat", 3)][0] == "place_unresolved"
    assert rows[("dukcapil_agregat", 4)][0] == "unparseable_mandatory"
    assert not q(con, "select detail from intermediate.quarantine where regexp_matches(detail, '[0-9]{12,}')")
    assert q(con, "select jumlah_penduduk from intermediate.int_dukcapil_agregat")[0][0] == 2345


# --- gates (GX on the staged tables of the same build) ------------------------------------------------
def test_gate_passes_on_a_good_extract(built):
    from orchestration.quality import run_suite
    con, _ = built
    gate = run_suite(con, "stg_kur")
    assert gate.passed, gate.summary()


def test_gate_fails_on_40pct_invalid_nik_with_masked_examples(built):
    from orchestration.quality import run_suite
    con, _ = built
    gate = run_suite(con, "stg_pkh")
    assert not gate.passed
    bad = [r for r in gate.failures if r["check"] == "invalid_nik_share"]
    assert bad and abs(bad[0]["observed"]["unexpected_share"] - 0.4) < 1e-6
    assert bad[0]["examples"] and all("source_row" in e for e in bad[0]["examples"])
    import re
    assert not re.search(r"\d{12,}", str(gate.as_metadata()))


def test_gate_fails_when_row_count_collapses(built):
    from orchestration.quality import run_suite
    con, _ = built
    gate = run_suite(con, "stg_bpnt")
    assert [r["check"] for r in gate.failures] == ["row_count_not_collapsed"]
    # the one period-pair row of the collapsing list is the unexpected one
    assert gate.failures[0]["observed"] == {"unexpected_share": 1.0, "unexpected_count": 1, "element_count": 1}


def test_build_time_reported(built):
    _, res = built
    assert "Completed successfully" in res.stdout
