"""The province and its kabupaten/kota from the Kemendagri reference the project ships (the dim_wilayah
seed, the same list settings.check_kabupaten checks SIKKEP_KABUPATEN against)."""
from __future__ import annotations

import csv
from functools import lru_cache

from ..settings import DBT_PROJECT_DIR


@lru_cache(maxsize=1)
def _areas() -> tuple[dict[str, str], dict[str, str]]:
    provinces, kabupaten = {}, {}
    with open(DBT_PROJECT_DIR / "seeds" / "dim_wilayah.csv", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["level"] == "provinsi":
                provinces[r["kode_wilayah"]] = r["nama_wilayah"]
            elif r["level"] == "kabupaten":
                kabupaten[r["kode_wilayah"]] = r["nama_wilayah"]
    return provinces, kabupaten


def province_name(provinsi: str) -> str | None:
    return _areas()[0].get(provinsi)


def kabupaten_of(provinsi: str) -> dict[str, str]:
    """kode -> name of every kabupaten and kota of the province, in code order."""
    return {k: n for k, n in sorted(_areas()[1].items()) if k.split(".")[0] == provinsi}
