"""`python -m orchestration.synth --households N --seed S --periods P --out DIR` (same as `sikkep generate`)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .generate import generate


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m orchestration.synth", description=__doc__)
    ap.add_argument("--households", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--periods", type=int, default=3)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--key-dir", type=Path, default=None)
    ap.add_argument("--kabupaten", default="18.02")
    a = ap.parse_args(argv)
    summary = generate(a.households, a.seed, a.periods, a.out, key_dir=a.key_dir, kabupaten=a.kabupaten,
                       progress=lambda line: print(line, file=sys.stderr, flush=True))
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
