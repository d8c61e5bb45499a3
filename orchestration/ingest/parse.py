"""Turn one extract file into canonical raw rows (text) with lineage, or say exactly why not."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

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

    @property
    def rows_loaded(self) -> int:
        return self.table.num_rows


def _text(v: object) -> str | None:
    if v is None:
        return None
    s = str(v)
    return s if s.strip() else None


class _Builder:
    def __init__(self, contract: Contract, f: ExtractFile):
        self.contract, self.f = contract, f
        self.cols: dict[str, list] = {c: [] for c in contract.columns}
        self.lineage: dict[str, list] = {c: [] for c in LINEAGE}

    def add_block(self, sheet: str | None, header: HeaderMap, rows: list[tuple[int, list]]) -> int:
        header_keys = None
        n = 0
        for row_number, cells in rows:
            if header_keys is None:
                header_keys = [header_key(c) for c in rows[header.row_index][1]]
            if row_number <= rows[header.row_index][0]:
                continue
            if [header_key(c) for c in cells] == header_keys:
                continue  # a header repeated inside the data (blocks pasted one under another)
            n += 1
            values = {canonical: None for canonical in self.contract.columns}
            extras = {}
            for pos, cell in enumerate(cells):
                text = _text(cell)
                if pos in header.columns:
                    values[header.columns[pos]] = text
                elif text is not None:
                    extras[header.extras.get(pos) or f"_column_{pos + 1}"] = text
            for canonical, value in values.items():
                self.cols[canonical].append(value)
            self.lineage["source_file"].append(self.f.rel)
            self.lineage["source_sheet"].append(sheet)
            self.lineage["source_row"].append(row_number)
            self.lineage["period"].append(self.f.period)
            self.lineage["file_sha256"].append(self.f.sha256)
            self.lineage["extra_columns"].append(json.dumps(extras, ensure_ascii=False) if extras else None)
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
                           sheet=sheet, hint="check that the sheet holds the agency's list with its column names")
    missing = missing_required(header, contract)
    if missing:
        aliases = "; ".join(f"{c} (e.g. {'/'.join(contract.columns[c][:3]) or c})" for c in missing)
        raise ExtractError(f.rel, f"required column(s) missing from the header: {aliases}", sheet=sheet,
                           row=rows[header.row_index][0],
                           column=", ".join((contract.columns[c] or (c,))[0] for c in missing),
                           hint=f"add the column or an alias in orchestration/contracts/{contract.source}.yml")
    return header


def parse_file(f: ExtractFile, contract: Contract) -> ParsedFile:
    builder = _Builder(contract, f)
    rejected: list[Rejected] = []
    header_rows: dict[str, int] = {}
    mapped: dict[str, str] = {}
    notes: list[str] = []
    received = 0
    if f.reader == "csv":
        raw_rows, encoding, delim = read_csv_rows(f.path, f.rel, _score(contract))
        rows = [(n, cells) for n, cells in raw_rows if any(_text(c) for c in cells)]
        if not rows:
            raise ExtractError(f.rel, "the file holds no rows", hint="ask the agency to send the extract again")
        header = _check_header(f, contract, find_header([c for _, c in rows], contract), None, rows)
        received += builder.add_block(None, header, rows)
        header_rows[""] = rows[header.row_index][0]
        mapped.update(header.original)
        notes.append(f"encoding {encoding}, delimiter {delim!r}")
    else:
        from .xlsx_reader import read_xlsx_sheets
        sheets = read_xlsx_sheets(f.path, f.rel)
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
            received += builder.add_block(sheet, header, rows)
            header_rows[sheet] = rows[header.row_index][0]
            mapped.update(header.original)
        if not usable:
            if problems:
                raise problems[0][2]
            raise ExtractError(f.rel, "the workbook holds no rows", hint="ask the agency to send the extract again")
        for sheet, rows, exc in problems:
            # A sheet that is not part of the list (notes, a summary) cannot be loaded: its rows are
            # counted and rejected with the reason, so nothing disappears silently.
            notes.append(exc.message)
            for row_number, _ in rows:
                rejected.append(Rejected(sheet, row_number, "sheet_without_header", exc.problem))
            received += len(rows)
    return ParsedFile(f, builder.table(), received, rejected, header_rows, mapped, notes)
