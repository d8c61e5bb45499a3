"""CSV extracts: encoding and delimiter detection, quoted line breaks, spreadsheet row numbers."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from .errors import ExtractError

DELIMITERS = [",", ";", "|", "\t"]
# A cell longer than this is no field of an agency's list (a file glued into one quoted cell): the file is
# refused. The csv module's limit is one global of the process that any library may set (Frictionless sets
# its own on import), so it is set again before every read.
FIELD_LIMIT = 10_000_000


def _reader(text: str, delimiter: str, strict: bool):
    csv.field_size_limit(FIELD_LIMIT)
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=strict)


@dataclass
class Decoded:
    text: str
    encoding: str


def decode(data: bytes, name: str) -> Decoded:
    if not data.strip():
        raise ExtractError(name, "the file is empty", hint="ask the agency to send the extract again")
    if data.startswith(b"\xef\xbb\xbf"):
        return Decoded(data[3:].decode("utf-8", errors="strict"), "utf-8-sig")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise ExtractError(name, "the file is UTF-16 or binary, not a text CSV",
                           hint="save it as CSV UTF-8 or Windows-1252")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return Decoded(data.decode("cp1252"), "cp1252")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ExtractError(name, f"unreadable text encoding (byte 0x{data[exc.start]:02x} at line {line} is "
                           "neither UTF-8 nor Windows-1252)", row=line,
                           hint="save it as CSV UTF-8") from None


def _records(text: str, delimiter: str, name: str, limit: int | None = None, strict: bool = True):
    """Yields (row_number, fields) where row_number counts records from 1, as a spreadsheet does."""
    reader = _reader(text, delimiter, strict)
    n = 0
    try:
        for fields in reader:
            n += 1
            yield n, fields
            if limit is not None and n >= limit:
                return
    except csv.Error as exc:
        raise ExtractError(name, f"malformed CSV ({exc}); the file may be truncated", row=n + 1,
                           hint="check the end of the file and re-export it") from None


def sniff_delimiter(text: str, name: str, score) -> str:
    """The delimiter under which the header matches the contract best (ties: more columns)."""
    best, best_score = ",", (-1, -1)
    for delim in DELIMITERS:
        try:
            # lenient while sniffing (a sample may cut a quoted field); strict when reading for real
            sample = [f for _, f in _records(text[:200_000], delim, name, limit=40, strict=False)]
        except ExtractError:
            continue
        s = (score(sample), max((len(f) for f in sample), default=0))
        if s > best_score:
            best, best_score = delim, s
    return best


def read_csv_rows(path: Path, name: str, score) -> tuple[list[tuple[int, list[str]]], str, str]:
    decoded = decode(path.read_bytes(), name)
    text = decoded.text
    delim = sniff_delimiter(text, name, score)
    try:
        # the records numbered in C (a Python generator per record cost a fifth of a big file's parse)
        rows = list(enumerate(_reader(text, delim, strict=True), 1))
    except csv.Error:
        rows = list(_records(text, delim, name))  # raises the ExtractError naming the record
    return rows, decoded.encoding, delim
