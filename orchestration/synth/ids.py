"""Identifiers built by the real rules: NIK, No KK, and the agencies' own ids.

NIK  = region6 (kecamatan where FIRST registered) + DDMMYY (day + 40 for women) + serial4
NoKK = region6 (issuing kecamatan) + DDMMYY (registration date) + serial4
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def ddmmyy(dates: np.ndarray, female: np.ndarray | None = None) -> np.ndarray:
    """DDMMYY strings from datetime64[D]; day + 40 for women when `female` is given."""
    idx = pd.DatetimeIndex(dates)
    day = idx.day.to_numpy().astype(np.int64)
    if female is not None:
        day = day + 40 * female.astype(np.int64)
    s = (day * 10000 + idx.month.to_numpy() * 100 + idx.year.to_numpy() % 100).astype(np.int64)
    return pd.Series(s).astype(str).str.zfill(6).to_numpy(dtype=object)


def assign_serials(prefixes: np.ndarray, taken: pd.Series | None) -> tuple[np.ndarray, pd.Series]:
    """16-digit ids prefix(12) + serial(4), serial unique per prefix, continuing after `taken`.

    `taken` maps prefix -> highest serial already used; the updated map is returned.
    """
    s = pd.Series(prefixes)
    serial = s.groupby(s, sort=False).cumcount().to_numpy() + 1
    if taken is not None and len(taken):
        serial = serial + s.map(taken).fillna(0).astype(np.int64).to_numpy()
    if (serial > 9999).any():  # extremely dense prefix: wrap into the unused upper range
        serial = np.where(serial > 9999, (serial % 9000) + 999, serial)
    ids = (s + pd.Series(serial).astype(str).str.zfill(4)).to_numpy(dtype=object)
    new_max = pd.Series(serial).groupby(s.to_numpy()).max()
    if taken is not None and len(taken):
        new_max = pd.concat([taken, new_max]).groupby(level=0).max()
    return ids, new_max


def region6(kec_codes: np.ndarray) -> np.ndarray:
    return pd.Series(kec_codes).str.replace(".", "", regex=False).to_numpy(dtype=object)


def scramble(keys: np.ndarray, mult: int, add: int, mod: int) -> np.ndarray:
    """A deterministic, collision-free (mult coprime with mod) id from an integer key."""
    return (keys.astype(np.int64) * mult + add) % mod
