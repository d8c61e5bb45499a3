"""What a source builder works with: the period's world (`Ctx`) and the table it returns (`Table`).

A `Table` holds the visible columns (text as delivered, XLSX cell markers allowed) and, aligned with
them, the truth for the answer key (person, household, defect tags, quarantine). `Ctx` has the
column helpers that apply the row-level quirks (names, places, NIK, No KK, dates, addresses).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import names, quirks
from .places import UNRESOLVABLE_PLACES, Area, place_variant
from .programs import Selection
from .writers import NUM


@dataclass
class Table:
    source: str
    fmt: str  # 'csv' | 'xlsx'
    cols: dict[str, np.ndarray]
    pkey: np.ndarray
    hkey: np.ndarray
    defects: np.ndarray
    quar: np.ndarray
    group: np.ndarray  # kecamatan index of the row (sheets / file parts)
    meta: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.pkey)

    def tag(self, mask: np.ndarray, t: str) -> None:
        self.defects = quirks.add_tag(self.defects, mask, t)


@dataclass
class Ctx:
    area: Area
    period: str
    t: int
    rng: np.random.Generator
    P: pd.DataFrame
    H: pd.DataFrame
    sel: Selection
    departures: pd.DataFrame
    ref_days: int
    phantoms: list = field(default_factory=list)  # frames of persons found in no population
    next_phantom: int = 0

    def __post_init__(self) -> None:
        self.hpos = pd.Series(np.arange(len(self.H)), index=self.H["hkey"].to_numpy())
        self.present = self.P["alive"].to_numpy() & ~self.P["moved_out"].to_numpy() & self.P["in_pop"].to_numpy()
        self.kab4 = self.area.kab_code.replace(".", "")
        self.kec_names = np.array(self.area.kec_names, dtype=object)
        self.desa_names = np.array(self.area.desa_names, dtype=object)
        self.desa_codes = np.array(self.area.desa_codes, dtype=object)
        self.desa_kec = np.array(self.area.desa_kec_idx)
        y, m = int(self.period[:4]), int(self.period[5:7])
        self.year, self.month = y, m

    # ---------------------------------------------------------------- helpers
    def persons(self, pkeys: np.ndarray, place_hh: np.ndarray | None = None) -> pd.DataFrame:
        """Person fields plus the fields of the household whose record the row belongs to."""
        p = self.P.iloc[pkeys].reset_index(drop=True)
        hh = p["hh"].to_numpy() if place_hh is None else place_hh
        h = self.H.iloc[self.hpos.reindex(hh).to_numpy()].reset_index(drop=True)
        df = p.copy()
        df["place_hh"] = hh
        for c in ("desa", "alamat", "rt", "rw", "no_kk", "idbdt", "p3ke_id", "dtks_desil", "p3ke_desil", "kks",
                  "housing", "head", "in_dtks", "in_p3ke"):
            df["h_" + c] = h[c].to_numpy()
        df["kec"] = self.desa_kec[df["h_desa"].to_numpy()]
        return df

    def table(self, source: str, fmt: str, df: pd.DataFrame, cols: dict) -> Table:
        n = len(df)
        return Table(source=source, fmt=fmt, cols=cols, pkey=df["pkey"].to_numpy().astype(np.int64),
                     hkey=df["hh"].to_numpy().astype(np.int64), defects=np.full(n, "", dtype=object),
                     quar=np.zeros(n, bool), group=df["kec"].to_numpy().astype(np.int64))

    def kec_text(self, tb: Table, col: str, kec: np.ndarray, rate: float, case: str) -> None:
        tb.cols[col] = self._place_text(tb, self.kec_names[kec], "kec", rate, case)

    def desa_text(self, tb: Table, col: str, desa: np.ndarray, rate: float, case: str) -> None:
        tb.cols[col] = self._place_text(tb, self.desa_names[desa], "desa", rate, case)

    def _place_text(self, tb: Table, base: np.ndarray, kind: str, rate: float, case: str) -> np.ndarray:
        out = names.apply_case(base.copy(), case)
        m = self.rng.random(len(base)) < rate
        idx = np.flatnonzero(m)
        for i in idx:
            out[i] = place_variant(base[i], kind, self.rng)
        tb.tag(m, "place_variant")
        return out

    def names_col(self, tb: Table, df: pd.DataFrame, rate: float, case: str) -> np.ndarray:
        base = df["name"].to_numpy().copy()
        out = base.copy()
        m = self.rng.random(len(df)) < rate
        age = (self.ref_days - df["birth"].to_numpy().astype("datetime64[D]").astype(np.int64)) / 365.25
        sex = df["sex"].to_numpy()
        ff = df["father_first"].to_numpy()
        for i in np.flatnonzero(m):
            out[i] = names.name_variant(base[i], int(sex[i]), float(age[i]), ff[i], self.rng)
        tb.tag(m & (out != base), "name_variant")
        return names.apply_case(out, case)

    def nik_col(self, tb: Table, df: pd.DataFrame, rates: dict, head_copy: float = 0.0,
                neighbour: float = 0.0, col: str = "nik") -> np.ndarray:
        """NIK as typed: wrong-person NIKs first (head's, neighbour's), then Excel/typing damage."""
        nik = df["nik"].to_numpy().astype(object).copy()
        n = len(df)
        if head_copy > 0:
            hh = df["place_hh"].to_numpy()
            uh = np.unique(hh)
            chosen = uh[self.rng.random(len(uh)) < head_copy]
            head_nik = pd.Series(self.P["nik"].to_numpy()[self.H["head"].to_numpy()[self.hpos.reindex(chosen).to_numpy()].clip(0)],
                                 index=chosen)
            m = np.isin(hh, chosen) & (df["pkey"].to_numpy() != df["h_head"].to_numpy())
            if m.any():
                hn = head_nik.reindex(hh[m]).to_numpy()
                nik[m] = hn
                tb.tag(m, f"{col}_head_copied")
        if neighbour > 0 and n > 1:
            m = np.zeros(n, bool)
            m[1:] = self.rng.random(n - 1) < neighbour
            hh = df["place_hh"].to_numpy()
            m[1:] &= hh[1:] != hh[:-1]
            idx = np.flatnonzero(m)
            nik[idx] = nik[idx - 1]
            tb.tag(m, f"{col}_neighbour")
        out, masks = quirks.mangle_ids(self.rng, nik, tb.fmt, rates, prefix=col)
        for k, m in masks.items():
            tb.tag(m, k)
        return out

    def kk_col(self, tb: Table, df: pd.DataFrame, rates: dict) -> np.ndarray:
        out, masks = quirks.mangle_ids(self.rng, df["h_no_kk"].to_numpy().astype(object), tb.fmt, rates, prefix="nokk")
        for k, m in masks.items():
            tb.tag(m, k)
        return out

    def alamat_col(self, df: pd.DataFrame, fmt: str) -> np.ndarray:
        a = df["h_alamat"].to_numpy().astype(object).copy()
        rt = df["h_rt"].to_numpy()
        rw = df["h_rw"].to_numpy()
        r = self.rng.random(len(a))
        full = a + " RT " + pd.Series(rt).astype(str).str.zfill(3).to_numpy(dtype=object) + "/RW " + \
            pd.Series(rw).astype(str).str.zfill(3).to_numpy(dtype=object)
        a = np.where(r < 0.5, full, a)
        # quoted-field material: line breaks and delimiters inside the address
        lb = r > 0.985
        a[lb] = np.array([x.replace(" RT", "\nRT", 1) if " RT" in x else x + "\nRT 001" for x in a[lb]], dtype=object)
        semi = (r > 0.96) & (r <= 0.985)
        a[semi] = a[semi] + np.where(self.rng.random(int(semi.sum())) < 0.5, "; dekat masjid", " | blok B")
        return a

    def birth_col(self, tb: Table, df: pd.DataFrame, main: str) -> np.ndarray:
        b = df["birth"].to_numpy().astype("datetime64[D]")
        typo = self.rng.random(len(b)) < 0.004
        if typo.any():
            b = b.copy()
            b[typo] = b[typo] + self.rng.choice([-1, 1, 31, -365], int(typo.sum())).astype("timedelta64[D]")
            tb.tag(typo, "birthdate_typo")
        return quirks.format_dates(self.rng, b, main, tb.fmt)

    def phantom_rows(self, n: int) -> pd.DataFrame:
        """Persons found in no population, for rows with an unresolvable place (must be quarantined)."""
        rng = self.rng
        sex = (rng.random(n) < 0.5).astype(np.int8)
        birth = (self.ref_days - rng.integers(20 * 365, 70 * 365, n)).astype("datetime64[D]")
        nm = names.generate_names(rng, sex)
        pk = self.next_phantom + np.arange(n, dtype=np.int64)  # keys of their own range (see generate)
        self.next_phantom += n
        nik = np.where(rng.random(n) < 0.5, "", "3" + pd.Series(rng.integers(10**14, 10**15 - 1, n)).astype(str).to_numpy(dtype=object))
        return pd.DataFrame({"pkey": pk, "hh": np.full(n, -1, np.int64), "nik": nik.astype(object), "name": nm,
                             "sex": sex, "birth": birth, "rel": np.ones(n, np.int8), "father_first": nm,
                             "place": np.array(UNRESOLVABLE_PLACES, dtype=object)[rng.integers(0, len(UNRESOLVABLE_PLACES), n)]})

    def nominal(self, values: np.ndarray, fmt: str) -> np.ndarray:
        s = pd.Series(values).astype(np.int64).astype(str).to_numpy(dtype=object)
        return (NUM + s) if fmt == "xlsx" else s
