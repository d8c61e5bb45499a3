"""Generator profiles: the habits and defect rates of the agencies, as data (profiles/<name>.yml).

    prof = load("holdout").resolve(seed)   # rates of this seed (holdout: each rate x a factor of the seed)
    ctx.profile.src("dtks").nik_head_copy

`default` reproduces the generator's output from before profiles existed (same seed -> same bytes).
`holdout` has other habits and rates and is for evaluation only: never tune linkage on it.

The loader knows every key: an unknown key, a rate a source's builder does not read, a rate outside
0..1 or an unknown NIK-damage kind is an error naming the file and the key.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml

PROFILE_DIR = Path(__file__).resolve().parent / "profiles"
SOURCES = ("dtks", "p3ke", "pkh", "bpnt", "pbi_jk", "blt_dd", "rtlh", "baznas", "kur")
# identifier damage, in the order quirks.mangle_ids draws it
ID_KINDS = ("scientific", "excel_zeroed", "apostrophe", "formatted", "typo", "missing", "invalid")
# name variants: the first four are the default's (their order fixes the random draws), the rest holdout-only
NAME_KINDS_DEFAULT = ("muh", "spell", "bin", "title")
NAME_KINDS = NAME_KINDS_DEFAULT + ("space", "muhammad_long", "vowel", "drop_last", "typo", "initials")
RT_RW_STYLES = ("rt_slash_rw", "rt_rw", "dotted", "bare", "short_case")
ID_SUM_MAX = 0.95  # identifier damage kinds are exclusive: their rates must leave clean rows


@dataclass(frozen=True)
class SourceProfile:
    """Rates of one source's builder (a rate is the share of rows, unless its comment says otherwise)."""
    name_variant: float = 0.0          # a typed-in variant of the name on this row
    nik: dict = field(default_factory=dict)    # {kind in ID_KINDS: rate}, exclusive kinds
    nokk: dict = field(default_factory=dict)   # the same for the No KK column
    nik_head_copy: float = 0.0         # share of FAMILIES whose members' rows carry the head's NIK
    nik_neighbour: float = 0.0         # a row starts a run that repeats the NIK of the row above
    nik_neighbour_run: tuple = (1, 1)  # run length range [min, max] (rows)
    nik_other_person: float = 0.0      # the NIK of another real person (one digit off, else a villager's)
    birthdate_typo: float = 0.0        # birth date off by a day, a month or a year
    birthdate_blank: float = 0.0       # birth date cell blank
    birthdate_blank_period: float = 0.0        # chance that a period is a bad one: blank on many rows
    birthdate_blank_period_rows: tuple = (0.0, 0.0)  # share of blank rows in a bad period [min, max]
    kec_variant: float = 0.0           # kecamatan name typed differently
    desa_variant: float = 0.0          # village name typed differently
    spouse_share: float = 0.0          # family lists: the spouse named instead of the head
    mother_share: float | None = None  # PKH: the wife named when the head is a man (None: spouse_share)
    place_garbage: float = 0.0         # a real person's row whose place cells cannot be resolved
    phantoms: float = 0.0              # persons found in no population, place unresolvable (share of rows)
    unusable: float = 0.0              # neither a usable name nor a valid NIK

    def rate_names(self) -> list[str]:
        return [f.name for f in fields(self) if f.type in ("float", "float | None")]


