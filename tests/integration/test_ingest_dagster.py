"""Ingest through real Dagster runs, and an eighth program list added by a contract file alone."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import dagster as dg
import duckdb

from orchestration.defs.ingest.assets import file_manifest, manifest_rows_balance, raw_assets
from orchestration.resources import WarehouseResource

NEW_CONTRACT = textwrap.dedent("""\
    source: pkh_lansia
    title: Bantuan lansia (kabupaten)
    agency: Dinas Sosial
    kind: program
    unit: person
    program: pkh_lansia
    columns:
      nik: [NIK_LANSIA, NIK]
      nama: [NAMA_LANSIA]
      tanggal_lahir: [TGL_LAHIR]
      kecamatan: [KECAMATAN]
      desa: [KAMPUNG]
    required: [nama]
    identifiers: {nik: nik}
""")


def test_ingest_assets_materialize_with_exact_accounting(sikkep_env):
    raw, wh = sikkep_env
    (raw / "kur" / "2024-09").mkdir(parents=True)
    (raw / "kur" / "2024-09" / "kur.csv").write_text(
        "NIK_DEBITUR;NAMA_DEBITUR;TGL_LAHIR;KECAMATAN\n1802214507890001;Budi;12/08/1975;Anak Tuha\n"
        "1802214507890002;Ani;12 Agustus 1975;Pubian\n")
    (raw / "pkh" / "2024-09").mkdir(parents=True)
    (raw / "pkh" / "2024-09" / "broken.xlsx").write_bytes(b"not a workbook")
    result = dg.materialize([*raw_assets, file_manifest, manifest_rows_balance],
                            resources={"warehouse": WarehouseResource()})
    assert result.success
    checks = result.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks)
    con = duckdb.connect(str(wh / "build" / "sikkep.duckdb"), read_only=True)
    assert con.execute("select count(*) from raw.kur").fetchone()[0] == 2
    status = dict(con.execute("select source_file, status from raw.file_manifest").fetchall())
    assert status == {"kur/2024-09/kur.csv": "loaded", "pkh/2024-09/broken.xlsx": "error"}


def test_a_new_program_list_needs_only_a_contract_file(sikkep_env, tmp_path, monkeypatch):
    raw, wh = sikkep_env
    contracts = tmp_path / "contracts"
    contracts.mkdir()
    (contracts / "pkh_lansia.yml").write_text(NEW_CONTRACT)
    monkeypatch.setenv("SIKKEP_CONTRACTS_DIR", str(contracts))
    (raw / "pkh_lansia" / "2024-09").mkdir(parents=True)
    (raw / "pkh_lansia" / "2024-09" / "lansia.csv").write_text(
        "NIK_LANSIA,NAMA_LANSIA,KAMPUNG,KECAMATAN\n1802214507890001,Mbah Karto,Tanjung Ratu,Anak Tuha\n")
    # the code location picks it up: a new asset raw/pkh_lansia (fresh process: contracts load at import)
    probe = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import json
        from orchestration.definitions import defs
        from orchestration.dbt_runtime import dbt_vars
        d = defs()
        keys = [k.to_user_string() for k in d.resolve_all_asset_keys()]
        print(json.dumps({"raw": "raw/pkh_lansia" in keys,
                          "dbt": [s["source"] for s in dbt_vars()["person_sources"]]}))
    """)], capture_output=True, text=True, env={**__import__("os").environ}, check=True)
    found = json.loads(probe.stdout.strip().splitlines()[-1])
    assert found["raw"] and "pkh_lansia" in found["dbt"]
    from orchestration.defs.ingest.assets import _raw_asset
    from orchestration.ingest.contracts import default_contracts

    asset = _raw_asset(default_contracts()["pkh_lansia"])
    assert dg.materialize([asset], resources={"warehouse": WarehouseResource()}).success
    con = duckdb.connect(str(wh / "build" / "sikkep.duckdb"), read_only=True)
    assert con.execute("select nama, desa from raw.pkh_lansia").fetchall() == [("Mbah Karto", "Tanjung Ratu")]


def _drop_zone_check(result) -> dg.AssetCheckEvaluation:
    return next(e for e in result.get_asset_check_evaluations() if e.check_name == "drop_zone_has_extracts")


def test_an_empty_or_missing_drop_zone_is_said_at_once(sikkep_env):
    from orchestration.defs.ingest.assets import drop_zone_has_extracts

    raw, _ = sikkep_env
    assets = [*raw_assets, file_manifest, drop_zone_has_extracts]
    result = dg.materialize(assets, resources={"warehouse": WarehouseResource()}, raise_on_error=False)
    check = _drop_zone_check(result)
    assert not check.passed and "holds no extract file" in check.metadata["summary"].value

    raw.rename(raw.parent / "elsewhere")
    result = dg.materialize(assets, resources={"warehouse": WarehouseResource()}, raise_on_error=False)
    check = _drop_zone_check(result)
    assert not check.passed and "does not exist" in check.metadata["summary"].value


def test_symbolic_links_are_read_inside_the_drop_zone_and_refused_otherwise(sikkep_env, tmp_path):
    import os

    from orchestration.defs.automation.jobs import drop_zone_state
    from orchestration.ingest.contracts import default_contracts
    from orchestration.ingest.discovery import scan

    raw, _ = sikkep_env
    period = raw / "kur" / "2024-09"
    period.mkdir(parents=True)
    (period / "kur.csv").write_text("NIK_DEBITUR;NAMA_DEBITUR\n1802214507890001;Budi\n")
    secret = tmp_path / "outside.csv"
    secret.write_text("root:x:0:0\n")
    os.symlink(secret, period / "passwd.csv")                 # leads outside raw/: refused, never read
    os.symlink(tmp_path / "gone.csv", period / "gone.csv")    # dangling: refused, no traceback
    os.symlink(period / "kur.csv", period / "alias.csv")      # inside raw/: read like the file
    (raw / "pkh").mkdir()
    os.symlink(period, raw / "pkh" / "2024-09")               # a folder link: refused with a message
    files, problems = scan(raw, default_contracts())
    assert sorted(f.rel for f in files) == ["kur/2024-09/alias.csv", "kur/2024-09/kur.csv"]
    why = {p.rel: p.message for p in problems}
    assert "outside the raw directory" in why["kur/2024-09/passwd.csv"]
    assert "to nothing" in why["kur/2024-09/gone.csv"]
    assert "to a folder" in why["pkh/2024-09"]
    state = drop_zone_state(raw, {})                          # the sensor and the refresh fingerprint
    assert state["kur/2024-09/gone.csv"][2].startswith("link:")
    assert state["kur/2024-09/passwd.csv"][2].startswith("link:")
