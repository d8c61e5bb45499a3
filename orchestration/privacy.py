"""Masking of personal identifiers before anything reaches a log, an error message or the UI."""
from __future__ import annotations

import re

_LONG_DIGITS = re.compile(r"(?<!\d)(\d[\d .'-]{10,}\d)(?!\d)")


def mask_nik(value: object) -> str:
    """`1802214507890001` -> `1802**********01`; anything shorter than 8 digits is masked whole."""
    if value is None:
        return ""
    digits = re.sub(r"\D", "", str(value))
    if len(digits) < 8:
        return "*" * len(digits)
    return digits[:4] + "*" * (len(digits) - 6) + digits[-2:]


def mask_text(text: str) -> str:
    """Masks every run of 12+ digits (NIK, No KK, card numbers) inside free text."""
    return _LONG_DIGITS.sub(lambda m: mask_nik(m.group(1)), text)
