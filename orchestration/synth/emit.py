"""From a source table to files: duplicates, file parts and sheets, header and layout quirks.

Returns the answer-key rows of every data row written (file, sheet, row number as a spreadsheet or
a CSV reader counts it).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import quirks
from .extracts import Table
from .writers import CsvOptions, Sheet, write_csv, write_xlsx

CSV_DELIMS = [",", ";", "|", "\t"]
CSV_ENCODINGS = ["utf-8", "utf-8-sig", "cp1252"]
# header aliases that the agencies use (each one listed in that source's contract)
ALIASES = {"dtks": {"KODE_WILAYAH": "KDDESA_KEMENDAGRI"}, "p3ke": {"DESA": "DESA_KELURAHAN"},
           "pkh": {"DESA": "DESA_KELURAHAN"}, "bpnt": {"DESA": "DESA_KELURAHAN"}}
AGENCY = {"dtks": "Dinas Sosial", "p3ke": "Bappeda", "pkh": "Dinas Sosial", "bpnt": "Dinas Sosial",
          "pbi_jk": "BPJS Kesehatan", "blt_dd": "Dinas PMK", "rtlh": "Dinas Perkim", "baznas": "Baznas",
          "kur": "Bank Lampung", "dukcapil_agregat": "Disdukcapil"}


@dataclass
class EmitState:
    """Counters that spread the file-level quirks over all files of a run."""
    csv_files: int = 0
    xlsx_files: int = 0


def _headers(rng: np.random.Generator, canon: list[str], k: int, source: str) -> list[str]:
    """Header spelling for one file; the k-th file of a run gets style k (so all styles appear)."""
    style = quirks.HEADER_STYLES[k % len(quirks.HEADER_STYLES)]
    out = []
    for c in canon:
        al = ALIASES.get(source, {})
        name = al[c] if (c in al and rng.random() < 0.3) else c
        st = style if rng.random() < 0.8 else quirks.HEADER_STYLES[int(rng.integers(0, len(quirks.HEADER_STYLES)))]
        out.append(quirks.header_variant(name, st))
    return out


def _layout(rng: np.random.Generator, tb: Table, rows: np.ndarray, k: int) -> tuple[list[str], pd.DataFrame]:
    """Columns of one file: canonical order, sometimes shuffled, sometimes an extra unknown column."""
    canon = list(tb.cols)
    order = list(range(len(canon)))
    if k % 3 == 1:  # swap a few columns
        for _ in range(3):
            a, b = rng.integers(0, len(order), 2)
            order[a], order[b] = order[b], order[a]
    cols = [canon[i] for i in order]
    frame = pd.DataFrame({c: tb.cols[c][rows] for c in cols})
    if k % 4 == 2:
        extra = quirks.EXTRA_COLUMNS[int(rng.integers(0, len(quirks.EXTRA_COLUMNS)))]
        vals = np.where(rng.random(len(rows)) < 0.3, "cek ulang", "").astype(object)
        pos = int(rng.integers(0, len(cols) + 1))
        frame.insert(pos, extra, vals)
        cols.insert(pos, extra)
    headers = _headers(rng, cols, k, tb.source)
    return headers, frame


def _key(tb: Table, period: str, rel: str, sheet: str | None, rows: np.ndarray, first_row: int) -> pd.DataFrame:
    n = len(rows)
    status = tb.cols.get("STATUS_PESERTA")  # PBI-JK: a NONAKTIF member is listed, not a recipient
    recipient = (np.ones(n, dtype=bool) if status is None
                 else np.array([str(s).strip().upper() != "NONAKTIF" for s in status[rows]], dtype=bool))
    return pd.DataFrame({
        "source": tb.source, "period": period, "source_file": rel,
        "source_sheet": pd.Series([sheet] * n, dtype=object),
        "source_row": np.arange(first_row, first_row + n, dtype=np.int64),
        "person_key": tb.pkey[rows], "household_key": tb.hkey[rows],
        "defects": tb.defects[rows], "expect_quarantine": tb.quar[rows], "recipient": recipient,
    })


def emit(rng: np.random.Generator, tb: Table, out_dir: Path, period: str, t: int, state: EmitState,
         kab_name: str, kec_names: tuple[str, ...], redeliver: bool) -> tuple[list[pd.DataFrame], list[str]]:
    # ---- exact duplicate rows, right after the original
    n = len(tb)
    dup = rng.random(n) < 0.003
    idx = np.repeat(np.arange(n), 1 + dup.astype(int))
    is_copy = np.r_[False, idx[1:] == idx[:-1]]
    tb = Table(tb.source, tb.fmt, {c: v[idx] for c, v in tb.cols.items()}, tb.pkey[idx], tb.hkey[idx],
               quirks.add_tag(tb.defects[idx], is_copy, "duplicate_row"), tb.quar[idx], tb.group[idx], tb.meta)
    src = tb.source
    folder = out_dir / src / period
    ym = period.replace("-", "")
    kab = kab_name.upper().replace(" ", "_")
    keys: list[pd.DataFrame] = []
    files: list[str] = []
    all_rows = np.arange(len(tb))
    kec_of = tb.group

    def rel(p: Path) -> str:
        return p.relative_to(out_dir).as_posix()

    if tb.fmt == "csv":
        if src == "dtks" and t % 2 == 1:
            cut = len(kec_names) // 2
            parts = [(f"DTKS_{kab}_{ym}_part1.csv", all_rows[kec_of < cut]), (f"DTKS_{kab}_{ym}_part2.csv", all_rows[kec_of >= cut])]
        else:
            nm = {"dtks": f"DTKS_{kab}_{ym}.csv", "pbi_jk": f"PBI_JK_{kab}_{ym}.csv", "baznas": f"mustahik_baznas_{ym}.csv",
                  "kur": f"debitur_kur_bank_lampung_{ym}.csv"}[src]
            parts = [(nm, all_rows)]
        for name, rows in parts:
            k = state.csv_files
            state.csv_files += 1
            opts = CsvOptions(delimiter=CSV_DELIMS[k % 4], encoding=CSV_ENCODINGS[k % 3],
                              lineterminator="\r\n" if k % 2 == 0 else "\n", quote_all=(k % 5 == 3))
            headers, frame = _layout(rng, tb, rows, k)
            if opts.encoding == "cp1252" and len(frame) and "ALAMAT" in frame.columns:
                al = frame["ALAMAT"].astype(str)
                if not al.map(str.isascii).eq(False).any():  # make the encoding matter: one ’ at least
                    frame.iloc[0, frame.columns.get_loc("ALAMAT")] = al.iloc[0] + " Gg. Ma’arif"
            path = folder / name
            write_csv(path, headers, frame, opts)
            keys.append(_key(tb, period, rel(path), None, rows, 2))
            files.append(rel(path))
    else:
        title_map = {
            "p3ke": ["DATA P3KE KABUPATEN " + kab_name.upper(), "{KEC}", "Sumber: Portal P3KE Kemenko PMK", ""],
            "pkh": ["DAFTAR KPM PROGRAM KELUARGA HARAPAN (PKH)", "KABUPATEN " + kab_name.upper(), ""],
            "bpnt": ["DAFTAR KPM PROGRAM SEMBAKO / BPNT", f"PERIODE {period}"],
            "blt_dd": ["DAFTAR KELUARGA PENERIMA MANFAAT BLT DANA DESA", "KECAMATAN {KEC}", f"TAHUN ANGGARAN {period[:4]}", ""],
            "rtlh": ["REKAPITULASI PENERIMA BANTUAN RUMAH TIDAK LAYAK HUNI", f"TAHUN ANGGARAN {period[:4]}", ""],
        }
        titles = title_map[src]
        if src == "rtlh" and t % 2 == 1:
            titles = []  # header in row 1
        if src in ("p3ke", "blt_dd"):
            kecs = [k for k in range(len(kec_names)) if (kec_of == k).any()] or [0]  # empty list: header only
            if src == "p3ke" and t % 2 == 1:
                chunks = [kecs[i::3] for i in range(3)]
                chunks = [sorted(c) for c in chunks if c]
                fnames = [f"P3KE_{kab}_{ym}_bagian_{i + 1}.xlsx" for i in range(len(chunks))]
            else:
                chunks = [kecs]
                fnames = [f"P3KE_{kab}_{ym}.xlsx" if src == "p3ke" else f"BLT_DD_{kab}_{ym}.xlsx"]
            plan = [(fn, [(kec_names[k], all_rows[kec_of == k]) for k in ch]) for fn, ch in zip(fnames, chunks)]
            if (kec_of < 0).any():  # rows of no known kecamatan: a leftover sheet named after none
                plan[-1][1].append(("LAIN-LAIN", all_rows[kec_of < 0]))
        elif src == "bpnt" and t % 2 == 0:
            cut = len(kec_names) // 2
            plan = [(f"BPNT_{kab}_{ym}.xlsx", [("Bagian 1", all_rows[kec_of < cut]), ("Bagian 2", all_rows[kec_of >= cut])])]
        else:
            nm = {"pkh": f"PKH_{kab}_{ym}.xlsx", "bpnt": f"BPNT_{kab}_{ym}.xlsx", "rtlh": f"RTLH_{kab}_{ym}.xlsx"}[src]
            plan = [(nm, [("Sheet1" if src == "rtlh" else src.upper(), all_rows)])]
        for fname, sheets in plan:
            k = state.xlsx_files
            state.xlsx_files += 1
            built = []
            for sname, rows in sheets:
                if src == "blt_dd":
                    tb.cols["NO"][rows] = "\x00n" + pd.Series(np.arange(1, len(rows) + 1)).astype(str).to_numpy(dtype=object)
                headers, frame = _layout(rng, tb, rows, k)
                ttl = [x.replace("{KEC}", ("KECAMATAN " if src == "p3ke" else "") + sname.upper()) for x in titles]
                if src == "p3ke" and k % 2 == 1:
                    ttl = ttl[:1] + ttl[3:]  # fewer title rows in some files
                sh = Sheet(name=re.sub(r"[\[\]:*?/\\]", " ", sname)[:31], header=headers, data=frame, title_rows=ttl, merge_titles=(k % 3 != 2),
                           trailing_empty=int(rng.integers(0, 12)) if k % 2 == 0 else 0)
                built.append(sh)
                keys.append(_key(tb, period, rel(folder / fname), sh.name, rows, sh.first_data_row))
            path = folder / fname
            write_xlsx(path, built, creator=AGENCY[src], timestamp=f"{period}-28T08:00:00Z")
            files.append(rel(path))
    if redeliver and files:
        first = out_dir / files[0]
        copy = first.with_name(first.stem + "_kirim_ulang" + first.suffix)
        shutil.copyfile(first, copy)
        for kf in [k for k in keys if len(k) and k["source_file"].iloc[0] == files[0]]:
            dup = kf.copy()
            dup["source_file"] = rel(copy)
            dup["defects"] = quirks.add_tag(dup["defects"].to_numpy(dtype=object), np.ones(len(dup), bool), "duplicate_file")
            keys.append(dup)
        files.append(rel(copy))
    return keys, files


def emit_dukcapil(df: pd.DataFrame, out_dir: Path, period: str, state: EmitState, rng: np.random.Generator) -> list[str]:
    k = state.csv_files
    state.csv_files += 1
    # village names are ASCII: a cp1252 aggregate would be indistinguishable from UTF-8, so UTF-8 (BOM or not)
    opts = CsvOptions(delimiter=CSV_DELIMS[k % 4], encoding=CSV_ENCODINGS[k % 2], lineterminator="\r\n")
    nodots = k % 2 == 1
    df = df.copy()
    if nodots:
        df["KODE_WILAYAH"] = df["KODE_WILAYAH"].str.replace(".", "", regex=False)
    headers = _headers(rng, list(df.columns), k, "dukcapil_agregat")
    path = out_dir / "dukcapil_agregat" / period / f"agregat_dukcapil_semester_{period.replace('-', '')}.csv"
    write_csv(path, headers, df, opts)
    return [path.relative_to(out_dir).as_posix()]
