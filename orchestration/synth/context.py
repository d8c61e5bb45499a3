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
from .places import UNRESOLVABLE_PLACES, Area, address_variant, garbage_codes, place_variant
from .profile import Profile, SourceProfile, load
from .programs import Selection
from .writers import NUM


# place cells that resolve to nothing (with garbage_codes for code columns)
GARBAGE_TEXT = UNRESOLVABLE_PLACES + ["", "-", "#N/A", "TIDAK DIKETAHUI", "0", "LUAR KABUPATEN", "BELUM DIISI"]


def rt_rw_text(rt: int, rw: int, style: str) -> str:
    """RT/RW as clerks write it: 'RT 003/RW 001', 'RT 003 RW 001', 'RT.3/RW.1', '003/001', 'Rt 3 Rw 1'."""
    if style == "rt_rw":
        return f"RT {rt:03d} RW {rw:03d}"
    if style == "dotted":
        return f"RT.{rt}/RW.{rw}"
    if style == "bare":
        return f"{rt:03d}/{rw:03d}"
    if style == "short_case":
        return f"Rt {rt} Rw {rw}"
    return f"RT {rt:03d}/RW {rw:03d}"


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
    profile: Profile | None = None  # habits and rates (profile.py); None: the default profile
    period_names: np.ndarray | None = None  # names as written this period, by person key (None: the true ones)

    def __post_init__(self) -> None:
        if self.profile is None:
            self.profile = load("default")
        self._nik_owner: dict | None = None
        self._villagers: tuple | None = None
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

    def src(self, source: str) -> SourceProfile:
        return self.profile.src(source)

    def names_col(self, tb: Table, df: pd.DataFrame, rate: float, case: str) -> np.ndarray:
        """Names as typed: the period's spelling of the person (period_names), then a row-level variant."""
        true = df["name"].to_numpy().copy()
        base = true
        if self.period_names is not None:
            pk = df["pkey"].to_numpy()
            real = (pk >= 0) & (pk < len(self.period_names))  # phantoms have keys of their own range
            base = true.copy()
            base[real] = self.period_names[pk[real]]
            tb.tag(base != true, "name_period_variant")
        out = base.copy()
        m = self.rng.random(len(df)) < rate
        age = (self.ref_days - df["birth"].to_numpy().astype("datetime64[D]").astype(np.int64)) / 365.25
        sex = df["sex"].to_numpy()
        ff = df["father_first"].to_numpy()
        kinds = self.profile.name_variant_kinds
        for i in np.flatnonzero(m):
            out[i] = names.name_variant(base[i], int(sex[i]), float(age[i]), ff[i], self.rng, kinds)
        tb.tag(out != true, "name_variant")
        return names.apply_case(out, case)

    def nik_col(self, tb: Table, df: pd.DataFrame, rates: dict, head_copy: float = 0.0,
                neighbour: float = 0.0, col: str = "nik", run: tuple = (1, 1), other_person: float = 0.0) -> np.ndarray:
        """NIK as typed: wrong-person NIKs first (head's, neighbour's runs, another person's), then
        Excel/typing damage."""
        nik = df["nik"].to_numpy().astype(object).copy()
        n = len(df)
        wrong = np.zeros(n, bool)
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
                wrong |= m
        if neighbour > 0 and n > 1:
            m = np.zeros(n, bool)
            m[1:] = self.rng.random(n - 1) < neighbour
            hh = df["place_hh"].to_numpy()
            if run[1] <= 1:
                m[1:] &= hh[1:] != hh[:-1]
                idx = np.flatnonzero(m)
                nik[idx] = nik[idx - 1]
            else:  # the NIK of the row above copied down a run of rows (other families only)
                starts = np.flatnonzero(m)
                lens = self.rng.integers(run[0], run[1] + 1, len(starts))
                before = nik.copy()
                m = np.zeros(n, bool)
                for s0, ln in zip(starts, lens):
                    for j in range(s0, min(n, s0 + int(ln))):
                        if hh[j] != hh[s0 - 1]:
                            nik[j] = before[s0 - 1]
                            m[j] = True
            tb.tag(m, f"{col}_neighbour")
            wrong |= m
        if other_person > 0 and n > 0:
            m = (self.rng.random(n) < other_person) & ~wrong
            if "is_phantom" in df:
                m &= ~df["is_phantom"].to_numpy().astype(bool)
            pk = df["pkey"].to_numpy()
            desa = df["h_desa"].to_numpy()
            hit = np.zeros(n, bool)
            for i in np.flatnonzero(m):
                v = self._other_person_nik(str(nik[i]), int(pk[i]), int(desa[i]))
                if v is not None:
                    nik[i] = v
                    hit[i] = True
            tb.tag(hit, f"{col}_typo_other_person")
        out, masks = quirks.mangle_ids(self.rng, nik, tb.fmt, rates, prefix=col)
        for k, m in masks.items():
            tb.tag(m, k)
        return out

    def _other_person_nik(self, true_nik: str, pkey: int, desa: int) -> str | None:
        """A real NIK of another person one digit off the true one (birth date or serial part), else the
        NIK of a random other person of the same village."""
        if self._nik_owner is None:
            self._nik_owner = dict(zip(self.P["nik"].to_numpy().tolist(), self.P["pkey"].to_numpy().tolist()))
        rng = self.rng
        if len(true_nik) == 16 and true_nik.isdigit():
            cands = []
            for q in range(6, 16):
                d0 = true_nik[q]
                for d in "0123456789":
                    if d != d0:
                        v = true_nik[:q] + d + true_nik[q + 1:]
                        owner = self._nik_owner.get(v)
                        if owner is not None and owner != pkey:
                            cands.append(v)
            if cands:
                return cands[int(rng.integers(0, len(cands)))]
        if self._villagers is None:
            pk = self.P["pkey"].to_numpy()[self.present]
            dz = self.H["desa"].to_numpy()[self.hpos.reindex(self.P["hh"].to_numpy()[self.present]).to_numpy()]
            order = np.argsort(dz, kind="stable")
            self._villagers = (pk[order], dz[order])
        vpk, vdz = self._villagers
        lo, hi = np.searchsorted(vdz, desa, "left"), np.searchsorted(vdz, desa, "right")
        if hi - lo < 2:
            return None
        j = int(rng.integers(lo, hi))
        if vpk[j] == pkey:
            j = lo + (j - lo + 1) % (hi - lo)
        return str(self.P["nik"].to_numpy()[vpk[j]])

    def garbage_place(self, tb: Table, cols: dict[str, str], rate: float, nik_col: str = "nik") -> np.ndarray:
        """Rows of real persons whose place cells cannot be resolved ('code' or 'text' garbage).

        Only rows whose NIK column is intact (at most an apostrophe or spaces) get it: such a row is
        linked through its NIK when the person is found elsewhere (design.md: a bad place but a NIK of a
        known person); quarantine is decided after all periods (generate). Returns the mask."""
        n = len(tb)
        if rate <= 0 or n == 0:
            return np.zeros(n, bool)
        ok_tags = {f"{nik_col}_apostrophe", f"{nik_col}_formatted"}
        intact = np.array([not any(t.startswith(nik_col + "_") and t not in ok_tags for t in d.split(",") if t)
                           for d in tb.defects], dtype=bool)
        m = (self.rng.random(n) < rate) & intact & ~tb.quar
        k = int(m.sum())
        if not k:
            return m
        codes = np.array(garbage_codes(self.area), dtype=object)
        texts = np.array(GARBAGE_TEXT, dtype=object)
        for col, kind in cols.items():
            pool = codes if kind == "code" else texts
            tb.cols[col] = tb.cols[col].copy()
            tb.cols[col][m] = pool[self.rng.integers(0, len(pool), k)]
        tb.tag(m, "place_unresolvable")
        tb.meta["place_garbage"] = m
        return m

    def kk_col(self, tb: Table, df: pd.DataFrame, rates: dict) -> np.ndarray:
        out, masks = quirks.mangle_ids(self.rng, df["h_no_kk"].to_numpy().astype(object), tb.fmt, rates, prefix="nokk")
        for k, m in masks.items():
            tb.tag(m, k)
        return out

    def alamat_col(self, df: pd.DataFrame, fmt: str, tb: Table | None = None) -> np.ndarray:
        ap = self.profile.address
        a = df["h_alamat"].to_numpy().astype(object).copy()
        rt = df["h_rt"].to_numpy()
        rw = df["h_rw"].to_numpy()
        r = self.rng.random(len(a))
        if ap.variant == 0 and ap.blank == 0 and ap.rt_rw_styles == ("rt_slash_rw",):
            full = a + " RT " + pd.Series(rt).astype(str).str.zfill(3).to_numpy(dtype=object) + "/RW " + \
                pd.Series(rw).astype(str).str.zfill(3).to_numpy(dtype=object)
            a = np.where(r < ap.rt_rw, full, a)
        else:  # holdout habits: the address words and RT/RW written other ways, sometimes no address
            rng = self.rng
            v = rng.random(len(a)) < ap.variant
            for i in np.flatnonzero(v):
                a[i] = address_variant(a[i], rng)
            if tb is not None:
                tb.tag(v & (a != df["h_alamat"].to_numpy()), "address_variant")
            styles = np.array(ap.rt_rw_styles, dtype=object)[rng.integers(0, len(ap.rt_rw_styles), len(a))]
            with_rt = r < ap.rt_rw
            lb = r > 1 - ap.line_break
            for i in np.flatnonzero(with_rt | lb):
                if with_rt[i]:  # a line break, when there is one, goes before RT/RW
                    a[i] = a[i] + ("\n" if lb[i] else " ") + rt_rw_text(int(rt[i]), int(rw[i]), styles[i])
                else:
                    a[i] = a[i].replace(", ", "\n", 1) if ", " in a[i] else a[i].replace(" ", "\n", 1)
            blank = rng.random(len(a)) < ap.blank
            a[blank] = ""
            if tb is not None:
                tb.tag(blank, "address_blank")
            semi = (r > 1 - ap.line_break - ap.delimiter_inside) & (r <= 1 - ap.line_break) & ~blank
            a[semi] = a[semi] + np.where(self.rng.random(int(semi.sum())) < 0.5, "; dekat masjid", " | blok B")
            return a
        # quoted-field material: line breaks and delimiters inside the address
        lb = r > 1 - ap.line_break
        a[lb] = np.array([x.replace(" RT", "\nRT", 1) if " RT" in x else x + "\nRT 001" for x in a[lb]], dtype=object)
        semi = (r > 1 - ap.line_break - ap.delimiter_inside) & (r <= 1 - ap.line_break)
        a[semi] = a[semi] + np.where(self.rng.random(int(semi.sum())) < 0.5, "; dekat masjid", " | blok B")
        return a

    def rt_col(self, values: np.ndarray) -> np.ndarray:
        """DTKS RT / RW column: zero-padded to 3 digits (holdout: some rows 2 digits or none)."""
        pads = self.profile.address.rt_column_pad
        s = pd.Series(values).astype(str)
        if pads == (3,):
            return s.str.zfill(3).to_numpy(dtype=object)
        w = np.array(pads)[self.rng.integers(0, len(pads), len(s))]
        return np.array([x.zfill(int(k)) for x, k in zip(s, w)], dtype=object)

    def birth_col(self, tb: Table, df: pd.DataFrame, main: str, sp: SourceProfile) -> np.ndarray:
        b = df["birth"].to_numpy().astype("datetime64[D]")
        typo = self.rng.random(len(b)) < sp.birthdate_typo
        if typo.any():
            b = b.copy()
            b[typo] = b[typo] + self.rng.choice([-1, 1, 31, -365], int(typo.sum())).astype("timedelta64[D]")
            tb.tag(typo, "birthdate_typo")
        out = quirks.format_dates(self.rng, b, main, tb.fmt)
        if sp.birthdate_blank > 0 or sp.birthdate_blank_period > 0:
            share = sp.birthdate_blank
            if sp.birthdate_blank_period > 0 and self.rng.random() < sp.birthdate_blank_period:
                lo, hi = sp.birthdate_blank_period_rows  # a bad period: the column is blank on many rows
                share = max(share, float(self.rng.uniform(lo, hi)))
            blank = (self.rng.random(len(b)) < share) & ~typo
            out[blank] = ""
            tb.tag(blank, "birthdate_missing")
        return out

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
