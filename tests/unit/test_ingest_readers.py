"""Each extract quirk of extract-formats.md through the real readers and loader (real DuckDB)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from openpyxl import Workbook

from orchestration.ingest.contracts import default_contracts, header_key
from orchestration.ingest.discovery import scan
from orchestration.ingest.errors import ExtractError
from orchestration.ingest.loader import load_source, record_unrouted

C = default_contracts()


def write(raw: Path, rel: str, data: bytes | str, encoding="utf-8") -> Path:
    p = raw / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return p


def load(raw: Path, db: Path, *sources):
    files, problems = scan(raw, C)
    con = duckdb.connect(str(db))
    results = {}
    for s in sources or sorted(C):
        results[s] = load_source(con, C[s], [f for f in files if f.source == s], problems)
    record_unrouted(con, problems, set(C))
    return con, results


def manifest(con):
    return {r[0]: r[1:] for r in con.execute(
        "select source_file, status, rows_received, rows_loaded, rows_rejected, message from raw.file_manifest").fetchall()}


def test_header_key_folds_case_spacing_punctuation():
    assert {header_key(h) for h in ["No KK", "NO_KK", "NOKK", "no.kk", " No. KK "]} == {"NOKK"}


@pytest.mark.parametrize("delim", [",", ";", "|", "\t"])
def test_csv_delimiters_bom_and_quoted_line_breaks(tmp_path, delim):
    raw = tmp_path / "raw"
    d = delim
    text = (f"\ufeffIDBDT{d}No KK{d}nik{d}Nama{d}KDDESA_KEMENDAGRI{d}ALAMAT{d}CATATAN\r\n"
            f"B1{d}1802210101100001{d}1802214507890001{d}Budi{d}1802212005{d}\"Jl. Merdeka{d} No 5\nRT 02\"{d}x\r\n"
            f"B2{d}1802210101100001{d}'1802214507890002{d}Siti{d}18.02.21.2005{d}Dusun 1{d}\r\n")
    write(raw, "dtks/2024-09/a.csv", text)
    con, res = load(raw, tmp_path / "b.duckdb", "dtks")
    rows = con.execute("select idbdt, no_kk, nik, nama, kode_wilayah, alamat, source_row, extra_columns "
                       "from raw.dtks order by source_row").fetchall()
    assert [r[0] for r in rows] == ["B1", "B2"]
    assert rows[0][5] == f"Jl. Merdeka{d} No 5\nRT 02"
    # record numbers as a spreadsheet shows them: header = 1, a quoted line break is no new row
    assert [r[6] for r in rows] == [2, 3]
    assert rows[1][2] == "'1802214507890002"  # raw keeps what was delivered; staging repairs it
    assert '"CATATAN": "x"' in rows[0][7]
    assert manifest(con)["dtks/2024-09/a.csv"][:4] == ("loaded", 2, 2, 0)


def test_csv_windows_1252(tmp_path):
    raw = tmp_path / "raw"
    write(raw, "baznas/2024-09/z.csv", "NAMA_MUSTAHIK;NIK;KAMPUNG;KECAMATAN\nMa’ruf Amin;;Bandar Jaya Barat;Terbanggi Besar\n",
          encoding="cp1252")
    con, _ = load(raw, tmp_path / "b.duckdb", "baznas")
    assert con.execute("select nama from raw.baznas").fetchone()[0] == "Ma’ruf Amin"
    assert "cp1252" in manifest(con)["baznas/2024-09/z.csv"][4]


def test_xlsx_title_rows_sheets_numbers_dates_and_trailing_rows(tmp_path):
    raw = tmp_path / "raw"
    wb = Workbook()
    ws = wb.active
    ws.title = "Anak Tuha"
    ws["A1"] = "DATA P3KE KABUPATEN LAMPUNG TENGAH"
    ws.merge_cells("A1:F1")
    ws.append([])
    ws.append(["ID_KELUARGA_P3KE", "nik", "NAMA", "Tanggal Lahir", "DESIL_KESEJAHTERAAN", "KOLOM_BARU"])
    ws.append(["K1", 1802214507890000, "Budi", dt.date(1975, 8, 12), "Desil 1", "a"])
    ws.append(["K1", "1.80221E+15", "Sity", 27123, 1, None])
    for _ in range(5):
        ws.append([None] * 6)
    ws2 = wb.create_sheet("Pubian")
    ws2.append(["ID_KELUARGA_P3KE", "NIK", "NAMA"])
    ws2.append(["K2", "1802195507890003", "Hj. Nur Hayati"])
    wb.save(raw / "x.xlsx" if False else _mk(raw / "p3ke/2024-09/p3ke.xlsx"))
    con, _ = load(raw, tmp_path / "b.duckdb", "p3ke")
    rows = con.execute("select source_sheet, source_row, id_keluarga, nik, tanggal_lahir, desil, extra_columns "
                       "from raw.p3ke order by source_sheet, source_row").fetchall()
    assert rows[0] == ("Anak Tuha", 4, "K1", "1802214507890000", "1975-08-12", "Desil 1", '{"KOLOM_BARU": "a"}')
    assert rows[1][:5] == ("Anak Tuha", 5, "K1", "1.80221E+15", "27123")
    assert rows[2][:4] == ("Pubian", 2, "K2", "1802195507890003")
    assert manifest(con)["p3ke/2024-09/p3ke.xlsx"][:4] == ("loaded", 3, 3, 0)


def _mk(p: Path) -> Path:
    p.parent.mkdir(parents=True, exist_ok=True)
    return p


def test_redelivered_identical_file_loads_once_and_corrected_file_replaces(tmp_path):
    raw = tmp_path / "raw"
    body = "NIK,NAMA,KECAMATAN\n1802214507890001,Budi,Anak Tuha\n"
    write(raw, "kur/2024-09/a.csv", "NIK_DEBITUR,NAMA_DEBITUR,KECAMATAN\n1802214507890001,Budi,Anak Tuha\n")
    write(raw, "kur/2024-09/b_copy.csv", "NIK_DEBITUR,NAMA_DEBITUR,KECAMATAN\n1802214507890001,Budi,Anak Tuha\n")
    con, res = load(raw, tmp_path / "b.duckdb", "kur")
    m = manifest(con)
    assert m["kur/2024-09/a.csv"][0] == "loaded" and m["kur/2024-09/b_copy.csv"][0] == "duplicate"
    assert con.execute("select count(*) from raw.kur").fetchone()[0] == 1
    con.close()
    # corrected file with the same name: replaces, never adds
    write(raw, "kur/2024-09/a.csv", "NIK_DEBITUR,NAMA_DEBITUR,KECAMATAN\n1802214507890001,Budi S,Anak Tuha\n"
                                    "1802214507890002,Ani,Anak Tuha\n")
    con, res = load(raw, tmp_path / "b.duckdb", "kur")
    assert sorted(r[0] for r in con.execute("select nama from raw.kur").fetchall()) == ["Ani", "Budi", "Budi S"]
    # b_copy.csv is now the first file with the old content: it loads; a.csv's old rows are gone
    assert con.execute("select count(*) from raw.kur where source_file='kur/2024-09/a.csv'").fetchone()[0] == 2
    con.close()
    # unchanged files are not parsed again
    con, res = load(raw, tmp_path / "b.duckdb", "kur")
    assert res["kur"].files_unchanged == 2 and res["kur"].files_loaded == 0
    assert body  # keeps the original body documented above


BAD_CASES = {
    "truncated_xlsx": ("pkh/2024-09/pkh.xlsx", b"PK\x03\x04 truncated zip", "damaged, truncated or not an XLSX"),
    "open_quote": ("pbi_jk/2024-09/p.csv", 'NIK,NAMA_PESERTA\n1802214507890001,"Budi\n', "malformed CSV"),
    "utf16": ("pbi_jk/2024-09/u.csv", "NIK,NAMA_PESERTA\n1,a\n".encode("utf-16"), "UTF-16 or binary"),
    "empty": ("bpnt/2024-09/e.csv", b"", "empty"),
    "missing_required": ("kur/2024-09/k.csv", "NAMA_DEBITUR,ALAMAT\nBudi,Jl 1\n", "required column(s) missing"),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_input_reported_by_file_and_others_still_load(tmp_path, case):
    raw = tmp_path / "raw"
    rel, data, expect = BAD_CASES[case]
    write(raw, rel, data)
    write(raw, "baznas/2024-09/ok.csv", "NAMA_MUSTAHIK,NIK,KAMPUNG,KECAMATAN\nBudi,,Tanjung Ratu,Anak Tuha\n")
    con, res = load(raw, tmp_path / "b.duckdb")
    m = manifest(con)
    assert m[rel][0] == "error" and expect in m[rel][4] and rel in m[rel][4]
    assert m["baznas/2024-09/ok.csv"][:3] == ("loaded", 1, 1)
    source = rel.split("/")[0]
    assert con.execute(f"select count(*) from raw.{source}").fetchone()[0] == 0  # nothing half-loaded


def test_missing_column_message_names_sheet_row_column(tmp_path):
    raw = tmp_path / "raw"
    wb = Workbook()
    ws = wb.active
    ws.title = "Kalirejo"
    ws.append(["DAFTAR KPM PKH"])
    ws.append(["NAMA_PENGURUS", "ALAMAT", "TAHAP"])
    ws.append(["Budi", "Jl 1", "1"])
    wb.save(_mk(raw / "pkh/2024-09/pkh.xlsx"))
    con, res = load(raw, tmp_path / "b.duckdb", "pkh")
    msg = manifest(con)["pkh/2024-09/pkh.xlsx"][4]
    assert "sheet 'Kalirejo'" in msg and "row 2" in msg and "NIK_PENGURUS" in msg


def test_sheet_without_header_is_rejected_row_by_row_and_counted(tmp_path):
    raw = tmp_path / "raw"
    wb = Workbook()
    ws = wb.active
    ws.title = "Padang Ratu"
    ws.append(["NO", "KAMPUNG", "NAMA_KPM", "NIK"])
    ws.append([1, "Haduyang Ratu", "Budi", None])
    notes = wb.create_sheet("Keterangan")
    notes.append(["Data per 1802214507890001 dikompilasi Dinas PMK"])
    notes.append(["tanpa kolom"])
    wb.save(_mk(raw / "blt_dd/2024-09/blt.xlsx"))
    con, res = load(raw, tmp_path / "b.duckdb", "blt_dd")
    assert manifest(con)["blt_dd/2024-09/blt.xlsx"][:4] == ("loaded", 3, 1, 2)
    rejected = con.execute("select source_sheet, source_row, rule, detail from raw.rejected_rows").fetchall()
    assert [(r[0], r[1], r[2]) for r in rejected] == [("Keterangan", 1, "sheet_without_header"),
                                                     ("Keterangan", 2, "sheet_without_header")]


def test_drop_zone_layout_problems_are_recorded_with_masked_identifiers(tmp_path):
    raw = tmp_path / "raw"
    write(raw, "bansos_lain/2024-09/x.csv", "a\n1\n")
    write(raw, "dtks/Sept 2024/x.csv", "a\n1\n")
    write(raw, "dtks/stray_1802214507890001.csv", "a\n1\n")
    write(raw, "dtks/2024-09/x.pdf", "a\n1\n")
    con, _ = load(raw, tmp_path / "b.duckdb")
    m = manifest(con)
    assert "unknown source folder 'bansos_lain'" in m["bansos_lain/2024-09/x.csv"][4]
    assert "malformed period folder 'Sept 2024'" in m["dtks/Sept 2024/x.csv"][4]
    assert "not in a period folder" in m["dtks/stray_1802214507890001.csv"][4]
    assert "1802214507890001" not in m["dtks/stray_1802214507890001.csv"][4]
    assert "unsupported file type" in m["dtks/2024-09/x.pdf"][4]


def test_error_messages_never_show_a_full_nik(tmp_path):
    raw = tmp_path / "raw"
    # a "header" made of a NIK: the no-header message must not echo it
    write(raw, "kur/2024-09/k.csv", "1802214507890001,Budi\n1802214507890002,Ani\n")
    con, _ = load(raw, tmp_path / "b.duckdb", "kur")
    msgs = " ".join(str(r[0]) for r in con.execute("select message from raw.file_manifest").fetchall())
    assert "1802214507890001" not in msgs and "no header row" in msgs


def test_headers_with_notes_in_brackets_and_nama_lengkap(tmp_path):
    raw = tmp_path / "raw"
    write(raw, "kur/2024-09/k.csv", "NIK Debitur (16 digit);Nama Lengkap;TGL LAHIR (DD-MM-YYYY);Kecamatan\n"
                                    "1802214507890001;Budi;12-08-1975;Anak Tuha\n")
    con, _ = load(raw, tmp_path / "b.duckdb", "kur")
    assert con.execute("select nik, nama, tanggal_lahir, extra_columns from raw.kur").fetchall() == [
        ("1802214507890001", "Budi", "12-08-1975", None)]


def test_csv_without_header_is_in_error_with_its_rows_quarantined(tmp_path):
    raw = tmp_path / "raw"
    write(raw, "baznas/2024-09/m.csv", "1802214507890001,Budi,Bumi Aji\n\n1802214507890002,Ani,Bumi Aji\n")
    con, res = load(raw, tmp_path / "b.duckdb", "baznas")
    status, received, loaded, rejected, msg = manifest(con)["baznas/2024-09/m.csv"]
    assert (status, received, loaded, rejected) == ("error", 2, 0, 2)
    assert "no header row" in msg and "1802214507890001" not in msg
    assert res["baznas"].files_error == 1 and res["baznas"].errors
    assert con.execute("select source_row, rule from raw.rejected_rows order by 1").fetchall() == [
        (1, "no_header"), (3, "no_header")]


def test_missing_required_column_quarantines_the_data_rows_only(tmp_path):
    raw = tmp_path / "raw"
    wb = Workbook()
    ws = wb.active
    ws.title = "Kalirejo"
    ws.append(["DAFTAR KPM PKH"])
    ws.append(["NAMA_PENGURUS", "ALAMAT"])
    ws.append(["Budi", "Jl 1"])
    ws.append(["Ani", "Jl 2"])
    wb.save(_mk(raw / "pkh/2024-09/pkh.xlsx"))
    con, _ = load(raw, tmp_path / "b.duckdb", "pkh")
    assert manifest(con)["pkh/2024-09/pkh.xlsx"][:4] == ("error", 2, 0, 2)
    assert con.execute("select source_sheet, source_row, rule from raw.rejected_rows order by 2").fetchall() == [
        ("Kalirejo", 3, "missing_required_column"), ("Kalirejo", 4, "missing_required_column")]


def test_a_column_named_twice_is_refused_with_file_row_and_column(tmp_path):
    """Taking the first of two NAMA columns quarantined every row as no_identity when it was the empty one:
    the file is refused instead, naming file, row and column, and its rows are counted as rejected."""
    raw = tmp_path / "raw"
    write(raw, "baznas/2024-09/zakat.csv",
          "NAMA_MUSTAHIK,NIK,NAMA_MUSTAHIK,KAMPUNG,KECAMATAN\n,,Budi,Tanjung Ratu,Anak Tuha\n,,Ani,Bumi Aji,Anak Tuha\n")
    con, _ = load(raw, tmp_path / "b.duckdb", "baznas")
    status, received, loaded, rejected, msg = manifest(con)["baznas/2024-09/zakat.csv"][:5]
    assert (status, received, loaded, rejected) == ("error", 2, 0, 2)
    assert "file baznas/2024-09/zakat.csv" in msg and "row 1" in msg and "NAMA_MUSTAHIK" in msg and "twice" in msg
    assert {r[0] for r in con.execute("select rule from raw.rejected_rows").fetchall()} == {"duplicate_header_column"}


def test_documents_beside_an_extract_are_ignored_not_errors(tmp_path):
    raw = tmp_path / "raw"
    write(raw, "kur/2024-09/surat_pengantar.pdf", b"%PDF-1.4")
    write(raw, "kur/2024-09/Thumbs.db", b"\x00")
    write(raw, "kur/2024-09/~$kur.xlsx", b"\x00")
    write(raw, "kur/2024-09/data.zip", b"PK")
    con, _ = load(raw, tmp_path / "b.duckdb", "kur")
    m = manifest(con)
    assert set(m) == {"kur/2024-09/surat_pengantar.pdf", "kur/2024-09/data.zip"}
    assert m["kur/2024-09/surat_pengantar.pdf"][0] == "ignored" and m["kur/2024-09/data.zip"][0] == "error"


def test_cells_merged_down_give_every_row_their_value(tmp_path):
    raw = tmp_path / "raw"
    wb = Workbook()
    ws = wb.active
    ws.title = "Anak Tuha"
    ws.append(["DATA P3KE"])
    ws.merge_cells("A1:D1")                      # a title merged across: left alone
    ws.append(["ID_KELUARGA_P3KE", "NAMA", "NIK", "DESA"])
    ws.append(["K1", "Budi", "1802211203850002", "Bumi Aji"])
    ws.append([None, "Ani", "1802214507890001", None])
    ws.merge_cells("A3:A4")
    ws.merge_cells("D3:D4")
    wb.save(_mk(raw / "p3ke/2024-09/p.xlsx"))
    con, _ = load(raw, tmp_path / "b.duckdb", "p3ke")
    assert con.execute("select source_row, id_keluarga, nama, desa from raw.p3ke order by 1").fetchall() == [
        (3, "K1", "Budi", "Bumi Aji"), (4, "K1", "Ani", "Bumi Aji")]


def test_header_over_two_rows_and_column_numbers_row(tmp_path):
    raw = tmp_path / "raw"
    wb = Workbook()
    ws = wb.active
    ws.title = "Anak Tuha"
    ws.append(["NIK", "NAMA", "ALAMAT", None, None])
    ws.append([None, None, "ALAMAT JALAN", "RT", "RW"])
    ws.merge_cells("A1:A2")
    ws.merge_cells("B1:B2")
    ws.merge_cells("C1:E1")
    ws.append(["(1)", "(2)", "(3)", "(4)", "(5)"])
    ws.append(["1802214507890001", "Budi", "Jl 1", "01", "02"])
    wb.save(_mk(raw / "pkh/2024-09/p.xlsx"))
    con, _ = load(raw, tmp_path / "b.duckdb", "pkh")
    assert con.execute("select source_row, nik, nama, alamat, extra_columns from raw.pkh").fetchall() == [
        (4, "1802214507890001", "Budi", "Jl 1", '{"RT": "01", "RW": "02"}')]
    assert manifest(con)["pkh/2024-09/p.xlsx"][:4] == ("loaded", 1, 1, 0)


def test_csv_row_shifted_by_an_unquoted_delimiter_is_rejected(tmp_path):
    raw = tmp_path / "raw"
    write(raw, "kur/2024-09/k.csv", "NIK_DEBITUR;NAMA_DEBITUR;ALAMAT;KECAMATAN\n"
                                    "1802214507890001;Budi;Jl. Merdeka No 5;Anak Tuha\n"
                                    "1802214507890002;Ani;Jl. Merdeka; No 7;Anak Tuha\n"
                                    "1802214507890003;Tono;Dusun 2;Anak Tuha;\n")     # a trailing empty field is fine
    con, _ = load(raw, tmp_path / "b.duckdb", "kur")
    assert manifest(con)["kur/2024-09/k.csv"][:4] == ("loaded", 3, 2, 1)
    assert [r[0] for r in con.execute("select nama from raw.kur order by source_row").fetchall()] == ["Budi", "Tono"]
    row, rule, detail = con.execute("select source_row, rule, detail from raw.rejected_rows").fetchone()
    assert (row, rule) == (3, "ragged_row") and "5 fields, header 4" in detail


def test_contract_namesake_ties_is_validated(tmp_path):
    from orchestration.ingest.contracts import load_contracts
    assert default_contracts()["blt_dd"].namesake_ties == "poorest"
    assert default_contracts()["baznas"].namesake_ties == "ambiguous"
    (tmp_path / "zis.yml").write_text(
        "source: zis\nkind: program\nunit: person\nprogram: zis\ncolumns: {nama: [NAMA]}\n"
        "namesake_ties: richest\n")
    with pytest.raises(ValueError, match="zis.yml.*namesake_ties"):
        load_contracts(tmp_path)


def test_files_parsed_in_worker_processes_equal_serial_parsing(tmp_path):
    from orchestration.ingest.parallel import parse_files
    from orchestration.ingest.parse import parse_file
    for period, body in [("2025-03", "NIK_DEBITUR,NAMA_DEBITUR,TGL_LAHIR,ALAMAT,KECAMATAN\n"
                                     "1802210101800001,ANI,1980-01-01,\"JL. A\nRT 1\",Trimurjo\n"),
                         ("2025-09", "NAMA SAJA\nx\n"),  # no usable header: rows rejected
                         ("2025-12", " \n")]:  # empty: the file is in error
        d = tmp_path / "raw" / "kur" / period
        d.mkdir(parents=True)
        (d / "kur.csv").write_text(body)
    files, _ = scan(tmp_path / "raw", default_contracts())
    contract = default_contracts()["kur"]
    both = list(parse_files(files, contract, workers=2, min_bytes=0))
    assert [f.rel for f, _ in both] == [f.rel for f in files]
    error = both.pop()[1]
    assert isinstance(error, ExtractError) and "2025-12" in error.message and "empty" in error.message
    for f, p in both:
        expected = parse_file(f, contract)
        assert p.table.equals(expected.table) and p.rejected == expected.rejected
        assert (p.status, p.message, p.rows_received) == (expected.status, expected.message, expected.rows_received)
