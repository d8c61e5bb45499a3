"""Which staged tables a refresh keeps: same files and same rules only (real DuckDB file)."""
from __future__ import annotations

import duckdb

from orchestration.staging_state import record_built, rules_changed, rules_digest, unchanged_sources


def _warehouse(path):
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA raw; CREATE SCHEMA staging")
    con.execute("CREATE TABLE raw.file_manifest (source VARCHAR, source_file VARCHAR, file_sha256 VARCHAR, status VARCHAR)")
    con.execute("""INSERT INTO raw.file_manifest VALUES
        ('dtks', 'dtks/2025-09/a.csv', 'aaa', 'loaded'), ('kur', 'kur/2025-09/k.csv', 'kkk', 'loaded'),
        ('pkh', 'pkh/2025-09/p.xlsx', 'ppp', 'loaded')""")
    for s in ("dtks", "kur"):  # pkh was never staged
        con.execute(f"CREATE TABLE staging.stg_{s} (x INTEGER)")
    return con


def test_only_unchanged_sources_with_a_staged_table_are_kept(tmp_path):
    con = _warehouse(tmp_path / "build.duckdb")
    digest = rules_digest()
    assert unchanged_sources(con, digest) == []  # nothing recorded yet: stage everything
    record_built(con, digest)
    assert unchanged_sources(con, digest) == ["dtks", "kur"]
    con.execute("UPDATE raw.file_manifest SET file_sha256 = 'kkk2' WHERE source = 'kur'")  # a corrected KUR file
    assert unchanged_sources(con, digest) == ["dtks"]
    con.execute("INSERT INTO raw.file_manifest VALUES ('dtks', 'dtks/2025-09/b.csv', 'bbb', 'loaded')")  # a new part
    assert unchanged_sources(con, digest) == []
    record_built(con, digest)
    assert unchanged_sources(con, "other rules") == []  # a changed macro, seed or contract restages all
    con.close()


def test_changed_rules_restage_every_file(tmp_path, monkeypatch):
    """The rule: staged rows are kept only while the staging rules are those they were built by: the dbt
    project's macros, staging models, seeds and dbt_project.yml, the contracts (dbt vars) and the raw
    tables' columns. Any change makes the staging step a full refresh."""
    import shutil

    from orchestration import staging_state
    from orchestration.settings import DBT_PROJECT_DIR, PACKAGE_DIR, get_settings

    con = _warehouse(tmp_path / "build.duckdb")
    con.execute("CREATE TABLE raw.kur (nik VARCHAR, source_file VARCHAR)")
    assert rules_changed(con, rules_digest(con=con))  # never recorded: everything is staged
    record_built(con, rules_digest(con=con))
    assert not rules_changed(con, rules_digest(con=con))

    con.execute("ALTER TABLE raw.kur ADD COLUMN plafon VARCHAR")  # a contract gained a column
    assert rules_changed(con, rules_digest(con=con))
    record_built(con, rules_digest(con=con))

    project = tmp_path / "dbt_project"  # a staging macro edited
    for rel in staging_state.RULE_PATHS:
        src = DBT_PROJECT_DIR / rel
        (shutil.copy if src.is_file() else shutil.copytree)(src, project / rel)
    monkeypatch.setattr(staging_state, "DBT_PROJECT_DIR", project)
    assert not rules_changed(con, rules_digest(con=con))
    macro = project / "macros" / "sikkep" / "names.sql"
    macro.write_text(macro.read_text() + "\n{# edited #}\n")
    assert rules_changed(con, rules_digest(con=con))

    # a district's contract whose required columns changed (contracts are read once per folder: two folders)
    import dataclasses

    settings = get_settings()
    digests = []
    for name, required in [("contracts_a", "[nik, nama]"), ("contracts_b", "[nik, nama, no_kk]")]:
        contracts = tmp_path / name
        shutil.copytree(PACKAGE_DIR / "contracts", contracts)
        kur = contracts / "kur.yml"
        kur.write_text(kur.read_text().replace("required: [nik, nama]", f"required: {required}"))
        digests.append(rules_digest(dataclasses.replace(settings, contracts_dir=contracts), con))
    assert digests[0] != digests[1]
    con.close()
