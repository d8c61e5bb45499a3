import json
from pathlib import Path

from orchestration.quality import list_suites, load_suite, mask_nik, mask_text
from orchestration.dbt_runtime import dbt_vars

ROOT = Path(__file__).resolve().parents[2]


def test_mask_nik():
    assert mask_nik("1802214507890001") == "1802**********01"
    assert mask_nik("12345") == "*****"
    assert mask_nik(None) is None
    assert mask_text("NIK 1802214507890001 dan KK 1802210101100003") == "NIK 1802**********01 dan KK 1802**********03"


def test_every_source_has_a_suite_with_tolerances_in_json():
    suites = list_suites()
    for src in ["dtks", "p3ke", "dukcapil_agregat", "pkh", "bpnt", "pbi_jk", "blt_dd", "rtlh", "baznas", "kur"]:
        assert f"stg_{src}" in suites
        s = load_suite(f"stg_{src}")
        checks = {(e.get("meta") or {}).get("check") for e in s["expectations"]}
        assert {"required_not_null", "row_count_not_collapsed", "row_accounting_exact", "duplicate_source_rows"} <= checks
    assert load_suite("stg_blt_dd")["expectations"][2]["kwargs"]["mostly"] < load_suite("stg_dtks")["expectations"][4]["kwargs"]["mostly"]


def test_person_sources_var_matches_the_dbt_default():
    """The default in macros/sikkep/sources.sql mirrors the contracts; the Python side passes the same."""
    text = (ROOT / "dbt_project" / "macros" / "sikkep" / "sources.sql").read_text()
    got = dbt_vars()["person_sources"]
    assert {s["source"] for s in got} == {"dtks", "p3ke", "dtsen", "pkh", "bpnt", "pbi_jk", "blt_dd", "rtlh", "baznas",
                                          "kur"}
    import ast
    import re

    blocks = {m.group(1): m.group(0) for m in re.finditer(r"\{'source': '(\w+)'.*?'identifiers': \{[^}]*\}\}", text, re.S)}
    for s in got:
        block = blocks[s["source"]]
        jinja = block.replace("none", "None").replace("false", "False").replace("true", "True")
        default = ast.literal_eval(jinja)
        for key in ("kind", "unit", "program", "required", "identifiers", "registry"):
            assert default.get(key) == s.get(key), (s["source"], key, default.get(key), s.get(key))
        assert json.loads(json.dumps(s)) == s  # passed to dbt as --vars JSON
