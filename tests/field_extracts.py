"""Hand-made field-like extracts: every variant of docs extract-formats.md, written the way agencies' tools
write them (csv module with explicit encodings and delimiters, openpyxl for XLSX), NOT with our generator.

`build_round1(raw)` and `build_round2(raw)` write the drop zone (round 2 = a later drop: a corrected file
and an identical re-delivery). `EXPECT` says what each row must become:
  EXPECT[(source_file, source_sheet, source_row)] = {"rule": <quarantine rule>} or {column: value, ...}
where the columns are those of intermediate.int_person_records ("flags_has" = substrings of flags).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from openpyxl import Workbook

EXPECT: dict[tuple[str, str | None, int], dict] = {}
STG_FLAGS: dict[tuple[str, str, str | None, int], dict] = {}   # (source, file, sheet, row) -> staged flag columns


def _expect(f: str, sheet: str | None, row: int, **values) -> None:
    EXPECT[(f, sheet, row)] = values


def _path(raw: Path, rel: str) -> Path:
    p = raw / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    return p


def write_csv(raw: Path, rel: str, header: list[str], rows: list[list[str]], *, delimiter: str,
              encoding: str, bom: bool = False, lineterminator: str = "\r\n", quoting=csv.QUOTE_MINIMAL) -> None:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delimiter, lineterminator=lineterminator, quoting=quoting)
    w.writerow(header)
    w.writerows(rows)
    data = buf.getvalue().encode(encoding)
    _path(raw, rel).write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)


# --- DTKS: four CSV parts of one period, each from a different tool ----------------------------------------
DTKS1 = "dtks/2024-09/DTKS_ANAK_TUHA_bagian1.csv"      # UTF-8 + BOM, ';', headers in other spellings
DTKS2 = "dtks/2024-09/DTKS_bagian2.csv"                # UTF-8 no BOM, '|', reordered, alias headers
DTKS3 = "dtks/2024-09/dtks_bagian3.csv"                # Windows-1252, tab, month names
DTKS4 = "dtks/2024-09/dtks_bagian4.csv"                # ',', ISO dates, serials, unresolvable places


def _dtks(raw: Path) -> None:
    write_csv(raw, DTKS1,
              ["No KK", "nik", "Nama Lengkap", "idbdt", "ID ART BDT", "kode wilayah", "Alamat", "rt", "rw",
               "Jns Kel", "Tmp. Lahir", "Tgl. Lahir", "Hub KRT", "Sta Keberadaan ART", "Desil", "ada pkh",
               "ada bpnt", "ada pbi", "KETERANGAN"],
              [["1802210101100003", "1802214507890001", "Hj. Siti Aminah, S.Pd", "BDT1", "ART1", "18.02.21.2005",
                "Jl. Merdeka; No. 5\nRT 02", "002", "001", "2", "Metro", "05/07/1989", "1", "1", "1", "1", "0", "1",
                "catatan; dengan titik koma"],
               ["1802210101100003", "'1802211203850002", "M. Yusuf bin Ahmad", "BDT1", "ART2", "1802212005",
                "Jl. Merdeka No. 5", "002", "001", "1", "Gunung Sugih", "12/03/1985", "2", "1", "1", "0", "0", "0", ""],
               ["1802210101100003", "1802 2115 0612 0004", "Muh. Rizki", "BDT1", "ART3", "1802212005", "", "", "",
                "1", "", "15/06/2012", "3", "1", "1", "", "", "", ""]],
              delimiter=";", encoding="utf-8", bom=True)
    _expect(DTKS1, None, 2, nik="1802214507890001", nik_valid=True, name_key="SITI AMINAH", nama="Hj. Siti Aminah, S.Pd",
            tanggal_lahir="1989-07-05", jenis_kelamin="P", kode_desa="18.02.21.2005", kode_kecamatan="18.02.21",
            place_resolved_by="code", family_ref="kk:1802210101100003", household_ref="BDT1", hubungan="kepala",
            status_keberadaan="ada", desil=1)
    _expect(DTKS1, None, 3, nik="1802211203850002", nik_valid=True, name_key="MUHAMMAD YUSUF",
            tanggal_lahir="1985-03-12", jenis_kelamin="L", kode_desa="18.02.21.2005", hubungan="pasangan")
    _expect(DTKS1, None, 4, nik="1802211506120004", nik_valid=True, name_key="MUHAMMAD RIZKI",
            tanggal_lahir="2012-06-15", hubungan="anak")
    STG_FLAGS[("dtks", DTKS1, None, 2)] = dict(ada_pkh=True, ada_bpnt=False, ada_pbi=True)
    STG_FLAGS[("dtks", DTKS1, None, 4)] = dict(ada_pkh=None, ada_bpnt=None, ada_pbi=None)

    write_csv(raw, DTKS2,
              ["NAMA", "NIK", "NOKK", "KDDESA_KEMENDAGRI", "IDBDT", "IDARTBDT", "TGLLAHIR", "JNSKEL", "HUB_KRT",
               "STA_KEBERADAAN_ART", "DESIL", "ADA_PKH", "ADA_BPNT", "ADA_PBI", "TMPLAHIR", "ALAMAT", "RT", "RW"],
              [["Drs. H. Bambang Sutrisno", "1802041506700003", "1802040101050007", "1802041005", "BDT2", "ART4",
                "15-06-1970", "1", "1", "1", "2", "Ya", "Tidak", "Ya", "Gunung Sugih", "Jl. Lintas Sumatera", "1", "1"],
               ["Sri Wahyuni Binti Karto", "1802045506720004", "1802040101050007", "18-02-04-1005", "BDT2", "ART5",
                "15-06-1972", "2", "2", "2", "2", "YA", "TIDAK", "", "Kotabumi", "Jl. Lintas | Sumatera", "1", "1"]],
              delimiter="|", encoding="utf-8")
    _expect(DTKS2, None, 2, nik="1802041506700003", nik_valid=True, name_key="BAMBANG SUTRISNO",
            tanggal_lahir="1970-06-15", kode_desa="18.02.04.1005", kode_kecamatan="18.02.04", desil=2,
            status_keberadaan="ada")
    _expect(DTKS2, None, 3, nik="1802045506720004", name_key="SRI WAHYUNI", tanggal_lahir="1972-06-15",
            jenis_kelamin="P", kode_desa="18.02.04.1005", status_keberadaan="pindah")
    STG_FLAGS[("dtks", DTKS2, None, 2)] = dict(ada_pkh=True, ada_bpnt=False, ada_pbi=True)
    STG_FLAGS[("dtks", DTKS2, None, 3)] = dict(ada_pkh=True, ada_bpnt=False, ada_pbi=None)

    write_csv(raw, DTKS3,
              ["NO_KK", "NIK", "NAMA", "KODE_WILAYAH", "IDBDT", "IDARTBDT", "TGLLAHIR", "JNSKEL", "HUB_KRT",
               "STA_KEBERADAAN_ART", "DESIL", "ADA_PKH", "ADA_BPNT", "ADA_PBI"],
              [["1802070101080009", "1802071208750005", "Ma’ruf Amin", "18.02.07.1003", "BDT3", "ART6",
                "12 Agustus 1975", "1", "1. Kepala Rumah Tangga", "3 - Meninggal", "3", "Y", "T", "T"],
               ["1802070101080009", "1802074510800006", "Andréa Putri", "18.02.07.1003", "BDT3", "ART7",
                "5 Okt 1980", "2", "2", "4", "3", "True", "False", ""],
               ["1802070101080009", "1802070101150007", "André", "18.02.07.1003", "BDT3", "ART8",
                "01-Jan-2015", "1", "3", "1", "3", "", "", ""]],
              delimiter="\t", encoding="cp1252")
    _expect(DTKS3, None, 2, nik="1802071208750005", nama="Ma’ruf Amin", name_key="MARUF AMIN",
            tanggal_lahir="1975-08-12", status_keberadaan="meninggal", kode_desa="18.02.07.1003", desil=3,
            hubungan="kepala")
    _expect(DTKS3, None, 3, nik="1802074510800006", nama="Andréa Putri", name_key="ANDREA PUTRI",
            tanggal_lahir="1980-10-05",
            status_keberadaan="tidak_ditemukan", jenis_kelamin="P")
    _expect(DTKS3, None, 4, nama="André", name_key="ANDRE", tanggal_lahir="2015-01-01", hubungan="anak")
    STG_FLAGS[("dtks", DTKS3, None, 2)] = dict(ada_pkh=True, ada_bpnt=False, ada_pbi=False)
    STG_FLAGS[("dtks", DTKS3, None, 3)] = dict(ada_pkh=True, ada_bpnt=False, ada_pbi=None)

    write_csv(raw, DTKS4,
              ["IDBDT", "IDARTBDT", "no.kk", "NIK", "NAMA", "KODE_WILAYAH", "TGL LAHIR (yyyy-mm-dd)", "JNSKEL", "HUB_KRT",
               "STA_KEBERADAAN_ART", "DESIL", "ADA_PKH", "ADA_BPNT", "ADA_PBI", "KOLOM_BARU_2025"],
              [["BDT4", "ART9", "1802210101100011", "1802215001800008", "Sukarni", "1802212005", "1980-01-10",
                "2", "1", "1", "4", "TRUE", "FALSE", "", "z"],
               ["BDT5", "ART10", "", "", "Paijo", "9999999999", "1960-01-01", "1", "1", "1", "", "", "", "", ""],
               ["BDT6", "ART11", "", "1802214404700009", "Tukinem", "1804012001", "1970-04-04", "2", "1", "1", "",
                "", "", "", ""],
               ["BDT7", "ART12", "", "12345", "", "1802212005", "", "1", "8", "4", "", "", "", "", ""],
               ["BDT8", "ART13", "1802210101100011", "1802210404740010", "Karto Dikromo", "1802212005", "27123",
                "1", "6", "1", "4", "", "", "", ""],
               ["BDT9", "ART14", "", "", "Warsini", "1802212005", "tgl salah", "2", "1", "1", "", "", "", "", ""]],
              delimiter=",", encoding="utf-8", lineterminator="\n")
    _expect(DTKS4, None, 2, nik="1802215001800008", tanggal_lahir="1980-01-10", desil=4, jenis_kelamin="P")
    # no place and no NIK: staged with the problem flagged; linkage decides (found elsewhere or quarantined)
    _expect(DTKS4, None, 3, kode_kecamatan=None, flags_has=["place_unresolved", "kode_wilayah_outside_kabupaten"])
    _expect(DTKS4, None, 4, nik="1802214404700009", nik_valid=True, kode_kecamatan=None, kode_desa=None,
            flags_has=["kode_wilayah_outside_kabupaten"])
    _expect(DTKS4, None, 5, rule="no_identity")
    _expect(DTKS4, None, 6, tanggal_lahir="1974-04-04", hubungan="orang_tua")
    # TGLLAHIR is not a required DTKS column: an unreadable date is a fixable problem (flagged), not quarantine
    _expect(DTKS4, None, 7, tanggal_lahir=None, flags_has=["unparsed:tanggal_lahir", "nik_missing"])
    STG_FLAGS[("dtks", DTKS4, None, 2)] = dict(ada_pkh=True, ada_bpnt=False, ada_pbi=None)


DTKS5 = "dtks/2024-09/dtks_bagian5_manual.csv"         # typed by hand: an unquoted ';' in an address


def _dtks_manual(raw: Path) -> None:
    text = ("IDBDT;IDARTBDT;NOKK;NIK;NAMA;KODE_WILAYAH;ALAMAT;TGLLAHIR;JNSKEL;STA_KEBERADAAN_ART\r\n"
            "BDT10;ART15;1802210101100011;1802214101820018;Painem;1802212005;Dusun I;01/01/1982;2;1\r\n"
            "BDT10;ART16;1802210101100011;1802210101800019;Tugiman;1802212005;Jl. Merdeka; No 7;01/01/1980;1;1\r\n"
            ";;;;;;;;;\r\n")
    _path(raw, DTKS5).write_bytes(text.encode("utf-8"))
    _expect(DTKS5, None, 2, nik="1802214101820018", tanggal_lahir="1982-01-01", status_keberadaan="ada")
    _expect(DTKS5, None, 3, rule="ingest:ragged_row")


# --- P3KE: one workbook, one sheet per kecamatan, title rows, Excel-typed identifiers and dates -------------
P3KE = "p3ke/2024-09/P3KE LAMPUNG TENGAH 2024.xlsx"


def _title(ws, text: str, width: int) -> None:
    ws.append([text])
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)


def _p3ke(raw: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Anak Tuha"
    header = ["No", "ID Keluarga P3KE", "ID Individu", "Kode Kemendagri", "Desa", "Nama", "NIK ", "No. KK",
              "Jenis Kelamin", "Hubungan dengan Kepala Keluarga", "Tanggal Lahir", "Desil Kesejahteraan",
              "Padan Dukcapil", "Penerima PKH", "Penerima BPNT", "Kolom Tambahan"]
    _title(ws, "DATA P3KE KABUPATEN LAMPUNG TENGAH", len(header))
    _title(ws, "Kecamatan Anak Tuha - keadaan September 2024", len(header))
    ws.append([])
    ws.append(header)                                                                      # row 4
    # NIK typed as numbers: Excel keeps 15 significant digits, the 16th arrives as 0
    ws.append([1, "P3KE-001", "IND-1", 1802212005, "Bumi Aji", "SITI AMINAH", 1802214507890010, 1802210101100003,
               "Perempuan", "Kepala Keluarga", dt.date(1989, 7, 5), "Desil 1", "Ya", "Tidak", True, "x"])  # row 5
    ws.append([2, "P3KE-001", "IND-2", 1802212005, "Bumi Aji", "Moh. Yusuf", 1802211203850020, 1802210101100003,
               "Laki-laki", "Suami", 31118, 1, "Tidak", False, "YA", None])                               # row 6
    ws.append([3, "P3KE-001", "IND-3", 1802212005, "Bumi Aji", "M Rizki", 1802211506120000, 1802210101100003,
               "Laki-laki", "Anak", "15/06/2012", "DESIL 1", "", "", "", None])                          # row 7
    ws.append([4, "P3KE-001", "IND-4", "18.02.21.2005", "Bumi Aji", "Nur Hayati", 1802215506950030,
               1802210101100003, "Perempuan", "Famili Lain", dt.datetime(1995, 6, 15), "Desil 1", "Ya", "Y",
               "T", None])                                                                            # row 8
    for _ in range(4):                                                                      # trailing rows
        ws.append([None, "", " ", None])
    _expect(P3KE, "Anak Tuha", 5, nik="1802214507890010", nik_suspect=True, nik_valid=False,
            tanggal_lahir="1989-07-05", desil=1, kode_desa="18.02.21.2005", place_resolved_by="code",
            family_ref="p3ke:P3KE-001", hubungan="kepala", jenis_kelamin="P",
            flags_has=["nik_suspect:excel_zeroed"])
    _expect(P3KE, "Anak Tuha", 6, nik="1802211203850020", nik_suspect=True, tanggal_lahir="1985-03-12", desil=1,
            name_key="MUHAMMAD YUSUF", hubungan="pasangan")
    _expect(P3KE, "Anak Tuha", 7, nik_valid=False, tanggal_lahir="2012-06-15", desil=1, name_key="MUHAMMAD RIZKI")
    _expect(P3KE, "Anak Tuha", 8, tanggal_lahir="1995-06-15", kode_desa="18.02.21.2005", hubungan="famili")
    STG_FLAGS[("p3ke", P3KE, "Anak Tuha", 5)] = dict(padan_dukcapil=True, penerima_pkh=False, penerima_bpnt=True)
    STG_FLAGS[("p3ke", P3KE, "Anak Tuha", 6)] = dict(padan_dukcapil=False, penerima_pkh=False, penerima_bpnt=True)
    STG_FLAGS[("p3ke", P3KE, "Anak Tuha", 7)] = dict(padan_dukcapil=None, penerima_pkh=None, penerima_bpnt=None)
    STG_FLAGS[("p3ke", P3KE, "Anak Tuha", 8)] = dict(padan_dukcapil=True, penerima_pkh=True, penerima_bpnt=False)

    ws = wb.create_sheet("Kec. Gunung Sugih")        # no kecamatan column, no code: the sheet names it
    _title(ws, "DATA P3KE KEC. GUNUNG SUGIH", 9)
    ws.append(["Sumber: Kemenko PMK"])
    ws.append(["ID_KELUARGA_P3KE", "ID_INDIVIDU", "DESA_KELURAHAN", "NAMA", "NIK", "JENIS_KELAMIN",
               "HUBUNGAN_DENGAN_KEPALA_KELUARGA", "TANGGAL_LAHIR", "DESIL_KESEJAHTERAAN"])      # row 3
    ws.append(["P3KE-002", "IND-5", "Gunung Sugih", "Drs. H. Bambang Sutrisno", "'1802041506700003", "Laki-laki",
               "Kepala Keluarga", "15 Juni 1970", "Desil 2"])                                 # row 4
    ws.append(["P3KE-002", "IND-6", "GUNUNG SUGIH", "Sri Wahyuni", "1.80205E+15", "Perempuan", "Istri",
               "26465", "2"])                                                                 # row 5
    ws.append(["P3KE-002", "IND-7", "Kel. Komering Agung", "Budi", "1802.0412.0399.0011", "Laki-laki", "Anak",
               "1999-03-12", "2"])                                                            # row 6
    ws.append(["P3KE-002", "IND-8", "Komering Agung", "Agus", "1802 0413 0301\u00a00012", "Laki-laki", "Anak",
               "13-03-2001", "Desil ke-2"])                                                            # row 7
    ws.append([None] * 9)
    ws.append(["", "", "", "", "", "", "", "", ""])
    _expect(P3KE, "Kec. Gunung Sugih", 4, nik="1802041506700003", nik_valid=True, nik_suspect=False,
            name_key="BAMBANG SUTRISNO", tanggal_lahir="1970-06-15", kode_desa="18.02.04.1005",
            kode_kecamatan="18.02.04", place_resolved_by="sheet", desil=2)
    _expect(P3KE, "Kec. Gunung Sugih", 5, nik=None, nik_valid=False, nik_suspect=True,
            tanggal_lahir="1972-06-15", kode_desa="18.02.04.1005", flags_has=["nik_suspect:scientific_lossy"])
    _expect(P3KE, "Kec. Gunung Sugih", 6, nik="1802041203990011", nik_valid=True, kode_desa="18.02.04.1007")
    _expect(P3KE, "Kec. Gunung Sugih", 7, nik="1802041303010012", nik_valid=True, tanggal_lahir="2001-03-13", desil=2)

    ws = wb.create_sheet("TERBANGGI BESAR")
    ws.append(["id keluarga", "id individu", "desa", "nama", "nik", "jenis kelamin", "tgl lahir", "desil",
               "penerima pkh"])
    ws.append(["P3KE-003", "IND-9", "Bandarjaya Barat", "Hj. Rohimah binti Abdullah", "1802075708650013",
               "P", "17 Agt 1965", "Desil 3", "YA"])
    ws.append([None, "IND-10", None, "H. Abdul Manan", "1802070101600014", "L",
               dt.datetime(1960, 1, 1), "3", "TIDAK"])
    ws.merge_cells("A2:A3")       # the family's ID and village typed once, merged down over its members
    ws.merge_cells("C2:C3")
    _expect(P3KE, "TERBANGGI BESAR", 2, name_key="ROHIMAH", tanggal_lahir="1965-08-17", kode_desa="18.02.07.1003",
            place_resolved_by="sheet", desil=3)
    _expect(P3KE, "TERBANGGI BESAR", 3, name_key="ABDUL MANAN", tanggal_lahir="1960-01-01", kode_desa="18.02.07.1003",
            family_ref="p3ke:P3KE-003")
    STG_FLAGS[("p3ke", P3KE, "TERBANGGI BESAR", 2)] = dict(penerima_pkh=True)
    wb.save(_path(raw, P3KE))


# --- PBI-JK: CSV from BPJS, free-text kecamatan, NONAKTIF ---------------------------------------------------
PBI = "pbi_jk/2024-09/PBI JK Lampung Tengah Sep 2024.csv"


def _pbi(raw: Path) -> None:
    write_csv(raw, PBI,
              ["NOKA", "NIK", "NAMA PESERTA", "TGL LAHIR", "L/P", "KECAMATAN", "SEGMEN", "STATUS PESERTA"],
              [["0001234567890", "1802211203850002", "MUHAMMAD YUSUF", "31118", "L", "Kec. Anak Tuha", "PBI APBN",
                "NONAKTIF"],
               ["0001234567891", "1802041506700003", "BAMBANG SUTRISNO", "15/06/1970", "L", "Gn. Sugih", "PBI APBD",
                "AKTIF"],
               ["0001234567892", "1802045506720004", "SRI WAHYUNI", "1972-06-15", "P", "GUNUNG SUGIH", "PBI APBN",
                "Aktif"],
               ["0001234567893", "1802041203990011", "BUDI", "12 Maret 1999", "L", "Kec. Gunung Sugih", "PBI APBN",
                "NON AKTIF"],
               ["0001234567894", "1802214507890001", "SITI AMINAH", "05/07/1989", "P", "18.02.21", "PBI APBN", "AKTIF"],
               ["0001234567895", "", "TIDAK DIKENAL", "01/01/1990", "L", "Kec. Antah Berantah", "PBI APBN", "AKTIF"]],
              delimiter=",", encoding="utf-8", quoting=csv.QUOTE_ALL)
    _expect(PBI, None, 2, recipient=False, kode_kecamatan="18.02.21", place_resolved_by="name",
            tanggal_lahir="1985-03-12", jenis_kelamin="L")
    _expect(PBI, None, 3, recipient=True, kode_kecamatan="18.02.04")
    _expect(PBI, None, 4, recipient=True, kode_kecamatan="18.02.04", jenis_kelamin="P")
    _expect(PBI, None, 5, recipient=False, kode_kecamatan="18.02.04", tanggal_lahir="1999-03-12")
    _expect(PBI, None, 6, kode_kecamatan="18.02.21", place_resolved_by="code")
    _expect(PBI, None, 7, kode_kecamatan=None, flags_has=["place_unresolved"])


# --- BLT-DD: one sheet per kecamatan, no kecamatan column, NIK often blank --------------------------------
BLT = "blt_dd/2024-09/BLT DD 2024.xlsx"


def _blt(raw: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Terbanggi Besar"
    _title(ws, "DAFTAR KPM BLT DANA DESA KEC. TERBANGGI BESAR", 7)
    ws.append(["NO", "KAMPUNG", "NAMA KPM", "NIK", "ALAMAT", "BULAN", "JUMLAH"])          # row 2
    ws.append([1, "Bandarjaya Barat", "Wagiyem", None, "RT 01", "September", 300000])    # row 3
    ws.append([2, "BANDAR JAYA BARAT", "Sarinah", "-", "RT 02", "September", "Rp 300.000"])
    ws.append([3, "Kp. Poncowati", "Ngatini", "‘1802074101700015", "RT 01", "September", 300000])
    ws.append([None, None, None, None, None, None, None])
    ws2 = wb.create_sheet("Sheet3")
    ws2.append(["NO", "KAMPUNG", "NAMA KPM", "NIK"])
    ws2.append([1, "Entah Berantah", "Tukiyem", None])                                  # row 2
    notes = wb.create_sheet("Keterangan")
    notes.append(["Catatan: data per 1802214507890001 dikompilasi Dinas PMK"])
    ref = wb.create_sheet("ref_kampung")          # the hidden list behind the KAMPUNG drop-down
    for name in ("Bandar Jaya Barat", "Poncowati", "Yukum Jaya"):
        ref.append([name])
    ref.sheet_state = "hidden"
    wb.create_chartsheet("Grafik")                 # a chart sheet: no cells at all
    wb.save(_path(raw, BLT))
    _expect(BLT, "Terbanggi Besar", 3, kode_desa="18.02.07.1003", kode_kecamatan="18.02.07", place_resolved_by="sheet",
            nik=None, flags_has=["nik_missing"])
    _expect(BLT, "Terbanggi Besar", 4, kode_desa="18.02.07.1003")
    _expect(BLT, "Terbanggi Besar", 5, kode_desa="18.02.07.2010", nik="1802074101700015", nik_valid=True)
    _expect(BLT, "Sheet3", 2, kode_kecamatan=None, kode_desa=None, flags_has=["place_unresolved"])
    _expect(BLT, "Keterangan", 1, rule="ingest:sheet_without_header")


# --- PKH: XLSX with a merged title and the header on row 3; kecamatan + desa text ---------------------------
PKH = "pkh/2024-09/pkh_tahap3_2024.xlsx"


def _pkh(raw: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Tahap 3"
    # the table starts in column B (a margin column A left empty)
    ws["B1"] = "DAFTAR KPM PKH TAHAP III 2024"
    ws.merge_cells("B1:K1")
    ws["B2"] = "Dinas Sosial Kabupaten Lampung Tengah"
    ws.append([None, "NIK Pengurus", "Nama Pengurus", "No. KK", "IDBDT", "Kecamatan", "Desa", "Alamat", "Tahap",
               "Komponen", "Nominal"])                                                       # row 3
    ws.append([None, 1802214507890010, "Hj. SITI AMINAH", 1802210101100000, "BDT1", "Anak Tuha", "Bumiaji", "Jl. Merdeka",
               3, "Anak SD", 225000])
    ws.append([None, "1802 0455 0672 0004", "Sri Wahyuni", "1802040101050007", "BDT2", "Kec. Gunung Sugih",
               "Gn. Sugih", "", 3, "Lansia", "600.000"])
    ws.append([None, "1802075708650013", "ROHIMAH", "", "", "Terbanggi Besar", "Bandarjaya Barat", "", 3, "", ""])
    wb.save(_path(raw, PKH))
    _expect(PKH, "Tahap 3", 4, name_key="SITI AMINAH", kode_desa="18.02.21.2005", place_resolved_by="name",
            household_ref="BDT1")
    _expect(PKH, "Tahap 3", 5, nik="1802045506720004", nik_valid=True, kode_desa="18.02.04.1005",
            family_ref="kk:1802040101050007")
    _expect(PKH, "Tahap 3", 6, kode_desa="18.02.07.1003", kode_kecamatan="18.02.07")


# --- RTLH: a form-style workbook: header over two rows (merged down / merged across), column numbers under it
RTLH = "rtlh/2024-09/Penerima RTLH 2024.xlsx"


def _rtlh(raw: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "2024"
    _title(ws, "DAFTAR PENERIMA BANTUAN RTLH TAHUN 2024", 7)
    ws.append(["NO", "NAMA KEPALA KELUARGA", "NIK", "ALAMAT", None, "SUMBER DANA", "NILAI BANTUAN"])   # row 2
    ws.append([None, None, None, "KAMPUNG", "KECAMATAN", None, None])                                # row 3
    for col in "ABCFG":
        ws.merge_cells(f"{col}2:{col}3")
    ws.merge_cells("D2:E2")
    ws.append(["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"])                                     # row 4
    ws.append([1, "Muh. Sholeh", "1802041203990011", "Komering Agung", "Gunung Sugih", "APBD", 20000000])
    ws.append([2, "Hj. Nur Hayati", "1802215506950031", "Bumiaji", "Anak Tuha", "APBN", "Rp 17.500.000"])
    ws.append(["JUMLAH", None, None, None, None, None, 37500000])                                    # row 7
    wb.save(_path(raw, RTLH))
    _expect(RTLH, "2024", 5, name_key="MUHAMMAD SHOLEH", kode_desa="18.02.04.1007", kode_kecamatan="18.02.04",
            place_resolved_by="name", nik="1802041203990011")
    _expect(RTLH, "2024", 6, name_key="NUR HAYATI", kode_desa="18.02.21.2005")
    # the total line under the list carries neither a name nor a NIK: quarantined, counted
    _expect(RTLH, "2024", 7, rule="no_identity")


# --- KUR: a file corrected in the same period, an identical re-delivery, junk beside them -------------------
KUR = "kur/2024-09/kur.csv"
KUR_AGAIN = "kur/2024-09/kur_kirim_ulang.csv"
KUR_HEADER = ["NIK_DEBITUR", "NAMA_DEBITUR", "TGL_LAHIR", "ALAMAT", "KECAMATAN", "PLAFON", "TGL_AKAD", "SEKTOR_USAHA"]
KUR_V1 = [["1802214507890001", "Siti Aminah", "05/07/1989", "Bumi Aji", "Anak Tuha", "10.000.000", "01/08/2024",
           "Perdagangan"],
          ["1802041506700003", "Bambang S", "15/06/1970", "Gunung Sugih", "Gunung Sugih", "25.000.000", "02/08/2024",
           "Pertanian"]]
KUR_V2 = [KUR_V1[0],
          ["1802041506700003", "Bambang Sutrisno", "15/06/1970", "Gunung Sugih", "Gunung Sugih", "25.000.000",
           "02/08/2024", "Pertanian"],
          ["1802071208750005", "Ma'ruf", "12/08/1975", "Bandar Jaya", "Terbanggi Besar", "5.000.000", "03/08/2024",
           "Jasa"]]


def _kur(raw: Path, rows) -> None:
    write_csv(raw, KUR, KUR_HEADER, rows, delimiter=";", encoding="utf-8")


# --- files that cannot be read ----------------------------------------------------------------------------
BPNT_BROKEN = "bpnt/2024-09/bpnt_september.xlsx"
BPNT_OK = "bpnt/2024-09/bpnt_september_susulan.xlsx"
BPNT_NO_NIK = "bpnt/2024-09/bpnt_padang_ratu.xlsx"
BAZNAS_NOHEADER = "baznas/2024-09/mustahik.csv"
BAZNAS_OK = "baznas/2024-09/mustahik_2.csv"


def _unreadable(raw: Path) -> None:
    # a workbook truncated in transfer (zip header, then garbage)
    _path(raw, BPNT_BROKEN).write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + b"\x00garbage" * 50)
    wb = Workbook()
    ws = wb.active
    ws.title = "BPNT"
    ws.append(["NIK", "NAMA", "Nomor Kartu Keluarga", "NO_KKS", "KECAMATAN", "DESA", "ALAMAT", "BULAN", "NOMINAL"])
    ws.append(["1802214507890001", "Siti Aminah", "1802210101100003", "6013", "Anak Tuha", "Bumi Aji", "",
               "September", 200000])
    wb.save(_path(raw, BPNT_OK))
    _expect(BPNT_OK, "BPNT", 2, kode_desa="18.02.21.2005", nik_valid=True, family_ref="kk:1802210101100003")
    # a workbook whose header lacks a required column (NIK): its rows are quarantined, the message names
    # file, sheet, header row and column
    wb = Workbook()
    ws = wb.active
    ws.title = "Padang Ratu"
    ws.append(["DAFTAR KPM BPNT"])
    ws.append(["NAMA", "NO_KK", "KECAMATAN", "DESA", "CATATAN"])
    ws.append(["Paiman", "1802030101100016", "Padang Ratu", "", "NIK 1802034101700017 menyusul"])
    wb.save(_path(raw, BPNT_NO_NIK))
    _expect(BPNT_NO_NIK, "Padang Ratu", 3, rule="ingest:missing_required_column")
    # a CSV whose first line is data, not a header
    write_csv(raw, BAZNAS_NOHEADER, ["1802214507890001", "Siti Aminah", "Bumi Aji", "Anak Tuha", "Fakir"],
              [["1802041506700003", "Bambang", "Gunung Sugih", "Gunung Sugih", "Miskin"]],
              delimiter=",", encoding="utf-8")
    write_csv(raw, BAZNAS_OK, ["NAMA_MUSTAHIK", "NIK", "ALAMAT", "KAMPUNG", "KECAMATAN", "ASNAF", "JENIS_BANTUAN",
                               "NILAI", "TANGGAL"],
              [["Andréa Putri", "", "Jl. Raya", "Bandar Jaya Barat", "Terbanggi Besar", "Fakir", "Modal",
                "1.000.000", "12 Agustus 2024"]], delimiter=";", encoding="cp1252")
    _expect(BAZNAS_NOHEADER, None, 1, rule="ingest:no_header")
    _expect(BAZNAS_NOHEADER, None, 2, rule="ingest:no_header")
    _expect(BAZNAS_OK, None, 2, nama="Andréa Putri", name_key="ANDREA PUTRI", kode_desa="18.02.07.1003", nik=None)


JUNK = ["kur/2024-09/Thumbs.db", "kur/2024-09/~$kur.xlsx", "kur/2024-09/surat_pengantar.pdf"]


def build_round1(raw: Path) -> None:
    _dtks(raw)
    _dtks_manual(raw)
    _p3ke(raw)
    _pbi(raw)
    _blt(raw)
    _pkh(raw)
    _rtlh(raw)
    _kur(raw, KUR_V1)
    _unreadable(raw)
    for rel in JUNK:
        _path(raw, rel).write_bytes(b"%PDF-1.4 junk" if rel.endswith(".pdf") else b"\x00\x01junk")


def build_round2(raw: Path) -> None:
    """A later drop: kur.csv corrected (replaces its rows), and the same corrected content sent again."""
    _kur(raw, KUR_V2)
    (raw / KUR_AGAIN).write_bytes((raw / KUR).read_bytes())
    for i in range(3):
        _expect(KUR, None, i + 2, nama=KUR_V2[i][1])

