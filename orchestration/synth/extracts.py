"""Per-source tables of one period, in the columns of extract-formats.md, with row-level quirks.

One builder per source; each returns a `Table` (see context.py) with the truth for the answer key.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import ids, names, quirks
from .context import Ctx, Table
from .profile import SourceProfile
from .writers import NUM

__all__ = ["BUILDERS", "NAME_NIK", "Ctx", "Table", "build_dukcapil", "make_unusable"]

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


def _nik(ctx: Ctx, tb: Table, df: pd.DataFrame, sp: SourceProfile) -> np.ndarray:
    """The NIK column with the source's rates (profile): damage kinds and wrong-person NIKs."""
    return ctx.nik_col(tb, df, sp.nik, head_copy=sp.nik_head_copy, neighbour=sp.nik_neighbour,
                       run=sp.nik_neighbour_run, other_person=sp.nik_other_person)


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
    sp = ctx.src("dtks")
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
    c["ALAMAT"] = names.apply_case(ctx.alamat_col(df, "csv", tb), case)
    c["RT"] = ctx.rt_col(df["h_rt"].to_numpy())
    c["RW"] = ctx.rt_col(df["h_rw"].to_numpy())
    c["NAMA"] = ctx.names_col(tb, df, sp.name_variant, case)
    c["JNSKEL"] = (df["sex"].to_numpy() + 1).astype(str).astype(object)
    c["TMPLAHIR"] = names.apply_case(df["birth_place"].to_numpy().astype(object), case)
    c["TGLLAHIR"] = ctx.birth_col(tb, df, ["dmy_dash", "iso", "dmy_slash"][ctx.t % 3], sp)
    c["NIK"] = _nik(ctx, tb, df, sp)
    c["NOKK"] = ctx.kk_col(tb, df, sp.nokk)
    c["HUB_KRT"] = df["rel"].to_numpy().astype(str).astype(object)
    c["STA_KEBERADAAN_ART"] = df["sta"].to_numpy().astype(str).astype(object)
    dd = df["h_dtks_desil"].to_numpy()
    c["DESIL"] = np.where(np.isnan(dd), "", np.nan_to_num(dd).astype(int).astype(str)).astype(object)
    c["ADA_PKH"] = quirks.flags(rng, noisy(sel_fam["pkh"]), fs)
    c["ADA_BPNT"] = quirks.flags(rng, noisy(sel_fam["bpnt"]), fs)
    c["ADA_PBI"] = quirks.flags(rng, noisy(pbi_on), fs)
    tb.meta["status"] = df["sta"].to_numpy()
    ctx.garbage_place(tb, {"KODE_WILAYAH": "code"}, sp.place_garbage)
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
    sp = ctx.src("p3ke")
    case = _pick_case(ctx)
    n = len(df)
    c = tb.cols
    c["ID_KELUARGA_P3KE"] = (ctx.kab4 + "3" + pd.Series(df["h_p3ke_id"].to_numpy()).astype(str).str.zfill(8)).to_numpy(dtype=object)
    c["ID_INDIVIDU"] = (ids.scramble(df["pkey"].to_numpy(), 15485863, 11, 10**11) + 2 * 10**11).astype(str).astype(object)
    c["KODE_KEMENDAGRI"] = np.array([x.replace(".", "") for x in ctx.desa_codes[df["h_desa"].to_numpy()]], dtype=object)
    c["PROVINSI"] = np.full(n, ctx.area.prov_name.upper(), dtype=object)
    c["KABUPATEN"] = np.full(n, ctx.area.kab_name.upper(), dtype=object)
    ctx.kec_text(tb, "KECAMATAN", df["kec"].to_numpy(), sp.kec_variant, "upper")
    ctx.desa_text(tb, "DESA", df["h_desa"].to_numpy(), sp.desa_variant, "upper")
    c["ALAMAT"] = names.apply_case(ctx.alamat_col(df, "xlsx", tb), case)
    pdz = np.nan_to_num(df["h_p3ke_desil"].to_numpy(), nan=4).astype(int).astype(str).astype(object)
    c["DESIL_KESEJAHTERAAN"] = np.where(rng.random(n) < (0.5 if ctx.t % 2 == 0 else 0.05), "Desil " + pdz, pdz)
    c["NAMA"] = ctx.names_col(tb, df, sp.name_variant, case)
    nik = _nik(ctx, tb, df, sp)
    c["NIK"] = nik
    c["PADAN_DUKCAPIL"] = np.where(np.array([len(str(x)) == 16 and str(x).isdigit() for x in nik], dtype=bool) & (tb.defects == ""),
                                   "Ya", "Tidak").astype(object)
    c["JENIS_KELAMIN"] = np.where(df["sex"].to_numpy() == 1, "Perempuan", "Laki-laki").astype(object)
    c["HUBUNGAN_DENGAN_KEPALA_KELUARGA"] = np.array([HUB_P3KE[int(r)] for r in df["rel"].to_numpy()], dtype=object)
    c["HUBUNGAN_DENGAN_KEPALA_KELUARGA"][(df["rel"].to_numpy() == 2) & (df["sex"].to_numpy() == 0)] = "Suami"
    c["TANGGAL_LAHIR"] = ctx.birth_col(tb, df, ["serial", "dmy_slash", "xlsx_date", "indo"][ctx.t % 4], sp)
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
    sp = ctx.src("pbi_jk")
    case = "upper"
    c = tb.cols
    c["NOKA"] = ("000" + pd.Series(ids.scramble(df["pkey"].to_numpy(), 982451653, 3, 10**10)).astype(str).str.zfill(10)).to_numpy(dtype=object)
    c["NIK"] = _nik(ctx, tb, df, sp)
    c["NAMA_PESERTA"] = ctx.names_col(tb, df, sp.name_variant, case)
    c["TGL_LAHIR"] = ctx.birth_col(tb, df, ["dmy_slash", "iso"][ctx.t % 2], sp)
    c["JENIS_KELAMIN"] = np.where(df["sex"].to_numpy() == 1, "P", "L").astype(object)
    ctx.kec_text(tb, "KECAMATAN", df["kec"].to_numpy(), sp.kec_variant, "upper")
    c["SEGMEN"] = df["segmen"].to_numpy().astype(object)
    c["STATUS_PESERTA"] = df["status"].to_numpy().astype(object)
    tb.meta["status"] = df["status"].to_numpy()
    ctx.garbage_place(tb, {"KECAMATAN": "text"}, sp.place_garbage)
    return tb


