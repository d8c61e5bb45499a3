"""Staging that follows change, per file (macros/sikkep/incremental_staging.sql), with real dbt builds on a
real DuckDB file: a new or changed file's rows are staged, an unchanged file's rows are kept as they were
(not staged again), a removed file's rows vanish, and the incremental result equals a full rebuild of the
same raw tables, table by table (EXCEPT ALL both ways over every staging and intermediate table)."""
from __future__ import annotations

import json
import re
import shutil

import duckdb
import pytest

from tests.integration.test_staging_build import STAGING_SELECT, run_dbt, sample_raw

pytestmark = pytest.mark.slow

GUNUNG_SUGIH = "p3ke/2024-09/p3ke_gunung_sugih.xlsx"
ANAK_TUHA = "p3ke/2024-09/p3ke_anak_tuha.xlsx"
DTKS_OLD = "dtks/2024-03/dtks.csv"
BLT_NEW = "blt_dd/2024-12/blt_dd.xlsx"


def build(db, tmp, *extra):
    res = run_dbt(db, "build", *STAGING_SELECT, "--exclude-resource-type", "unit_test", *extra,
                  target_dir=tmp / "target")
    if res.returncode != 0:
        pytest.fail("dbt build failed:\n" + res.stdout[-6000:] + res.stderr[-2000:])
    return {r["unique_id"].split(".")[-1]: r for r in
            json.loads((tmp / "target" / "run_results.json").read_text())["results"]}


def tables(con, catalog: str):
    return sorted(f"{s}.{t}" for s, t in con.execute(
        "select table_schema, table_name from information_schema.tables where table_catalog = ? "
        "and table_schema in ('staging', 'intermediate') and table_type = 'BASE TABLE'", [catalog]).fetchall())


def change_raw(con):
    """A corrected P3KE file (new content: new SHA-256 and load time), the old DTKS period withdrawn, a new
    BLT-DD period delivered: what the ingest does to raw.<source> (loader.py)."""
    con.execute(f"update raw.p3ke set file_sha256 = 'sha-corrected', loaded_at = timestamp '2024-12-01 00:00:00' "
                f"where source_file = '{GUNUNG_SUGIH}'")
    con.execute(f"update raw.p3ke set nama = 'Sri Wahyuningsih' where source_file = '{GUNUNG_SUGIH}' and source_row = 8")
    con.execute(f"update raw.file_manifest set file_sha256 = 'sha-corrected' where source_file = '{GUNUNG_SUGIH}'")
    con.execute(f"delete from raw.dtks where source_file = '{DTKS_OLD}'")
    con.execute(f"delete from raw.file_manifest where source_file = '{DTKS_OLD}'")
    cols = [r[0] for r in con.execute("select column_name from information_schema.columns where table_schema = 'raw' "
                                      "and table_name = 'blt_dd' order by ordinal_position").fetchall()]
    con.execute(f"insert into raw.blt_dd by name select * replace ('{BLT_NEW}' as source_file, '2024-12' as period, "
                f"'sha-new' as file_sha256, timestamp '2024-12-01 00:00:00' as loaded_at) from raw.blt_dd "
                f"where source_file = 'blt_dd/2024-09/blt_dd.xlsx'")
    assert "file_sha256" in cols
    con.execute("insert into raw.file_manifest (source, period, source_file, status, rows_received, rows_loaded, "
                f"rows_rejected, file_sha256) values ('blt_dd', '2024-12', '{BLT_NEW}', 'loaded', 3, 3, 0, 'sha-new')")


