"""Turn one extract file into canonical raw rows (text) with lineage, or say exactly why not."""
from __future__ import annotations

import gc
import json
from dataclasses import dataclass, field
from operator import itemgetter

import pyarrow as pa

from .contracts import Contract, header_key
from .csv_reader import read_csv_rows
from .discovery import ExtractFile
from .errors import ExtractError
from .header import HeaderMap, find_header, map_header, missing_required

LINEAGE = ["source_file", "source_sheet", "source_row", "period", "file_sha256", "extra_columns"]


@dataclass
class Rejected:
    source_sheet: str | None
    source_row: int
    rule: str
    detail: str


@dataclass
class ParsedFile:
    file: ExtractFile
    table: pa.Table
    rows_received: int
    rejected: list[Rejected] = field(default_factory=list)
    header_rows: dict[str, int] = field(default_factory=dict)   # sheet ('' for CSV) -> header row number
    columns_mapped: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    status: str = "loaded"          # 'error': no part of the file could be loaded (rows all rejected)
    message: str | None = None      # the reason when status is 'error' (names file, sheet, row, column)

    @property
    def rows_loaded(self) -> int:
        return self.table.num_rows


def _text(v: object) -> str | None:
    if v is None:
        return None
    if type(v) is str:
        return v if v.strip() else None
    s = str(v)
    return s if s.strip() else None


class _Builder:
    def __init__(self, contract: Contract, f: ExtractFile):
        self.contract, self.f = contract, f
        self.cols: dict[str, list] = {c: [] for c in contract.columns}
        self.lineage: dict[str, list] = {c: [] for c in LINEAGE}

    def add_block(self, sheet: str | None, header: HeaderMap, rows: list[tuple[int, list]],
                  cells_clean: bool = False) -> int:
        """``cells_clean``: every cell is already None or a text with a non-blank character (XLSX)."""
        # Column by column: a 400k-household DTKS is 10 million cells, and per-cell Python work
        # dominated the ingest.
        header_number, header_cells = rows[header.row_index]
        header_keys = [header_key(c) for c in header_cells]
        probe = next((i for i, k in enumerate(header_keys) if k), None)
        data = [(n, cells) for n, cells in rows if n > header_number]
        if probe is not None:
            probe_key = header_keys[probe]
            # a header repeated inside the data (blocks pasted one under another)
            data = [(n, cells) for n, cells in data
                    if not (probe < len(cells) and header_key(cells[probe]) == probe_key
                            and [header_key(c) for c in cells] == header_keys)]
        n = len(data)
        width = max(map(len, map(itemgetter(1), data)), default=0)
        # transposed once in C (short rows padded): one list per column position
        by_position = list(zip(*[c if len(c) == width else list(c) + [None] * (width - len(c)) for _, c in data]))

        def column(pos: int) -> list:
            values = by_position[pos]
            if cells_clean:
                return list(values)
            return [v if v.__class__ is str and v.strip() else (None if v is None or v.__class__ is str else _text(v))
                    for v in values]

        mapped = {}
        for pos in sorted(header.columns):
            if pos < width:
                mapped[header.columns[pos]] = column(pos)
            else:
                mapped[header.columns[pos]] = [None] * n
        for canonical in self.contract.columns:
            self.cols[canonical].extend(mapped.get(canonical) or [None] * n)
        extra_positions = [pos for pos in range(width) if pos not in header.columns]
        extras: list = [None] * n
        if extra_positions:
            names = {pos: header.extras.get(pos) or f"_column_{pos + 1}" for pos in extra_positions}
            values = {pos: column(pos) for pos in extra_positions}
            for i in range(n):
                row = {names[pos]: values[pos][i] for pos in extra_positions if values[pos][i] is not None}
                if row:
                    extras[i] = json.dumps(row, ensure_ascii=False)
        self.lineage["source_file"].extend([self.f.rel] * n)
        self.lineage["source_sheet"].extend([sheet] * n)
        self.lineage["source_row"].extend(r for r, _ in data)
        self.lineage["period"].extend([self.f.period] * n)
        self.lineage["file_sha256"].extend([self.f.sha256] * n)
        self.lineage["extra_columns"].extend(extras)
        return n

    def table(self) -> pa.Table:
        arrays = {c: pa.array(v, type=pa.string()) for c, v in self.cols.items()}
        for c, v in self.lineage.items():
            arrays[c] = pa.array(v, type=pa.int32() if c == "source_row" else pa.string())
        return pa.table(arrays)


