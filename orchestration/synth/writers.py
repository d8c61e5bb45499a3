"""Byte-deterministic CSV and XLSX writers.

XLSX is written directly as SpreadsheetML (shared strings, as Excel writes them) with column-wise
vectorised XML building (Arrow): openpyxl and XlsxWriter both write about 50 k cells/s, far too slow for a kabupaten
(tens of millions of cells per period). Zip entries and document properties carry fixed timestamps,
so the same input gives the same bytes.

Cell values in a frame handed to `write_xlsx` are text, None/'' (empty cell), or text with a marker:
  "\\x00n<digits>"  numeric cell (e.g. a NIK that Excel turned into a number, an Excel date serial)
  "\\x00d<serial>"  numeric cell with a date number format (a real Excel date)
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

NUM = "\x00n"
DATE = "\x00d"
_FIXED_ZIP_TIME = (2025, 1, 1, 0, 0, 0)


# ------------------------------------------------------------------ CSV
@dataclass
class CsvOptions:
    delimiter: str = ","
    encoding: str = "utf-8"  # 'utf-8', 'utf-8-sig' (BOM) or 'cp1252'
    lineterminator: str = "\r\n"
    quote_all: bool = False


def write_csv(path: Path, header: list[str], frame: pd.DataFrame, opts: CsvOptions) -> None:
    """Header record = record 1; data row i (0-based) = record i + 2."""
    path.parent.mkdir(parents=True, exist_ok=True)
    df = frame.copy()
    df.columns = header
    buf = io.StringIO()
    df.to_csv(buf, sep=opts.delimiter, index=False, lineterminator=opts.lineterminator,
              quoting=csv.QUOTE_ALL if opts.quote_all else csv.QUOTE_MINIMAL)
    text = buf.getvalue()
    if "\x00" in text:
        raise ValueError(f"{path}: XLSX cell marker leaked into a CSV")
    with open(path, "wb") as f:
        f.write(text.encode(opts.encoding))


# ------------------------------------------------------------------ XLSX
@dataclass
class Sheet:
    name: str
    header: list[str]
    data: pd.DataFrame  # one column per header entry, values as described in the module doc
    title_rows: list[str] = field(default_factory=list)  # rows above the header ('' = blank row)
    merge_titles: bool = True
    trailing_empty: int = 0

    @property
    def header_row(self) -> int:
        return len(self.title_rows) + 1

    @property
    def first_data_row(self) -> int:
        return self.header_row + 1


def col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _text_cell(ref: str, text: str, style: int = 0) -> str:
    t = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    sp = ' xml:space="preserve"' if t != t.strip() else ""
    st = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{st} t="inlineStr"><is><t{sp}>{t}</t></is></c>'


def _ls(s: str) -> pa.Scalar:
    return pa.scalar(s, pa.large_string())


def _cell(x: str, sst: dict[str, int]) -> str:
    """One cell without its reference (cells follow each other; empty cells are written as <c/>)."""
    if not x:
        return "<c/>"
    if x[0] == "\x00":
        return f"<c><v>{x[2:]}</v></c>" if x[1] == "n" else f'<c s="2"><v>{x[2:]}</v></c>'
    i = sst.get(x)
    if i is None:
        i = sst[x] = len(sst)
    return f'<c t="s"><v>{i}</v></c>'


def _sst_xml(sst: dict[str, int]) -> bytes:
    parts = []
    for x in sst:  # insertion order = index order
        t = x.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        parts.append(f'<si><t xml:space="preserve">{t}</t></si>' if t != t.strip() else f"<si><t>{t}</t></si>")
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(sst)}" '
            f'uniqueCount="{len(sst)}">' + "".join(parts) + "</sst>").encode("utf-8")


def _concat(arr: pa.Array) -> bytes:
    """All strings of a large_string array back to back, straight from its data buffer."""
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset: arr.offset + len(arr) + 1]
    data = arr.buffers()[2]
    return data.to_pybytes()[int(offsets[0]): int(offsets[-1])] if data is not None else b""


def _sheet_xml(sh: Sheet, sst: dict[str, int]) -> bytes:
    ncol = len(sh.header)
    letters = [col_letter(i) for i in range(ncol)]
    parts: list[str] = []
    r = 1
    for t in sh.title_rows:
        if t:
            parts.append(f'<row r="{r}">{_text_cell(f"A{r}", t, 1)}</row>')
        r += 1
    hr = r
    parts.append(f'<row r="{hr}">' + "".join(_text_cell(f"{letters[i]}{hr}", h, 1) for i, h in enumerate(sh.header)) + "</row>")
    n = len(sh.data)
    if n:
        cols = []
        for i in range(ncol):
            vals = ["" if x is None or x != x else str(x) for x in sh.data.iloc[:, i].to_numpy(dtype=object)]
            if n < 5000:  # small sheets: plain Python is faster than Arrow's per-call overhead
                uniq = list(dict.fromkeys(vals))
                cmap = {x: _cell(x, sst) for x in uniq}
                cols.append([cmap[x] for x in vals])
                continue
            enc = pc.dictionary_encode(pa.array(vals, type=pa.large_string()))
            cells = [_cell(x, sst) for x in enc.dictionary.to_pylist()]
            cols.append(pc.take(pa.array(cells, type=pa.large_string()), enc.indices))
        if n < 5000:
            body = "".join([f'<row r="{r}">' + "".join(c) + "</row>"
                            for r, c in zip(range(hr + 1, hr + 1 + n), zip(*cols))]).encode("utf-8")
            cols = []
        rnum = pa.array([str(x) for x in range(hr + 1, hr + 1 + n)], type=pa.large_string())
        if cols:
            rows = pc.binary_join_element_wise(_ls('<row r="'), rnum, _ls('">'), *cols, _ls("</row>"), _ls(""))
            body = _concat(rows)
    else:
        body = b""
    last = hr + n
    trail = ""
    for k in range(sh.trailing_empty):
        last += 1
        trail += f'<row r="{last}"><c r="A{last}" s="0"/></row>'
    dim = f"A1:{letters[-1]}{max(last, hr)}"
    merge = ""
    titled = [i + 1 for i, t in enumerate(sh.title_rows) if t]
    if sh.merge_titles and titled and ncol > 1:
        refs = "".join(f'<mergeCell ref="A{x}:{letters[min(ncol, 8) - 1]}{x}"/>' for x in titled)
        merge = f'<mergeCells count="{len(titled)}">{refs}</mergeCells>'
    head = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<dimension ref="{dim}"/><sheetData>' + "".join(parts))
    tail = trail + "</sheetData>" + merge + "</worksheet>"
    return b"".join([head.encode("utf-8"), body, tail.encode("utf-8")])


_STYLES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
           '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
           '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
           '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
           '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
           '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
           '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
           '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def _xml_attr(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def write_xlsx(path: Path, sheets: list[Sheet], creator: str, timestamp: str) -> None:
    """timestamp: fixed ISO time for created/modified, e.g. '2025-09-30T08:00:00Z'."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = len(sheets)
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          + "".join(f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(n))
          + '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
          '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
          '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
          '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
          "</Types>")
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>")
    wb = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
          + "".join(f'<sheet name="{_xml_attr(s.name)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, s in enumerate(sheets))
          + "</sheets></workbook>")
    wbrels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
              + "".join(f'<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i + 1}.xml"/>' for i in range(n))
              + f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
              + f'<Relationship Id="rId{n + 2}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
              "</Relationships>")
    core = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:creator>{_xml_attr(creator)}</dc:creator><cp:lastModifiedBy>{_xml_attr(creator)}</cp:lastModifiedBy>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{timestamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{timestamp}</dcterms:modified></cp:coreProperties>')
    app = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
           "<Application>Microsoft Excel</Application></Properties>")
    with zipfile.ZipFile(path, "w") as z:
        def put(name: str, data: bytes | str, level: int = 6) -> None:
            zi = zipfile.ZipInfo(name, date_time=_FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            z.writestr(zi, data if isinstance(data, bytes) else data.encode("utf-8"), compresslevel=level)

        put("[Content_Types].xml", ct)
        put("_rels/.rels", rels)
        put("docProps/core.xml", core)
        put("docProps/app.xml", app)
        put("xl/workbook.xml", wb)
        put("xl/_rels/workbook.xml.rels", wbrels)
        put("xl/styles.xml", _STYLES)
        sst: dict[str, int] = {}
        for i, s in enumerate(sheets):
            put(f"xl/worksheets/sheet{i + 1}.xml", _sheet_xml(s, sst), level=1)
        put("xl/sharedStrings.xml", _sst_xml(sst), level=1)