def _family_heads(ctx: Ctx, hkeys: np.ndarray, rates: SourceProfile) -> np.ndarray:
    """The person named for a family: the head, or the spouse (spouse_share); with mother_share (PKH:
    the mother as pengurus) the wife of a male head at that share, the husband of a female head at
    spouse_share."""
    H, P = ctx.H, ctx.P
    head = H["head"].to_numpy()[ctx.hpos.reindex(hkeys).to_numpy()]
    sp = P[ctx.present & (P["rel"].to_numpy() == 2) & P["hh"].isin(hkeys).to_numpy()]
    sp_of = sp.groupby("hh")["pkey"].first()
    spouse = sp_of.reindex(hkeys).fillna(-1).astype(np.int64).to_numpy()
    if rates.mother_share is not None:
        head_female = P["sex"].to_numpy()[head.clip(0)] == 1
        u = ctx.rng.random(len(hkeys))
        use = (spouse >= 0) & np.where(head_female, u < rates.spouse_share, u < rates.mother_share)
    else:
        use = (spouse >= 0) & (ctx.rng.random(len(hkeys)) < rates.spouse_share)
    out = np.where(use, spouse, head)
    return out[out >= 0]


def _finish_family_frame(ctx: Ctx, pk: np.ndarray) -> pd.DataFrame:
    df = ctx.persons(pk)
    order = np.lexsort((df["pkey"].to_numpy(), df["h_desa"].to_numpy()))
    return df.iloc[order].reset_index(drop=True)


