"""The whole refresh, for real: generated extracts -> Dagster run (ingest, dbt, GX gates, Splink, publish).
Then a bad delivery: the gate holds publication back and the previous publication stays byte-identical."""
from __future__ import annotations

import hashlib
from pathlib import Path
import re

import duckdb
import pytest

from orchestration.refresh import run_refresh
from orchestration.synth.generate import generate

CONTRACT = {
    "ind_poverty_by_area": ["level", "kode_wilayah", "nama_wilayah", "penduduk", "households", "households_desil_1",
                            "households_desil_1_4", "persons_desil_1", "persons_desil_1_4", "extreme_poverty_pct",
                            "keluarga_dukcapil"],
    "ind_program_coverage": ["level", "kode_wilayah", "program", "recipient_households", "recipient_households_desil_1",
                             "recipient_households_desil_1_4", "recipient_households_unregistered",
                             "households_desil_1", "coverage_desil_1_pct", "exclusion_error_desil_1_pct",
                             "inclusion_error_desil_1_4_pct"],
    "ind_program_overlap": ["program_a", "program_b", "households_both"],
    "ind_priority_gap": ["level", "kode_wilayah", "households_desil_1", "households_desil_1_no_program",
                         "households_sikkep_priority"],
    "ind_graduation": ["period_from", "period_to", "level", "kode_wilayah", "households_desil_1_from", "graduated",
                       "entered", "remained", "exited_other"],
    "ind_data_quality": ["source", "period", "rows_received", "rows_loaded", "rows_quarantined", "nik_valid_pct",
                         "rows_linked", "linked_pct"],
}
RESTRICTED = {
    "fct_household": ["household_id", "no_kk", "kode_wilayah", "head_person_id", "members", "desil", "desil_dtks",
                      "desil_p3ke", "in_dtks", "in_p3ke", "pkh", "bpnt", "pbi_jk", "blt_dd", "rtlh", "baznas", "kur",
                      "programs_count", "sikkep_priority"],
    "fct_person": ["person_id", "household_id", "nik", "nama", "tanggal_lahir", "jenis_kelamin", "nik_valid", "deceased"],
    "xref_source_record": ["source", "period", "source_file", "source_sheet", "source_row", "person_id",
                           "household_id", "match_method", "match_probability"],
    "quarantine": ["source", "period", "source_file", "source_sheet", "source_row", "rule", "detail"],
    "priority_list": [],
}


def columns(con, table):
    return [r[0] for r in con.execute(f"describe {table}").fetchall()]


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    base = tmp_path_factory.mktemp("e2e")
    mp = pytest.MonkeyPatch()
    mp.setenv("SIKKEP_RAW_DIR", str(base / "raw"))
    mp.setenv("SIKKEP_WAREHOUSE_DIR", str(base / "warehouse"))
    mp.setenv("DAGSTER_HOME", str(base / "dagster"))
    generate(households=300, seed=11, periods=2, out_dir=base / "raw")
    outcome = run_refresh()
    yield base, outcome
    mp.undo()


def test_refresh_publishes_the_contract(published):
    base, outcome = published
    assert outcome.published and outcome.exit_code == 0, outcome.reason()
    pub = base / "warehouse" / "published"
    with duckdb.connect(str(pub / "public.duckdb"), read_only=True) as con:
        for table, cols in CONTRACT.items():
            assert set(cols) <= set(columns(con, table)), table
        levels = {r[0] for r in con.execute("select distinct level from ind_poverty_by_area").fetchall()}
        assert levels == {"kabupaten", "kecamatan", "desa"}
        # no personal data in the public file: no 16-digit numbers, no names
        for table, in con.execute("select table_name from information_schema.tables").fetchall():
            for col in columns(con, table):
                if col in ("sha256", "file_sha256", "run_id"):
                    continue  # hex digests may hold 16 decimal digits in a row by chance
                values = con.execute(f'select distinct cast("{col}" as varchar) from {table}').fetchall()
                assert not any(v and re.search(r"\d{16}", v) for v, in values), (table, col)
    with duckdb.connect(str(pub / "restricted.duckdb"), read_only=True) as con:
        for table, cols in RESTRICTED.items():
            assert set(cols) <= set(columns(con, table)), table


