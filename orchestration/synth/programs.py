"""Who is on each program list in a period: targeting with inclusion and exclusion errors.

Programs target from the registries (PKH, BPNT, PBI-JK from DTKS; BLT-DD from P3KE desil 1 first)
with realistic errors: non-poor recipients, recipients found in no registry, and poor families
that receive nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

FAMILY_PROGRAMS = ("pkh", "bpnt", "blt_dd", "rtlh")
PERSON_PROGRAMS = ("pbi_jk", "baznas", "kur")
PROGRAMS = ("pkh", "bpnt", "pbi_jk", "blt_dd", "rtlh", "baznas", "kur")


@dataclass
class Selection:
    # family programs: household keys; person programs: person keys (+ PBI status)
    family: dict[str, np.ndarray]
    persons: dict[str, np.ndarray]
    pbi_status: np.ndarray  # 'AKTIF' / 'NONAKTIF' aligned with persons['pbi_jk']
    pbi_segment: np.ndarray


def _lookup(probs: dict, d: np.ndarray) -> np.ndarray:
    out = np.zeros(len(d))
    for k, v in probs.items():
        out[d == k] = v
    return out


def select(rng: np.random.Generator, P: pd.DataFrame, H: pd.DataFrame, ref_days: int,
           prev_pbi: np.ndarray | None) -> Selection:
    act = H["active"].to_numpy()
    in_d = H["in_dtks"].to_numpy()
    in_p = H["in_p3ke"].to_numpy()
    dd = np.nan_to_num(H["dtks_desil"].to_numpy(), nan=0).astype(int)
    pd3 = np.nan_to_num(H["p3ke_desil"].to_numpy(), nan=0).astype(int)
    desil = H["desil"].to_numpy().astype(int)
    reg = in_d | in_p
    n = len(H)
    present = P["alive"].to_numpy() & ~P["moved_out"].to_numpy() & P["in_pop"].to_numpy()
    age = (ref_days - P["birth"].to_numpy().astype("datetime64[D]").astype(np.int64)) / 365.25
    kids = P.loc[present & (age < 18), "hh"].unique()
    has_kid = H["hkey"].isin(kids).to_numpy()

    u = {k: H["u_" + k].to_numpy() for k in ("pkh", "bpnt", "pbi", "blt", "apbd")}
    pkh = act & ((in_d & has_kid & (u["pkh"] < _lookup({1: .55, 2: .45, 3: .30, 4: .10}, dd)))
                 | (~reg & (u["pkh"] < 0.004)))
    bpnt = act & ((in_d & (u["bpnt"] < _lookup({0: .10, 1: .60, 2: .50, 3: .40, 4: .30}, dd)))
                  | (~in_d & (u["bpnt"] < 0.006)))
    blt = act & ((in_p & (u["blt"] < _lookup({1: .50, 2: .18, 3: .06, 4: .02}, pd3)))
                 | (~reg & (desil <= 2) & (u["blt"] < 0.15))
                 | ((desil >= 5) & (u["blt"] > 0.996)))
    r = rng.random(n)
    rtlh = act & (((reg & (desil <= 4)) & (r < 0.015)) | (~reg & (r < 0.002)))
    pbi_apbn = act & in_d & (u["pbi"] < 0.82)
    pbi_apbd = act & ~pbi_apbn & ((~in_d & (desil <= 5) & (u["apbd"] < 0.12)) | ((desil >= 6) & (u["apbd"] > 0.992)))

    hk = H["hkey"].to_numpy()
    family = {"pkh": hk[pkh], "bpnt": hk[bpnt], "blt_dd": hk[blt], "rtlh": hk[rtlh]}

    # person-level lists
    pk = P["pkey"].to_numpy()
    phh = P["hh"].to_numpy()
    hpos = pd.Series(np.arange(n), index=hk)
    pos = hpos.reindex(phh).to_numpy()
    seg_apbn = pbi_apbn[pos]
    seg_apbd = pbi_apbd[pos]
    aktif = present & (seg_apbn | seg_apbd)
    # dead or departed persons still listed: BPJS updates with a lag
    gone = ~present & P["in_pop"].to_numpy()
    was = np.isin(pk, prev_pbi) if prev_pbi is not None else np.zeros(len(P), bool)
    stale_aktif = gone & was & (rng.random(len(P)) < 0.25)
    nonaktif = (was & ~aktif & ~stale_aktif)
    if prev_pbi is None:  # first period: some earlier members already deactivated
        nonaktif = present & ~aktif & (desil[pos] <= 6) & (rng.random(len(P)) < 0.03)
    on = aktif | stale_aktif | nonaktif
    pbi_p = pk[on]
    status = np.where((aktif | stale_aktif)[on], "AKTIF", "NONAKTIF").astype(object)
    segment = np.where(seg_apbd[on], "PBI APBD", "PBI APBN").astype(object)

    # baznas, kur: the head or the spouse of selected families
    r2 = rng.random(n)
    baz_h = act & (((desil <= 3) & (r2 < 0.03)) | (r2 < 0.002))
    r3 = rng.random(n)
    kur_h = act & (((desil >= 3) & (r3 < 0.04)) | ((desil <= 2) & (r3 < 0.01)))
    rel = P["rel"].to_numpy()
    head_or_spouse = present & np.isin(rel, (1, 2))

    def pick(hmask: np.ndarray, p_spouse: float) -> np.ndarray:
        c = P.loc[head_or_spouse & hmask[pos], ["pkey", "hh", "rel"]]
        c = c.assign(k=np.where(c["rel"].to_numpy() == 1, 0.5, rng.random(len(c))))
        c = c.sort_values(["hh", "k"], kind="stable")
        # spouse first when the draw says so
        first = c.groupby("hh").head(1)
        sp = c[c["rel"] == 2].groupby("hh").head(1)
        use_sp = sp[rng.random(len(sp)) < p_spouse]
        out = first.set_index("hh")["pkey"]
        out.loc[use_sp["hh"].to_numpy()] = use_sp["pkey"].to_numpy()
        return np.sort(out.to_numpy())

    persons = {"pbi_jk": pbi_p, "baznas": pick(baz_h, 0.5), "kur": pick(kur_h, 0.3)}
    return Selection(family=family, persons=persons, pbi_status=status, pbi_segment=segment)
