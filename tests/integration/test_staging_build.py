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
             ada_pkh="Ya", ada_bpnt="0", ada_pbi="Y"),
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
             nomor="1", desa="Bandarjaya Barat", nama="Wagiyem", nik="", nominal="Rp 300.000"),
        dict(source_file="blt_dd/2024-09/blt_dd.xlsx", source_sheet="Terbanggi Besar", source_row=5, period="2024-09",
             nomor="2", desa="Kp. Poncowati", nama="Sarinah", nik="-", nominal="300000"),
        dict(source_file="blt_dd/2024-09/blt_dd.xlsx", source_sheet="Sheet3", source_row=4, period="2024-09",
             nomor="1", desa="Entah", nama="Tukiyem", nik="", nominal="300000"),
    ],
    "pbi_jk": [
        dict(source_file="pbi_jk/2024-09/pbi.csv", source_row=2, period="2024-09", noka="0001234567890",
             nik=NIK_M, nama="MUHAMMAD YUSUF", tanggal_lahir="12/03/1985", jenis_kelamin="L",
             kecamatan="Kec. Anak Tuha", desa="Bumi Aji", segmen="PBI APBN", status_peserta="NON AKTIF"),
        dict(source_file="pbi_jk/2024-09/pbi.csv", source_row=3, period="2024-09", noka="0001234567891",
             nik=NIK_W, nama="SITI AMINAH", tanggal_lahir="05/07/1989", jenis_kelamin="L",
             kecamatan="ANAK TUHA", desa="BUMI AJI", segmen="PBI APBN", status_peserta="AKTIF"),
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


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("staging")
    db = tmp / "build.duckdb"
    con = duckdb.connect(str(db))
    create_raw(con, SAMPLE, REJECTED)
    con.close()
    res = run_dbt(db, "build", *STAGING_SELECT, target_dir=tmp / "target")
    if res.returncode != 0:
        pytest.fail("dbt build failed:\n" + res.stdout[-6000:] + res.stderr[-2000:])
    con = duckdb.connect(str(db), read_only=True)
    yield con, res
    con.close()


def q(con, sql, *params):
    return con.execute(sql, list(params)).fetchall()