def test_every_person_row_is_linked_or_quarantined_never_both(published):
    base, _ = published
    with duckdb.connect(str(base / "warehouse" / "published" / "restricted.duckdb"), read_only=True) as con, \
         duckdb.connect(str(base / "warehouse" / "build" / "sikkep.duckdb"), read_only=True) as build:
        received = dict(build.execute(
            "select source_file, rows_received from raw.file_manifest where status = 'loaded' "
            "and source <> 'dukcapil_agregat'").fetchall())
        linked = dict(con.execute("select source_file, count(*) from xref_source_record group by 1").fetchall())
        quarantined = dict(con.execute(
            "select source_file, count(*) from quarantine where source <> 'dukcapil_agregat' group by 1").fetchall())
        both = con.execute("""select count(*) from xref_source_record x join quarantine q
            using (source, source_file, source_row) where coalesce(x.source_sheet,'') = coalesce(q.source_sheet,'')""").fetchone()[0]
    assert both == 0
    for f, n in received.items():
        assert linked.get(f, 0) + quarantined.get(f, 0) == n, f


def test_linkage_quality_against_the_answer_key(published):
    base, _ = published
    key = base / "raw_answer_key" / "rows.parquet"
    with duckdb.connect(str(base / "warehouse" / "published" / "restricted.duckdb"), read_only=True) as con:
        scores = con.execute(f"""
            with k as (select * from read_parquet('{key}')),
            j as (select x.person_id, k.person_key, x.source, x.source_file, x.source_row
                  from xref_source_record x join k on k.source_file = x.source_file
                   and coalesce(k.source_sheet, '') = coalesce(x.source_sheet, '') and k.source_row = x.source_row),
            pairs as (select a.person_id = b.person_id as pred, a.person_key = b.person_key as truth
                      from j a join j b on (a.source_file, a.source_row) < (b.source_file, b.source_row)
                      where a.person_id = b.person_id or a.person_key = b.person_key)
            select sum(case when pred and truth then 1 else 0 end) / nullif(sum(case when pred then 1 else 0 end), 0),
                   sum(case when pred and truth then 1 else 0 end) / nullif(sum(case when truth then 1 else 0 end), 0)
            from pairs""").fetchone()
    precision, recall = scores
    print(f"pairwise person precision {precision:.4f} recall {recall:.4f}")
    assert precision >= 0.95 and recall >= 0.90


def test_the_refresh_writes_its_report_and_open_data_package_and_the_asset_links_them(published):
    """#15 items 3 and 4 through a real Dagster run: the GX gates' expectations reach the publication, the
    report (HTML; PDF where Chromium is installed) lands in published/laporan/, the asset's metadata links
    it, and exports/public has its datapackage.json."""
    import json
    import shutil

    import dagster as dg

    base, outcome = published
    pub = base / "warehouse" / "published"
    with duckdb.connect(str(pub / "public.duckdb"), read_only=True) as con:
        run_id = con.execute("select run_id from publication where kind = 'run'").fetchone()[0]
        checks = con.execute("select count(*) from publication where kind = 'gate_check'").fetchone()[0]
    assert checks > 20, checks  # every expectation of every GX suite, observed against tolerance
    html = (pub / "laporan" / "index.html").read_text(encoding="utf-8")
    assert f'content="{run_id}"' in html and "nilai teramati" in html.lower()
    event = dg.DagsterInstance.get().get_latest_materialization_event(dg.AssetKey(["published", "publication"]))
    metadata = event.asset_materialization.metadata
    assert metadata["report"].value == str(pub / "laporan" / "index.html")
    if shutil.which("chromium") or Path("/usr/bin/chromium").exists():
        assert (pub / "laporan" / "laporan.pdf").read_bytes()[:5] == b"%PDF-"
        assert metadata["report_pdf"].value == str(pub / "laporan" / "laporan.pdf")
    package = json.loads((base / "warehouse" / "exports" / "public" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["run_id"] == run_id and package["resources"]


def test_a_failed_gate_holds_publication_back_and_keeps_the_previous_files(published):
    base, _ = published
    pub = base / "warehouse" / "published"
    before = {p.name: digest(p) for p in [*pub.glob("*.duckdb"), *pub.glob("laporan/*")]}
    # PKH's newest delivery collapses to two rows: the row-count gate must stop the run
    bad = base / "raw" / "pkh" / "2099-01" / "pkh.csv"
    bad.parent.mkdir(parents=True)
    bad.write_text("NIK_PENGURUS,NAMA_PENGURUS,KECAMATAN,DESA\n1802214507890001,Budi,Anak Tuha,Tanjung Ratu\n"
                   "1802214507890002,Ani,Anak Tuha,Tanjung Ratu\n")
    outcome = run_refresh()
    assert not outcome.published and outcome.exit_code == 2
    assert any("stg_pkh" in c for c in outcome.failed_checks), outcome.failed_checks
    assert "linkage/record_person" not in outcome.materialized
    assert "published/publication" not in outcome.materialized
    assert {p.name: digest(p) for p in [*pub.glob("*.duckdb"), *pub.glob("laporan/*")]} == before
    assert "1802214507890001" not in outcome.reason()
