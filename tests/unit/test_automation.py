"""The nightly schedule and the drop-zone sensor, evaluated for real against files on disk."""
from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import dagster as dg

from orchestration.defs.automation.jobs import nightly_refresh, raw_drop_sensor


def test_schedule_ticks_at_one_in_the_morning_jakarta_time():
    assert nightly_refresh.cron_schedule == "0 1 * * *"
    assert nightly_refresh.execution_timezone == "Asia/Jakarta"
    from dagster._utils.schedules import cron_string_iterator

    start = dt.datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    ticks = cron_string_iterator(start.timestamp(), nightly_refresh.cron_schedule, nightly_refresh.execution_timezone)
    first = next(ticks)
    assert (first.year, first.month, first.day, first.hour, first.minute) == (2026, 11, 24, 1, 0)


def _evaluate(cursor):
    # a real (in-memory) instance: the sensor asks it for the last publication's run
    ctx = dg.build_sensor_context(cursor=cursor, instance=dg.DagsterInstance.ephemeral())
    result = raw_drop_sensor(ctx)
    requests = [r for r in (result if isinstance(result, list) else [result]) if isinstance(r, dg.RunRequest)]
    return requests, ctx.cursor


def test_sensor_runs_once_per_drop(sikkep_env):
    raw, _ = sikkep_env
    requests, cursor = _evaluate(None)
    assert requests == []  # empty drop zone: nothing to do
    f = raw / "kur" / "2024-09" / "kur.csv"
    f.parent.mkdir(parents=True)
    f.write_text("NIK_DEBITUR,NAMA_DEBITUR\n1802214507890001,Budi\n")
    requests, cursor = _evaluate(cursor)
    assert len(requests) == 1 and requests[0].run_key.startswith("drop-")
    assert requests[0].tags["sikkep/trigger"] == "sensor" and requests[0].tags["sikkep/fingerprint"]
    again, cursor = _evaluate(cursor)
    assert again == []  # same files again: no duplicate run
    time.sleep(0.01)
    f.write_text(f.read_text())  # touched, same content
    again, cursor = _evaluate(cursor)
    assert again == []
    f.write_text("NIK_DEBITUR,NAMA_DEBITUR\n1802214507890001,Budi Santoso\n")
    changed, cursor = _evaluate(cursor)
    assert len(changed) == 1 and changed[0].run_key != requests[0].run_key
    # a cover letter, an Excel lock file or a thumbnail cache beside the extract is not a new delivery
    for name in ("surat_pengantar.pdf", "~$kur.xlsx", "Thumbs.db"):
        (f.parent / name).write_bytes(b"not an extract")
    quiet, cursor = _evaluate(cursor)
    assert quiet == []


def test_sensor_cursor_holds_no_file_names(sikkep_env):
    """Dagster shows a sensor's cursor in its UI: a file named with a NIK or a person's name must not be in it
    (the per-file state lives in the warehouse's state folder)."""
    raw, wh = sikkep_env
    f = raw / "blt_dd" / "2025-09" / "SITI AMINAH 1802214507890001.csv"
    f.parent.mkdir(parents=True)
    f.write_text("NIK,NAMA,DESA\n1802214507890001,Siti Aminah,Gayau\n")
    requests, cursor = _evaluate(None)
    assert len(requests) == 1
    assert "1802214507890001" not in cursor and "SITI" not in cursor.upper()
    again, cursor = _evaluate(cursor)
    assert again == []  # the state kept beside the warehouse still tells a quiet minute from a drop
    assert "1802214507890001" in (wh / "state" / "drop_zone_files.json").read_text()
