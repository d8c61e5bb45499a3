"""NIK masking for anything a person reads (logs, errors, the UI, gate examples)."""
from __future__ import annotations

import re

_LONG_DIGITS = re.compile(r"\d{12,}")


def mask_nik(value: object) -> str | None:
    """'1802214507890001' -> '1802**********01'. Keeps the first 4 and last 2 characters of anything 8
    or more characters long (including '1.80221E+15' style text), masks shorter values whole."""
    if value is None:
        return None
    s = re.sub(r"\s", "", str(value))
    if not s:
        return s
    if len(s) < 8:
        return "*" * len(s)
    return s[:4] + "*" * (len(s) - 6) + s[-2:]


def mask_text(text: str) -> str:
    """Masks every run of 12+ digits (NIK, No KK, card numbers) inside free text."""
    return _LONG_DIGITS.sub(lambda m: mask_nik(m.group(0)) or "", text)
