"""Find the header row among title rows and map its cells to the contract's canonical columns."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .contracts import Contract, header_key


@dataclass(frozen=True)
class HeaderMap:
    row_index: int                 # 0-based index of the header among the rows scanned
    columns: dict[int, str]        # cell position -> canonical column
    extras: dict[int, str]         # cell position -> original header of an unknown column
    original: dict[str, str]       # canonical column -> header text as delivered
    duplicated: tuple[str, ...] = ()  # header texts of contract columns that appear twice, as delivered

    @property
    def score(self) -> int:
        return len(self.columns)


def map_header(cells: list[str], contract: Contract, row_index: int) -> HeaderMap:
    index = contract.alias_index
    columns: dict[int, str] = {}
    extras: dict[int, str] = {}
    original: dict[str, str] = {}
    seen: set[str] = set()
    duplicated: list[str] = []
    for pos, cell in enumerate(cells):
        key = header_key(cell)
        if not key:
            continue
        if key in seen and key in index:
            duplicated.append(str(cell).strip())
        seen.add(key)
        canonical = index.get(key)
        if canonical is None:
            # a note in brackets after the name: 'TGL LAHIR (DD-MM-YYYY)', 'NIK [16 digit]'
            canonical = index.get(header_key(re.sub(r"\(.*?\)|\[.*?\]", "", str(cell))))
        if canonical and canonical not in original:
            columns[pos] = canonical
            original[canonical] = str(cell).strip()
        else:
            extras[pos] = str(cell).strip()
    return HeaderMap(row_index, columns, extras, original, tuple(duplicated))


def find_header(rows: list[list[str]], contract: Contract) -> HeaderMap | None:
    """The first row carrying the most contract columns (at least two, or the only required one)."""
    best: HeaderMap | None = None
    for i, cells in enumerate(rows[: contract.header_scan_rows]):
        candidate = map_header(cells, contract, i)
        if best is None or candidate.score > best.score:
            best = candidate
    if best is None or best.score < min(2, max(1, len(contract.required))):
        return None
    return _skip_column_numbers(rows, _with_continuation(rows, best, contract))


_COLUMN_NUMBER = re.compile(r"^\(?\s*(\d{1,3})\s*\)?$")


def _skip_column_numbers(rows: list[list[str]], header: HeaderMap) -> HeaderMap:
    """Government forms number their columns under the header ('(1) (2) (3) ...' or '1 2 3 ...'): that
    row is part of the header, not a record."""
    i = header.row_index + 1
    if i >= len(rows):
        return header
    cells = [str(c).strip() for c in rows[i] if c is not None and str(c).strip()]
    numbers = [_COLUMN_NUMBER.match(c) for c in cells]
    if len(cells) < 3 or not all(numbers):
        return header
    values = [int(m.group(1)) for m in numbers]
    if values[0] != 1 or any(b != a + 1 for a, b in zip(values, values[1:])):
        return header
    return HeaderMap(i, header.columns, header.extras, header.original, header.duplicated)


def _with_continuation(rows: list[list[str]], header: HeaderMap, contract: Contract) -> HeaderMap:
    """A header over two rows (cells merged down over both, group titles merged across with the
    sub-columns named below: 'ALAMAT' over 'RT' | 'RW'): the row under the header repeats a column name
    in a mapped column (never so in a data row). It joins the header: its names fill the columns the
    first row left unnamed, and data starts below it."""
    i = header.row_index + 1
    if i >= len(rows):
        return header
    top, below = rows[header.row_index], rows[i]
    repeats = [pos for pos in header.columns
               if pos < len(below) and header_key(below[pos]) and header_key(below[pos]) == header_key(top[pos])]
    if not repeats:
        return header
    width = max(len(top), len(below))
    combined = []
    for pos in range(width):
        t = top[pos] if pos < len(top) else None
        b = below[pos] if pos < len(below) else None
        combined.append(t if pos in header.columns or not header_key(b) else b)
    joined = map_header(combined, contract, i)
    return joined if joined.score >= header.score else HeaderMap(i, header.columns, header.extras, header.original,
                                                                 header.duplicated)


def missing_required(header: HeaderMap, contract: Contract) -> list[str]:
    return [c for c in contract.required if c not in header.original]
