"""Publish from a real dbt-built build database; readers during publish; kill -9 mid-publish."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

import test_marts_build as marts  # same directory: the real marts/indicators build on hand-made inputs
from orchestration.publish import publish, read_status

pytestmark = pytest.mark.slow
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def info(run_id: str) -> dict:
    return {"run_id": run_id, "started_at": "2024-10-01T01:00:00",
            "extract_files": [{"path": "dtks/2024-09/dtks.csv", "sha256": "c" * 64, "period": "2024-09"}],
            "gates": {"staging": True, "marts": True, "indicators": True}}


@pytest.fixture(scope="module")
def real_build(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("publish_build")
    db = tmp / "build.duckdb"
    marts.create_inputs(db)
    project = marts.prepare_project(tmp)
    result = marts.run_dbt(project, db, "build", "--select", "marts", "indicators")
    assert result.returncode == 0, result.stdout[-4000:]
    return db


@pytest.fixture
def env(tmp_path, real_build):
    build = tmp_path / "build.duckdb"
    shutil.copy(real_build, build)
    return {"build": build, "published": tmp_path / "published", "exports": tmp_path / "exports"}


def test_publish_from_real_marts(env):
    paths = publish(env["build"], env["published"], info("r1"), exports_dir=env["exports"])
    con = duckdb.connect(str(paths["restricted"]), read_only=True)
    try:
        prio = con.execute("select household_id, kode_kecamatan, kode_wilayah, nama_kepala_keluarga, "
                           "nik_kepala_masked from priority_list order by 1").fetchall()
    finally:
        con.close()
    assert prio == [("H1", "18.02.21", marts.D_21_1, "SUPARMAN", "1802**********01"),
                    ("H4", "18.02.01", marts.D_01_1, "RUSDI", "1802**********07")]
    assert sorted(p.name for p in (env["exports"] / "restricted").glob("*.xlsx")) == [
        "priority_180201.xlsx", "priority_180221.xlsx"]
    # nothing personal anywhere in the public zone
    blob = []
    con = duckdb.connect(str(paths["public"]), read_only=True)
    try:
        for (t,) in con.execute("show tables").fetchall():
            blob += [str(v) for r in con.execute(f'select * from "{t}"').fetchall() for v in r if v is not None]
    finally:
        con.close()
    blob += [p.read_text() for p in (env["exports"] / "public").iterdir() if p.suffix in (".csv", ".json")]
    text = "\n".join(blob).upper()
    for nama, nik, *_ in marts.PEOPLE.values():
        assert nama not in text
        assert nik is None or nik not in text


def test_failed_export_holds_back_the_whole_publication(env, tmp_path):
    publish(env["build"], env["published"], info("r1"), exports_dir=env["exports"])
    before = {p.name: p.read_bytes() for p in env["published"].glob("*.duckdb")}
    exports_before = sorted(str(p.relative_to(env["exports"])) for p in env["exports"].rglob("*"))
    blocker = tmp_path / "not_a_directory"
    blocker.write_text("a file where the exports folder's parent should be")
    with pytest.raises(OSError):
        publish(env["build"], env["published"], info("r2"), exports_dir=blocker / "exports")
    assert {p.name: p.read_bytes() for p in env["published"].glob("*.duckdb")} == before
    assert sorted(str(p.relative_to(env["exports"])) for p in env["exports"].rglob("*")) == exports_before
    assert not [p for p in env["published"].iterdir() if ".tmp-" in p.name]
    assert json.loads((env["published"] / "last_attempt.json").read_text())["outcome"] == "failed"


FORMULAS = {"head_1": '=HYPERLINK("http://x","y")', "head_2": "=cmd|' /C calc'!A0", "desa_1": "+1",
            "desa_2": "@SUM(A1)", "kecamatan": "-2+3"}


def test_exports_never_carry_a_formula(env):
    """Names from agencies' files that a spreadsheet would run (OWASP CSV injection) reach the priority
    workbooks as text cells and the public CSV with a ' prefix; a folder named =1+1 too."""
    con = duckdb.connect(str(env["build"]))
    try:
        heads = [r[0] for r in con.execute("select head_person_id from marts.fct_household where sikkep_priority "
                                           "order by household_id").fetchall()]
        assert len(heads) == 2
        for person_id, name in zip(heads, (FORMULAS["head_1"], FORMULAS["head_2"])):
            con.execute("update marts.fct_person set nama = ? where person_id = ?", [name, person_id])
        for kode, name in ((marts.D_21_1, FORMULAS["desa_1"]), (marts.D_01_1, FORMULAS["desa_2"])):
            con.execute("update marts.dim_wilayah set nama_wilayah = ? where kode_wilayah = ?", [name, kode])
        con.execute("update marts.dim_wilayah set nama_wilayah = ? where kode_wilayah = '18.02.21'",
                    [FORMULAS["kecamatan"]])
        con.execute("insert into indicators.ind_data_quality (source, period) values ('=1+1', '@SUM(A1)')")
    finally:
        con.close()
    publish(env["build"], env["published"], info("formulas"), exports_dir=env["exports"])

    from openpyxl import load_workbook

    seen = set()
    for path in sorted((env["exports"] / "restricted").glob("*.xlsx")):
        for ws in load_workbook(path).worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{path.name}!{ws.title}!{cell.coordinate}: formula {cell.value!r}"
                    if isinstance(cell.value, str):
                        seen |= {k for k, v in FORMULAS.items() if cell.value == v or v in cell.value}
                        if cell.value == FORMULAS["head_1"] or cell.value == FORMULAS["head_2"]:
                            assert cell.data_type == "s" and cell.quotePrefix
    assert seen == set(FORMULAS)  # every name reached a workbook, as text

    import csv

    with open(env["exports"] / "public" / "ind_data_quality.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["source"], r["period"]) for r in rows if "=1+1" in r["source"]] == [("'=1+1", "'@SUM(A1)")]
    for path in (env["exports"] / "public").glob("*.csv"):
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.reader(fh):
                for value in row:
                    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
                        float(value)  # only a number may start with a sign


READER = textwrap.dedent("""
    import sys, time, json, duckdb
    path, stop_file, out = sys.argv[1], sys.argv[2], sys.argv[3]
    import os
    n, errors, runs = 0, [], set()
    while not os.path.exists(stop_file):
        try:
            con = duckdb.connect(path, read_only=True)
            try:
                con.execute("select count(*), sum(households) from ind_poverty_by_area").fetchall()
                runs.add(con.execute("select max(run_id) from publication").fetchall()[0][0])
            finally:
                con.close()
            n += 1
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
    json.dump({"queries": n, "errors": errors[:5], "error_count": len(errors), "runs": sorted(runs)}, open(out, "w"))
""")


def test_reader_sees_no_error_while_publishing(env, tmp_path):
    publish(env["build"], env["published"], info("r0"), exports_dir=env["exports"])
    stop, out = tmp_path / "stop", tmp_path / "reader.json"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(env["published"] / "public.duckdb"), str(stop), str(out)])
    try:
        time.sleep(1.0)
        for i in range(1, 6):
            publish(env["build"], env["published"], info(f"r{i}"), exports_dir=env["exports"])
        time.sleep(0.5)
    finally:
        stop.write_text("stop")
        reader.wait(timeout=60)
    result = json.loads(out.read_text())
    assert result["error_count"] == 0, result["errors"]
    assert result["queries"] > 10
    assert len(result["runs"]) >= 2  # the reader saw the publication change under it


