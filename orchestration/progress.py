"""Progress lines: shown on a terminal, quiet in CI logs and pipes unless asked for."""
from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, enabled: bool):
        """``enabled``: usually settings.progress_enabled (a terminal, not CI)."""
        self.enabled = enabled
        self.start = time.monotonic()

    def __call__(self, message: str) -> None:
        if self.enabled:
            print(f"[{time.monotonic() - self.start:7.1f}s] {message}", file=sys.stderr, flush=True)