def build_pkh(ctx: Ctx) -> Table:
    sp = ctx.src("pkh")
    df = _finish_family_frame(ctx, _family_heads(ctx, ctx.sel.family["pkh"], sp))
    tb = ctx.table("pkh", "xlsx", df, {})
    case = _pick_case(ctx)
    n = len(df)
    c = tb.cols
    c["NIK_PENGURUS"] = _nik(ctx, tb, df, sp)
    c["NAMA_PENGURUS"] = ctx.names_col(tb, df, sp.name_variant, case)
    c["NO_KK"] = ctx.kk_col(tb, df, sp.nokk)
    c["IDBDT"] = np.where(df["h_in_dtks"].to_numpy().astype(bool),
                          idbdt_text(ctx, df["h_idbdt"].to_numpy().clip(0)), "").astype(object)
    ctx.kec_text(tb, "KECAMATAN", df["kec"].to_numpy(), sp.kec_variant, case)
    ctx.desa_text(tb, "DESA", df["h_desa"].to_numpy(), sp.desa_variant, case)
    c["ALAMAT"] = ctx.alamat_col(df, "xlsx", tb)
    tahap = 1 + (ctx.month - 1) // 3
    c["TAHAP"] = np.full(n, f"Tahap {tahap} {ctx.year}", dtype=object)
    komp = np.array(["Anak SD", "Anak SMP", "Anak SMA", "Balita", "Ibu Hamil", "Lansia", "Disabilitas Berat"], dtype=object)
    kk = ctx.rng.integers(0, len(komp), n)
    c["KOMPONEN"] = komp[kk]
    c["NOMINAL"] = ctx.nominal(np.array([225000, 375000, 500000, 750000, 750000, 600000, 600000])[kk], "xlsx")
    ctx.garbage_place(tb, {"KECAMATAN": "text", "DESA": "text"}, sp.place_garbage)
    return tb


def build_bpnt(ctx: Ctx) -> Table:
    sp = ctx.src("bpnt")
    df = _finish_family_frame(ctx, _family_heads(ctx, ctx.sel.family["bpnt"], sp))
    tb = ctx.table("bpnt", "xlsx", df, {})
    case = _pick_case(ctx)
    n = len(df)
    c = tb.cols
    c["NIK"] = _nik(ctx, tb, df, sp)
    c["NAMA"] = ctx.names_col(tb, df, sp.name_variant, case)
    c["NO_KK"] = ctx.kk_col(tb, df, sp.nokk)
    c["NO_KKS"] = np.where(ctx.rng.random(n) < 0.5, NUM + df["h_kks"].to_numpy().astype(object), df["h_kks"].to_numpy().astype(object)).astype(object)
    c["NO_KKS"] = np.array([NUM + x[2:17][:15] + "0" if x.startswith(NUM) else x for x in c["NO_KKS"]], dtype=object)
    ctx.kec_text(tb, "KECAMATAN", df["kec"].to_numpy(), sp.kec_variant, case)
    ctx.desa_text(tb, "DESA", df["h_desa"].to_numpy(), sp.desa_variant, case)
    c["ALAMAT"] = ctx.alamat_col(df, "xlsx", tb)
    c["BULAN"] = np.full(n, f"{quirks.BULAN[ctx.month - 1]} {ctx.year}", dtype=object)
    c["NOMINAL"] = ctx.nominal(np.full(n, 200000), "xlsx")
    ctx.garbage_place(tb, {"KECAMATAN": "text", "DESA": "text"}, sp.place_garbage)
    return tb


def build_blt_dd(ctx: Ctx) -> Table:
    sp = ctx.src("blt_dd")
    df = _finish_family_frame(ctx, _family_heads(ctx, ctx.sel.family["blt_dd"], sp))
    tb = ctx.table("blt_dd", "xlsx", df, {})
    case = _pick_case(ctx)
    n = len(df)
    c = tb.cols
    c["NO"] = np.zeros(n, dtype=object)  # numbered per sheet when emitted
    ctx.desa_text(tb, "KAMPUNG", df["h_desa"].to_numpy(), sp.desa_variant, case)
    c["NAMA_KPM"] = ctx.names_col(tb, df, sp.name_variant, case)
    c["NIK"] = _nik(ctx, tb, df, sp)
    c["ALAMAT"] = ctx.alamat_col(df, "xlsx", tb)
    c["BULAN"] = np.full(n, f"{quirks.BULAN[ctx.month - 1]} {ctx.year}", dtype=object)
    c["JUMLAH"] = ctx.nominal(np.full(n, 300000), "xlsx")
    # the kecamatan comes from the sheet: garbage-place rows go on a sheet named after no kecamatan
    g = ctx.garbage_place(tb, {"KAMPUNG": "text"}, sp.place_garbage)
    tb.group[g] = -1
    return tb


