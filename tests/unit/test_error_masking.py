"""A run's failure is shown by the one rule for paths (#17 item 3): an exception the project did not phrase
(an OSError, DuckDB's IO error) names an absolute path of the drop zone, whose file and folder names can
hold a person's name or a NIK. `sikkep refresh`, `sikkep status` and the refresh's own stderr lines show it
through privacy.mask_error (show_path inside the drop zone), not only with digit runs masked.
Real files, real DuckDB errors, real Dagster runs on a temporary instance; nothing mocked."""
from __future__ import annotations

import re
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.instance import ensure_dagster_home
from orchestration.privacy import mask_error
from orchestration.run_records import recent_runs, run_outcome
from orchestration.settings import get_settings
from orchestration.status import status_report

NIK = "1802214507890001"
PERSON_FILE = f"pkh/2024-09/pkh_siti_aminah_{NIK}.xlsx"
PERSON_FOLDER = "Siti Aminah"  # a stray folder with a space: a bare path in a message stops there


def leaks(text: str) -> bool:
    return bool(re.search(r"siti|aminah|budi|santoso|\d{16}", text, re.IGNORECASE))


@pytest.fixture
def zone(sikkep_env):
    raw, wh = sikkep_env
    (raw / "pkh" / "2024-09").mkdir(parents=True)
    (raw / PERSON_FILE).write_bytes(b"PK\x03\x04 no workbook")
    (raw / PERSON_FOLDER / "2024-01").mkdir(parents=True)
    (raw / PERSON_FOLDER / "2024-01" / "daftar.csv").write_text("NIK;NAMA\n")
    return raw, wh


def test_paths_in_an_exceptions_text_are_shown_by_the_one_rule(zone):
    raw, wh = zone
    # Python's own OSError text, quoting the path
    error = str(FileNotFoundError(2, "No such file or directory", str(raw / PERSON_FILE)))
    shown = mask_error(error)
    assert not leaks(shown), shown
    assert f"'{raw}/pkh/2024-09/pkh_s***_a*****_1802**********01.xlsx'" in shown  # the drop zone's path kept

    # a bare path whose folder holds a space
    shown = mask_error(f"cannot read {raw}/{PERSON_FOLDER}/2024-01/daftar.csv (permission denied)")
    assert not leaks(shown) and f"{raw}/S*** A*****/2024-01/daftar.csv" in shown, shown

    # DuckDB's own error for a file of the drop zone that is gone (double quotes)
    with pytest.raises(duckdb.Error) as exc:
        duckdb.connect().execute(f"select * from read_csv('{raw}/kur/2024-09/debitur_budi_santoso.csv')")
    assert "santoso" in str(exc.value)
    shown = mask_error(exc.value)
    assert not leaks(shown) and "debitur_b***_s******.csv" in shown, shown

    # a name standing alone, as a reader repeats it
    assert not leaks(mask_error(f"Zip file pkh_siti_aminah_{NIK}.xlsx is damaged; see {PERSON_FOLDER}"))

    # where a symbolic link led, outside the drop zone: every name shown by the rule, system folders kept
    shown = mask_error(f"[Errno 40] Too many levels of symbolic links: '/home/siti/{NIK}.csv'")
    assert shown.endswith("'/home/s***/1802**********01.csv'"), shown

    # the project's own places are shown as they are
    db = wh / "build" / "sikkep.duckdb"
    assert mask_error(f"IO Error: Could not set lock on file \"{db}\"") == f"IO Error: Could not set lock on file \"{db}\""
    assert mask_error("3 of 12 expectations failed (0.4 > 0.05)") == "3 of 12 expectations failed (0.4 > 0.05)"


def test_a_failed_steps_reason_in_refresh_and_status_masks_names_in_paths(zone):
    """A step fails on an OSError over a stray folder named after a person, and over a file named with her
    name and NIK: the reason `sikkep refresh` prints and `sikkep status` lists holds neither."""
    raw, _ = zone
    settings = get_settings()
    ensure_dagster_home(settings)

    @dg.asset
    def reads_a_folder() -> None:
        open(raw / PERSON_FOLDER)  # IsADirectoryError: [Errno 21] Is a directory: '/…/raw/Siti Aminah'

    @dg.asset
    def reads_a_file() -> None:  # DuckDB: IO Error: No files found that match the pattern "/…/raw/pkh/…"
        duckdb.connect().execute(f"select * from read_csv('{raw / PERSON_FILE}x')")

    with dg.DagsterInstance.get() as instance:
        runs = [dg.materialize([asset], instance=instance, raise_on_error=False).run_id
                for asset in (reads_a_folder, reads_a_file)]
        for run_id in runs:
            # what Dagster stored is the exception's own text, name and all (the restricted zone: the run
            # storage of the warehouse's machine); what the project shows is masked
            outcome = run_outcome(instance, run_id)
            assert outcome.failed_steps and outcome.verdict == "failed"
            assert str(raw) in outcome.reason()  # the operator's own drop-zone path stays readable
            assert not leaks(outcome.reason()), outcome.reason()
        assert "S*** A*****" in run_outcome(instance, runs[0]).reason()
        assert "pkh_s***_a*****_1802**********01.xlsxx" in run_outcome(instance, runs[1]).reason()
        assert all(not leaks(r["reason"] or "") for r in recent_runs(instance))

    text = status_report(settings)["text"]
    assert text.count("why: Not published") == 2 and not leaks(text), text


def test_the_refreshs_own_lines_mask_paths(zone, capsys):
    from orchestration.refresh import _say

    raw, _ = zone
    _say(f"(interrupt watch: OSError: [Errno 5] Input/output error: '{raw / PERSON_FILE}')")
    err = capsys.readouterr().err
    assert not leaks(err) and "pkh_s***_a*****_1802**********01.xlsx" in err, err
