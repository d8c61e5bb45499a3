"""Masking of personal identifiers before anything reaches a log, an error message, a gate example or the UI."""
from __future__ import annotations

import re

# 12+ digits, also when typed with spaces, dots or dashes inside (`1802 2145 0789 0001`, `1802.21...`)
_LONG_DIGITS = re.compile(r"(?<!\d)\d(?:[ .'-]?\d){11,}(?!\d)")


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
    return _LONG_DIGITS.sub(lambda m: mask_nik(re.sub(r"\D", "", m.group(0))) or "", text)