def _score(contract: Contract):
    def score(sample: list[list[str]]) -> int:
        best = 0
        for i, cells in enumerate(sample):
            best = max(best, map_header(cells, contract, i).score)
        return best
    return score


def _check_header(f: ExtractFile, contract: Contract, header: HeaderMap | None, sheet: str | None,
                  rows: list[tuple[int, list]]) -> HeaderMap:
    if header is None:
        raise ExtractError(f.rel, f"no header row found in the first {contract.header_scan_rows} rows "
                           f"(expected columns such as {', '.join(list(contract.required) or list(contract.columns)[:4])})",
                           sheet=sheet, hint="check that the sheet holds the agency's list with its column names",
                           code="no_header")
    if header.duplicated:
        # two columns of one name: which one holds the data is unknown (taking the first quarantined every
        # row of a file whose first NAMA column was empty)
        raise ExtractError(f.rel, "column(s) named twice in the header: " + ", ".join(sorted(set(header.duplicated))),
                           sheet=sheet, row=rows[header.row_index][0], column=header.duplicated[0],
                           hint="remove or rename the extra column, then deliver the file again",
                           code="duplicate_header_column", header_row=rows[header.row_index][0])
    missing = missing_required(header, contract)
    if missing:
        aliases = "; ".join(f"{c} (e.g. {'/'.join(contract.columns[c][:3]) or c})" for c in missing)
        raise ExtractError(f.rel, f"required column(s) missing from the header: {aliases}", sheet=sheet,
                           row=rows[header.row_index][0],
                           column=", ".join((contract.columns[c] or (c,))[0] for c in missing),
                           hint=f"add the column or an alias in orchestration/contracts/{contract.source}.yml",
                           code="missing_required_column", header_row=rows[header.row_index][0])
    return header


def _rule(exc: ExtractError) -> str:
    if exc.code == "no_header" and exc.sheet is not None:
        return "sheet_without_header"
    return exc.code or "unreadable"


def _data_rows(rows: list[tuple[int, list]], exc: ExtractError) -> list[tuple[int, list]]:
    """The rows a rejected sheet/file delivered as data: below its header when one was found (title and
    header rows are not records), else every non-empty row."""
    if exc.header_row is None:
        return rows
    return [(n, cells) for n, cells in rows if n > exc.header_row]


def _split_ragged(rows: list[tuple[int, list]], header: HeaderMap):
    """CSV records carrying a value beyond the header's last field: a delimiter inside an unquoted value
    (an address 'Jl. Merdeka; No 5' in a ';' file) shifted every column after it, so the row cannot be
    trusted. (Tools pad every record to the header's field count; trailing empty fields are fine.)"""
    header_number, header_cells = rows[header.row_index]
    width = len(header_cells)
    if max(map(len, map(itemgetter(1), rows))) <= width:
        return rows, []
    keep, ragged = [], []
    for n, cells in rows:
        if n > header_number and len(cells) > width and any(_text(c) for c in cells[width:]):
            last = max(i for i, c in enumerate(cells) if _text(c)) + 1
            ragged.append((n, last, width))
        else:
            keep.append((n, cells))
    return keep, ragged


def _unusable(f: ExtractFile, builder: _Builder, problems: list, notes: list[str]) -> ParsedFile:
    """No sheet (or CSV) of the file has a usable header: the file is in error, and its rows are counted
    as received and rejected one by one with the reason, so that they reach the quarantine."""
    rejected = [Rejected(sheet, row_number, _rule(exc), exc.problem)
                for sheet, rows, exc in problems for row_number, _ in _data_rows(rows, exc)]
    message = "; ".join(exc.message for _, _, exc in problems)
    return ParsedFile(f, builder.table(), len(rejected), rejected, {}, {}, notes, status="error",
                      message=message)


