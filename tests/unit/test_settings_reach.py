"""The operator's memory caps reach every DuckDB the pipeline opens (#17: the resource rebuilt its settings
from three fields and dropped them)."""
from __future__ import annotations

import duckdb

from orchestration.linkage.splink_io import splink_connection
from orchestration.resources import WarehouseResource


def _mib(con: duckdb.DuckDBPyConnection) -> float:
    text = con.execute("select current_setting('memory_limit')").fetchone()[0]
    number, unit = text.split()
    return float(number) * {"KiB": 1 / 1024, "MiB": 1, "GiB": 1024}[unit]


def test_memory_caps_reach_the_build_connection_splink_and_dbt(tmp_path, monkeypatch):
    monkeypatch.setenv("SIKKEP_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.setenv("SIKKEP_RAW_DIR", str(tmp_path / "raw"))
    monkeypatch.setenv("SIKKEP_BUILD_MEMORY", "700MB")
    monkeypatch.setenv("SIKKEP_LINKAGE_MEMORY", "900MB")
    monkeypatch.setenv("SIKKEP_DBT_MEMORY", "1100MB")
    for key in ("SIKKEP_BUILD_DB", "SIKKEP_KABUPATEN"):  # export_env writes them: restored after the test
        monkeypatch.setenv(key, "placeholder" if key == "SIKKEP_BUILD_DB" else "18.02")
    resource = WarehouseResource()
    with resource.build_connection() as con:
        assert 600 < _mib(con) < 700
    s = resource.settings
    assert (s.build_memory, s.linkage_memory, s.dbt_memory) == ("700MB", "900MB", "1100MB")
    scon = splink_connection(s.linkage_memory, tmp_path)  # what the linkage asset opens with these settings
    assert 800 < _mib(scon) < 900
    scon.close()
    # dbt's profile reads SIKKEP_DBT_MEMORY from the environment the resource exports
    assert resource.dbt_env()["SIKKEP_DBT_MEMORY"] == "1100MB"
    resource.export_env()
    import os
    assert os.environ["SIKKEP_DBT_MEMORY"] == "1100MB"


def test_linkage_threads_and_memory_reach_splinks_duckdb(tmp_path):
    """link_records opens Splink's DuckDB with the operator's thread count and memory cap (run metadata shows
    what they became)."""
    from orchestration.linkage.engine import link_records
    from orchestration.linkage.fixtures import make_records

    con = duckdb.connect()
    con.register("df", make_records(40, seed=3).drop(columns=["true_person", "true_family"]))
    con.execute("CREATE TABLE recs AS SELECT * FROM df")
    timings: dict = {}
    link_records(con, "recs", timings=timings, memory_limit="900MB", temp_dir=tmp_path, threads=1)
    assert int(timings["splink_threads"]) == 1
    number, unit = timings["splink_memory_limit"].split()
    assert unit == "MiB" and 800 < float(number) < 900
