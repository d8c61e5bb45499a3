"""The field quirks of extract-formats.md, applied to columns of a source table.

Every row-level mangling returns the new values and a boolean mask of the rows it touched, so the
caller can record a defect tag in the answer key. Values for XLSX may carry the numeric-cell markers
of `writers` (NUM, DATE).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .writers import DATE, NUM

BULAN = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
         "Oktober", "November", "Desember"]
EXCEL_EPOCH = np.datetime64("1899-12-30", "D")


def add_tag(defects: np.ndarray, mask: np.ndarray, tag: str) -> np.ndarray:
    if not mask.any():
        return defects
    cur = defects[mask]
    defects = defects.copy()
    defects[mask] = np.where(cur == "", tag, cur + "," + tag)
    return defects


# ------------------------------------------------------------------ identifiers
def sci(ids: np.ndarray) -> np.ndarray:
    """'1802214507890001' -> '1.80221E+15' (Excel's General format)."""
    return np.array(["%.5E" % float(x) if x else x for x in ids], dtype=object)


def zeroed(ids: np.ndarray) -> np.ndarray:
    return np.array([x[:15] + "0" if len(x) == 16 else x for x in ids], dtype=object)


def mangle_ids(rng: np.random.Generator, ids: np.ndarray, fmt: str, rates: dict[str, float],
               prefix: str = "nik") -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Typing/Excel damage on an identifier column; returns values and {tag: mask}."""
    n = len(ids)
    out = ids.astype(object).copy()
    kinds = ["scientific", "excel_zeroed", "apostrophe", "formatted", "typo", "missing", "invalid"]
    p = np.array([rates.get(k, 0.0) for k in kinds])
    u = rng.random(n)
    cut = np.cumsum(p)
    which = np.searchsorted(cut, u, side="right")  # len(kinds) = untouched
    valid = np.array([len(x) == 16 for x in out], dtype=bool)
    masks: dict[str, np.ndarray] = {}
    for k, kind in enumerate(kinds):
        m = (which == k) & valid
        if not m.any():
            continue
        v = out[m]
        if kind == "scientific":
            v = sci(v) if fmt == "csv" else np.array([NUM + x[:15] + "0" for x in v], dtype=object)
            tag = "scientific" if fmt == "csv" else "excel_zeroed"
            if fmt != "csv":
                masks[f"{prefix}_numeric_cell"] = masks.get(f"{prefix}_numeric_cell", np.zeros(n, bool)) | m
        elif kind == "excel_zeroed":
            v = zeroed(v)
            tag = "excel_zeroed"
        elif kind == "apostrophe":
            v = "'" + v
            tag = "apostrophe"
        elif kind == "formatted":
            style = rng.integers(0, 4, len(v))
            v = np.array([
                (x[:4] + " " + x[4:8] + " " + x[8:12] + " " + x[12:]) if s == 0 else
                (x[:2] + "." + x[2:4] + "." + x[4:6] + "." + x[6:]) if s == 1 else
                (" " + x + " ") if s == 2 else (x[:6] + "-" + x[6:12] + "-" + x[12:])
                for x, s in zip(v, style)], dtype=object)
            tag = "formatted"
        elif kind == "typo":
            pos = np.where(rng.random(len(v)) < 0.6, rng.integers(12, 16, len(v)), rng.integers(6, 16, len(v)))
            dig = rng.integers(1, 10, len(v))
            v = np.array([x[:q] + str((int(x[q]) + d) % 10) + x[q + 1:] for x, q, d in zip(v, pos, dig)], dtype=object)
            tag = "typo"
        elif kind == "missing":
            v = np.full(len(v), "", dtype=object)
            tag = "missing"
        else:
            choices = np.array(["-", "0", "", "BELUM ADA", "18022"], dtype=object)
            v = np.where(rng.random(len(v)) < 0.5, np.array([x[:15] for x in v], dtype=object),
                         choices[rng.integers(0, len(choices), len(v))])
            tag = "invalid"
        out[m] = v
        key = f"{prefix}_{tag}"
        masks[key] = masks.get(key, np.zeros(n, bool)) | m
    return out, masks


def digits_only(x: str) -> str:
    return re.sub(r"\D", "", x)


# ------------------------------------------------------------------ dates
def format_dates(rng: np.random.Generator, dates: np.ndarray, main: str, fmt: str, mix: float = 0.12) -> np.ndarray:
    """Dates as typed: main style for most rows, a few rows in another style."""
    n = len(dates)
    d = pd.DatetimeIndex(dates.astype("datetime64[D]"))
    dd = pd.Series(d.day).astype(str).str.zfill(2).to_numpy(dtype=object)
    mm = pd.Series(d.month).astype(str).str.zfill(2).to_numpy(dtype=object)
    yy = pd.Series(d.year).astype(str).to_numpy(dtype=object)
    styles = ["dmy_slash", "dmy_dash", "iso", "indo"] + (["serial", "xlsx_date"] if fmt == "xlsx" else [])
    pick = np.where(rng.random(n) < mix, rng.integers(0, len(styles), n), styles.index(main) if main in styles else 0)
    out = np.empty(n, dtype=object)
    serial = (dates.astype("datetime64[D]") - EXCEL_EPOCH).astype(np.int64).astype(str).astype(object)
    bulan = np.array(BULAN, dtype=object)[d.month.to_numpy() - 1]
    forms = {
        "dmy_slash": dd + "/" + mm + "/" + yy,
        "dmy_dash": dd + "-" + mm + "-" + yy,
        "iso": yy + "-" + mm + "-" + dd,
        "indo": pd.Series(d.day).astype(str).to_numpy(dtype=object) + " " + bulan + " " + yy,
        "serial": NUM + serial,
        "xlsx_date": DATE + serial,
    }
    for i, s in enumerate(styles):
        m = pick == i
        out[m] = forms[s][m]
    return out


# ------------------------------------------------------------------ flags
FLAG_STYLES = [("1", "0"), ("Ya", "Tidak"), ("Y", "T"), ("YA", "TIDAK"), ("True", "False")]


def flags(rng: np.random.Generator, values: np.ndarray, style: int, unknown: float = 0.02) -> np.ndarray:
    yes, no = FLAG_STYLES[style % len(FLAG_STYLES)]
    out = np.where(values.astype(bool), yes, no).astype(object)
    out[rng.random(len(values)) < unknown] = ""
    return out


# ------------------------------------------------------------------ headers
def header_variant(name: str, style: str) -> str:
    """A header spelled differently that still normalises (case, non-alphanumerics) to the same name."""
    words = name.split("_")
    if style == "canonical":
        return name
    if style == "lower":
        return name.lower()
    if style == "spaced":
        return " ".join(w.capitalize() for w in words)
    if style == "compact":
        return "".join(words)
    if style == "dotted":
        return ".".join(words).lower()
    if style == "padded":
        return " " + " ".join(words) + " "
    if style == "title_underscore":
        return "_".join(w.capitalize() for w in words)
    return name


HEADER_STYLES = ["canonical", "lower", "spaced", "compact", "dotted", "padded", "title_underscore"]
# never an alias of any contract (an extra column must stay unknown)
EXTRA_COLUMNS = ["KETERANGAN", "CATATAN_PETUGAS", "TGL_UPDATE", "SUMBER_DATA", "PETUGAS_INPUT"]
