"""The report of a publication (#15 item 3): made by publish() from a real dbt build of the marts and
indicators (test_marts_build's built_db), with a real Great Expectations gate's results, rendered in
Debian's Chromium. Every figure checked is read back from public.duckdb, never written here."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from test_marts_build import built_db  # noqa: F401 - the real dbt build of marts and indicators (fixture)
from orchestration.privacy import show_path
from orchestration.publish import PublishBlocked, publish
from orchestration.quality.gates import run_suite
from orchestration.report import pdf as report_pdf
from orchestration.report.html import SECTIONS, angka, persen

pytestmark = pytest.mark.slow
PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
# a file of the drop zone named after a person (test_marts_build.PEOPLE) that the ingest refused
REJECTED_RAW = "pkh/2024-09/PKH_SITI_AMINAH_1802214202820002.xlsx"


def _q(path: Path, sql: str, params=()):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def _gate(build: Path) -> dict:
    """The indicators suite run for real on the build, as the Dagster check records it."""
    con = duckdb.connect(str(build), read_only=True)
    try:
        result = run_suite(con, "indicators")
    finally:
        con.close()
    checks = [{k: r.get(k) for k in ("expectation", "column", "check", "success", "observed", "tolerance")}
              for r in result.results]
    return {"passed": result.passed, "detail": result.summary(), "checks": checks}


def _info(run_id: str, period: str, gate: dict) -> dict:
    return {"run_id": run_id, "started_at": "2024-10-01T01:00:00",
            "extract_files": [{"path": f"dtks/{period}/dtks.csv", "sha256": "c" * 64, "period": period, "source": "dtks"},
                              {"path": f"p3ke/{period}/p3ke.xlsx", "sha256": "d" * 64, "period": period, "source": "p3ke"}],
            "rejected_files": [{"path": show_path(REJECTED_RAW), "source": "pkh", "period": "2024-09", "status": "error",
                                "reason": f"file {show_path(REJECTED_RAW)}: cannot open the workbook", "rows_rejected": 0}],
            "gates": {"indicators/ind_poverty_by_area:gx_indicators": gate,
                      "raw/file_manifest:manifest_rows_balance": {"passed": True, "detail": "balanced"}}}


@pytest.fixture(scope="module")
def published(tmp_path_factory, built_db):
    """Two publications (periods 2024-08 then 2024-09) of the same build: the second has a previous one."""
    base = tmp_path_factory.mktemp("report")
    build = base / "build.duckdb"
    shutil.copy(built_db, build)
    gate = _gate(build)
    dirs = {"build": build, "published": base / "published", "exports": base / "exports", "base": base, "gate": gate}
    publish(build, dirs["published"], _info("run-aug", "2024-08", gate), exports_dir=dirs["exports"])
    dirs["paths"] = publish(build, dirs["published"], _info("run-sep", "2024-09", gate), exports_dir=dirs["exports"],
                            report_pdf=True)
    return dirs


def _sections(page) -> dict[str, str]:
    return {key: page.inner_text(f"section#{key}") for key, _ in SECTIONS}


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (.ci/run installs it)")
def test_the_report_shows_every_section_with_the_numbers_of_the_publication(published):
    from playwright.sync_api import sync_playwright

    paths, public = published["paths"], published["paths"]["public"]
    html_path = paths["report"]
    assert html_path == published["published"] / "laporan" / "index.html"
    pdf = paths["report_pdf"]
    assert pdf and pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000, paths["report_note"]
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        # offline: the page must need nothing but its own file
        page.route("**/*", lambda route: (route.continue_() if route.request.url.startswith("file:")
                                          else (outside.append(route.request.url), route.abort())))
        page.goto(html_path.as_uri(), wait_until="load")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        text = _sections(page)
        charts = page.locator("section svg[role=img]").count()
        browser.close()
    assert not outside, outside
    assert charts >= 5, charts

    run = _q(public, "select run_id, period from publication where kind = 'run'")[0]
    assert run == ("run-sep", "2024-09") and "run-sep" in text["ringkasan"] and "2024-09" in text["ringkasan"]
    kab = _q(public, "select households, households_desil_1, extreme_poverty_pct from ind_poverty_by_area "
                     "where level = 'kabupaten'")[0]
    assert angka(kab[0]) in text["ringkasan"] and angka(kab[1]) in text["ringkasan"]

    # files: used and rejected, the rejected one only under its shown (masked) name, with its reason
    assert "dtks/2024-09/dtks.csv" in text["berkas"] and show_path(REJECTED_RAW) in text["berkas"]
    assert "cannot open the workbook" in text["berkas"]

    # gates: every expectation of the real GX run with its observed value and its tolerance
    checks = _q(public, "select detail from publication where kind = 'gate_check'")
    assert len(checks) == len(published["gate"]["checks"]) > 0
    for r in published["gate"]["checks"]:
        assert f"{r['expectation']}({r['column'] or ''})" in text["gerbang"]
    line = next(line for line in text["gerbang"].splitlines() if line.startswith("raw/file_manifest\t"))
    assert line.split("\t")[1:3] == ["1", "1"], line  # the other gates: counted per table

    def rows(section: str) -> list[list[str]]:  # the cells of the section's tables, as the browser shows them
        return [line.split("\t") for line in text[section].splitlines() if "\t" in line]

    quality = _q(public, "select source, period, rows_received, rows_loaded, rows_quarantined, nik_valid_pct, "
                         "linked_pct from ind_data_quality")
    assert quality
    for source, period, received, loaded, quarantined, nik, linked in quality:
        assert [source, period, angka(received), angka(loaded), angka(quarantined), persen(nik), persen(linked)] \
            in rows("mutu"), source

    poverty = _q(public, "select kode_wilayah, nama_wilayah, penduduk, households, households_desil_1, "
                         "households_desil_1_4, persons_desil_1, extreme_poverty_pct from ind_poverty_by_area "
                         "where level = 'kecamatan'")
    assert poverty
    for kode, nama, *counts, pct in poverty:
        assert [kode, nama, *(angka(v) for v in counts), persen(pct)] in rows("kemiskinan"), kode

    coverage = _q(public, "select program, recipient_households, recipient_households_desil_1, "
                          "recipient_households_unregistered, coverage_desil_1_pct, exclusion_error_desil_1_pct, "
                          "inclusion_error_desil_1_4_pct from ind_program_coverage where level = 'kabupaten'")
    assert coverage
    for program, r, r1, unreg, cov, exc, inc in coverage:
        assert [program.upper().replace("_", "-"), angka(r), angka(r1), angka(unreg), persen(cov), persen(exc),
                persen(inc)] in rows("program"), program

    # and against each program's own eligibility rule (#14), where the publication carries it
    own = _q(public, "select program, eligibility_rule, households_eligible, recipient_households_eligible, "
                     "coverage_eligible_pct, exclusion_error_eligible_pct, inclusion_error_eligible_pct "
                     "from ind_program_coverage where level = 'kabupaten'")
    assert own
    for program, rule, eligible, r_eligible, cov, exc, inc in own:
        assert [program.upper().replace("_", "-"), rule or "-", angka(eligible), angka(r_eligible), persen(cov),
                persen(exc), persen(inc)] in rows("program"), program

    gap = _q(public, "select kode_wilayah, nama_wilayah, households_desil_1, households_desil_1_no_program, "
                     "households_sikkep_priority from ind_priority_gap where level = 'kecamatan'")
    assert gap
    for kode, nama, *counts in gap:
        assert [kode, nama, *(angka(v) for v in counts)] in rows("prioritas"), kode

    grad = _q(public, "select period_from, period_to, households_desil_1_from, graduated, remained, exited_other, "
                      "entered from ind_graduation where level = 'kabupaten'")
    assert grad
    for row in grad:
        assert [row[0], row[1], *(angka(v) for v in row[2:])] in rows("graduasi")

    # change since the previous publication: the 2024-08 figures come from the history
    before = _q(public, "select households_desil_1 from ind_poverty_by_area_history where period = '2024-08' "
                        "and level = 'kabupaten'")[0][0]
    assert "2024-08" in text["perubahan"]
    assert ["Keluarga desil 1", angka(before), angka(kab[1]), ("+" if kab[1] > before else "") + angka(kab[1] - before)] \
        in rows("perubahan")


def test_the_report_holds_no_personal_data(published):
    html = published["paths"]["report"].read_text(encoding="utf-8")
    restricted = published["paths"]["restricted"]
    names = {n for (n,) in _q(restricted, "select distinct nama from fct_person where nama is not null")}
    niks = {n for (n,) in _q(restricted, "select distinct nik from fct_person where nik is not null")}
    upper = html.upper()
    assert names and not [n for n in names if n.upper() in upper]
    assert niks and not [n for n in niks if n in html]
    assert not re.search(r"(?<![0-9a-f])[0-9]{16}(?![0-9a-f])", html)
    assert "SITI_AMINAH" not in html and "PKH_SITI" not in html


def test_a_held_back_publication_leaves_the_report_of_the_last_good_one(published):
    report = published["published"] / "laporan" / "index.html"
    before = report.read_bytes()
    assert b'content="run-sep"' in before

    def crash(_):
        raise RuntimeError("killed before the swap")

    with pytest.raises(RuntimeError):
        publish(published["build"], published["published"], _info("run-crash", "2024-10", published["gate"]),
                exports_dir=published["exports"], _before_swap=crash)
    failed = dict(published["gate"], passed=False)
    with pytest.raises(PublishBlocked):
        publish(published["build"], published["published"], _info("run-failed", "2024-10", failed),
                exports_dir=published["exports"])
    assert report.read_bytes() == before
    assert not [p.name for p in published["published"].iterdir() if p.name.startswith(".laporan")]


def test_sikkep_report_rebuilds_it_and_a_missing_renderer_only_costs_the_pdf(published, monkeypatch, tmp_path):
    laporan = published["published"] / "laporan"
    shutil.rmtree(laporan)
    env = {**os.environ, "SIKKEP_WAREHOUSE_DIR": str(published["base"]), "PYTHONPATH": str(PROJECT_ROOT)}
    out = subprocess.run([sys.executable, "-m", "orchestration.cli", "report", "--no-pdf"], env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert str(laporan / "index.html") in out.stdout
    assert b'content="run-sep"' in (laporan / "index.html").read_bytes()

    # no renderer on the machine: the publication goes through with its HTML report, the note says why
    monkeypatch.setattr(report_pdf, "CANDIDATES", ())
    monkeypatch.setattr(report_pdf, "FALLBACK", tmp_path / "no-chromium")
    build = tmp_path / "build.duckdb"
    shutil.copy(published["build"], build)
    paths = publish(build, tmp_path / "published", _info("run-x", "2024-09", published["gate"]),
                    exports_dir=tmp_path / "exports", report_pdf=True)
    assert paths["report"].exists() and paths["report_pdf"] is None
    assert "Chromium tidak ditemukan" in paths["report_note"]
    assert not (paths["report"].parent / "laporan.pdf").exists()

    empty = tmp_path / "empty"
    empty.mkdir()
    out = subprocess.run([sys.executable, "-m", "orchestration.cli", "report"], capture_output=True, text=True,
                         env={**env, "SIKKEP_WAREHOUSE_DIR": str(empty)}, timeout=300)
    assert out.returncode == 1 and "nothing published" in out.stdout