def parse_file(f: ExtractFile, contract: Contract) -> ParsedFile:
    """The file's canonical rows as text with lineage, its rejected rows and its header mapping.

    Python's cyclic garbage collector is paused meanwhile: a big extract allocates millions of lists and
    strings (no reference cycles: refcounting frees them) and the collector's repeated passes over them
    were half of the parse (400k DTKS part: 7.6 s -> 3.5 s CPU, P3KE workbook 7.2 s -> 4.3 s)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse_file(f, contract)
    finally:
        if enabled:
            gc.enable()


def _parse_file(f: ExtractFile, contract: Contract) -> ParsedFile:
    builder = _Builder(contract, f)
    rejected: list[Rejected] = []
    header_rows: dict[str, int] = {}
    mapped: dict[str, str] = {}
    notes: list[str] = []
    received = 0
    if f.reader == "csv":
        raw_rows, encoding, delim = read_csv_rows(f.path, f.rel, _score(contract))
        # CSV fields are text: a record is blank when its fields joined are blank
        rows = [(n, cells) for n, cells in raw_rows if "".join(cells).strip()]
        if not rows:
            raise ExtractError(f.rel, "the file holds no rows", hint="ask the agency to send the extract again")
        notes.append(f"encoding {encoding}, delimiter {delim!r}")
        try:
            header = _check_header(f, contract, find_header([c for _, c in rows], contract), None, rows)
        except ExtractError as exc:
            # Readable text but no usable header: every row is received and quarantined with the reason
            # (nothing disappears); the file is in error in the manifest with the same message.
            return _unusable(f, builder, [(None, rows, exc)], notes)
        rows, ragged = _split_ragged(rows, header)
        for n, fields, width in ragged:
            rejected.append(Rejected(None, n, "ragged_row",
                                     f"row has {fields} fields, header {width} (a delimiter {delim!r} inside an "
                                     "unquoted value shifts the columns)"))
        if ragged:
            notes.append(f"{len(ragged)} row(s) with more fields than the header rejected (ragged_row), "
                         f"first at row {ragged[0][0]}")
        received += len(ragged)
        received += builder.add_block(None, header, rows)
        header_rows[""] = rows[header.row_index][0]
        mapped.update(header.original)
    else:
        from .xlsx_reader import read_xlsx_sheets
        hidden: set[str] = set()
        sheets = read_xlsx_sheets(f.path, f.rel, hidden=hidden)
        usable = 0
        problems: list[ExtractError] = []
        for sheet, rows in sheets:
            if not rows:
                continue
            try:
                header = _check_header(f, contract, find_header([c for _, c in rows], contract), sheet, rows)
            except ExtractError as exc:
                problems.append((sheet, rows, exc))
                continue
            usable += 1
            received += builder.add_block(sheet, header, rows, cells_clean=True)
            header_rows[sheet] = rows[header.row_index][0]
            mapped.update(header.original)
        if not usable:
            if problems:
                shown = [p for p in problems if not (p[0] in hidden and p[2].code == "no_header")]
                return _unusable(f, builder, shown or problems, notes)
            raise ExtractError(f.rel, "the workbook holds no rows", hint="ask the agency to send the extract again")
        for sheet, rows, exc in problems:
            if sheet in hidden and exc.code == "no_header":
                # a hidden helper sheet (the village list behind a drop-down): not part of the list
                notes.append(f"hidden sheet '{sheet}' without a header skipped ({len(rows)} rows)")
                continue
            # A sheet that is not part of the list (notes, a summary) cannot be loaded: its rows are
            # counted and rejected with the reason, so nothing disappears silently.
            notes.append(exc.message)
            for row_number, _ in _data_rows(rows, exc):
                rejected.append(Rejected(sheet, row_number, _rule(exc), exc.problem))
                received += 1
    return ParsedFile(f, builder.table(), received, rejected, header_rows, mapped, notes)
