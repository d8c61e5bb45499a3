"""XLSX extracts via python-calamine (8x faster than openpyxl); cells rendered as delivered text."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from python_calamine import CalamineWorkbook

from .errors import ExtractError


def cell_text(value: object) -> str | None:
    if type(value) is str:  # most cells: the fast path first (millions of calls per extract)
        return value if value.strip() else None
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        # Numeric cells: an integral float keeps its digits (a NIK typed as a number), no '.0'.
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value.total_seconds() / 86400)
    text = str(value)
    return text if text.strip() else None


def _fill_vertical_merges(sheet, raw_rows: list[list]) -> None:
    """A cell merged down over several rows (a family's ID, village or address typed once for all its
    members) shows its value on every row it spans: give each row the value. Merges across columns only
    are left alone (a title, or a value spilling into a neighbouring column it does not belong to)."""
    try:
        ranges = sheet.merged_cell_ranges or []
    except Exception:  # formats without merge information
        return
    for (r0, c0), (r1, _c1) in ranges:
        if r1 <= r0 or r0 >= len(raw_rows) or c0 >= len(raw_rows[r0]):
            continue
        value = raw_rows[r0][c0]
        if value is None or value == "":
            continue
        for r in range(r0 + 1, min(r1, len(raw_rows) - 1) + 1):
            row = raw_rows[r]
            if c0 < len(row) and (row[c0] is None or row[c0] == ""):
                if not isinstance(row, list):
                    row = raw_rows[r] = list(row)
                row[c0] = value


def read_xlsx_sheets(path: Path, name: str, hidden: set[str] | None = None
                     ) -> list[tuple[str, list[tuple[int, list[str | None]]]]]:
    """[(sheet name, [(excel row number, cells)])] with fully empty rows dropped; worksheets only (chart
    sheets hold no rows). `hidden`, when given, receives the names of hidden sheets."""
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for zip/xml damage
        raise ExtractError(name, f"cannot open the workbook ({type(exc).__name__}: {str(exc)[:200]}); "
                           "the file is damaged, truncated or not an XLSX",
                           hint="re-export it from Excel as .xlsx") from None
    sheets = []
    names = workbook.sheet_names
    try:
        meta = workbook.sheets_metadata
        names = [m.name for m in meta if str(m.typ).rsplit(".", 1)[-1] == "WorkSheet"] or names
        if hidden is not None:
            hidden.update(m.name for m in meta if str(m.visible).rsplit(".", 1)[-1] != "Visible")
    except Exception:  # formats without sheet metadata
        pass
    for sheet_name in names:
        try:
            sheet = workbook.get_sheet_by_name(sheet_name)
            raw_rows = sheet.to_python(skip_empty_area=False)
        except Exception as exc:
            raise ExtractError(name, f"cannot read the sheet ({type(exc).__name__}: {str(exc)[:200]})",
                               sheet=sheet_name, hint="re-export it from Excel as .xlsx") from None
        _fill_vertical_merges(sheet, raw_rows)
        rows = []
        for i, cells in enumerate(raw_rows):
            # cell_text inline for text cells (most of them): a call per cell was a third of the parse
            texts = [c if c.__class__ is str and c.strip() else (None if c is None or c.__class__ is str else cell_text(c))
                     for c in cells]
            if any(texts):  # a text is None or holds a non-blank character
                rows.append((i + 1, texts))
        sheets.append((sheet_name, rows))
    return sheets
