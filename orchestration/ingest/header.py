"""Find the header row among title rows and map its cells to the contract's canonical columns."""
from __future__ import annotations

from dataclasses import dataclass

from .contracts import Contract, header_key


@dataclass(frozen=True)
class HeaderMap:
    row_index: int                 # 0-based index of the header among the rows scanned
    columns: dict[int, str]        # cell position -> canonical column
    extras: dict[int, str]         # cell position -> original header of an unknown column
    original: dict[str, str]       # canonical column -> header text as delivered

    @property
    def score(self) -> int:
        return len(self.columns)


def map_header(cells: list[str], contract: Contract, row_index: int) -> HeaderMap:
    index = contract.alias_index
    columns: dict[int, str] = {}
    extras: dict[int, str] = {}
    original: dict[str, str] = {}
    for pos, cell in enumerate(cells):
        key = header_key(cell)
        if not key:
            continue
        canonical = index.get(key)
        if canonical and canonical not in original:
            columns[pos] = canonical
            original[canonical] = str(cell).strip()
        else:
            extras[pos] = str(cell).strip()
    return HeaderMap(row_index, columns, extras, original)


def find_header(rows: list[list[str]], contract: Contract) -> HeaderMap | None:
    """The first row carrying the most contract columns (at least two, or the only required one)."""
    best: HeaderMap | None = None
    for i, cells in enumerate(rows[: contract.header_scan_rows]):
        candidate = map_header(cells, contract, i)
        if best is None or candidate.score > best.score:
            best = candidate
    if best is None or best.score < min(2, max(1, len(contract.required))):
        return None
    return best


def missing_required(header: HeaderMap, contract: Contract) -> list[str]:
    return [c for c in contract.required if c not in header.original]
