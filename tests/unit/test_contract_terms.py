"""Registry terms are contract data (contract_terms.py): read, defaulted and checked from the YAML."""
from __future__ import annotations

import pytest

from orchestration.contract_terms import registry_terms
from orchestration.dbt_runtime import dbt_vars


def test_registries_reach_dbt_from_their_contracts():
    regs = {s["source"]: s["registry"] for s in dbt_vars()["person_sources"] if s["kind"] == "registry"}
    assert regs["dtks"] == {"label": "DTKS", "order": 1, "desil_precedence": 2,
                            "desil_scale": {"min": 1, "max": 4}, "priority": 2}
    assert regs["p3ke"]["priority"] == 1 and regs["p3ke"]["desil_scale"] == {"min": 1, "max": 4}
    assert all("registry" not in s for s in dbt_vars()["person_sources"] if s["kind"] != "registry")


def test_a_districts_registry_contract_sets_its_own_terms(tmp_path):
    (tmp_path / "daftar_baru.yml").write_text(
        "source: daftar_baru\nkind: registry\nunit: person\ncolumns: {nik: [NIK]}\n"
        "registry: {desil_precedence: 1, desil_scale: {min: 1, max: 10}}\n", encoding="utf-8")
    assert registry_terms("daftar_baru", tmp_path) == {
        "label": "DAFTAR_BARU", "order": 100, "desil_precedence": 1, "desil_scale": {"min": 1, "max": 10},
        "priority": None}


@pytest.mark.parametrize("block, message", [
    ("{desil_scale: {min: 0, max: 4}}", "within 1..10"),
    ("{desil_scale: {min: 5, max: 4}}", "within 1..10"),
    ("{order: satu}", "whole number"),
    ("{label: \"DTKS'; drop\"}", "label"),
    ("[1, 2]", "mapping"),
])
def test_bad_registry_terms_fail_loudly_naming_the_contract(tmp_path, block, message):
    (tmp_path / "daftar_baru.yml").write_text(
        f"source: daftar_baru\nkind: registry\nunit: person\ncolumns: {{nik: [NIK]}}\nregistry: {block}\n",
        encoding="utf-8")
    with pytest.raises(ValueError, match=message) as err:
        registry_terms("daftar_baru", tmp_path)
    assert "daftar_baru.yml" in str(err.value)
