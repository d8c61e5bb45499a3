"""One Settings, read from the environment in one place (#17 item 7).

orchestration/settings.py is the only module that reads (or writes) the environment; every variable it
reads is in settings.ENVIRONMENT, which is the table in docs/operations.md; a child process gets its
environment from settings.child_env, which carries every setting."""
from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from orchestration import settings as settings_module
from orchestration.settings import (
    DBT_VARIABLES, ENVIRONMENT, PACKAGE_DIR, PROJECT_ROOT, SETTINGS_VARIABLES, Settings, UiSettings, child_env,
    environment_table, settings_env, warehouse_child_env,
)

ENV_ACCESS = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}
ENV_NAMES = set(ENVIRONMENT) | set(DBT_VARIABLES)


def environment_uses(source: str) -> list[str]:
    """Where a module reads or writes the environment, or builds a child's environment by hand (a dict
    or an item assignment keyed by one of the project's variables)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Attribute) and node.attr in ENV_ACCESS:
            found.append(f"line {line}: .{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            found += [f"line {line}: from os import {a.name}" for a in node.names if a.name in ENV_ACCESS]
        elif isinstance(node, ast.Dict):
            found += [f"line {line}: a dict keyed {k.value}" for k in node.keys
                      if isinstance(k, ast.Constant) and k.value in ENV_NAMES]
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
            if isinstance(node.slice, ast.Constant) and node.slice.value in ENV_NAMES:
                found.append(f"line {line}: [{node.slice.value!r}] = ...")
        elif isinstance(node, ast.Call):
            found += [f"line {line}: {kw.arg}=... in a call" for kw in node.keywords if kw.arg in ENV_NAMES]
    return found


def test_the_scan_finds_every_way_in():
    sample = """
