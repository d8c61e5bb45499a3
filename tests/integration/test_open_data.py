"""Open data the Satu Data way (#15 item 4): exports/public/datapackage.json validated by Frictionless
(metadata and every CSV and XLSX row against its schema), agreeing with the single sources of the
descriptions; spreadsheets keep codes such as 18.02 as text (checked with openpyxl and, where installed,
LibreOffice itself) and no cell is a formula. Publications made by publish() from a real dbt build."""
from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from test_marts_build import built_db  # noqa: F401 - the real dbt build of marts and indicators (fixture)
from orchestration.publish import PUBLIC_TABLES, publish
from orchestration.publish.comments import history_name, public_descriptions
from orchestration.publish.datapackage import config, unit_of
from orchestration.publish.spreadsheet import write_table_xlsx

pytestmark = pytest.mark.slow
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
TABLES = [*PUBLIC_TABLES, *(history_name(t) for t in PUBLIC_TABLES)]


@pytest.fixture(scope="module")
def exported(tmp_path_factory, built_db):
    base = tmp_path_factory.mktemp("open-data")
    build = base / "build.duckdb"
    shutil.copy(built_db, build)
    info = {"run_id": "run-od", "started_at": "2024-10-01T01:00:00",
            "extract_files": [{"path": "dtks/2024-09/dtks.csv", "sha256": "c" * 64, "period": "2024-09"}],
            "gates": {"marts": True}}
    paths = publish(build, base / "published", info, exports_dir=base / "exports")
    return {"public": paths["public"], "dir": base / "exports" / "public", "base": base}


def _package(exported) -> dict:
    return json.loads((exported["dir"] / "datapackage.json").read_text(encoding="utf-8"))


def test_frictionless_validates_the_package_and_every_row(exported):
    from frictionless import validate

    report = validate(str(exported["dir"] / "datapackage.json"))
    problems = [(t.name, [e.message for e in t.errors][:3]) for t in report.tasks if not t.valid]
    assert report.valid, (problems, [e.message for e in report.errors][:5])
    names = {t.name for t in report.tasks}
    assert names == {*TABLES, *(f"{t}-xlsx" for t in TABLES)}, names


def test_the_package_says_what_satu_data_asks_and_agrees_with_the_sources(exported):
    package = _package(exported)
    con = duckdb.connect(str(exported["public"]), read_only=True)
    try:
        period = con.execute("select period from publication where kind = 'run'").fetchone()[0]
        area = con.execute("select kode_wilayah, nama_wilayah from ind_poverty_by_area where level = 'kabupaten'").fetchone()
        columns = {t: con.execute("select column_name, data_type from duckdb_columns() where table_name = ? "
                                  "and database_name = current_database() order by column_index", [t]).fetchall()
                   for t in TABLES}
        rows = {t: con.execute(f'select count(*) from "{t}"').fetchone()[0] for t in TABLES}
    finally:
        con.close()
    assert package["periode"] == period and package["run_id"] == "run-od"
    assert area[1] in package["title"] and package["wilayah"] == {"kode_wilayah": area[0], "nama_wilayah": area[1]}
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert area[1] in package["produsen_data"] and area[1] in package["walidata"]
    assert {c["role"] for c in package["contributors"]} == {"author", "publisher"}
    assert package["frekuensi_pemutakhiran"] and package["catatan_lembar_kerja"]

    descriptions = public_descriptions()
    indicators = config()["indicators"]
    seen_indicators = set()
    for res in package["resources"]:
        table = res["name"].removesuffix("-xlsx")
        d = descriptions[table]
        assert res["description"] == d["description"] and res["title"], table
        assert res["jumlah_baris"] == rows[table]
        fields = res["schema"]["fields"]
        assert [f["name"] for f in fields] == [c for c, _ in columns[table]], table
        for f, (column, dtype) in zip(fields, columns[table]):
            # every column described once, in its single source, and the same text here
            assert f["description"] == d["columns"][column] and f["description"], (table, column)
            numeric = dtype in ("BIGINT", "DOUBLE", "INTEGER")
            assert f["type"] == {"BIGINT": "integer", "INTEGER": "integer", "DOUBLE": "number"}.get(dtype, "string")
            if numeric:
                assert f.get("satuan"), f"{table}.{column}: no unit rule in datapackage.yml"
            else:
                assert "satuan" not in f
            if column in indicators:
                seen_indicators.add(column)
                ind = f["indikator"]
                assert ind["definisi"] == f["description"] and ind["satuan"] == f["satuan"]
                assert ind["konsep"] and ind["rumus"]
    # no stale entry: every indicator and title of datapackage.yml names a published column / table
    assert seen_indicators == set(indicators), set(indicators) - seen_indicators
    assert unit_of("extreme_poverty_pct", "number") == "persen" and unit_of("kode_wilayah", "string") is None


