"""XLSX extracts via python-calamine (8x faster than openpyxl); cells rendered as delivered text."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from python_calamine import CalamineWorkbook

from .errors import ExtractError


def cell_text(value: object) -> str | None:
    if value is None or value == "":
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


def read_xlsx_sheets(path: Path, name: str) -> list[tuple[str, list[tuple[int, list[str | None]]]]]:
    """[(sheet name, [(excel row number, cells)])] with fully empty rows dropped."""
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for zip/xml damage
        raise ExtractError(name, f"cannot open the workbook ({type(exc).__name__}: {str(exc)[:200]}); "
                           "the file is damaged, truncated or not an XLSX",
                           hint="re-export it from Excel as .xlsx") from None
    sheets = []
    for sheet_name in workbook.sheet_names:
        try:
            raw_rows = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        except Exception as exc:
            raise ExtractError(name, f"cannot read the sheet ({type(exc).__name__})", sheet=sheet_name) from None
        rows = []
        for i, cells in enumerate(raw_rows):
            texts = [cell_text(c) for c in cells]
            if any(t is not None for t in texts):
                rows.append((i + 1, texts))
        sheets.append((sheet_name, rows))
    return sheets