import os
from os import environ, getenv
a = os.environ.get("SIKKEP_RAW_DIR")
b = os.getenv("CI")
os.environ["DAGSTER_HOME"] = "x"
env = {**os.environ, "SIKKEP_WAREHOUSE_DIR": "w"}
env["CI"] = "1"
env2 = dict(SIKKEP_BUILD_DB="b")
"""
    found = environment_uses(sample)
    assert {int(f.split(":")[0].split()[1]) for f in found} == set(range(3, 10)), found  # every line but `import os`
    assert environment_uses("import os\nos.path.join('a', 'b')\nd = {'source': 1}\n") == []


def test_only_settings_reads_the_environment():
    offenders = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if path == PACKAGE_DIR / "settings.py":
            continue
        found = environment_uses(path.read_text(encoding="utf-8"))
        if found:
            offenders[str(path.relative_to(PROJECT_ROOT))] = found
    assert not offenders, ("only orchestration/settings.py reads the environment; pass a Settings (or the "
                           f"value) instead, and build a child's environment with settings.child_env: {offenders}")


class _Recording(dict):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.read: set[str] = set()

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)


def test_every_variable_read_is_in_the_table_and_every_one_in_the_table_is_read(tmp_path):
    env = _Recording(SIKKEP_WAREHOUSE_DIR=str(tmp_path), SIKKEP_UI_TLS_CERT="c", SIKKEP_UI_TLS_KEY="k")
    s = Settings.from_env(env)
    UiSettings.from_env(env, s)
    assert env.read == set(ENVIRONMENT)
    assert set(SETTINGS_VARIABLES) | {n for n in ENVIRONMENT if n.startswith("SIKKEP_UI_")} == set(ENVIRONMENT)
    with pytest.raises(KeyError):
        settings_module._read({}, "SIKKEP_NOT_A_SETTING")


def test_operations_doc_holds_the_table():
    doc = (PROJECT_ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    assert environment_table() in doc, "docs/operations.md: paste `python -m orchestration.settings` under Settings"
    assert doc.count("| variable | default | meaning |") == 1, "one table of the settings, not several"


def _every_field_set(tmp_path: Path) -> Settings:
    s = Settings(raw_dir=tmp_path / "r", warehouse_dir=tmp_path / "w", kabupaten="18.05", linkage_memory="1GB",
                 build_memory="512MB", ingest_workers=3, dbt_memory="3GB", contracts_dir=tmp_path / "c",
                 linkage_threads=1, dagster_home_dir=tmp_path / "d", log_level="debug", ci=True,
                 bench_sizes=(1000, 2000), publish_postgres="postgresql://u@h/db",
                 province_dir_path=tmp_path / "p")
    defaults = Settings(raw_dir=Path("."), warehouse_dir=Path("."), kabupaten="18.02")
    same = [f.name for f in dataclasses.fields(Settings) if getattr(s, f.name) == getattr(defaults, f.name)]
    assert not same, f"give these fields a value other than the default here: {same}"
    return s


def test_a_child_gets_exactly_the_parents_settings(tmp_path, monkeypatch):
    s = _every_field_set(tmp_path)
    assert Settings.from_env(child_env(s)) == s
    # the parent's own variables do not leak into a child of other settings
    monkeypatch.setenv("SIKKEP_CONTRACTS_DIR", str(tmp_path / "parents"))
    monkeypatch.setenv("SIKKEP_UI_LISTEN", "8443")
    plain = dataclasses.replace(s, contracts_dir=None, linkage_threads=None, log_level=None, ci=False)
    env = child_env(plain, EXTRA="1")
    assert "SIKKEP_CONTRACTS_DIR" not in env and "CI" not in env and env["EXTRA"] == "1"
    assert env["SIKKEP_UI_LISTEN"] == "8443" and "PATH" in env  # what is no Settings is inherited
    assert Settings.from_env(env) == plain
    assert settings_env(s)["SIKKEP_BUILD_DB"] == str(s.build_db)


def test_a_sikkep_child_on_another_warehouse(tmp_path, monkeypatch):
    """bench.py and evaluate.py start `sikkep` on their own drop zone and warehouse through one helper."""
    monkeypatch.setenv("SIKKEP_DBT_MEMORY", "1234MB")
    env = warehouse_child_env(tmp_path / "raw", tmp_path / "wh", tmp_path / "wh" / "dagster")
    assert (env["SIKKEP_RAW_DIR"], env["SIKKEP_WAREHOUSE_DIR"], env["DAGSTER_HOME"], env["CI"]) == (
        str(tmp_path / "raw"), str(tmp_path / "wh"), str(tmp_path / "wh" / "dagster"), "1")
    assert env["SIKKEP_DBT_MEMORY"] == "1234MB"
    # a benchmark or evaluation never publishes to the PostgreSQL publication of this machine
    monkeypatch.setenv("SIKKEP_PUBLISH_POSTGRES", "postgresql://u@h/db")
    assert "SIKKEP_PUBLISH_POSTGRES" not in warehouse_child_env(tmp_path / "raw", tmp_path / "wh", tmp_path / "d")


def test_derived_values(tmp_path, monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.delenv("CI", raising=False)
    s = Settings.from_env({"SIKKEP_WAREHOUSE_DIR": str(tmp_path), "SIKKEP_KABUPATEN": "1802"})
    assert s.kabupaten == "18.02" and s.dagster_home == tmp_path / "dagster"
    assert s.build_db == tmp_path / "build" / "sikkep.duckdb"
    assert Settings.from_env({"CI": "1"}).run_log_level == "INFO"  # the log file is full; the terminal is calm
    assert Settings.from_env({"CI": "1", "SIKKEP_LOG_LEVEL": "debug"}).run_log_level == "DEBUG"
    assert Settings.from_env({"CI": ""}).ci is False
    assert Settings.from_env({"BENCH_SIZES": "25000,"}).bench_sizes == (25000,)
    assert Settings.from_env({}).bench_sizes is None
    with pytest.raises(ValueError, match="4-digit"):
        Settings.from_env({"SIKKEP_KABUPATEN": "18"})
