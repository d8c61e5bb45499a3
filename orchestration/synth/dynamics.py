"""What happens between two periods (about 6 months): deaths, births, moves, new families, welfare.

Registries follow reality with a lag: new poor families enter, graduated ones leave slowly, and the
recorded desil is refreshed only now and then.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import ids, names
from .population import P_DTKS, P_P3KE, World, _days, make_nik, new_households_frame, noisy_registry_desil


def _depart(world: World, pkeys: np.ndarray, hh: np.ndarray, t: int, reason: str) -> None:
    if len(pkeys) == 0:
        return
    add = pd.DataFrame({"pkey": pkeys.astype(np.int64), "hh": hh.astype(np.int64),
                        "t": np.full(len(pkeys), t, np.int64), "reason": np.full(len(pkeys), reason, object)})
    world.departures = pd.concat([world.departures, add], ignore_index=True)


def _age(P: pd.DataFrame, ref: int) -> np.ndarray:
    return (ref - P["birth"].to_numpy().astype("datetime64[D]").astype(np.int64)) / 365.25


def step(world: World, rng: np.random.Generator, t: int, ref_date: str, prev_date: str) -> None:
    ref, prev = _days(ref_date), _days(prev_date)
    P, H, area = world.P, world.H, world.area
    present = P["alive"].to_numpy() & ~P["moved_out"].to_numpy() & P["in_pop"].to_numpy()
    age = _age(P, ref)

    # ---- deaths
    p_death = np.clip(0.0012 + 0.00004 * np.clip(age - 30, 0, None) ** 1.9, 0, 0.4)
    p_death[age < 1] = 0.006
    dies = present & (rng.random(len(P)) < p_death)
    _depart(world, P["pkey"].to_numpy()[dies], P["hh"].to_numpy()[dies], t, "died")
    P.loc[dies, "alive"] = False

    # ---- whole families leaving the kabupaten
    hh_active = H["active"].to_numpy()
    leave_hh = hh_active & (rng.random(len(H)) < 0.005)
    H.loc[leave_hh, ["moved_out"]] = True
    H.loc[leave_hh, ["active"]] = False
    present = P["alive"].to_numpy() & ~P["moved_out"].to_numpy() & P["in_pop"].to_numpy()
    hpos = pd.Series(np.arange(len(H)), index=H["hkey"].to_numpy())
    pos_of_p = hpos.reindex(P["hh"].to_numpy()).to_numpy()
    leaving = present & leave_hh[pos_of_p]
    # young adults leaving alone (work in Jakarta, Batam, ...)
    age = _age(P, ref)
    solo = present & ~leaving & (P["rel"].to_numpy() == 3) & (age >= 18) & (age < 32) & (rng.random(len(P)) < 0.012)
    for mask, reason in ((leaving, "moved"), (solo, "moved")):
        _depart(world, P["pkey"].to_numpy()[mask], P["hh"].to_numpy()[mask], t, reason)
    P.loc[leaving | solo, "moved_out"] = True

    # ---- moves between villages (No KK reissued when the kecamatan changes, often)
    hh_active = H["active"].to_numpy()
    mv = hh_active & (rng.random(len(H)) < 0.01)
    n_mv = int(mv.sum())
    if n_mv:
        kec_of_desa = np.array(area.desa_kec_idx)
        old = H["desa"].to_numpy()[mv]
        cand = rng.integers(0, area.n_desa, n_mv)
        same_kec = rng.random(n_mv) < 0.6
        # same kecamatan: pick a neighbour village index of the same kecamatan when there is one
        nb = np.clip(old + rng.choice([-2, -1, 1, 2], n_mv), 0, area.n_desa - 1)
        nb_ok = kec_of_desa[nb] == kec_of_desa[old]
        new = np.where(same_kec & nb_ok, nb, cand)
        H.loc[mv, "desa"] = new.astype(np.int32)
        reissue = (kec_of_desa[new] != kec_of_desa[old]) & (rng.random(n_mv) < 0.7)
        if reissue.any():
            kec = np.array(area.kec_codes, dtype=object)[kec_of_desa[new[reissue]]]
            regd = rng.integers(prev, ref, int(reissue.sum())).astype("datetime64[D]")
            kk, world.kk_taken = ids.assign_serials(ids.region6(kec) + ids.ddmmyy(regd), world.kk_taken)
            idx = np.flatnonzero(mv)[reissue]
            H.iloc[idx, H.columns.get_loc("no_kk")] = kk

    # ---- new families: children marrying and splitting off (new No KK)
    present = P["alive"].to_numpy() & ~P["moved_out"].to_numpy() & P["in_pop"].to_numpy()
    cand = present & (P["rel"].to_numpy() == 3) & (age >= 19) & (age < 36) & (rng.random(len(P)) < 0.05)
    sex = P["sex"].to_numpy()
    men = rng.permutation(np.flatnonzero(cand & (sex == 0)))
    women = rng.permutation(np.flatnonzero(cand & (sex == 1)))
    k = min(len(men), len(women))
    # unpaired men marry someone from outside the kabupaten (a new person arrives)
    extra_men = men[k:][rng.random(len(men) - k) < 0.5]
    heads = np.concatenate([men[:k], extra_men])
    spouses_in = women[:k]
    n_new = len(heads)
    if n_new:
        hpos = pd.Series(np.arange(len(H)), index=H["hkey"].to_numpy())
        parent_h = hpos.reindex(P["hh"].to_numpy()[heads]).to_numpy()
        parent_desa = H["desa"].to_numpy()[parent_h]
        new_hkeys = np.arange(world.next_hkey, world.next_hkey + n_new, dtype=np.int64)
        world.next_hkey += n_new
        w_new = H["w"].to_numpy()[parent_h] + rng.normal(0.15, 0.5, n_new)
        Hn, world.kk_taken = new_households_frame(rng, area, new_hkeys, parent_desa, w_new, prev, ref, world.kk_taken)
        Hn["head"] = P["pkey"].to_numpy()[heads]
        Hn["desil"] = world.desil_of(w_new)
        # a new family of a DTKS ruta often stays under the same IDBDT (ruta > keluarga)
        par_dtks = H["in_dtks"].to_numpy()[parent_h]
        same_ruta = par_dtks & (Hn["desil"].to_numpy() <= 5) & (rng.random(n_new) < 0.5)
        Hn.loc[same_ruta, "in_dtks"] = True
        Hn.loc[same_ruta, "idbdt"] = H["idbdt"].to_numpy()[parent_h][same_ruta]
        Hn.loc[same_ruta, "dtks_desil"] = H["dtks_desil"].to_numpy()[parent_h][same_ruta]
        movers = np.concatenate([heads, spouses_in])
        _depart(world, P["pkey"].to_numpy()[movers], P["hh"].to_numpy()[movers], t, "split")
        P.iloc[heads, P.columns.get_loc("hh")] = new_hkeys
        P.iloc[heads, P.columns.get_loc("rel")] = 1
        P.iloc[spouses_in, P.columns.get_loc("hh")] = new_hkeys[:k]
        P.iloc[spouses_in, P.columns.get_loc("rel")] = 2
        # outside spouses: new persons, NIK from elsewhere
        ne = len(extra_men)
        if ne:
            outside = np.array(area.other_kec_codes, dtype=object)[rng.integers(0, len(area.other_kec_codes), ne)]
            sage = _age(P, ref)[extra_men] + rng.normal(-2, 3, ne)
            sbirth = (ref - (np.clip(sage, 17, 60) * 365.25).astype(np.int64)).astype("datetime64[D]")
            ssex = np.ones(ne, np.int8)
            nik, world.nik_taken = make_nik(world.nik_taken, ids.region6(outside), sbirth, ssex)
            P = _append_persons(world, P, rng, nik, ssex, sbirth, new_hkeys[k:], np.full(ne, 2, np.int8))
        H = pd.concat([H, Hn], ignore_index=True)

    # ---- births
    age = _age(P, ref)
    present = P["alive"].to_numpy() & ~P["moved_out"].to_numpy() & P["in_pop"].to_numpy()
    mothers = np.flatnonzero(present & (P["sex"].to_numpy() == 1) & np.isin(P["rel"].to_numpy(), (1, 2))
                             & (age >= 18) & (age < 43) & (rng.random(len(P)) < 0.06))
    if len(mothers):
        hpos = pd.Series(np.arange(len(H)), index=H["hkey"].to_numpy())
        mh = P["hh"].to_numpy()[mothers]
        kec = np.array(area.kec_codes, dtype=object)[np.array(area.desa_kec_idx)[H["desa"].to_numpy()[hpos.reindex(mh).to_numpy()]]]
        bb = rng.integers(prev, ref - 20, len(mothers)).astype("datetime64[D]")
        bsex = (rng.random(len(mothers)) < 0.5).astype(np.int8)
        nik, world.nik_taken = make_nik(world.nik_taken, ids.region6(kec), bb, bsex)
        P = _append_persons(world, P, rng, nik, bsex, bb, mh, np.full(len(mothers), 3, np.int8))

    # ---- heads who died or left: spouse or the oldest remaining member takes over
    present = P["alive"].to_numpy() & ~P["moved_out"].to_numpy() & P["in_pop"].to_numpy()
    pres = P.loc[present, ["pkey", "hh", "rel", "birth"]]
    counts = pres.groupby("hh").size()
    H["active"] = H["hkey"].map(counts).fillna(0).to_numpy() > 0
    head_ok = pd.Series(present, index=P["pkey"].to_numpy()).reindex(H["head"].to_numpy()).fillna(False).to_numpy()
    need = H["active"].to_numpy() & ~head_ok
    if need.any():
        hk = H["hkey"].to_numpy()[need]
        c = pres[pres["hh"].isin(hk)].sort_values(["hh", "rel", "birth"], kind="stable")
        c = c[c["rel"] != 1]
        newhead = c.groupby("hh")["pkey"].first()
        H.loc[need, "head"] = H.loc[need, "hkey"].map(newhead).fillna(-1).astype(np.int64).to_numpy()
        P.loc[P["pkey"].isin(newhead.to_numpy()), "rel"] = 1

    # ---- welfare: mean-reverting random walk around the village level
    wv = H["w"].to_numpy()
    veff = world.village_effect[H["desa"].to_numpy()]
    H["w"] = 0.98 * wv + 0.02 * veff + rng.normal(0.0, 0.2, len(H))
    H["desil"] = world.desil_of(H["w"].to_numpy())

    # ---- registries catch up with a lag
    d = H["desil"].to_numpy().astype(int)
    act = H["active"].to_numpy()
    n = len(H)
    in_d = H["in_dtks"].to_numpy()
    join = act & ~in_d & (rng.random(n) < P_DTKS[d - 1] * 0.18)
    leave = in_d & act & (d >= 7) & (rng.random(n) < 0.15)
    refresh = in_d & act & (rng.random(n) < 0.35)
    H.loc[join, "in_dtks"] = True
    H.loc[join, "idbdt"] = np.arange(world.next_idbdt, world.next_idbdt + int(join.sum()), dtype=np.int64)
    world.next_idbdt += int(join.sum())
    upd = join | refresh
    H.loc[upd, "dtks_desil"] = noisy_registry_desil(rng, d[upd], "dtks")
    H.loc[leave, "in_dtks"] = False
    in_p = H["in_p3ke"].to_numpy()
    joinp = act & ~in_p & (rng.random(n) < P_P3KE[d - 1] * 0.08)
    leavep = in_p & act & (d >= 8) & (rng.random(n) < 0.05)
    refreshp = in_p & act & (rng.random(n) < 0.12)
    H.loc[joinp, "in_p3ke"] = True
    H.loc[joinp, "p3ke_id"] = np.arange(world.next_p3ke, world.next_p3ke + int(joinp.sum()), dtype=np.int64)
    world.next_p3ke += int(joinp.sum())
    updp = joinp | refreshp
    H.loc[updp, "p3ke_desil"] = noisy_registry_desil(rng, d[updp], "p3ke")
    H.loc[leavep, "in_p3ke"] = False
    # program draws are refreshed now and then (new program rounds)
    for prog in ("pkh", "bpnt", "pbi", "blt", "apbd"):
        u = H["u_" + prog].to_numpy().copy()
        re = rng.random(n) < 0.15
        u[re] = rng.random(int(re.sum()))
        H["u_" + prog] = u

    world.P, world.H = P, H


def _append_persons(world: World, P: pd.DataFrame, rng, nik, sex, birth, hh, rel) -> pd.DataFrame:
    n = len(nik)
    pk = np.arange(world.next_pkey, world.next_pkey + n, dtype=np.int64)
    world.next_pkey += n
    nm = names.generate_names(rng, sex)
    father = np.array(names.MALE_FIRST, dtype=object)[rng.integers(0, len(names.MALE_FIRST), n)]
    add = pd.DataFrame({
        "pkey": pk, "nik": nik, "name": nm, "sex": sex.astype(np.int8), "birth": birth.astype("datetime64[D]"),
        "hh": hh.astype(np.int64), "rel": rel.astype(np.int8), "alive": np.ones(n, bool),
        "moved_out": np.zeros(n, bool), "in_pop": np.ones(n, bool), "father_first": father,
        "birth_place": np.full(n, names.BIRTH_PLACES[0], dtype=object),
    })
    return pd.concat([P, add], ignore_index=True)
