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