@pytest.fixture(scope="module")
def first_build(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("incremental")
    db = sample_raw(tmp / "build.duckdb")
    build(db, tmp)
    return tmp, db


def test_only_new_and_changed_files_are_staged_and_removed_files_vanish(first_build, tmp_path):
    db = tmp_path / "build.duckdb"
    shutil.copy(first_build[1], db)
    con = duckdb.connect(str(db))
    # a mark on staged rows that no rebuild of them can produce: where it survives, the rows were kept
    for table, where in [("stg_p3ke", f"source_file = '{ANAK_TUHA}'"), ("stg_p3ke", f"source_file = '{GUNUNG_SUGIH}'"),
                         ("stg_pbi_jk", "true"), ("stg_dtks", "true"), ("stg_blt_dd", "true")]:
        con.execute(f"update staging.{table} set unparsed_fields = 'KEPT' where {where}")
    change_raw(con)
    con.close()

    results = build(db, tmp_path)
    con = duckdb.connect(str(db), read_only=True)
    marks = dict(con.execute("""
        select source_file, bool_and(coalesce(unparsed_fields, '') = 'KEPT') from (
            select source_file, unparsed_fields from staging.stg_p3ke union all
            select source_file, unparsed_fields from staging.stg_pbi_jk union all
            select source_file, unparsed_fields from staging.stg_dtks union all
            select source_file, unparsed_fields from staging.stg_blt_dd) group by source_file""").fetchall())
    # unchanged files of a changed source and unchanged sources: kept as they were
    assert marks[ANAK_TUHA] and marks["pbi_jk/2024-09/pbi.csv"] and marks["blt_dd/2024-09/blt_dd.xlsx"]
    assert marks["dtks/2024-09/dtks.csv"]
    # the corrected file: staged again from its new rows
    assert not marks[GUNUNG_SUGIH]
    assert {r[0] for r in con.execute(f"select nama from staging.stg_p3ke where source_file = '{GUNUNG_SUGIH}'"
                                      ).fetchall()} == {"Sri Wahyuningsih", "Drs. H. Bambang Sutrisno"}
    assert con.execute(f"select count(*) from staging.stg_p3ke where source_file = '{GUNUNG_SUGIH}'").fetchone()[0] == 2
    # the withdrawn period: gone from staging and from what follows it
    assert con.execute(f"select count(*) from staging.stg_dtks where source_file = '{DTKS_OLD}'").fetchone()[0] == 0
    assert con.execute(f"select count(*) from intermediate.int_person_rows where source_file = '{DTKS_OLD}'"
                       ).fetchone()[0] == 0
    # the new period: staged, and only it (its rows not marked)
    assert not marks[BLT_NEW]
    assert con.execute(f"select count(*) from staging.stg_blt_dd where source_file = '{BLT_NEW}'").fetchone()[0] == 3
    # dbt ran the staging models incrementally (no full rebuild), all of them successfully
    assert results["stg_p3ke"]["status"] == "success" and results["stg_pbi_jk"]["status"] == "success"
    con.close()


def test_incremental_result_equals_a_full_rebuild_table_by_table(first_build, tmp_path):
    db = tmp_path / "build.duckdb"
    shutil.copy(first_build[1], db)
    con = duckdb.connect(str(db))
    change_raw(con)
    con.close()
    build(db, tmp_path)  # incremental
    full = tmp_path / "full.duckdb"
    shutil.copy(db, full)
    build(full, tmp_path, "--full-refresh")  # every file staged again from the same raw tables

    con = duckdb.connect(str(db), read_only=True)
    con.execute(f"attach '{full}' as f (read_only)")
    names = tables(con, con.execute("select current_database()").fetchone()[0])
    assert "staging.stg_p3ke" in names and "intermediate.int_person_rows" in names
    assert names == tables(con, "f")
    for name in names:
        inc_rows = con.execute(f"select count(*) from {name}").fetchone()[0]
        only_inc = con.execute(f"select count(*) from (select * from {name} except all select * from f.{name})").fetchone()[0]
        only_full = con.execute(f"select count(*) from (select * from f.{name} except all select * from {name})").fetchone()[0]
        assert (only_inc, only_full) == (0, 0), f"{name}: {only_inc} rows only incremental, {only_full} only full"
        assert inc_rows == con.execute(f"select count(*) from f.{name}").fetchone()[0]
    # and the change is there: the withdrawn period gone, the new one in
    assert con.execute(f"select count(*) from staging.stg_dtks where source_file = '{DTKS_OLD}'").fetchone()[0] == 0
    assert con.execute(f"select count(*) from staging.stg_blt_dd where source_file = '{BLT_NEW}'").fetchone()[0] == 3
    con.close()


def test_a_full_refresh_stages_every_file_again(first_build, tmp_path):
    """What the staging step does when the rules changed (staging_state.rules_changed): nothing is kept."""
    db = tmp_path / "build.duckdb"
    shutil.copy(first_build[1], db)
    con = duckdb.connect(str(db))
    con.execute("update staging.stg_pbi_jk set unparsed_fields = 'KEPT'")
    con.close()
    build(db, tmp_path, "--full-refresh")
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from staging.stg_pbi_jk where unparsed_fields = 'KEPT'").fetchone()[0] == 0
    assert con.execute("select count(*) from staging.stg_pbi_jk").fetchone()[0] == 4
    con.close()


def test_the_staging_step_keeps_unchanged_sources_stages_changed_files_and_rebuilds_all_on_new_rules(sikkep_env):
    """The Dagster staging step (dbt_assets.dbt_staging with staging_state): a source whose files are
    unchanged is not built at all, a changed source stages its changed file only, and staging rules other
    than the recorded ones (here: the record of them replaced) stage every file again."""
    import dagster as dg

    from orchestration.defs.transform.dbt_assets import dbt_staging
    from orchestration.instance import ensure_dagster_home
    from orchestration.resources import WarehouseResource
    from orchestration.settings import get_settings

    settings = get_settings()
    ensure_dagster_home(settings)
    settings.build_db.parent.mkdir(parents=True, exist_ok=True)
    sample_raw(settings.build_db)

    def materialize():
        with dg.DagsterInstance.get() as instance:
            result = dg.materialize([dbt_staging], instance=instance, resources={"warehouse": WarehouseResource()},
                                    raise_on_error=False)
            assert result.success
            return " ".join(str(getattr(r.dagster_event, "message", "") or r.user_message)
                            for r in instance.all_logs(result.run_id))

    def kept(con, table, where="true"):
        return con.execute(f"select bool_and(coalesce(unparsed_fields, '') = 'KEPT') from staging.{table} "
                           f"where {where}").fetchone()[0]

    assert "every file is staged again" in materialize()  # a new build database: all staged
    con = duckdb.connect(str(settings.build_db))
    con.execute("update staging.stg_pbi_jk set unparsed_fields = 'KEPT'")
    con.execute("update staging.stg_p3ke set unparsed_fields = 'KEPT'")
    change_raw(con)
    con.close()

    logs = materialize()
    not_staged = re.search(r"not staged again: ([a-z_, ]+)", logs).group(1).split(", ")
    assert "pbi_jk" in not_staged and "kur" in not_staged and "p3ke" not in not_staged and "dtks" not in not_staged
    con = duckdb.connect(str(settings.build_db))
    assert kept(con, "stg_pbi_jk") and kept(con, "stg_p3ke", f"source_file = '{ANAK_TUHA}'")
    assert not kept(con, "stg_p3ke", f"source_file = '{GUNUNG_SUGIH}'")
    assert con.execute(f"select count(*) from staging.stg_dtks where source_file = '{DTKS_OLD}'").fetchone()[0] == 0
    con.execute("update meta.staging_rules set digest = 'the rules of an older release'")
    con.close()

    assert "every file is staged again" in materialize()
    con = duckdb.connect(str(settings.build_db), read_only=True)
    assert not kept(con, "stg_pbi_jk") and not kept(con, "stg_p3ke", f"source_file = '{ANAK_TUHA}'")
    con.close()
