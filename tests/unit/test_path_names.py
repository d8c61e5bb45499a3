"""File and folder names are data (#17 item 3): the rule that shows a raw path (orchestration/privacy.py),
stray folders rejected and counted, rows of files rejected whole counted, the public audit over every
table, and gates naming the files they blame. Real files, real DuckDB, real GX; nothing mocked."""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import duckdb
from openpyxl import Workbook

from orchestration.ingest.contracts import default_contracts
from orchestration.ingest.discovery import UNKNOWN, scan
from orchestration.ingest.errors import ExtractError
from orchestration.ingest.loader import load_source, record_unrouted
from orchestration.ingest.row_count import count_rows
from orchestration.privacy import mask_message, show_name, show_path
from orchestration.publish.core import scan_for_personal_data
from orchestration.quality.gates import run_suite

C = default_contracts()
NIK = "1802214507890001"
NAME = "Siti Aminah"


def write(raw: Path, rel: str, data: bytes | str) -> Path:
    p = raw / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return p


def leaks(text: str) -> bool:
    return NIK in text or "Siti" in text or "Aminah" in text or bool(re.search(r"\d{16}", text))


# ------------------------------------------------------------------------------------------- the rule

def test_known_extract_names_are_shown_as_they_are():
    for rel in ["dtks/2024-09/DTKS_1802_2024-09_part1.csv", "p3ke/2024-09/P3KE_1802_2024-09_bagian_2.xlsx",
                "baznas/2024-09/mustahik_baznas_2024-09.csv", "kur/2024-09/debitur_kur_bank_lampung_2024-09.csv",
                "dukcapil_agregat/2024-09/agregat_dukcapil_semester_202409.csv",
                "dtks/2024-09/DTKS_1802_2024-09_kirim_ulang.csv", "blt_dd/2024-09/BLT_DD_1802_2024-09.xlsx"]:
        assert show_path(rel) == rel


def test_names_and_long_numbers_in_paths_are_masked():
    assert show_path(f"pkh/2024-09/pkh_siti_aminah_{NIK}.xlsx") == "pkh/2024-09/pkh_s***_a*****_1802**********01.xlsx"
    assert show_path(f"{NIK}/2024-09/x.csv") == "1802**********01/2024-09/x.csv"
    assert show_path(f"{NAME}/2024-01/daftar.csv") == "S*** A*****/2024-01/daftar.csv"
    assert show_path(f"dtks/{NAME}/DTKS.csv") == "dtks/S*** A*****/DTKS.csv"   # a period folder that is none
    assert show_path("dtks/2024-09/20240901.csv") == "dtks/2024-09/20240901.csv"  # a date: 8 digits shown
    assert show_name("Budi.xlsx") == "B***.xlsx"
    # a file per kecamatan keeps the kecamatan (a place of the served kabupaten), not the person beside it
    assert show_path("bpnt/2024-09/bpnt_padang_ratu.xlsx") == "bpnt/2024-09/bpnt_padang_ratu.xlsx"
    assert show_path("blt_dd/2024-09/Kec_Gunung_Sugih_siti.xlsx") == "blt_dd/2024-09/Kec_Gunung_Sugih_s***.xlsx"
    # the source folder is kept only where it is a source folder
    assert show_path("rekap/dtks.csv") == "rekap/dtks.csv" and show_path("budi/dtks/x.csv") == "b***/dtks/x.csv"


def test_a_readers_own_error_text_is_masked_too():
    rel = "pkh/2024-09/siti_aminah.xlsx"
    text = mask_message(f"Zip error reading /srv/raw/{rel} (siti_aminah.xlsx), NIK {NIK}", [rel])
    assert not leaks(text) and "pkh/2024-09/s***_a*****.xlsx" in text


def test_extract_errors_mask_the_file_part():
    exc = ExtractError(f"pkh/2024-09/{NAME} {NIK}.xlsx", f"cannot open {NAME} {NIK}.xlsx", sheet=f"KPM {NIK}")
    assert not leaks(exc.message) and not leaks(str(exc)), exc.message
    assert exc.file == f"pkh/2024-09/{NAME} {NIK}.xlsx"  # the manifest keeps the path as delivered


