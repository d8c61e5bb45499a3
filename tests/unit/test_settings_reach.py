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
