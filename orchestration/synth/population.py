"""The synthetic population: families (keluarga) and their members on real village codes.

State is kept in two pandas frames, `World.P` (persons) and `World.H` (households = families), and
every step is vectorised. Registries (DTKS, P3KE) are attributes of the households: membership, the
desil the registry recorded, and the registry's own ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import ids, names
from .places import Area

# target cumulative shares of households by true desil 1..9 (the rest is desil 10).
# Desil 1 is the poorest 10 % nationally; Lampung Tengah's extreme poverty is about 1-2 % of persons,
# so its desil-1 share is modest.
DESIL_CUM = np.array([0.06, 0.15, 0.255, 0.37, 0.48, 0.59, 0.70, 0.80, 0.90])
HH_SIZE_P = np.array([0.10, 0.18, 0.24, 0.24, 0.14, 0.06, 0.03, 0.01])
LOCUS_KEC_SUFFIX = ("21", "27", "20", "19", "14")  # poverty pockets of the 2022 locus (18.02)

ROMAN = np.array(["I", "II", "III", "IV", "V", "VI", "VII", "VIII"], dtype=object)
STREETS = np.array(["Raya Ma’arif", "Merdeka", "Pendidikan", "Lintas Sumatera", "Masjid", "Kartini",
                    "Sukarno-Hatta", "Pasar", "Pemuda", "Sawah Lebar", "Kebon Jeruk", "Transmigrasi"], dtype=object)

# registry inclusion probability by true desil (index 0 = desil 1)
P_DTKS = np.array([0.88, 0.83, 0.78, 0.72, 0.40, 0.25, 0.12, 0.06, 0.04, 0.03])
P_P3KE = np.array([0.80, 0.74, 0.66, 0.55, 0.22, 0.10, 0.05, 0.03, 0.02, 0.01])


def _days(d: str) -> int:
    return int(np.datetime64(d, "D").astype(np.int64))


@dataclass
class World:
    area: Area
    P: pd.DataFrame
    H: pd.DataFrame
    thresholds: np.ndarray
    village_effect: np.ndarray
    nik_taken: pd.Series
    kk_taken: pd.Series
    next_pkey: int
    next_hkey: int
    next_idbdt: int
    next_p3ke: int
    departures: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {"pkey": pd.Series([], dtype=np.int64), "hh": pd.Series([], dtype=np.int64),
         "t": pd.Series([], dtype=np.int64), "reason": pd.Series([], dtype=object)}))

    def desil_of(self, w: np.ndarray) -> np.ndarray:
        return (np.searchsorted(self.thresholds, w) + 1).astype(np.int8)


def noisy_registry_desil(rng: np.random.Generator, true_desil: np.ndarray, registry: str) -> np.ndarray:
    """The desil a registry records: the true one give or take one, within 1..4 (DTKS: empty above 4)."""
    d = true_desil.astype(np.float64) + rng.choice([-1, 0, 0, 0, 0, 1], len(true_desil))
    d = np.clip(d, 1, None)
    if registry == "dtks":
        over = d > 4
        d[over] = np.where(rng.random(over.sum()) < 0.5, 4.0, np.nan)
        return d
    return np.clip(d, 1, 4)


def make_nik(world_taken: pd.Series | None, region6: np.ndarray, birth: np.ndarray, female: np.ndarray):
    prefix = region6 + ids.ddmmyy(birth, female)
    return ids.assign_serials(prefix, world_taken)


def new_households_frame(rng: np.random.Generator, area: Area, hkeys: np.ndarray, desa_idx: np.ndarray,
                         w: np.ndarray, reg_lo: int, reg_hi: int, kk_taken: pd.Series | None):
    """Household rows with No KK, address and the persistent draws that steer program selection."""
    n = len(hkeys)
    kec = np.array(area.kec_codes, dtype=object)[np.array(area.desa_kec_idx)[desa_idx]]
    reg = (rng.integers(reg_lo, max(reg_hi, reg_lo + 1), n)).astype("datetime64[D]")
    no_kk, kk_taken = ids.assign_serials(ids.region6(kec) + ids.ddmmyy(reg), kk_taken)
    rt = rng.integers(1, 25, n)
    rw = rng.integers(1, 9, n)
    style = rng.random(n)
    dusun = ROMAN[rng.integers(0, len(ROMAN), n)]
    street = STREETS[rng.integers(0, len(STREETS), n)]
    no = rng.integers(1, 200, n).astype(str).astype(object)
    alamat = np.where(style < 0.55, "Dusun " + dusun, np.where(style < 0.85, "Jl. " + street + " No. " + no,
                                                              "Dsn. " + dusun + ", Gg. " + street))
    H = pd.DataFrame({
        "hkey": hkeys.astype(np.int64), "no_kk": no_kk, "desa": desa_idx.astype(np.int32),
        "w": w.astype(np.float64), "desil": np.zeros(n, np.int8), "active": np.ones(n, bool),
        "moved_out": np.zeros(n, bool), "head": np.full(n, -1, np.int64),
        "alamat": alamat, "rt": rt.astype(np.int16), "rw": rw.astype(np.int16),
        "in_dtks": np.zeros(n, bool), "dtks_desil": np.full(n, np.nan), "idbdt": np.full(n, -1, np.int64),
        "in_p3ke": np.zeros(n, bool), "p3ke_desil": np.full(n, np.nan), "p3ke_id": np.full(n, -1, np.int64),
        "kks": (ids.scramble(hkeys, 7919, 10**14 + 17, 9 * 10**14) + 10**15).astype(str).astype(object),
        "housing": rng.integers(0, 1_000_000, n).astype(np.int64),
    })
    for prog in ("pkh", "bpnt", "pbi", "blt", "apbd"):
        H["u_" + prog] = rng.random(n)
    return H, kk_taken


def build_initial(rng: np.random.Generator, area: Area, households: int, ref_date: str) -> World:
    ref = _days(ref_date)
    nd = area.n_desa
    weights = rng.lognormal(0.0, 0.45, nd)
    weights /= weights.sum()
    veff = rng.normal(0.0, 0.45, nd)
    kec_of_desa = np.array(area.desa_kec_idx)
    kec_codes = np.array(area.kec_codes, dtype=object)
    if area.kab_code == "18.02":
        locus = np.isin(np.array([c[-2:] for c in kec_codes]), LOCUS_KEC_SUFFIX)
        veff = veff - 0.35 * locus[kec_of_desa]
    desa_idx = rng.choice(nd, households, p=weights).astype(np.int32)
    w = veff[desa_idx] + rng.normal(0.0, 1.0, households)
    thresholds = np.quantile(w, DESIL_CUM)

    hkeys = np.arange(households, dtype=np.int64)
    H, kk_taken = new_households_frame(rng, area, hkeys, desa_idx, w, _days("2003-01-01"), ref - 30, None)

    # ---- members
    size = rng.choice(np.arange(1, 9), households, p=HH_SIZE_P)
    size = size + ((H["w"].to_numpy() < thresholds[1]) & (rng.random(households) < 0.3))  # poor: bigger
    hh = np.repeat(hkeys, size)
    M = len(hh)
    j = pd.Series(hh).groupby(hh).cumcount().to_numpy()
    has_spouse = (size >= 2) & (rng.random(households) < 0.88)
    hs = has_spouse[hh]
    r = rng.random(M)
    rel = np.where(r < 0.86, 3, np.where(r < 0.92, 5, np.where(r < 0.97, 6, 7))).astype(np.int8)
    rel[(j == 1) & hs] = 2
    rel[j == 0] = 1
    head_female = np.where(has_spouse, rng.random(households) < 0.10, rng.random(households) < 0.45)
    head_age = 23 + rng.beta(2.0, 3.0, households) * 55
    hage = head_age[hh]
    age = np.where(rel == 1, hage, 0.0)
    age = np.where(rel == 2, np.clip(hage + rng.normal(-3, 4, M), 17, 95), age)
    age = np.where(rel == 3, rng.uniform(0, 1, M) * np.clip(hage - 19, 1, 32), age)
    age = np.where(rel == 5, rng.uniform(0, 12, M), age)
    age = np.where(rel == 6, np.clip(hage + rng.uniform(20, 32, M), 40, 96), age)
    age = np.where(rel == 7, rng.uniform(3, 70, M), age)
    sex = (rng.random(M) < 0.5).astype(np.int8)
    sex[rel == 1] = head_female[hh][rel == 1]
    sex[rel == 2] = 1 - head_female[hh][rel == 2]
    birth = (ref - (age * 365.25).astype(np.int64) - rng.integers(0, 30, M)).astype("datetime64[D]")

    # NIK region: where first registered (mostly the family's kecamatan)
    rr = rng.random(M)
    home_kec = kec_codes[kec_of_desa[desa_idx[hh]]]
    other_in_kab = kec_codes[rng.integers(0, len(kec_codes), M)]
    outside = np.array(area.other_kec_codes, dtype=object)[rng.integers(0, len(area.other_kec_codes), M)]
    nik_kec = np.where(rr < 0.85, home_kec, np.where(rr < 0.95, other_in_kab, outside))
    nik, nik_taken = make_nik(None, ids.region6(nik_kec), birth, sex)

    nm = names.generate_names(rng, sex)
    first = names.first_word(nm)
    head_first = pd.Series(first[j == 0], index=hkeys)
    head_is_male = pd.Series(sex[j == 0] == 0, index=hkeys)
    rnd_male = np.array(names.MALE_FIRST, dtype=object)[rng.integers(0, len(names.MALE_FIRST), M)]
    father = np.where((rel == 3) & head_is_male.reindex(hh).to_numpy(), head_first.reindex(hh).to_numpy(), rnd_male)
    bp = np.array(names.BIRTH_PLACES, dtype=object)
    bpi = np.where(rng.random(M) < 0.6, 0, rng.integers(0, len(bp), M))
    P = pd.DataFrame({
        "pkey": np.arange(M, dtype=np.int64), "nik": nik, "name": nm, "sex": sex, "birth": birth,
        "hh": hh, "rel": rel, "alive": np.ones(M, bool), "moved_out": np.zeros(M, bool),
        "in_pop": np.ones(M, bool), "father_first": father, "birth_place": bp[bpi],
    })
    H["head"] = P["pkey"].to_numpy()[j == 0]

    world = World(area=area, P=P, H=H, thresholds=thresholds, village_effect=veff, nik_taken=nik_taken,
                  kk_taken=kk_taken, next_pkey=M, next_hkey=households, next_idbdt=0, next_p3ke=0)
    H["desil"] = world.desil_of(H["w"].to_numpy())

    # ---- registries at the start
    d = H["desil"].to_numpy().astype(int)
    in_dtks = rng.random(households) < P_DTKS[d - 1]
    in_p3ke = rng.random(households) < P_P3KE[d - 1] * np.where(in_dtks, 1.05, 0.8)
    H["in_dtks"] = in_dtks
    H["in_p3ke"] = in_p3ke
    H.loc[in_dtks, "dtks_desil"] = noisy_registry_desil(rng, d[in_dtks], "dtks")
    H.loc[in_p3ke, "p3ke_desil"] = noisy_registry_desil(rng, d[in_p3ke], "p3ke")
    n_d, n_p = int(in_dtks.sum()), int(in_p3ke.sum())
    H.loc[in_dtks, "idbdt"] = np.arange(n_d, dtype=np.int64)
    H.loc[in_p3ke, "p3ke_id"] = np.arange(n_p, dtype=np.int64)
    world.next_idbdt, world.next_p3ke = n_d, n_p
    return world
