"""The XLSX twin of every public CSV export: what a spreadsheet opens as the data is.

A CSV carries no types, and Excel, LibreOffice and Google Sheets guess them when they open one: the
Kemendagri code 18.02 becomes the number 18.02 (shown 18.2 or 18,02 by locale) and 18.02.21 can become
a date. No CSV spelling keeps it text without changing the value (="18.02" is a formula; a leading quote
or tab stays in the cell). So the CSV stays the machines' file (its schema types it: datapackage.json)
and this file is the spreadsheet's: text columns are text cells with the text number format '@' (they
stay text when edited), counts and percentages are numbers, the header is frozen and filtered. Every text
cell is inert (inert.py: a text that looks like a formula is a string cell with the quote prefix)."""
from __future__ import annotations

from pathlib import Path

TEXT_FORMAT = "@"
MAX_WIDTH = 60


def write_table_xlsx(con, table: str, path: Path, title: str) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from .inert import is_risky

    cols = con.execute("select column_name, data_type from information_schema.columns where table_name = ? "
                       "order by ordinal_position", [table]).fetchall()
    text = [dtype.upper().startswith("VARCHAR") for _, dtype in cols]
    rows = con.execute(f'select * from "{table}"').fetchall()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(table[:31])
    ws.freeze_panes = "A2"
    widths = [len(name) for name, _ in cols]
    for row in rows:
        for i, v in enumerate(row):
            if v is not None:
                widths[i] = max(widths[i], len(str(v)))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(w + 2, MAX_WIDTH)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{len(rows) + 1}"
    bold = Font(bold=True)

    def cell(value, is_text: bool, header: bool = False):
        if value is None:  # an empty text cell: openpyxl drops a trailing None, and readers then see a short row
            return WriteOnlyCell(ws, value="")
        c = WriteOnlyCell(ws, value=value)
        if is_text and value is not None:
            c.data_type = "s"          # never a formula, never a number
            c.number_format = TEXT_FORMAT
            if is_risky(value):
                c.quotePrefix = True
        if header:
            c.font = bold
        return c

    ws.append([cell(name, True, header=True) for name, _ in cols])
    for row in rows:
        ws.append([cell(v, t) for v, t in zip(row, text)])
    wb.properties.title = title
    wb.save(path)
