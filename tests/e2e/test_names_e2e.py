"""File and folder names are data (#17 item 3), for real: `sikkep refresh` and `sikkep status` (Dagster,
dbt, GX, Splink, publish) over a drop zone holding stray folders named with a NIK, a person's name and
`=1+1`, an extract file named after a person with a NIK, and a password-protected workbook.

Before: the stray folders reached ind_data_quality, the public audit failed and the night was not
published ("Error occurred while executing op published__publication"); the file name reached
public.duckdb's publication table, `sikkep status` and Dagster's run storage unmasked."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.synth.generate import generate

pytestmark = pytest.mark.slow

NIK = "1802214507890001"
SURNAME = "Pranowowati"            # a name no generated person carries: found anywhere = leaked
PERSON = f"Siti {SURNAME}"
SIKKEP = Path(sys.executable).parent / "sikkep"


def run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(SIKKEP), *args], env=env, capture_output=True, text=True, timeout=1200)


def leaks(text: str) -> list[str]:
    return [s for s in (NIK, SURNAME, SURNAME.lower(), SURNAME.upper()) if s in text]


@pytest.fixture(scope="module")
def drop(tmp_path_factory):
    base = tmp_path_factory.mktemp("names")
    raw = base / "raw"
    generate(households=300, seed=11, periods=2, out_dir=raw)  # the size the e2e refresh test publishes
    period = max(p.name for p in (raw / "kur").iterdir())
    # an agency names its file after a person, with her NIK
    kur = next((raw / "kur" / period).glob("*.csv"))
    kur.rename(kur.with_name(f"kur_{PERSON.replace(' ', '_')}_{NIK}.csv"))
    # stray folders: no contract's source, no YYYY-MM period
    for rel in (f"{NIK}/{period}/data.csv", f"{PERSON}/{period}/data.csv", f"=1+1/{period}/data.csv",
                f"dtks/{NIK}/data.csv"):
        (raw / rel).parent.mkdir(parents=True, exist_ok=True)
        (raw / rel).write_text("NIK,NAMA\n1802214507890002,Budi\n1802214507890003,Ani\n")
    # a password-protected workbook (an encrypted OLE container): rejected whole, rows unknown
    (raw / "pkh" / period).mkdir(parents=True, exist_ok=True)
    (raw / "pkh" / period / f"PKH_{SURNAME}.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096)
    env = dict(os.environ, SIKKEP_RAW_DIR=str(raw), SIKKEP_WAREHOUSE_DIR=str(base / "warehouse"),
               DAGSTER_HOME=str(base / "dagster"), SIKKEP_KABUPATEN="18.02", SIKKEP_LOG_LEVEL="DEBUG")
    refresh = run(env, "refresh")
    return base, period, env, refresh


def log_of(refresh: subprocess.CompletedProcess) -> str:
    """The run's full output: `sikkep refresh` names its log file on its last line."""
    path = re.search(r"Full log of the run \(Dagster and dbt\): (\S+)", refresh.stdout)
    assert path, refresh.stdout[-2000:]
    return Path(path.group(1)).read_text(encoding="utf-8", errors="replace")


def test_stray_folders_and_personal_file_names_do_not_stop_publication(drop):
    base, period, _, refresh = drop
    assert refresh.returncode == 0, refresh.stdout[-3000:] + refresh.stderr[-6000:]
    assert not leaks(refresh.stdout + refresh.stderr), leaks(refresh.stdout + refresh.stderr)
    log = log_of(refresh)  # what the terminal showed before #15 item 5: Dagster's log at DEBUG, dbt's lines
    assert not leaks(log), leaks(log)