def build_rtlh(ctx: Ctx) -> Table:
    sp = ctx.src("rtlh")
    df = _finish_family_frame(ctx, _family_heads(ctx, ctx.sel.family["rtlh"], sp))
    tb = ctx.table("rtlh", "xlsx", df, {})
    case = _pick_case(ctx)
    n = len(df)
    c = tb.cols
    c["NAMA_KEPALA_KELUARGA"] = ctx.names_col(tb, df, sp.name_variant, case)
    c["NIK"] = _nik(ctx, tb, df, sp)
    c["NO_KK"] = ctx.kk_col(tb, df, sp.nokk)
    ctx.desa_text(tb, "KAMPUNG", df["h_desa"].to_numpy(), sp.desa_variant, case)
    ctx.kec_text(tb, "KECAMATAN", df["kec"].to_numpy(), sp.kec_variant, case)
    c["TAHUN_ANGGARAN"] = np.full(n, NUM + str(ctx.year), dtype=object)
    src = np.array(["APBD", "APBN", "CSR"], dtype=object)
    c["SUMBER_DANA"] = src[ctx.rng.choice(3, n, p=[0.6, 0.3, 0.1])]
    c["NILAI_BANTUAN"] = ctx.nominal(np.where(c["SUMBER_DANA"] == "APBN", 20000000, 17500000), "xlsx")
    ctx.garbage_place(tb, {"KAMPUNG": "text", "KECAMATAN": "text"}, sp.place_garbage)
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
    sp = ctx.src("baznas")
    df = _finish_family_frame(ctx, ctx.sel.persons["baznas"])
    df, _ = _with_phantoms(ctx, df, sp.phantoms)
    df = _fill_place_fields(df, ctx)
    tb = ctx.table("baznas", "csv", df, {})
    ph = df["is_phantom"].to_numpy()
    case = _pick_case(ctx)
    n = len(df)
    c = tb.cols
    c["NAMA_MUSTAHIK"] = ctx.names_col(tb, df, sp.name_variant, case)
    nik = _nik(ctx, tb, df, sp)
    c["NIK"] = nik
    c["ALAMAT"] = ctx.alamat_col(df, "csv", tb)
    ctx.desa_text(tb, "KAMPUNG", df["h_desa"].to_numpy(), sp.desa_variant, case)
    ctx.kec_text(tb, "KECAMATAN", df["kec"].to_numpy(), sp.kec_variant, case)
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
    ctx.garbage_place(tb, {"KAMPUNG": "text", "KECAMATAN": "text"}, sp.place_garbage)
    return tb


def build_kur(ctx: Ctx) -> Table:
    sp = ctx.src("kur")
    df = _finish_family_frame(ctx, ctx.sel.persons["kur"])
    df, _ = _with_phantoms(ctx, df, sp.phantoms)
    df = _fill_place_fields(df, ctx)
    tb = ctx.table("kur", "csv", df, {})
    ph = df["is_phantom"].to_numpy()
    case = _pick_case(ctx)
    n = len(df)
    c = tb.cols
    c["NIK_DEBITUR"] = _nik(ctx, tb, df, sp)
    c["NAMA_DEBITUR"] = ctx.names_col(tb, df, sp.name_variant, case)
    c["TGL_LAHIR"] = ctx.birth_col(tb, df, ["iso", "dmy_slash", "indo"][ctx.t % 3], sp)
    c["ALAMAT"] = ctx.alamat_col(df, "csv", tb)
    ctx.kec_text(tb, "KECAMATAN", df["kec"].to_numpy(), sp.kec_variant, case)
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
    ctx.garbage_place(tb, {"KECAMATAN": "text"}, sp.place_garbage)
    return tb


def make_unusable(ctx: Ctx, tb: Table, name_col: str, nik_col: str | None, share: float) -> None:
    """Rows with neither a usable name nor a valid NIK (must be quarantined)."""
    n = len(tb)
    m = (ctx.rng.random(n) < share) & ~tb.quar & ~tb.meta.get("place_garbage", np.zeros(n, bool))
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
