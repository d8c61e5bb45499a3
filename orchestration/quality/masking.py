"""Re-exported for the gates: the one masking implementation lives in orchestration/privacy.py."""
from ..privacy import mask_nik, mask_text

__all__ = ["mask_nik", "mask_text"]