@dataclass(frozen=True)
class AddressProfile:
    rt_rw: float = 0.5                 # ALAMAT carries RT/RW
    line_break: float = 0.015          # a line break inside the address (quoted field)
    delimiter_inside: float = 0.025    # '; dekat masjid' / ' | blok B' appended
    rt_rw_styles: tuple = ("rt_slash_rw",)   # how RT/RW is written (RT_RW_STYLES), drawn per row
    variant: float = 0.0               # Dusun/Dsn./roman/number/words, Jl./Jalan, Gg./Gang respelled
    blank: float = 0.0                 # ALAMAT blank
    rt_column_pad: tuple = (3,)        # DTKS RT/RW columns: zero padding widths, drawn per row

    def rate_names(self) -> list[str]:
        return ["rt_rw", "line_break", "delimiter_inside", "variant", "blank"]


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    tuning: str                        # 'allowed' | 'forbidden' (evaluate on it, never tune on it)
    rate_factor: tuple | None          # holdout: every rate x uniform(lo, hi) drawn from the seed
    name_respelled: float              # share of persons whose name is respelled for a whole period
    name_respelled_kinds: tuple
    name_variant_kinds: tuple          # kinds of per-row name variants
    address: AddressProfile
    sources: dict
    factors: dict = field(default_factory=dict)  # the factors drawn by resolve(seed) (rate path -> factor)

    def src(self, source: str) -> SourceProfile:
        return self.sources[source]

    @property
    def defers_quarantine(self) -> bool:
        """Rows of real persons with garbage places: quarantine is decided after every period is built."""
        return any(s.place_garbage > 0 for s in self.sources.values())

    def resolve(self, seed: int) -> "Profile":
        """The rates of one seed: without rate_factor the profile itself; with it, each rate x its factor."""
        if not self.rate_factor:
            return self
        lo, hi = self.rate_factor
        rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5EED, 77]))
        factors: dict[str, float] = {}

        def f(path: str, v: float) -> float:
            k = round(float(rng.uniform(lo, hi)), 4)  # the factor recorded is the factor applied
            factors[path] = k
            return min(1.0, v * k)

        name_respelled = f("name_respelled", self.name_respelled)
        addr = replace(self.address, **{k: f(f"address.{k}", getattr(self.address, k)) for k in self.address.rate_names()})
        sources = {}
        for s in SOURCES:
            sp = self.sources[s]
            ch: dict[str, Any] = {}
            for k in sp.rate_names():
                v = getattr(sp, k)
                if v is not None:
                    ch[k] = f(f"{s}.{k}", v)
            for col in ("nik", "nokk"):
                d = {k: f(f"{s}.{col}.{k}", v) for k, v in getattr(sp, col).items()}
                tot = sum(d.values())
                if tot > ID_SUM_MAX:
                    d = {k: v * ID_SUM_MAX / tot for k, v in d.items()}
                ch[col] = d
            sources[s] = replace(sp, **ch)
        return replace(self, name_respelled=name_respelled, address=addr, sources=sources, factors=factors)

    def as_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["sources"] = {s: dataclasses.asdict(v) for s, v in self.sources.items()}
        return d


# which SourceProfile keys each builder reads (a key in a file that its builder ignores is an error)
_COMMON = {"name_variant", "nik", "unusable", "nik_neighbour", "nik_neighbour_run", "nik_other_person"}
_BIRTH = {"birthdate_typo", "birthdate_blank", "birthdate_blank_period", "birthdate_blank_period_rows"}
SOURCE_KEYS = {
    "dtks": _COMMON | _BIRTH | {"nokk", "nik_head_copy", "place_garbage"},
    "p3ke": _COMMON | _BIRTH | {"nik_head_copy", "kec_variant", "desa_variant"},
    "pkh": _COMMON | {"nokk", "kec_variant", "desa_variant", "spouse_share", "mother_share", "place_garbage"},
    "bpnt": _COMMON | {"nokk", "kec_variant", "desa_variant", "spouse_share", "place_garbage"},
    "pbi_jk": _COMMON | _BIRTH | {"nik_head_copy", "kec_variant", "place_garbage"},
    "blt_dd": _COMMON | {"desa_variant", "spouse_share", "place_garbage"},
    "rtlh": _COMMON | {"nokk", "kec_variant", "desa_variant", "spouse_share", "place_garbage"},
    "baznas": _COMMON | {"kec_variant", "desa_variant", "phantoms", "place_garbage"},
    "kur": _COMMON | _BIRTH | {"kec_variant", "phantoms", "place_garbage"},
}
TOP_KEYS = {"name", "description", "tuning", "rate_factor", "name_respelled", "name_respelled_kinds",
            "name_variant_kinds", "address", "sources"}


class ProfileError(ValueError):
    pass


def known_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILE_DIR.glob("*.yml"))


def _rate(where: str, v: Any, allow_none: bool = False) -> float | None:
    if v is None and allow_none:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.0 <= float(v) <= 1.0:
        raise ProfileError(f"{where}: a rate between 0 and 1 is expected, got {v!r}")
    return float(v)


def _range(where: str, v: Any, kind: type) -> tuple:
    if not (isinstance(v, (list, tuple)) and len(v) == 2 and all(isinstance(x, (int, float)) and not isinstance(x, bool)
                                                              for x in v) and v[0] <= v[1]):
        raise ProfileError(f"{where}: a range [min, max] is expected, got {v!r}")
    return (kind(v[0]), kind(v[1]))


def _unknown(where: str, got: set, known: set) -> None:
    bad = sorted(got - known)
    if bad:
        raise ProfileError(f"{where}: unknown key(s) {', '.join(bad)} (known: {', '.join(sorted(known))})")


def _kinds(where: str, v: Any, allowed: tuple) -> tuple:
    if not isinstance(v, (list, tuple)) or not v or any(k not in allowed for k in v):
        raise ProfileError(f"{where}: a list of kinds out of {', '.join(allowed)} is expected, got {v!r}")
    return tuple(k for k in allowed if k in v)  # canonical order: the order of the random draws