# ---------------------------------------------------------------------------- stray folders and files

def load_all(raw: Path, db: Path):
    files, problems = scan(raw, C)
    con = duckdb.connect(str(db))
    for s in sorted(C):
        load_source(con, C[s], [f for f in files if f.source == s], problems)
    record_unrouted(con, problems, set(C))
    return con


def test_stray_folders_are_rejected_named_masked_and_counted(tmp_path):
    raw = tmp_path / "raw"
    write(raw, "dtks/2024-09/DTKS.csv", "NIK,NAMA,NOKK,KODE_WILAYAH\n1802214507890002,Budi,1802210101100003,1802212005\n")
    write(raw, f"{NIK}/2024-09/a.csv", "A,B\n1,2\n3,4\n")
    write(raw, f"{NAME}/2024-09/b.csv", "A\n1\n")
    write(raw, "=1+1/2024-09/c.csv", "A\n1\n")
    write(raw, f"dtks/{NIK}/d.csv", "A\n1\n2\n3\n")
    con = load_all(raw, tmp_path / "b.duckdb")
    rows = con.execute("select source_file, source, period, status, rows_unread, message from raw.file_manifest "
                       "where status <> 'loaded' order by 1").fetchall()
    assert len(rows) == 4
    by_file = {r[0]: r[1:] for r in rows}
    assert by_file[f"{NIK}/2024-09/a.csv"][:4] == (UNKNOWN, "2024-09", "error", 2)
    assert by_file[f"{NAME}/2024-09/b.csv"][:4] == (UNKNOWN, "2024-09", "error", 1)
    assert by_file["=1+1/2024-09/c.csv"][:4] == (UNKNOWN, "2024-09", "error", 1)
    assert by_file[f"dtks/{NIK}/d.csv"][:4] == ("dtks", UNKNOWN, "error", 3)
    for source_file, source, period, _, _, message in rows:
        # the folder names never reach the columns public tables read, nor the message
        assert not leaks(source) and not leaks(period) and not leaks(message) and "=1+1" not in source
        assert "rejected" in message
    assert "unknown source folder 'S*** A*****'" in by_file[f"{NAME}/2024-09/b.csv"][4]
    assert "malformed period folder '1802**********01'" in by_file[f"dtks/{NIK}/d.csv"][4]


# ---------------------------------------------------------------------------- files rejected whole

def _xlsx(path: Path, rows: int) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["NIK", "NAMA", "NOKK", "KODE_WILAYAH"])
    for i in range(rows):
        ws.append([f"18022145078900{i:02d}", f"Nama {i}", "1802210101100003", "1802212005"])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _break_sheet_xml(path: Path) -> None:
    """The worksheet XML cut short (a damaged download): the zip stays valid, the XML does not."""
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    members[sheet] = members[sheet][: members[sheet].rindex(b"</sheetData>")] + b"<row r=\"99\"><c r=\"A99\""
    with zipfile.ZipFile(path, "w") as zf:
        for n, data in members.items():
            zf.writestr(n, data)


