"""Inert spreadsheet cells: every cell the project writes to XLSX or CSV goes through here.

Names, village names and folder names come from agencies' files. A value that begins with `=`, `+`, `-`,
`@`, a tab or a carriage return is read as a formula by Excel, LibreOffice and Google Sheets
(OWASP "CSV injection": `=HYPERLINK(...)`, `=cmd|' /C calc'!A0`, `@SUM(A1)`). So:

- XLSX: such a text is written as a string cell (never a formula) with Excel's quote prefix (the
  apostrophe a user types before text that looks like a formula): it shows and copies exactly as
  delivered, and stays text when someone edits the cell;
- CSV: such a text is prefixed with a single quote `'` (OWASP's advice), in the SELECT that DuckDB's
  COPY writes (`inert_select`), so `=1+1` is written as `'=1+1`.

Numbers, dates and booleans are typed values, not text: a negative number stays a number.
Parquet and JSON exports are not spreadsheets and keep the values as they are.
"""
from __future__ import annotations

from typing import Any, Iterable

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PREFIX = "'"

# DuckDB: the first character of a text value is one of the triggers (tab = chr(9), CR = chr(13))
_SQL_TRIGGER = "left({col}, 1) in ('=', '+', '-', '@', chr(9), chr(13))"


def is_risky(value: Any) -> bool:
    """A text that a spreadsheet would read as a formula."""
    return isinstance(value, str) and value.startswith(TRIGGERS)


def inert_text(value: Any) -> Any:
    """For CSV: a risky text gets the `'` prefix; every other value is returned unchanged."""
    return PREFIX + value if is_risky(value) else value


def xlsx_row(ws, values: Iterable[Any]) -> list:
    """Cells for `ws.append` (openpyxl, also write-only sheets): a risky text becomes a string cell with
    the quote prefix instead of a formula; other values pass as they are."""
    from openpyxl.cell import WriteOnlyCell

    row = []
    for value in values:
        if is_risky(value):
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"      # openpyxl made it a formula ('f'): text it is
            cell.quotePrefix = True   # Excel's apostrophe: stays text when edited
            row.append(cell)
        else:
            row.append(value)
    return row


def inert_sql(column_sql: str) -> str:
    """A DuckDB expression giving the text column `column_sql` with the `'` prefix where it is risky."""
    return f"case when {_SQL_TRIGGER.format(col=column_sql)} then '{PREFIX * 2}' || {column_sql} else {column_sql} end"


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def inert_select(con, table: str, schema: str = "main") -> str:
    """`select ...` of every column of the table, text columns made inert, for `copy (...) to 'x.csv'`."""
    cols = con.execute(
        "select column_name, data_type from information_schema.columns where table_catalog = current_database() "
        "and table_schema = ? and table_name = ? order by ordinal_position", [schema, table]).fetchall()
    if not cols:
        raise ValueError(f"no table {schema}.{table}")
    parts = []
    for name, dtype in cols:
        ident = _quote_ident(name)
        text = dtype.upper() in ("VARCHAR", "TEXT", "STRING") or dtype.upper().startswith("VARCHAR(")
        parts.append(f"{inert_sql(ident)} as {ident}" if text else ident)
    return f"select {', '.join(parts)} from {_quote_ident(schema)}.{_quote_ident(table)}"