def _csv_rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_spreadsheet_twin_keeps_codes_as_text_and_holds_no_formula(exported):
    for table in TABLES:
        wb = load_workbook(exported["dir"] / f"{table}.xlsx")
        ws = wb.worksheets[0]
        header = [c.value for c in ws[1]]
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref
        csv_rows = _csv_rows(exported["dir"] / f"{table}.csv")
        assert ws.max_row - 1 == len(csv_rows), table
        for xrow, crow in zip(ws.iter_rows(min_row=2), csv_rows):
            for cell, name in zip(xrow, header):
                assert cell.data_type != "f", (table, cell.coordinate)
                if name in ("kode_wilayah", "period", "period_from", "period_to", "source_period") and crow[name]:
                    assert cell.data_type == "s" and cell.value == crow[name], (table, name, cell.value)
    ws = load_workbook(exported["dir"] / "ind_poverty_by_area.xlsx").worksheets[0]
    codes = [r[1] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert "18.02" in codes  # the kabupaten's own code, the one a CSV turns into a number


def test_a_text_that_looks_like_a_formula_is_an_inert_text_cell(tmp_path):
    con = duckdb.connect()
    con.execute("create table t (kode_wilayah varchar, nama_wilayah varchar, households bigint, pct double)")
    con.execute("insert into t values ('18.02', '=HYPERLINK(\"http://x\",\"klik\")', 3, null), "
                "('18.02.21', '@SUM(A1)', null, 1.5)")
    write_table_xlsx(con, "t", tmp_path / "t.xlsx", "uji")
    ws = load_workbook(tmp_path / "t.xlsx").worksheets[0]
    cells = {c.coordinate: c for row in ws.iter_rows() for c in row}
    assert cells["B2"].data_type == "s" and cells["B2"].value.startswith("=HYPERLINK") and cells["B2"].quotePrefix
    assert cells["B3"].data_type == "s" and cells["B3"].quotePrefix
    assert cells["A2"].value == "18.02" and cells["A2"].number_format == "@"
    assert cells["C2"].value == 3 and cells["C2"].data_type == "n" and cells["D3"].value == 1.5


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (.ci/run installs libreoffice-calc-nogui)")
def test_libreoffice_opens_the_twin_with_codes_as_text_where_the_csv_turns_them_into_numbers(exported, tmp_path):
    """LibreOffice itself opens each file (headless conversion to its own XLSX) and openpyxl reads what it
    made of the cells: the CSV's 18.02 became a number, the twin's stayed the text 18.02."""
    src = tmp_path / "in"
    src.mkdir()
    for ext in ("csv", "xlsx"):
        shutil.copy(exported["dir"] / f"ind_poverty_by_area.{ext}", src / f"from_{ext}.{ext}")
    out = tmp_path / "out"
    for ext in ("csv", "xlsx"):
        proc = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                               "--convert-to", "xlsx", "--outdir", str(out), str(src / f"from_{ext}.{ext}")],
                              capture_output=True, text=True, timeout=180)
        assert proc.returncode == 0 and (out / f"from_{ext}.xlsx").exists(), proc.stdout + proc.stderr

    def kabupaten_code(path: Path):
        ws = load_workbook(path).worksheets[0]
        header = [c.value for c in ws[1]]
        col = header.index("kode_wilayah")
        level = header.index("level")
        return next(row[col] for row in ws.iter_rows(min_row=2) if row[level].value == "kabupaten")

    via_csv, via_twin = kabupaten_code(out / "from_csv.xlsx"), kabupaten_code(out / "from_xlsx.xlsx")
    assert via_csv.data_type == "n" and via_csv.value == pytest.approx(18.02)  # why the twin exists
    assert via_twin.data_type == "s" and via_twin.value == "18.02"