def test_rows_of_files_rejected_whole_are_counted(tmp_path):
    raw = tmp_path / "raw"
    # a password-protected workbook is an encrypted OLE container, not a zip: rows unknown
    write(raw, "p3ke/2024-09/P3KE_terkunci.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000)
    _break_sheet_xml(_xlsx(raw / "pkh/2024-09/PKH_rusak.xlsx", 6))
    big = "x" * 10_500_000  # one cell above the CSV reader's field limit
    write(raw, "kur/2024-09/KUR.csv", f"NIK_DEBITUR,NAMA_DEBITUR\n1802214507890002,Budi\n1802214507890003,\"{big}\"\n"
                                      "1802214507890004,Ani\n")
    con = load_all(raw, tmp_path / "b.duckdb")
    got = {r[0]: r[1:] for r in con.execute(
        "select source_file, status, rows_received, rows_loaded, rows_rejected, rows_unread from raw.file_manifest").fetchall()}
    assert got["p3ke/2024-09/P3KE_terkunci.xlsx"] == ("error", 0, 0, 0, None)  # the file counts, rows unknown
    assert got["pkh/2024-09/PKH_rusak.xlsx"] == ("error", 0, 0, 0, 7)          # 6 data rows + the cut one
    assert got["kur/2024-09/KUR.csv"] == ("error", 0, 0, 0, 3)
    assert count_rows(raw / "p3ke/2024-09/P3KE_terkunci.xlsx") is None


# ------------------------------------------------------------------------------------ the public audit

def test_the_public_audit_has_no_exemption_for_the_publication_table():
    con = duckdb.connect()
    con.execute("create table publication (run_id varchar, kind varchar, name varchar, sha256 varchar)")
    con.execute("insert into publication values ('r1', 'extract_file', ?, ?)", [f"pkh/2024-09/{NIK}.xlsx", "a" * 64])
    con.execute("insert into publication values ('r1', 'extract_file', ?, ?)", [NAME, "a" * 64])
    problems = scan_for_personal_data(con, [NAME])
    assert any("publication.name" in p and "16-digit" in p for p in problems), problems
    assert any("publication.name" in p and "person's name" in p for p in problems), problems
    # a SHA-256 digest holding 16 decimal digits in a row by chance is a digest, not a NIK
    clean = duckdb.connect()
    clean.execute("create table publication (run_id varchar, kind varchar, name varchar, sha256 varchar)")
    clean.execute("insert into publication values ('r1', 'extract_file', ?, ?)",
                  [show_path(f"pkh/2024-09/{NAME} {NIK}.xlsx"), "ab" + "1234567890123456" + "c" * 46])
    assert scan_for_personal_data(clean, [NAME]) == []


# -------------------------------------------------------------------------- gates name their files

def test_a_failed_gate_names_the_files_it_blames_masked(tmp_path):
    con = duckdb.connect(str(tmp_path / "b.duckdb"))
    con.execute("create schema staging")
    con.execute("create table staging.stg_demo (nama varchar, period varchar, source_file varchar, "
                "source_sheet varchar, source_row integer)")
    bad_file = f"pkh/2024-09/{NAME}_{NIK}.xlsx"
    rows = [(f"N{i}", "2024-09", "pkh/2024-09/PKH_1802_2024-09.xlsx", "Sheet1", i + 2) for i in range(8)]
    rows += [(None, "2024-09", bad_file, "Sheet1", i + 2) for i in range(3)]
    rows += [(None, "2024-03", "pkh/2024-03/old.xlsx", "Sheet1", 2)]  # not the current period: not blamed
    con.executemany("insert into staging.stg_demo values (?,?,?,?,?)", rows)
    suites = tmp_path / "expectations"
    suites.mkdir()
    (suites / "stg_demo.json").write_text(json.dumps({"name": "stg_demo", "meta": {"source": "demo"}, "expectations": [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "nama", "mostly": 0.9},
         "meta": {"frame": "current_rows", "check": "required_not_null"}}]}))
    result = run_suite(con, "stg_demo", suites)
    assert not result.passed
    summary = result.summary()
    shown = show_path(bad_file)
    assert f"in files {shown} (3 rows)" in summary, summary
    assert "PKH_1802_2024-09" not in summary and "old.xlsx" not in summary
    assert not leaks(summary) and not leaks(json.dumps(result.failures, default=str))


def test_a_library_raising_the_csv_field_limit_does_not_change_what_is_refused(tmp_path):
    """The csv module's field limit is one global of the process (Frictionless raises it on import): the ingest
    sets its own before every read, so a file glued into one huge cell is still refused whatever ran before."""
    import csv

    before = csv.field_size_limit(2**31 - 1)
    raw = tmp_path / "raw"
    big = "x" * 10_500_000
    write(raw, "kur/2024-09/KUR.csv", f"NIK_DEBITUR,NAMA_DEBITUR\n1802214507890002,Budi\n1802214507890003,\"{big}\"\n")
    try:
        con = load_all(raw, tmp_path / "b.duckdb")
    finally:
        csv.field_size_limit(before)
    status, = con.execute("select status from raw.file_manifest where source_file = 'kur/2024-09/KUR.csv'").fetchone()
    assert status == "error"
