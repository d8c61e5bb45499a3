"""Per-source tables of one period, in the columns of extract-formats.md, with row-level quirks.

A builder returns a `Table`: the visible columns (text as delivered, XLSX cell markers allowed) and,
aligned with them, the truth for the answer key (person, household, defect tags, quarantine).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import ids, names, quirks
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


# ==================================================================== builders
CASES = ["upper", "upper", "title", "asis"]
HUB_P3KE = {1: "Kepala Keluarga", 2: "Istri", 3: "Anak", 4: "Menantu", 5: "Cucu", 6: "Orang Tua", 7: "Famili Lain", 8: "Lainnya"}
HOUSING = {
    "JENIS_LANTAI": ["Tanah", "Semen/Bata Merah", "Keramik", "Kayu/Papan", "Bambu"],
    "JENIS_DINDING": ["Tembok", "Kayu/Papan", "Bambu", "Plesteran Anyaman Bambu"],
    "JENIS_ATAP": ["Genteng", "Seng", "Asbes", "Ijuk/Rumbia", "Beton"],
    "SUMBER_AIR_MINUM": ["Sumur Bor/Pompa", "Sumur Terlindung", "Sumur Tak Terlindung", "Air Isi Ulang", "Mata Air"],
    "FASILITAS_BAB": ["Sendiri", "Bersama", "Umum", "Tidak Ada"],
    "SUMBER_PENERANGAN": ["Listrik PLN 450 VA", "Listrik PLN 900 VA", "Listrik Non PLN", "Bukan Listrik"],
    "BAHAN_BAKAR_MEMASAK": ["Gas 3 Kg", "Kayu Bakar", "Minyak Tanah", "Listrik"],
    "KEPEMILIKAN_RUMAH": ["Milik Sendiri", "Kontrak/Sewa", "Bebas Sewa", "Dinas"],
}


def idbdt_text(ctx: Ctx, idbdt: np.ndarray) -> np.ndarray:
    """DTKS household (ruta) id as SIKS-NG shows it: kabupaten digits + 9-digit sequence."""
    return (ctx.kab4 + pd.Series(idbdt.astype(np.int64) + 10**8 + 1).astype(str).str.zfill(9)).to_numpy(dtype=object)


def _pick_case(ctx: Ctx) -> str:
    return CASES[int(ctx.rng.integers(0, len(CASES)))]


def _flag_style(ctx: Ctx) -> int:
    return int(ctx.rng.integers(0, len(quirks.FLAG_STYLES)))


def build_dtks(ctx: Ctx) -> Table:
    P, H, rng = ctx.P, ctx.H, ctx.rng
    in_d = H["in_dtks"].to_numpy()
    dh = H["hkey"].to_numpy()[in_d]
    mem = np.flatnonzero(ctx.present & np.isin(P["hh"].to_numpy(), dh))
    status = np.where(rng.random(len(mem)) < 0.01, 4, 1)
    dep = ctx.departures
    dep = dep[(dep["t"] <= ctx.t) & (dep["t"] >= ctx.t - 2) & dep["hh"].isin(dh)]
    dep = dep[rng.random(len(dep)) < 0.8]
    dstat = np.where(dep["reason"].to_numpy() == "died", np.where(rng.random(len(dep)) < 0.05, 1, 3), 2)
    pk = np.concatenate([mem, dep["pkey"].to_numpy()])
    place = np.concatenate([P["hh"].to_numpy()[mem], dep["hh"].to_numpy()])
    sta = np.concatenate([status, dstat])
    df = ctx.persons(pk, place)
    df["sta"] = sta
    order = np.lexsort((df["rel"].to_numpy(), df["place_hh"].to_numpy(), df["h_idbdt"].to_numpy()))
    df = df.iloc[order].reset_index(drop=True)
    tb = ctx.table("dtks", "csv", df, {})
    case = "upper"
    fs = _flag_style(ctx)
    sel_fam = {k: np.isin(df["place_hh"].to_numpy(), v) for k, v in ctx.sel.family.items()}
    pbi_on = np.isin(df["pkey"].to_numpy(), ctx.sel.persons["pbi_jk"])
    noisy = lambda b: b ^ (rng.random(len(b)) < 0.08)  # noqa: E731  registry's own flags are stale
    nodots = ctx.t % 2 == 1
    c = tb.cols
    c["IDBDT"] = idbdt_text(ctx, df["h_idbdt"].to_numpy())
    c["IDARTBDT"] = (ids.scramble(df["pkey"].to_numpy(), 104729, 7, 10**11) + 10**11).astype(str).astype(object)
    codes = ctx.desa_codes[df["h_desa"].to_numpy()]
    c["KODE_WILAYAH"] = np.array([x.replace(".", "") for x in codes], dtype=object) if nodots else codes
    c["ALAMAT"] = names.apply_case(ctx.alamat_col(df, "csv"), case)
    c["RT"] = pd.Series(df["h_rt"].to_numpy()).astype(str).str.zfill(3).to_numpy(dtype=object)
    c["RW"] = pd.Series(df["h_rw"].to_numpy()).astype(str).str.zfill(3).to_numpy(dtype=object)
    c["NAMA"] = ctx.names_col(tb, df, 0.03, case)
    c["JNSKEL"] = (df["sex"].to_numpy() + 1).astype(str).astype(object)
    c["TMPLAHIR"] = names.apply_case(df["birth_place"].to_numpy().astype(object), case)
    c["TGLLAHIR"] = ctx.birth_col(tb, df, ["dmy_dash", "iso", "dmy_slash"][ctx.t % 3])
    c["NIK"] = ctx.nik_col(tb, df, {"scientific": 0.01, "excel_zeroed": 0.01, "apostrophe": 0.005, "formatted": 0.005,
                                    "typo": 0.006, "missing": 0.004, "invalid": 0.004}, head_copy=0.01, neighbour=0.002)
    c["NOKK"] = ctx.kk_col(tb, df, {"scientific": 0.01, "excel_zeroed": 0.01, "typo": 0.003, "missing": 0.003})
    c["HUB_KRT"] = df["rel"].to_numpy().astype(str).astype(object)
    c["STA_KEBERADAAN_ART"] = df["sta"].to_numpy().astype(str).astype(object)
    dd = df["h_dtks_desil"].to_numpy()
    c["DESIL"] = np.where(np.isnan(dd), "", np.nan_to_num(dd).astype(int).astype(str)).astype(object)
    c["ADA_PKH"] = quirks.flags(rng, noisy(sel_fam["pkh"]), fs)
    c["ADA_BPNT"] = quirks.flags(rng, noisy(sel_fam["bpnt"]), fs)
    c["ADA_PBI"] = quirks.flags(rng, noisy(pbi_on), fs)
    tb.meta["status"] = df["sta"].to_numpy()
    return tb


def build_p3ke(ctx: Ctx) -> Table:
    P, H, rng = ctx.P, ctx.H, ctx.rng
    in_p = H["in_p3ke"].to_numpy()
    ph = H["hkey"].to_numpy()[in_p]
    mem = np.flatnonzero(ctx.present & np.isin(P["hh"].to_numpy(), ph))
    dep = ctx.departures
    dep = dep[(dep["t"] == ctx.t) & (dep["reason"] == "died") & dep["hh"].isin(ph)]
    dep = dep[rng.random(len(dep)) < 0.2]  # deaths not yet recorded: still listed
    pk = np.concatenate([mem, dep["pkey"].to_numpy()])
    place = np.concatenate([P["hh"].to_numpy()[mem], dep["hh"].to_numpy()])
    df = ctx.persons(pk, place)
    order = np.lexsort((df["rel"].to_numpy(), df["place_hh"].to_numpy(), df["h_desa"].to_numpy()))
    df = df.iloc[order].reset_index(drop=True)
    tb = ctx.table("p3ke", "xlsx", df, {})
    case = _pick_case(ctx)
    n = len(df)
    c = tb.cols
    c["ID_KELUARGA_P3KE"] = (ctx.kab4 + "3" + pd.Series(df["h_p3ke_id"].to_numpy()).astype(str).str.zfill(8)).to_numpy(dtype=object)
    c["ID_INDIVIDU"] = (ids.scramble(df["pkey"].to_numpy(), 15485863, 11, 10**11) + 2 * 10**11).astype(str).astype(object)
    c["KODE_KEMENDAGRI"] = np.array([x.replace(".", "") for x in ctx.desa_codes[df["h_desa"].to_numpy()]], dtype=object)
    c["PROVINSI"] = np.full(n, ctx.area.prov_name.upper(), dtype=object)
    c["KABUPATEN"] = np.full(n, ctx.area.kab_name.upper(), dtype=object)
    ctx.kec_text(tb, "KECAMATAN", df["kec"].to_numpy(), 0.03, "upper")
    ctx.desa_text(tb, "DESA", df["h_desa"].to_numpy(), 0.04, "upper")
    c["ALAMAT"] = names.apply_case(ctx.alamat_col(df, "xlsx"), case)
    pdz = np.nan_to_num(df["h_p3ke_desil"].to_numpy(), nan=4).astype(int).astype(str).astype(object)
    c["DESIL_KESEJAHTERAAN"] = np.where(rng.random(n) < (0.5 if ctx.t % 2 == 0 else 0.05), "Desil " + pdz, pdz)
    c["NAMA"] = ctx.names_col(tb, df, 0.04, case)
    nik = ctx.nik_col(tb, df, {"scientific": 0.012, "excel_zeroed": 0.006, "apostrophe": 0.01, "formatted": 0.004,
                               "typo": 0.006, "missing": 0.003, "invalid": 0.003}, head_copy=0.008, neighbour=0.002)
    c["NIK"] = nik
    c["PADAN_DUKCAPIL"] = np.where(np.array([len(str(x)) == 16 and str(x).isdigit() for x in nik], dtype=bool) & (tb.defects == ""),
                                   "Ya", "Tidak").astype(object)
    c["JENIS_KELAMIN"] = np.where(df["sex"].to_numpy() == 1, "Perempuan", "Laki-laki").astype(object)
    c["HUBUNGAN_DENGAN_KEPALA_KELUARGA"] = np.array([HUB_P3KE[int(r)] for r in df["rel"].to_numpy()], dtype=object)
    c["HUBUNGAN_DENGAN_KEPALA_KELUARGA"][(df["rel"].to_numpy() == 2) & (df["sex"].to_numpy() == 0)] = "Suami"
    c["TANGGAL_LAHIR"] = ctx.birth_col(tb, df, ["serial", "dmy_slash", "xlsx_date", "indo"][ctx.t % 4])
    age = (ctx.ref_days - df["birth"].to_numpy().astype("datetime64[D]").astype(np.int64)) / 365.25
    c["STATUS_KAWIN"] = np.where(np.isin(df["rel"].to_numpy(), (1, 2)), "Kawin", np.where(age < 17, "Belum Kawin",
                                 np.where(rng.random(n) < 0.3, "Kawin", "Belum Kawin"))).astype(object)
    jobs = np.array(["Petani/Pekebun", "Buruh Harian Lepas", "Mengurus Rumah Tangga", "Wiraswasta", "Pedagang",
                     "Belum/Tidak Bekerja", "Pelajar/Mahasiswa", "Buruh Tani"], dtype=object)
    c["PEKERJAAN"] = np.where(age < 18, "Pelajar/Mahasiswa", jobs[rng.integers(0, len(jobs), n)]).astype(object)
    edu = np.array(["Tidak/Belum Sekolah", "Tamat SD/Sederajat", "SLTP/Sederajat", "SLTA/Sederajat", "Diploma I/II"], dtype=object)
    c["PENDIDIKAN"] = edu[np.clip((age / 12).astype(int), 0, 4) - (rng.random(n) < 0.5).astype(int)].astype(object)
    fs = _flag_style(ctx)
    hh = df["place_hh"].to_numpy()
    for col, prog in (("PENERIMA_PKH", "pkh"), ("PENERIMA_BPNT", "bpnt")):
        c[col] = quirks.flags(rng, np.isin(hh, ctx.sel.family[prog]) ^ (rng.random(n) < 0.1), fs)
    c["PENERIMA_BPUM"] = quirks.flags(rng, rng.random(n) < 0.05, fs)
    c["PENERIMA_BST"] = quirks.flags(rng, rng.random(n) < 0.1, fs)
    c["PENERIMA_SEMBAKO"] = quirks.flags(rng, np.isin(hh, ctx.sel.family["bpnt"]), fs)
    c["KEPESERTAAN_DTKS"] = quirks.flags(rng, df["h_in_dtks"].to_numpy().astype(bool), fs)
    c["RESIKO_STUNTING"] = quirks.flags(rng, (age < 5) & (rng.random(n) < 0.3), fs)
    hs = df["h_housing"].to_numpy()
    for k, (col, opts) in enumerate(HOUSING.items()):
        c[col] = np.array(opts, dtype=object)[(hs // (7 ** k)) % len(opts)]
    return tb


def build_pbi(ctx: Ctx) -> Table:
    sel = ctx.sel
    pk = sel.persons["pbi_jk"]
    df = ctx.persons(pk)
    df["status"] = sel.pbi_status
    df["segmen"] = sel.pbi_segment
    order = np.lexsort((df["pkey"].to_numpy(), df["h_desa"].to_numpy()))
    df = df.iloc[order].reset_index(drop=True)
    tb = ctx.table("pbi_jk", "csv", df, {})
    case = "upper"
    c = tb.cols
    c["NOKA"] = ("000" + pd.Series(ids.scramble(df["pkey"].to_numpy(), 982451653, 3, 10**10)).astype(str).str.zfill(10)).to_numpy(dtype=object)
    c["NIK"] = ctx.nik_col(tb, df, {"scientific": 0.012, "excel_zeroed": 0.006, "apostrophe": 0.003, "formatted": 0.003,
                                    "typo": 0.006, "missing": 0.01, "invalid": 0.005}, head_copy=0.006, neighbour=0.002)
    c["NAMA_PESERTA"] = ctx.names_col(tb, df, 0.03, case)
    c["TGL_LAHIR"] = ctx.birth_col(tb, df, ["dmy_slash", "iso"][ctx.t % 2])
    c["JENIS_KELAMIN"] = np.where(df["sex"].to_numpy() == 1, "P", "L").astype(object)
    ctx.kec_text(tb, "KECAMATAN", df["kec"].to_numpy(), 0.05, "upper")
    c["SEGMEN"] = df["segmen"].to_numpy().astype(object)
    c["STATUS_PESERTA"] = df["status"].to_numpy().astype(object)
    tb.meta["status"] = df["status"].to_numpy()
    return tb


def _family_heads(ctx: Ctx, hkeys: np.ndarray, spouse_share: float, prefer_mother: bool = False) -> np.ndarray:
    """The person named for a family: the head, or the spouse (PKH: the mother as pengurus)."""
    H, P = ctx.H, ctx.P
    head = H["head"].to_numpy()[ctx.hpos.reindex(hkeys).to_numpy()]
    sp = P[ctx.present & (P["rel"].to_numpy() == 2) & P["hh"].isin(hkeys).to_numpy()]
    sp_of = sp.groupby("hh")["pkey"].first()
    spouse = sp_of.reindex(hkeys).fillna(-1).astype(np.int64).to_numpy()
    if prefer_mother:
        head_female = P["sex"].to_numpy()[head.clip(0)] == 1
        use = (spouse >= 0) & ~head_female & (ctx.rng.random(len(hkeys)) < 0.85)
    else:
        use = (spouse >= 0) & (ctx.rng.random(len(hkeys)) < spouse_share)
    out = np.where(use, spouse, head)
    return out[out >= 0]


def _finish_family_frame(ctx: Ctx, pk: np.ndarray) -> pd.DataFrame:
    df = ctx.persons(pk)
    order = np.lexsort((df["pkey"].to_numpy(), df["h_desa"].to_numpy()))
    return df.iloc[order].reset_index(drop=True)


def build_pkh(ctx: Ctx) -> Table:
    df = _finish_family_frame(ctx, _family_heads(ctx, ctx.sel.family["pkh"], 0.0, prefer_mother=True))
    tb = ctx.table("pkh", "xlsx", df, {})
    case = _pick_case(ctx)
    n = len(df)
    c = tb.cols
    c["NIK_PENGURUS"] = ctx.nik_col(tb, df, {"scientific": 0.03, "excel_zeroed": 0.02, "apostrophe": 0.02, "formatted": 0.01,
                                             "typo": 0.008, "missing": 0.005, "invalid": 0.004}, neighbour=0.003)
    c["NAMA_PENGURUS"] = ctx.names_col(tb, df, 0.07, case)
    c["NO_KK"] = ctx.kk_col(tb, df, {"scientific": 0.03, "excel_zeroed": 0.02, "apostrophe": 0.01, "missing": 0.01})
    c["IDBDT"] = np.where(df["h_in_dtks"].to_numpy().astype(bool),
                          idbdt_text(ctx, df["h_idbdt"].to_numpy().clip(0)), "").astype(object)
    ctx.kec_text(tb, "KECAMATAN", df["kec"].to_numpy(), 0.08, case)
    ctx.desa_text(tb, "DESA", df["h_desa"].to_numpy(), 0.08, case)
    c["ALAMAT"] = ctx.alamat_col(df, "xlsx")
    tahap = 1 + (ctx.month - 1) // 3
    c["TAHAP"] = np.full(n, f"Tahap {tahap} {ctx.year}", dtype=object)
    komp = np.array(["Anak SD", "Anak SMP", "Anak SMA", "Balita", "Ibu Hamil", "Lansia", "Disabilitas Berat"], dtype=object)
    kk = ctx.rng.integers(0, len(komp), n)
    c["KOMPONEN"] = komp[kk]
    c["NOMINAL"] = ctx.nominal(np.array([225000, 375000, 500000, 750000, 750000, 600000, 600000])[kk], "xlsx")
    return tb


def build_bpnt(ctx: Ctx) -> Table:
    df = _finish_family_frame(ctx, _family_heads(ctx, ctx.sel.family["bpnt"], 0.3))
    tb = ctx.table("bpnt", "xlsx", df, {})
    case = _pick_case(ctx)
    n = len(df)
    c = tb.cols
    c["NIK"] = ctx.nik_col(tb, df, {"scientific": 0.02, "excel_zeroed": 0.03, "apostrophe": 0.01, "formatted": 0.01,
                                    "typo": 0.008, "missing": 0.003, "invalid": 0.003}, neighbour=0.003)
    c["NAMA"] = ctx.names_col(tb, df, 0.07, case)
    c["NO_KK"] = ctx.kk_col(tb, df, {"scientific": 0.02, "excel_zeroed": 0.03, "missing": 0.01})
    c["NO_KKS"] = np.where(ctx.rng.random(n) < 0.5, NUM + df["h_kks"].to_numpy().astype(object), df["h_kks"].to_numpy().astype(object)).astype(object)
    c["NO_KKS"] = np.array([NUM + x[2:17][:15] + "0" if x.startswith(NUM) else x for x in c["NO_KKS"]], dtype=object)
    ctx.kec_text(tb, "KECAMATAN", df["kec"].to_numpy(), 0.08, case)
    ctx.desa_text(tb, "DESA", df["h_desa"].to_numpy(), 0.08, case)
    c["ALAMAT"] = ctx.alamat_col(df, "xlsx")
    c["BULAN"] = np.full(n, f"{quirks.BULAN[ctx.month - 1]} {ctx.year}", dtype=object)
    c["NOMINAL"] = ctx.nominal(np.full(n, 200000), "xlsx")
    return tb


def build_blt_dd(ctx: Ctx) -> Table:
    df = _finish_family_frame(ctx, _family_heads(ctx, ctx.sel.family["blt_dd"], 0.15))
    tb = ctx.table("blt_dd", "xlsx", df, {})
    case = _pick_case(ctx)
    n = len(df)
    c = tb.cols
    c["NO"] = np.zeros(n, dtype=object)  # numbered per sheet when emitted
    ctx.desa_text(tb, "KAMPUNG", df["h_desa"].to_numpy(), 0.15, case)
    c["NAMA_KPM"] = ctx.names_col(tb, df, 0.12, case)
    c["NIK"] = ctx.nik_col(tb, df, {"scientific": 0.04, "excel_zeroed": 0.03, "apostrophe": 0.01, "formatted": 0.03,
                                    "typo": 0.02, "missing": 0.35, "invalid": 0.08}, neighbour=0.005)
    c["ALAMAT"] = ctx.alamat_col(df, "xlsx")
    c["BULAN"] = np.full(n, f"{quirks.BULAN[ctx.month - 1]} {ctx.year}", dtype=object)
    c["JUMLAH"] = ctx.nominal(np.full(n, 300000), "xlsx")
    return tb


def build_rtlh(ctx: Ctx) -> Table:
    df = _finish_family_frame(ctx, _family_heads(ctx, ctx.sel.family["rtlh"], 0.0))
    tb = ctx.table("rtlh", "xlsx", df, {})
    case = _pick_case(ctx)
    n = len(df)
    c = tb.cols
    c["NAMA_KEPALA_KELUARGA"] = ctx.names_col(tb, df, 0.1, case)
    c["NIK"] = ctx.nik_col(tb, df, {"scientific": 0.03, "excel_zeroed": 0.03, "apostrophe": 0.02, "formatted": 0.02,
                                    "typo": 0.01, "missing": 0.05, "invalid": 0.02})
    c["NO_KK"] = ctx.kk_col(tb, df, {"scientific": 0.03, "excel_zeroed": 0.03, "missing": 0.1})
    ctx.desa_text(tb, "KAMPUNG", df["h_desa"].to_numpy(), 0.12, case)
    ctx.kec_text(tb, "KECAMATAN", df["kec"].to_numpy(), 0.12, case)
    c["TAHUN_ANGGARAN"] = np.full(n, NUM + str(ctx.year), dtype=object)
    src = np.array(["APBD", "APBN", "CSR"], dtype=object)
    c["SUMBER_DANA"] = src[ctx.rng.choice(3, n, p=[0.6, 0.3, 0.1])]
    c["NILAI_BANTUAN"] = ctx.nominal(np.where(c["SUMBER_DANA"] == "APBN", 20000000, 17500000), "xlsx")
    return tb


def _with_phantoms(ctx: Ctx, df: pd.DataFrame, share: float) -> tuple[pd.DataFrame, np.ndarray]:
    k = max(1, int(round(len(df) * share)))
    ph = ctx.phantom_rows(k)
    ctx.phantoms.append(ph)
    n0 = len(df)
    add = pd.DataFrame({c: ph[c].to_numpy() for c in ("pkey", "hh", "nik", "name", "sex", "birth", "rel", "father_first")})
    out = pd.concat([df, add], ignore_index=True)
    out["place_hh"] = out["hh"]
    out["is_phantom"] = np.r_[np.zeros(n0, bool), np.ones(k, bool)]
    out["ph_place"] = np.r_[np.full(n0, "", dtype=object), ph["place"].to_numpy()]
    # interleave phantoms at random positions
    perm = np.argsort(np.r_[np.arange(n0, dtype=np.float64), ctx.rng.random(k) * max(n0, 1)], kind="stable")
    return out.iloc[perm].reset_index(drop=True), perm


def _fill_place_fields(df: pd.DataFrame, ctx: Ctx) -> pd.DataFrame:
    ph = df["is_phantom"].to_numpy()
    for col, val in (("h_desa", 0), ("kec", 0), ("h_rt", 1), ("h_rw", 1), ("h_head", -1)):
        v = df[col].to_numpy()
        v = np.where(ph, val, np.nan_to_num(v.astype(np.float64), nan=val)).astype(np.int64)
        df[col] = v
    df["h_alamat"] = np.where(ph, df["ph_place"].to_numpy(), df["h_alamat"].to_numpy()).astype(object)
    return df


def build_baznas(ctx: Ctx) -> Table:
    df = _finish_family_frame(ctx, ctx.sel.persons["baznas"])
    df, _ = _with_phantoms(ctx, df, 0.01)
    df = _fill_place_fields(df, ctx)
    tb = ctx.table("baznas", "csv", df, {})
    ph = df["is_phantom"].to_numpy()
    case = _pick_case(ctx)
    n = len(df)
    c = tb.cols
    c["NAMA_MUSTAHIK"] = ctx.names_col(tb, df, 0.12, case)
    nik = ctx.nik_col(tb, df, {"scientific": 0.03, "excel_zeroed": 0.02, "apostrophe": 0.01, "formatted": 0.02,
                               "typo": 0.01, "missing": 0.35, "invalid": 0.03})
    c["NIK"] = nik
    c["ALAMAT"] = ctx.alamat_col(df, "csv")
    ctx.desa_text(tb, "KAMPUNG", df["h_desa"].to_numpy(), 0.15, case)
    ctx.kec_text(tb, "KECAMATAN", df["kec"].to_numpy(), 0.15, case)
    c["KAMPUNG"][ph] = df["ph_place"].to_numpy()[ph]
    c["KECAMATAN"][ph] = ""
    asnaf = np.array(["Fakir", "Miskin", "Gharimin", "Ibnu Sabil", "Fisabilillah", "Mualaf"], dtype=object)
    c["ASNAF"] = asnaf[ctx.rng.choice(6, n, p=[0.35, 0.45, 0.08, 0.04, 0.05, 0.03])]
    jb = np.array(["Bantuan Konsumtif", "Modal Usaha", "Bantuan Pendidikan", "Bantuan Kesehatan", "Bedah Rumah"], dtype=object)
    c["JENIS_BANTUAN"] = jb[ctx.rng.integers(0, len(jb), n)]
    c["NILAI"] = pd.Series(ctx.rng.choice([300000, 500000, 1000000, 2500000], n)).astype(str).to_numpy(dtype=object)
    day = np.datetime64(f"{ctx.year:04d}-{ctx.month:02d}-01") - ctx.rng.integers(0, 150, n).astype("timedelta64[D]")
    c["TANGGAL"] = quirks.format_dates(ctx.rng, day, "dmy_slash", "csv")
    tb.tag(ph, "place_unresolvable")
    tb.tag(ph, "unusable")
    tb.quar = tb.quar | ph
    return tb


def build_kur(ctx: Ctx) -> Table:
    df = _finish_family_frame(ctx, ctx.sel.persons["kur"])
    df, _ = _with_phantoms(ctx, df, 0.005)
    df = _fill_place_fields(df, ctx)
    tb = ctx.table("kur", "csv", df, {})
    ph = df["is_phantom"].to_numpy()
    case = _pick_case(ctx)
    n = len(df)
    c = tb.cols
    c["NIK_DEBITUR"] = ctx.nik_col(tb, df, {"scientific": 0.03, "excel_zeroed": 0.01, "apostrophe": 0.01, "formatted": 0.01,
                                            "typo": 0.005})
    c["NAMA_DEBITUR"] = ctx.names_col(tb, df, 0.06, case)
    c["TGL_LAHIR"] = ctx.birth_col(tb, df, ["iso", "dmy_slash", "indo"][ctx.t % 3])
    c["ALAMAT"] = ctx.alamat_col(df, "csv")
    ctx.kec_text(tb, "KECAMATAN", df["kec"].to_numpy(), 0.1, case)
    c["KECAMATAN"][ph] = df["ph_place"].to_numpy()[ph]
    c["ALAMAT"][ph] = df["ph_place"].to_numpy()[ph]
    c["PLAFON"] = pd.Series(ctx.rng.choice([10, 25, 50, 75, 100, 200], n) * 1000000).astype(str).to_numpy(dtype=object)
    akad = np.datetime64(f"{ctx.year:04d}-{ctx.month:02d}-01") - ctx.rng.integers(0, 700, n).astype("timedelta64[D]")
    c["TGL_AKAD"] = quirks.format_dates(ctx.rng, akad, "iso", "csv")
    sek = np.array(["Pertanian", "Perdagangan", "Industri Pengolahan", "Jasa", "Peternakan", "Perikanan"], dtype=object)
    c["SEKTOR_USAHA"] = sek[ctx.rng.integers(0, len(sek), n)]
    tb.tag(ph, "place_unresolvable")
    tb.tag(ph, "unusable")
    tb.quar = tb.quar | ph
    return tb


def make_unusable(ctx: Ctx, tb: Table, name_col: str, nik_col: str | None, share: float) -> None:
    """Rows with neither a usable name nor a valid NIK (must be quarantined)."""
    n = len(tb)
    m = (ctx.rng.random(n) < share) & ~tb.quar
    if not m.any():
        return
    k = int(m.sum())
    tb.cols[name_col] = tb.cols[name_col].copy()
    tb.cols[name_col][m] = np.array(["", "-", ".", "?", "--"], dtype=object)[ctx.rng.integers(0, 5, k)]
    if nik_col:
        tb.cols[nik_col] = tb.cols[nik_col].copy()
        tb.cols[nik_col][m] = np.array(["", "-", "0", "123", "BELUM ADA"], dtype=object)[ctx.rng.integers(0, 5, k)]
    tb.tag(m, "unusable")
    tb.quar = tb.quar | m


def build_dukcapil(ctx: Ctx) -> pd.DataFrame:
    P, H = ctx.P, ctx.H
    pres = ctx.present
    pd_desa = H["desa"].to_numpy()[ctx.hpos.reindex(P["hh"].to_numpy()[pres]).to_numpy()]
    sex = P["sex"].to_numpy()[pres]
    nd = ctx.area.n_desa
    pen = np.bincount(pd_desa, minlength=nd)
    lk = np.bincount(pd_desa[sex == 0], minlength=nd)
    kk = np.bincount(H["desa"].to_numpy()[H["active"].to_numpy()], minlength=nd)
    return pd.DataFrame({
        "KODE_WILAYAH": ctx.desa_codes, "NAMA_WILAYAH": names.apply_case(ctx.desa_names.copy(), "upper"),
        "JUMLAH_PENDUDUK": pen.astype(str), "JUMLAH_KK": kk.astype(str), "LAKI_LAKI": lk.astype(str),
        "PEREMPUAN": (pen - lk).astype(str)})


BUILDERS = {
    "dtks": build_dtks, "p3ke": build_p3ke, "pkh": build_pkh, "bpnt": build_bpnt, "pbi_jk": build_pbi,
    "blt_dd": build_blt_dd, "rtlh": build_rtlh, "baznas": build_baznas, "kur": build_kur,
}
NAME_NIK = {
    "dtks": ("NAMA", "NIK"), "p3ke": ("NAMA", "NIK"), "pkh": ("NAMA_PENGURUS", "NIK_PENGURUS"), "bpnt": ("NAMA", "NIK"),
    "pbi_jk": ("NAMA_PESERTA", "NIK"), "blt_dd": ("NAMA_KPM", "NIK"), "rtlh": ("NAMA_KEPALA_KELUARGA", "NIK"),
    "baznas": ("NAMA_MUSTAHIK", "NIK"), "kur": ("NAMA_DEBITUR", "NIK_DEBITUR"),
}