def test_the_console_shows_stages_and_a_summary_and_the_log_file_the_rest(drop):
    """#15 item 5: one line per stage and a closing summary on the terminal; dbt's node lines and Dagster's
    log only in the run's log file."""
    base, _, _, refresh = drop
    console = refresh.stdout + refresh.stderr
    for stage in ("ingest", "staging", "gates", "linkage", "marts", "publish"):
        assert re.search(rf"^\[ *[0-9.]+s\] {stage} \.\.\.$", refresh.stderr, re.M), (stage, refresh.stderr[-2000:])
    assert "START sql table model" not in console and "dagster - DEBUG" not in console
    assert re.search(r"^Stages: ingest [0-9.]+ s, staging [0-9.]+ s, .*publish [0-9.]+ s$", refresh.stdout, re.M)
    with duckdb.connect(str(base / "warehouse" / "published" / "public.duckdb"), read_only=True) as con:
        households = con.execute("select households from ind_poverty_by_area where level = 'kabupaten'").fetchall()[0][0]
    assert f"Published: {households:,} households" in refresh.stdout
    assert re.search(r"^Gates: (\d+) of \1 checks passed$", refresh.stdout, re.M)
    assert re.search(r"^Files rejected or with unread rows: [1-9]", refresh.stdout, re.M)  # the encrypted workbook
    log = log_of(refresh)
    assert "START sql table model" in log and "STEP_SUCCESS" in log


def test_no_public_table_holds_the_names(drop):
    base, period, _, _ = drop
    with duckdb.connect(str(base / "warehouse" / "published" / "public.duckdb"), read_only=True) as con:
        for (table,) in con.execute("select table_name from information_schema.tables").fetchall():
            for (col,) in con.execute(f"select column_name from information_schema.columns where table_name = '{table}'").fetchall():
                values = [v for (v,) in con.execute(f'select distinct cast("{col}" as varchar) from "{table}"').fetchall() if v]
                assert not [v for v in values if leaks(v) or v.startswith("=")], (table, col)
        files = [n for (n,) in con.execute("select name from publication where kind = 'extract_file'").fetchall()]
        assert f"kur/{period}/kur_S***_P**********_1802**********01.csv" in files, files
        dq = {(s, p): r for s, p, *r in con.execute(
            "select source, period, files_received, files_rejected, rows_unread from ind_data_quality").fetchall()}
    # the three stray folders under '(tidak dikenal)', their rows counted; dtks' malformed period likewise
    assert dq[("(tidak dikenal)", period)] == [3, 3, 6]
    assert dq[("dtks", "(tidak dikenal)")] == [1, 1, 2]
    assert dq[("pkh", period)][1] == 1  # the password-protected workbook: the file counts, rows unknown


def test_status_and_dagster_storage_hold_no_name(drop):
    base, _, env, _ = drop
    status = run(env, "status")
    assert status.returncode == 0, status.stderr[-3000:]
    assert "kur_S***_P**********_1802**********01.csv" in status.stdout
    assert not leaks(status.stdout + status.stderr)
    # runs, event logs (gate metadata, step logs, asset metadata) and compute logs of the instance
    for path in (base / "dagster").rglob("*"):
        if path.is_file():
            data = path.read_bytes().decode("utf-8", "replace")
            assert not leaks(data), (path, leaks(data))


def test_a_failed_gate_names_the_file_it_blames_masked(drop):
    base, period, env, _ = drop
    # PKH's next delivery collapses to two rows, in a file named after a person: the row-count gate fails
    bad = base / "raw" / "pkh" / "2099-01" / f"pkh_{PERSON}_{NIK}.csv"
    bad.parent.mkdir(parents=True)
    bad.write_text("NIK_PENGURUS,NAMA_PENGURUS,KECAMATAN,DESA\n1802214507890004,Budi,Anak Tuha,Tanjung Ratu\n"
                   "1802214507890005,Ani,Anak Tuha,Tanjung Ratu\n")
    refresh = run(env, "refresh")
    assert refresh.returncode == 2, refresh.stderr[-4000:]
    text = refresh.stdout + refresh.stderr
    assert re.search(r"stg_pkh.*in files pkh/2099-01/pkh_S\*\*\* P\*{10}_1802\*{10}01\.csv \(2 rows\)", text), text[-4000:]
    assert not leaks(text)
