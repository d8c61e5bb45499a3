"""Entry point: a synthetic kabupaten, its agencies' extracts over several periods, and the answer key.

    generate(households=20_000, seed=7, periods=3, out_dir=Path("raw"), profile="default")

writes `raw/<source>/<period>/<file>` in the formats of extract-formats.md and the answer key in
`raw_answer_key/` (a sibling of out_dir, never inside it). Same arguments -> byte-identical output.
`profile` names the agencies' habits and defect rates (profiles/<name>.yml, see profile.py): `default`
is what the linkage is tuned on, `holdout` is for evaluation only.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from . import answer_key, dynamics, emit, extracts, names, places, population, programs
from . import profile as profiles

PERSON_SOURCES = ("dtks", "p3ke", "pkh", "bpnt", "pbi_jk", "blt_dd", "rtlh", "baznas", "kur")
ALL_SOURCES = PERSON_SOURCES + ("dukcapil_agregat",)
PHANTOM_KEY_BASE = 1_000_000_000  # person keys of persons found in no population


def period_list(periods: int, last: str = "2025-09", step_months: int = 6) -> list[str]:
    y, m = int(last[:4]), int(last[5:7])
    idx = y * 12 + (m - 1)
    out = []
    for k in range(periods - 1, -1, -1):
        v = idx - k * step_months
        out.append(f"{v // 12:04d}-{v % 12 + 1:02d}")
    return out


def _rng(seed: int, *keys: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, *keys]))


def default_key_dir(out_dir: Path) -> Path:
    out_dir = Path(out_dir)
    return out_dir.resolve().parent / f"{out_dir.resolve().name}_answer_key"


def period_names(rng: np.random.Generator, P: pd.DataFrame, ref_days: int, share: float,
                 kinds: tuple[str, ...]) -> np.ndarray | None:
    """Names as every agency writes them in one period: a share of persons respelled for the period
    (drawn per person and period, so one period's 'Siti Rahayu' is the next one's 'Sity Rahayu')."""
    if share <= 0:
        return None
    pk = P["pkey"].to_numpy()
    if not (pk == np.arange(len(P))).all():
        raise AssertionError("person keys are expected to be row positions")
    out = P["name"].to_numpy().astype(object).copy()
    m = rng.random(len(P)) < share
    sex = P["sex"].to_numpy()
    age = (ref_days - P["birth"].to_numpy().astype("datetime64[D]").astype(np.int64)) / 365.25
    ff = P["father_first"].to_numpy()
    for i in np.flatnonzero(m):
        out[i] = names.name_variant(out[i], int(sex[i]), float(age[i]), ff[i], rng, kinds)
    return out


def settle_quarantine(rows: pd.DataFrame) -> pd.DataFrame:
    """Quarantine of rows whose place cannot be resolved (design.md), over all periods' key rows: such
    a row is expected in quarantine only when its person has no other usable row anywhere (any
    source, any period); then it is also tagged `unusable`."""
    tags = rows["defects"].fillna("")
    garbage = tags.str.contains("place_unresolvable", regex=False).to_numpy()
    if not garbage.any():
        return rows
    usable = ~rows["expect_quarantine"].to_numpy() & ~garbage
    found = np.isin(rows["person_key"].to_numpy(), rows["person_key"].to_numpy()[usable])
    expect = garbage & ~found
    rows = rows.copy()
    rows["expect_quarantine"] = np.where(garbage, expect, rows["expect_quarantine"].to_numpy())
    add = expect & ~tags.str.contains("unusable", regex=False).to_numpy()
    rows["defects"] = np.where(add, np.where(tags == "", "unusable", tags + ",unusable"), tags).astype(object)
    return rows


def generate(households: int, seed: int, periods: int, out_dir: Path, key_dir: Path | None = None,
             kabupaten: str = "18.02", progress: Callable[[str], None] | None = None,
             profile: str | profiles.Profile = "default") -> dict:
    if households < 1 or periods < 1:
        raise ValueError("households and periods must be at least 1")
    prof = (profile if isinstance(profile, profiles.Profile) else profiles.load(profile)).resolve(seed)
    out_dir = Path(out_dir)
    key_dir = Path(key_dir) if key_dir is not None else default_key_dir(out_dir)
    o, kd = out_dir.resolve(), key_dir.resolve()
    if kd == o or o in kd.parents:
        raise ValueError(f"the answer key must not be written inside the raw directory ({key_dir})")
    say = progress or (lambda s: None)
    t0 = time.time()
    area = places.load_area(kabupaten)
    plist = period_list(periods)
    world = population.build_initial(_rng(seed, 1), area, households, plist[0] + "-01")
    say(f"population: {households} households, {len(world.P)} persons on {area.n_desa} villages of {area.kab_full}")

    state = emit.EmitState()
    key = answer_key.KeyWriter(key_dir)
    desa_codes = np.array(area.desa_codes, dtype=object)
    prev_pbi = None
    next_phantom = PHANTOM_KEY_BASE
    counts: dict = {}
    deferred: list[pd.DataFrame] = []  # key rows per period, when quarantine is settled over all periods
    for t, period in enumerate(plist):
        ref = period + "-01"
        if t > 0:
            dynamics.step(world, _rng(seed, 2, t), t, ref, plist[t - 1] + "-01")
        ref_days = population._days(ref)
        sel = programs.select(_rng(seed, 3, t), world.P, world.H, ref_days, prev_pbi)
        prev_pbi = sel.persons["pbi_jk"][sel.pbi_status == "AKTIF"]
        ctx = extracts.Ctx(area=area, period=period, t=t, rng=_rng(seed, 4, t), P=world.P, H=world.H, sel=sel,
                           departures=world.departures, ref_days=ref_days, next_phantom=next_phantom, profile=prof,
                           period_names=period_names(_rng(seed, 8, t), world.P, ref_days, prof.name_respelled,
                                                     prof.name_respelled_kinds))
        redeliver_src = PERSON_SOURCES[(t * 4 + 2) % len(PERSON_SOURCES)]
        key_rows: list[pd.DataFrame] = []
        for si, src in enumerate(PERSON_SOURCES):
            ctx.rng = _rng(seed, 5, t, si)
            tb = extracts.BUILDERS[src](ctx)
            nm_col, nik_col = extracts.NAME_NIK[src]
            extracts.make_unusable(ctx, tb, nm_col, nik_col, prof.src(src).unusable)
            keys, files = emit.emit(_rng(seed, 6, t, si), tb, out_dir, period, t, state, area.kab_name,
                                    area.kec_names, redeliver=(src == redeliver_src))
            key_rows.extend(keys)
            nrows = int(sum(len(k) for k in keys))
            counts.setdefault(src, {})[period] = {"files": len(files), "rows": nrows}
            say(f"{src} {period}: {len(files)} file(s), {nrows} rows")
        next_phantom = ctx.next_phantom
        dk = extracts.build_dukcapil(ctx)
        files = emit.emit_dukcapil(dk, out_dir, period, state, _rng(seed, 7, t))
        counts.setdefault("dukcapil_agregat", {})[period] = {"files": len(files), "rows": len(dk)}
        say(f"dukcapil_agregat {period}: {len(files)} file(s), {len(dk)} rows")
        if prof.defers_quarantine:
            deferred.append(pd.concat(key_rows, ignore_index=True))
        else:
            key.add_rows(key_rows)
        del key_rows
        key.add_persons(answer_key.persons_frame(period, world.P, world.H, desa_codes, world.H["head"].to_numpy(),
                                                 ctx.phantoms))
        key.add_households(answer_key.households_frame(period, world.P, world.H, desa_codes, sel, ctx.present))

    if deferred:
        settled = settle_quarantine(pd.concat(deferred, ignore_index=True))
        del deferred
        for period in plist:  # one row group per period, as when written period by period
            key.add_rows([settled[settled["period"] == period]])
    summary = {"households": households, "seed": seed, "periods": plist, "kabupaten": kabupaten, "sources": counts,
               "profile": prof.name}
    # summary.json holds no paths, so that the key is byte-identical wherever it is written
    written = key.close(json.dumps(summary, indent=2, sort_keys=True),
                        {"profile.json": json.dumps(prof.as_dict(), indent=2, sort_keys=True)})
    summary["out_dir"], summary["key_dir"] = str(out_dir), str(key_dir)
    summary["key"] = written
    summary["total_rows_per_period"] = {p: sum(v[p]["rows"] for s, v in counts.items() if s != "dukcapil_agregat")
                                        for p in plist}
    summary["seconds"] = round(time.time() - t0, 1)
    say(f"answer key: {written['rows']} rows -> {key_dir} ({summary['seconds']} s)")
    return summary
