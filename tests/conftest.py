"""Shared fixtures. Every test runs against real files in a temporary folder; nothing is mocked."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")


@pytest.fixture
def sikkep_env(tmp_path, monkeypatch):
    """A private drop zone and warehouse for one test."""
    raw = tmp_path / "raw"
    wh = tmp_path / "warehouse"
    raw.mkdir()
    monkeypatch.setenv("SIKKEP_RAW_DIR", str(raw))
    monkeypatch.setenv("SIKKEP_WAREHOUSE_DIR", str(wh))
    monkeypatch.setenv("SIKKEP_KABUPATEN", "18.02")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    return raw, wh
