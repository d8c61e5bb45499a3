"""How many rows a file rejected whole holds, when that can be known without reading it as data.

A file that cannot be read (password-protected workbook, damaged XML, an oversized cell, an unreadable
encoding) still delivered rows: they are counted in the manifest (`rows_unread`) and in ind_data_quality
so that a rejected file is never a silent hole. The count is cheap and does not trust the content:
  CSV / text   lines holding anything but separators, less one (the header);
  XLSX / XLSM  `<row` elements of every worksheet's XML (the zip is opened, the XML is not parsed), less
               one header per worksheet holding rows;
  anything else, an encrypted workbook (not a zip) or a damaged zip: unknown (None), the file alone counts.
Title rows above a header are counted as rows: an upper bound, as a file that cannot be read cannot tell
its title rows from its data.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

_BLANK = re.compile(rb"^[\s,;|\t\"']*$")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")
_WORKSHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_CHUNK = 1 << 20


def _csv_rows(path: Path) -> int:
    lines = 0
    with path.open("rb") as fh:
        for line in fh:
            if not _BLANK.match(line):
                lines += 1
    return max(lines - 1, 0)


def _sheet_rows(zf: zipfile.ZipFile, member: str) -> int:
    n, tail = 0, b""
    with zf.open(member) as fh:
        while block := fh.read(_CHUNK):
            data = tail + block
            # a tag cut at the block's end is counted with the next block: keep the last bytes apart
            cut = max(0, len(data) - 8)
            n += len(_ROW_TAG.findall(data, 0, cut))
            tail = data[cut:]
    return n + len(_ROW_TAG.findall(tail))


def count_rows(path: Path) -> int | None:
    """Rows (header excluded) a file holds by the rule above; None when it cannot be known cheaply."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt"):
            return _csv_rows(path)
        if suffix in (".xlsx", ".xlsm") and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                counts = [_sheet_rows(zf, m) for m in zf.namelist() if _WORKSHEET.match(m)]
            return sum(max(c - 1, 0) for c in counts)
    except (OSError, zipfile.BadZipFile, EOFError, RuntimeError, ValueError):
        return None  # a damaged zip (bad CRC, truncated deflate) or an unreadable file: unknown
    return None
