"""Formula injection: every XLSX and CSV cell the project writes is inert (orchestration/publish/inert.py),
checked on real files: the priority workbooks read back with openpyxl, the CSV exports written by DuckDB's
COPY read back with the csv module. The same through a real publish: tests/integration/test_publish_atomic.py."""
from __future__ import annotations

import csv

import duckdb
import pytest
from openpyxl import load_workbook

from orchestration.publish.exports import PRIORITY_COLUMNS, write_priority_workbooks
from orchestration.publish.inert import inert_select, inert_text, is_risky

ATTACKS = ['=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]
HARMLESS = ["SITI AMINAH", "1+1", "Kp. =Baru", "", "'quoted already", "O'NEIL"]


def test_inert_text():
    for value in ATTACKS:
        assert is_risky(value) and inert_text(value) == "'" + value
    for value in HARMLESS + [None, -2, -2.5, 0]:
        assert not is_risky(value) and inert_text(value) == value


def priority_db(path, names: list[str]) -> None:
    con = duckdb.connect(str(path))
    # one desil column per registry (priority_columns finds them), before the reason
    columns = PRIORITY_COLUMNS[:-1] + [("desil_dtks", ""), ("desil_p3ke", "")] + PRIORITY_COLUMNS[-1:]
    cols = ", ".join(f"{c} varchar" if c not in ("members", "desil", "desil_dtks", "desil_p3ke") else f"{c} integer"
                     for c, _ in columns)
    con.execute(f"create table priority_list (kode_kecamatan varchar, nama_kecamatan varchar, {cols})")
    for i, name in enumerate(names):
        con.execute("insert into priority_list values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            "18.02.01", "=1+1", f"H{i:02d}", "18.02.01.2001", "@desa", name, "1802**********01", -3, 1, 1, None,
            "-tidak menerima bantuan sosial"])
    con.close()


def test_priority_workbook_cells_are_never_formulas(tmp_path):
    priority_db(tmp_path / "restricted.duckdb", ATTACKS + HARMLESS)
    written = write_priority_workbooks(tmp_path / "restricted.duckdb", tmp_path / "out", {"run_id": "+run"})
    assert list(written) == ["priority_180201.xlsx"]
    wb = load_workbook(written["priority_180201.xlsx"])
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert cells and not [c.coordinate for c in cells if c.data_type == "f"]
    ws = wb.worksheets[0]
    heads = [ws.cell(row=r, column=4) for r in range(4, 4 + len(ATTACKS + HARMLESS))]
    # exactly as delivered (XML reads a lone CR back as LF)
    assert [c.value for c in heads] == [v.replace("\r", "\n") for v in ATTACKS] + [v or None for v in HARMLESS]
    for cell in heads[:len(ATTACKS)]:
        assert cell.data_type == "s" and cell.quotePrefix  # text, and stays text when edited in Excel
    village, why, members = ws.cell(row=4, column=3), ws.cell(row=4, column=10), ws.cell(row=4, column=6)
    assert village.value == "@desa" and village.data_type == "s"
    assert why.value.startswith("-tidak") and why.data_type == "s"
    assert members.value == -3 and members.data_type == "n"  # a number stays a number


def test_csv_export_select_prefixes_risky_text(tmp_path):
    con = duckdb.connect()
    con.execute('create table ind_data_quality (source varchar, "period" varchar, rows_received bigint, '
                'linked_pct double)')
    values = ATTACKS + HARMLESS + [None]
    con.executemany("insert into ind_data_quality values (?, '2024-09', ?, ?)",
                    [[v, -i, -1.5] for i, v in enumerate(values)])
    out = tmp_path / "ind_data_quality.csv"
    con.execute(f"copy ({inert_select(con, 'ind_data_quality')}) to '{out}' (format csv, header true)")
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["source", "period", "rows_received", "linked_pct"]
    sources = [r[0] for r in rows[1:]]
    assert sources == ["'" + v for v in ATTACKS] + HARMLESS + [""]
    assert [r[2] for r in rows[1:]] == [str(-i) for i in range(len(values))]  # numbers stay numbers
    assert {r[3] for r in rows[1:]} == {"-1.5"}
    with pytest.raises(ValueError):
        inert_select(con, "no_such_table")
