"""Field-like extracts (made by hand with csv/openpyxl, not by our generator: tests/field_extracts.py) through
the real pipeline: the Dagster ingest assets (two drops: the second corrects a file and re-delivers it),
then one real dbt build of seeds + staging + intermediate. Every variant of extract-formats.md either
lands correctly in intermediate.int_person_records or sits in the quarantine with the right rule, and the
accounting adds up per file. One build for the whole module.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pytest

from tests import field_extracts as fx

ROOT = Path(__file__).resolve().parents[2]
DBT_DIR = ROOT / "dbt_project"
pytestmark = pytest.mark.slow

# the expectations are registered by the builders while they write: write once to collect them
with tempfile.TemporaryDirectory() as _d:
    fx.build_round1(Path(_d))
    fx.build_round2(Path(_d))
EXPECT = dict(fx.EXPECT)
STG_FLAGS = dict(fx.STG_FLAGS)
LONG_DIGITS = re.compile(r"\d{12,}")


def _ingest():
    import dagster as dg

    from orchestration.defs.ingest.assets import file_manifest, manifest_rows_balance, raw_assets
    from orchestration.resources import WarehouseResource

    result = dg.materialize([*raw_assets, file_manifest, manifest_rows_balance],
                            resources={"warehouse": WarehouseResource()})
    assert result.success
    checks = result.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks)
    return [e for e in result.all_events if e.event_type_value == "ASSET_MATERIALIZATION"]


@pytest.fixture(scope="module")
def field(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("field")
    raw, wh = tmp / "raw", tmp / "warehouse"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SIKKEP_RAW_DIR", str(raw))
        mp.setenv("SIKKEP_WAREHOUSE_DIR", str(wh))
        mp.setenv("SIKKEP_KABUPATEN", "18.02")
        mp.setenv("DAGSTER_HOME", str(tmp / "dagster_home"))
        fx.build_round1(raw)
        events1 = _ingest()
        fx.build_round2(raw)       # a later drop: kur.csv corrected in place, and re-delivered as a copy
        events2 = _ingest()
        from orchestration.dbt_runtime import dbt_vars_arg

        db = wh / "build" / "sikkep.duckdb"
        env = dict(__import__("os").environ, SIKKEP_BUILD_DB=str(db), DBT_SEND_ANONYMOUS_USAGE_STATS="false",
                   DO_NOT_TRACK="1")
        res = subprocess.run([str(Path(sys.executable).parent / "dbt"), "build", "--select", "path:seeds",
                              "path:models/staging", "path:models/intermediate", "--profiles-dir", str(DBT_DIR),
                              "--target-path", str(tmp / "target"), *dbt_vars_arg()],
                             cwd=DBT_DIR, env=env, capture_output=True, text=True, timeout=900)
    if res.returncode != 0:
        pytest.fail("dbt build failed:\n" + res.stdout[-6000:] + res.stderr[-2000:])
    con = duckdb.connect(str(db), read_only=True)
    yield dict(con=con, raw=raw, events=events1 + events2)
    con.close()


def _records(con) -> dict:
    cur = con.execute("select * from intermediate.int_person_records")
    cols = [d[0] for d in cur.description]
    return {(r["source_file"], r["source_sheet"], r["source_row"]): r for r in (dict(zip(cols, x)) for x in cur.fetchall())}


def _id(key) -> str:
    f, sheet, row = key
    return f"{f.split('/')[-1]}{'[' + sheet + ']' if sheet else ''}:{row}"


@pytest.mark.parametrize("key", sorted(EXPECT, key=lambda k: (k[0], k[1] or "", k[2])), ids=_id)
def test_row_lands_or_is_quarantined(field, key):
    con = field["con"]
    exp = EXPECT[key]
    f, sheet, row = key
    quarantined = con.execute(
        "select rule, detail from intermediate.quarantine where source_file = ? and coalesce(source_sheet, '') = ?"
        " and source_row = ?", [f, sheet or "", row]).fetchall()
    rec = _records(con).get(key)
    if "rule" in exp:
        assert rec is None, f"expected quarantine {exp['rule']}, got a record with flags {rec['flags']}"
        assert [r[0] for r in quarantined] == [exp["rule"]]
        assert not LONG_DIGITS.search(quarantined[0][1] or "")
        return
    assert not quarantined, f"quarantined: {quarantined}"
    assert rec is not None, "row not in int_person_records"
    for column, value in exp.items():
        if column == "flags_has":
            for flag in value:
                assert flag in (rec["flags"] or ""), f"flag {flag} missing from {rec['flags']}"
            continue
        got = rec[column]
        if column == "tanggal_lahir" and got is not None:
            got = got.isoformat()
        assert got == value, f"{column}: expected {value!r}, got {got!r} (flags {rec['flags']})"
    if rec["nik"] is not None:
        assert re.fullmatch(r"\d{16}", rec["nik"])


@pytest.mark.parametrize("key", sorted(STG_FLAGS, key=lambda k: (k[1], k[2] or "", k[3])),
                         ids=lambda k: _id(k[1:]))
def test_flags_are_parsed_in_staging(field, key):
    source, f, sheet, row = key
    exp = STG_FLAGS[key]
    got = field["con"].execute(
        f"select {', '.join(exp)} from staging.stg_{source} where source_file = ? and coalesce(source_sheet, '') = ?"
        " and source_row = ?", [f, sheet or "", row]).fetchall()
    assert got and dict(zip(exp, got[0])) == exp


def test_accounting_adds_up_per_file(field):
    con = field["con"]
    assert con.execute("select count(*) from raw.file_manifest where rows_received <> rows_loaded + rows_rejected"
                       ).fetchone()[0] == 0
    unbalanced = con.execute("select source_file, rows_received, rows_staged, rows_quarantined "
                             "from intermediate.int_row_accounting where not balanced").fetchall()
    assert unbalanced == []
    # every row the builders wrote is accounted for, in the file it came from
    per_file = dict(con.execute("select source_file, rows_received from raw.file_manifest").fetchall())
    expected: dict[str, int] = {}
    for f, _, _ in EXPECT:
        expected[f] = expected.get(f, 0) + 1
    for f, n in expected.items():
        assert per_file[f] >= n, f
    assert per_file[fx.DTKS1] == 3 and per_file[fx.P3KE] == 10 and per_file[fx.BAZNAS_NOHEADER] == 2
    # nothing both staged and quarantined
    both = con.execute("""select count(*) from intermediate.int_person_records r join intermediate.quarantine q
        on q.source_file = r.source_file and coalesce(q.source_sheet, '') = coalesce(r.source_sheet, '')
        and q.source_row = r.source_row""").fetchone()[0]
    assert both == 0


def test_manifest_statuses(field):
    con = field["con"]
    m = {r[0]: r[1:] for r in con.execute(
        "select source_file, status, rows_received, rows_loaded, rows_rejected, duplicate_of, message "
        "from raw.file_manifest").fetchall()}
    # corrected in the same period: the new content replaces the old rows (3 rows, not 2 + 3)
    assert m[fx.KUR][:4] == ("loaded", 3, 3, 0)
    assert sorted(r[0] for r in con.execute("select nama from raw.kur").fetchall()) == sorted(r[1] for r in fx.KUR_V2)
    # identical re-delivery: loaded once, the repeat recorded
    assert m[fx.KUR_AGAIN][0] == "duplicate" and m[fx.KUR_AGAIN][4] == fx.KUR
    # junk beside the extract: lock file and Thumbs.db not even listed, the PDF recorded as ignored
    assert "kur/2024-09/Thumbs.db" not in m and "kur/2024-09/~$kur.xlsx" not in m
    assert m["kur/2024-09/surat_pengantar.pdf"][:2] == ("ignored", 0)
    # a workbook with a notes sheet (rows rejected, counted), a hidden drop-down list and a chart sheet
    # (neither is part of the list: skipped)
    assert m[fx.BLT][:4] == ("loaded", 5, 4, 1) and "hidden sheet 'ref_kampung'" in m[fx.BLT][5]
    # several parts of one period: all loaded
    assert all(m[f][0] == "loaded" for f in (fx.DTKS1, fx.DTKS2, fx.DTKS3, fx.DTKS4))
    assert "utf-8-sig" in m[fx.DTKS1][5] and "cp1252" in m[fx.DTKS3][5] and "'\\t'" in m[fx.DTKS3][5]
    # a damaged workbook: in error, named, nothing half-loaded
    status, received, _, _, _, msg = m[fx.BPNT_BROKEN]
    assert status == "error" and received == 0 and fx.BPNT_BROKEN in msg and "damaged" in msg
    assert con.execute("select count(*) from raw.bpnt where source_file = ?", [fx.BPNT_BROKEN]).fetchone()[0] == 0
    # a CSV without a header: in error, its rows received and quarantined
    assert m[fx.BAZNAS_NOHEADER][:4] == ("error", 2, 0, 2) and "no header row" in m[fx.BAZNAS_NOHEADER][5]
    # a required column missing: the message names file, sheet, header row and column
    status, received, loaded, rejected, _, msg = m[fx.BPNT_NO_NIK]
    assert (status, received, loaded, rejected) == ("error", 1, 0, 1)
    assert fx.BPNT_NO_NIK in msg and "sheet 'Padang Ratu'" in msg and "row 2" in msg and "column 'NIK'" in msg


def test_raw_layer_keeps_delivered_text_and_unknown_columns(field):
    con = field["con"]
    alamat, extra = con.execute("select alamat, extra_columns from raw.dtks where source_file = ? and source_row = 2",
                                [fx.DTKS1]).fetchone()
    assert alamat == "Jl. Merdeka; No. 5\nRT 02"          # delimiter and line break inside quotes
    assert json.loads(extra) == {"KETERANGAN": "catatan; dengan titik koma"}
    extra = con.execute("select extra_columns from raw.p3ke where source_sheet = 'Anak Tuha' and source_row = 5"
                        ).fetchone()[0]
    assert json.loads(extra) == {"No": "1", "Kolom Tambahan": "x"}
    # Excel-typed values as delivered: a number without float noise, a date cell as ISO, a serial as digits
    nik, tgl = con.execute("select nik, tanggal_lahir from raw.p3ke where source_sheet = 'Anak Tuha' and source_row = 6"
                           ).fetchone()
    assert (nik, tgl) == ("1802211203850020", "31118")
    # the unknown column is kept in raw, and not carried downstream
    cols = {r[0] for r in con.execute("select column_name from information_schema.columns where table_name = "
                                      "'int_person_records'").fetchall()}
    assert "extra_columns" not in cols and "kolom_baru_2025" not in cols


def test_no_unmasked_nik_in_any_message(field):
    con = field["con"]
    texts = [r[0] for r in con.execute("select message from raw.file_manifest where message is not null").fetchall()]
    texts += [r[0] for r in con.execute("select detail from raw.rejected_rows").fetchall()]
    texts += [r[0] for r in con.execute("select detail from intermediate.quarantine").fetchall()]
    for e in field["events"]:
        texts.append(str(e.event_specific_data.materialization.metadata))
    bad = [t for t in texts if t and LONG_DIGITS.search(t)]
    assert bad == []