KILLABLE = textwrap.dedent("""
    import sys, time, pathlib
    sys.path.insert(0, sys.argv[4])
    from orchestration.publish import publish
    marker = pathlib.Path(sys.argv[3])
    def pause(temps):
        marker.write_text("\\n".join(str(p) for p in temps.values()))
        time.sleep(120)
    publish(sys.argv[1], sys.argv[2], {"run_id": "killed", "gates": {"marts": True}}, _before_swap=pause)
""")


@pytest.mark.parametrize("when", ["before_swap", "while_writing"])
def test_kill_9_mid_publish_keeps_previous_publication(env, tmp_path, when):
    publish(env["build"], env["published"], info("good"), exports_dir=env["exports"])
    public = env["published"] / "public.duckdb"
    before = public.read_bytes()
    marker = tmp_path / "marker"
    proc = subprocess.Popen([sys.executable, "-c", KILLABLE, str(env["build"]), str(env["published"]), str(marker),
                             str(PROJECT_ROOT)])
    deadline = time.time() + 60
    if when == "before_swap":
        while not marker.exists() and time.time() < deadline:
            time.sleep(0.05)
        assert marker.exists()
    else:
        while not list(env["published"].glob(".*.tmp-*")) and time.time() < deadline:
            time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)

    assert public.read_bytes() == before
    con = duckdb.connect(str(public), read_only=True)
    try:
        assert con.execute("select max(run_id) from publication").fetchall() == [("good",)]
    finally:
        con.close()
    status = read_status(env["published"])
    assert status["run_id"] == "good" and status["consistent"]

    publish(env["build"], env["published"], info("recovered"), exports_dir=env["exports"])
    status = read_status(env["published"])
    assert status["run_id"] == "recovered" and status["consistent"]
    assert status["stale_temp_files"] == []