def _ids(where: str, v: Any) -> dict:
    if not isinstance(v, dict):
        raise ProfileError(f"{where}: a mapping kind -> rate is expected")
    _unknown(where, set(v), set(ID_KINDS))
    d = {k: _rate(f"{where}.{k}", v[k]) for k in ID_KINDS if k in v}
    if sum(d.values()) > ID_SUM_MAX:
        raise ProfileError(f"{where}: the rates add up to {sum(d.values()):.3f} (at most {ID_SUM_MAX})")
    return d


def parse(data: Any, where: str = "profile") -> Profile:
    if not isinstance(data, dict):
        raise ProfileError(f"{where}: a mapping is expected")
    _unknown(where, set(data), TOP_KEYS)
    for k in ("name", "description", "tuning", "sources"):
        if k not in data:
            raise ProfileError(f"{where}: missing key {k}")
    if data["tuning"] not in ("allowed", "forbidden"):
        raise ProfileError(f"{where}.tuning: 'allowed' or 'forbidden', got {data['tuning']!r}")
    rf = data.get("rate_factor")
    rf = None if rf is None else _range(f"{where}.rate_factor", rf, float)
    if rf is not None and rf[0] <= 0:
        raise ProfileError(f"{where}.rate_factor: factors must be positive")
    addr_in = data.get("address") or {}
    if not isinstance(addr_in, dict):
        raise ProfileError(f"{where}.address: a mapping is expected")
    _unknown(f"{where}.address", set(addr_in), {f.name for f in fields(AddressProfile)})
    addr: dict[str, Any] = {}
    for k, v in addr_in.items():
        w = f"{where}.address.{k}"
        if k == "rt_rw_styles":
            addr[k] = _kinds(w, v, RT_RW_STYLES)
        elif k == "rt_column_pad":
            if not isinstance(v, list) or not v or any(x not in (0, 1, 2, 3) for x in v):
                raise ProfileError(f"{w}: a list of widths 0..3 is expected, got {v!r}")
            addr[k] = tuple(int(x) for x in v)
        else:
            addr[k] = _rate(w, v)
    srcs = data["sources"]
    if not isinstance(srcs, dict):
        raise ProfileError(f"{where}.sources: a mapping source -> rates is expected")
    _unknown(f"{where}.sources", set(srcs), set(SOURCES))
    missing = [s for s in SOURCES if s not in srcs]
    if missing:
        raise ProfileError(f"{where}.sources: missing source(s) {', '.join(missing)}")
    sources = {}
    for s in SOURCES:
        v = srcs[s] or {}
        w = f"{where}.sources.{s}"
        if not isinstance(v, dict):
            raise ProfileError(f"{w}: a mapping is expected")
        _unknown(w, set(v), SOURCE_KEYS[s])
        kw: dict[str, Any] = {}
        for k, x in v.items():
            if k in ("nik", "nokk"):
                kw[k] = _ids(f"{w}.{k}", x)
            elif k == "nik_neighbour_run":
                kw[k] = _range(f"{w}.{k}", x, int)
                if kw[k][0] < 1:
                    raise ProfileError(f"{w}.{k}: runs are at least 1 row long")
            elif k == "birthdate_blank_period_rows":
                kw[k] = _range(f"{w}.{k}", x, float)
                _rate(f"{w}.{k}", kw[k][1])
            else:
                kw[k] = _rate(f"{w}.{k}", x, allow_none=(k == "mother_share"))
        sources[s] = SourceProfile(**kw)
    return Profile(
        name=str(data["name"]), description=str(data["description"]).strip(), tuning=data["tuning"], rate_factor=rf,
        name_respelled=_rate(f"{where}.name_respelled", data.get("name_respelled", 0.0)),
        name_respelled_kinds=_kinds(f"{where}.name_respelled_kinds", data.get("name_respelled_kinds", list(NAME_KINDS)),
                                    NAME_KINDS),
        name_variant_kinds=_kinds(f"{where}.name_variant_kinds", data.get("name_variant_kinds", list(NAME_KINDS_DEFAULT)),
                                  NAME_KINDS),
        address=AddressProfile(**addr), sources=sources)


def load(name: str) -> Profile:
    """The profile of that name (profiles/<name>.yml); an unknown name lists the known ones."""
    known = known_profiles()
    if name not in known:
        raise ProfileError(f"unknown generator profile {name!r}: known profiles are {', '.join(known)}")
    path = PROFILE_DIR / f"{name}.yml"
    prof = parse(yaml.safe_load(path.read_text(encoding="utf-8")), where=path.name)
    if prof.name != name:
        raise ProfileError(f"{path.name}: name {prof.name!r} differs from the file name")
    return prof
