"""Warehouses of whole refreshes shared by the e2e tests of a session: one `sikkep refresh` per kabupaten,
reused by the any-kabupaten test (#16 item 1) and the province roll-up (#16 item 2)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SIKKEP = Path(sys.executable).parent / "sikkep"


@pytest.fixture(scope="session")
def kabupaten_warehouse(tmp_path_factory):
    """kabupaten_warehouse(kode, households) -> (base, refresh): extracts `sikkep generate` made for that
    kabupaten (seed 11, 2 periods) in base/raw (answer key in base/raw_answer_key), refreshed into
    base/warehouse by `sikkep refresh`; made once per session and kabupaten."""
    made: dict[tuple[str, int], tuple[Path, subprocess.CompletedProcess]] = {}

    def get(kode: str, households: int):
        if (kode, households) not in made:
            from orchestration.synth.generate import generate

            base = tmp_path_factory.mktemp(f"kabupaten_{kode.replace('.', '')}")
            generate(households=households, seed=11, periods=2, out_dir=base / "raw", kabupaten=kode)
            env = dict(os.environ, SIKKEP_RAW_DIR=str(base / "raw"), SIKKEP_WAREHOUSE_DIR=str(base / "warehouse"),
                       DAGSTER_HOME=str(base / "dagster"), SIKKEP_KABUPATEN=kode)
            refresh = subprocess.run([str(SIKKEP), "refresh"], env=env, capture_output=True, text=True, timeout=1800)
            made[(kode, households)] = (base, refresh)
        return made[(kode, households)]

    return get
