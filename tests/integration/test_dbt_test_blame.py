"""A failed dbt test names the source files it blames, masked (#17 item 4), as a failed GX gate does.

Real extracts (the synthetic drop, one PKH workbook named after a person with her NIK), the project's
real ingest and staging assets in a real Dagster run, a real `dbt build`. The staged data break two of
the project's own dbt tests the way an ingest defect would: rows of the personal PKH file loaded twice
(`unique` on stg_pkh.record_id: its failing rows are the repeated values, traced back to their rows)
and BPNT rows without their row number (`not_null` on stg_bpnt.source_row: its failing rows carry
their file). Before: dagster-dbt said only how many results failed; no file was named anywhere."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.instance import ensure_dagster_home
from orchestration.resources import WarehouseResource
from orchestration.run_records import run_outcome
from orchestration.settings import get_settings
from orchestration.synth.generate import generate

pytestmark = pytest.mark.slow

NIK = "1802214507890001"
SURNAME = "Pranowowati"  # no generated person carries it: found anywhere = leaked
NEEDLES = (NIK, SURNAME, SURNAME.lower(), SURNAME.upper())
SIKKEP = Path(sys.executable).parent / "sikkep"
PKH_SHOWN = re.compile(r"pkh/\d{4}-\d{2}/PKH_S\*\*\*_P\*{10}_1802\*{10}01\.xlsx")


def leaks(text: str) -> list[str]:
    return [n for n in NEEDLES if n in text]


def check_results(records) -> dict:
    out = {}
    for r in records:
        if r.is_dagster_event and r.get_dagster_event().event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            ev = r.get_dagster_event().event_specific_data
            out[ev.check_name] = ev
    return out


def test_a_failed_dbt_test_names_the_files_it_blames_masked(sikkep_env):
    raw, _ = sikkep_env
    generate(households=120, seed=5, periods=1, out_dir=raw)
    for resent in (raw / "pkh").rglob("*_kirim_ulang.xlsx"):  # same content as the first delivery
        resent.unlink()
    pkh = next((raw / "pkh").rglob("*.xlsx"))
    pkh.rename(pkh.with_name(f"PKH_Siti_{SURNAME}_{NIK}.xlsx"))
    settings = get_settings()
    ensure_dagster_home(settings)
    from orchestration.defs.ingest.assets import file_manifest, raw_assets
    from orchestration.defs.transform.dbt_assets import dbt_staging

    resources = {"warehouse": WarehouseResource()}
    with dg.DagsterInstance.get() as instance:
        ingest = dg.materialize([*raw_assets, file_manifest], instance=instance, resources=resources)
        assert ingest.success
        with duckdb.connect(str(settings.build_db)) as con:
            personal = con.execute("select source_file from raw.pkh where source_file like '%Pranowowati%' "
                                   "limit 1").fetchone()[0]
            con.execute("insert into raw.pkh select * from raw.pkh where source_file = ? and source_row in "
                        "(select min(source_row) from raw.pkh where source_file = ? union all "
                        " select max(source_row) from raw.pkh where source_file = ?)", [personal] * 3)
            bpnt = con.execute("select any_value(source_file) from raw.bpnt").fetchone()[0]
            con.execute("update raw.bpnt set source_row = null where rowid in (select rowid from raw.bpnt "
                        "where source_file = ? order by source_sheet, source_row limit 3)", [bpnt])

        result = dg.materialize([dbt_staging], instance=instance, resources=resources, raise_on_error=False)
        assert not result.success  # the failed tests still fail the step
        records = instance.all_logs(result.run_id)
        checks = check_results(records)

        unique = checks["unique_stg_pkh_record_id"]
        assert not unique.passed
        md = {k: v.value for k, v in unique.metadata.items()}
        assert md["dagster_dbt/failed_row_count"] == 2  # dbt's count (two repeated values) kept
        [(shown, rows)] = md["files"].items()
        assert PKH_SHOWN.fullmatch(shown) and rows == 4, md["files"]  # both copies of both rows
        assert shown in md["summary"] and "unique_stg_pkh_record_id" in md["summary"], md["summary"]

        not_null = checks["not_null_stg_bpnt_source_row"]
        md = {k: v.value for k, v in not_null.metadata.items()}
        assert md["files"] == {bpnt: 3}, md["files"]  # its failing rows carry their file
        assert f"in files {bpnt} (3 rows)" in md["summary"], md["summary"]

        # what `sikkep refresh` prints of the run (the same reason)
        reason = run_outcome(instance, result.run_id).reason()
        assert PKH_SHOWN.search(reason) and f"{bpnt} (3 rows)" in reason, reason
        assert not leaks(reason)
        bad = [r for r in records if leaks(str(r))]
        assert not bad, bad[:2]

    status = subprocess.run([str(SIKKEP), "status"], env=dict(os.environ), capture_output=True, text=True,
                            timeout=300)
    assert status.returncode == 0, status.stderr[-3000:]
    assert PKH_SHOWN.search(status.stdout) and f"{bpnt} (3 rows)" in status.stdout, status.stdout
    assert not leaks(status.stdout + status.stderr)
    for path in Path(os.environ["DAGSTER_HOME"]).rglob("*"):
        if path.is_file():
            assert not leaks(path.read_bytes().decode("utf-8", "replace")), path
