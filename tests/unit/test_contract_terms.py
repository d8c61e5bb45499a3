"""Registry terms are contract data (contract_terms.py): read, defaulted and checked from the YAML."""
from __future__ import annotations

import pytest

from orchestration.contract_terms import benefit_terms, eligibility_terms, registry_terms
from orchestration.dbt_runtime import dbt_vars


def test_registries_reach_dbt_from_their_contracts():
    regs = {s["source"]: s["registry"] for s in dbt_vars()["person_sources"] if s["kind"] == "registry"}
    assert regs["dtks"] == {"label": "DTKS", "order": 1, "desil_precedence": 2,
                            "desil_scale": {"min": 1, "max": 4}, "priority": 2}
    assert regs["p3ke"]["priority"] == 1 and regs["p3ke"]["desil_scale"] == {"min": 1, "max": 4}
    # DTSEN (Inpres 4/2025) ranks every family and takes precedence; it is not in the priority group
    assert regs["dtsen"] == {"label": "DTSEN", "order": 0, "desil_precedence": 1,
                             "desil_scale": {"min": 1, "max": 10}, "priority": None}
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


def test_each_program_states_whom_it_is_for():
    """The defaults of #14 (since 2025): PKH desil 1-4, BPNT and PBI-JK 1-5, BLT-DD 1, RTLH and Baznas
    1-4, KUR none (credit); every rule in words."""
    got = {s["program"]: s["eligibility"] for s in dbt_vars()["person_sources"] if s["kind"] == "program"}
    assert {p: e["desil_max"] for p, e in got.items()} == {
        "pkh": 4, "bpnt": 5, "pbi_jk": 5, "blt_dd": 1, "rtlh": 4, "baznas": 4, "kur": None}
    assert all(e["rule"] for e in got.values())


@pytest.mark.parametrize("block, expected", [
    ("{desil_max: 1}", {"desil_max": 1, "rule": "Desil 1"}),
    ("{desil_max: 5}", {"desil_max": 5, "rule": "Desil 1-5"}),
    ("{desil_max: 3, rule: Desil 1-3 menurut Perbup}", {"desil_max": 3, "rule": "Desil 1-3 menurut Perbup"}),
    ("{}", {"desil_max": None, "rule": "Tanpa kriteria desil"}),
])
def test_eligibility_terms_and_their_default_words(tmp_path, block, expected):
    (tmp_path / "bansos_daerah.yml").write_text(
        "source: bansos_daerah\nkind: program\nunit: family\nprogram: bansos_daerah\ncolumns: {nik: [NIK]}\n"
        f"eligibility: {block}\n", encoding="utf-8")
    assert eligibility_terms("bansos_daerah", tmp_path) == expected


@pytest.mark.parametrize("block", ["{desil_max: 0}", "{desil_max: 11}", "{desil_max: empat}", "[4]"])
def test_bad_eligibility_fails_loudly_naming_the_contract(tmp_path, block):
    (tmp_path / "bansos_daerah.yml").write_text(
        "source: bansos_daerah\nkind: program\nunit: family\nprogram: bansos_daerah\ncolumns: {nik: [NIK]}\n"
        f"eligibility: {block}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bansos_daerah.yml"):
        eligibility_terms("bansos_daerah", tmp_path)


def test_benefit_values_are_versioned_contract_data_with_their_legal_source():
    got = {s["program"]: s["benefit"] for s in dbt_vars()["person_sources"] if s["kind"] == "program"}
    assert [(b["rupiah"], b["per"]) for b in got["bpnt"]] == [(200_000, "keluarga_bulan")]
    assert [(b["rupiah"], b["per"]) for b in got["pbi_jk"]] == [(42_000, "orang_bulan")]
    assert [(b["rupiah"], b["per"]) for b in got["blt_dd"]] == [(300_000, "keluarga_bulan")]
    assert got["kur"] == [] and all(b["legal_source"] for v in got.values() for b in v)


def _benefit_contract(tmp_path, block: str):
    (tmp_path / "bansos_daerah.yml").write_text(
        "source: bansos_daerah\nkind: program\nunit: family\nprogram: bansos_daerah\ncolumns: {nik: [NIK]}\n"
        f"benefit: {block}\n", encoding="utf-8")


def test_benefit_versions_come_in_date_order(tmp_path):
    _benefit_contract(tmp_path, "[{valid_from: '2026-01', rupiah: 250000, per: keluarga_bulan, legal_source: Perbup 2/2026},"
                                " {valid_from: '2024-01', rupiah: 200000, per: keluarga_bulan, legal_source: Perbup 1/2024}]")
    assert [b["valid_from"] for b in benefit_terms("bansos_daerah", tmp_path)] == ["2024-01", "2026-01"]


@pytest.mark.parametrize("block", [
    "{valid_from: '2024-01'}",
    "[{valid_from: '2024-13', rupiah: 1, per: rumah, legal_source: x}]",
    "[{valid_from: '2024-01', rupiah: 1, per: per_bulan, legal_source: x}]",
    "[{valid_from: '2024-01', rupiah: nol, per: rumah, legal_source: x}]",
    "[{valid_from: '2024-01', rupiah: 1, per: rumah}]",
    "[{valid_from: '2024-01', rupiah: 1, per: rumah, legal_source: x}, {valid_from: '2024-01', rupiah: 2, per: rumah, legal_source: y}]",
])
def test_bad_benefit_fails_loudly_naming_the_contract(tmp_path, block):
    _benefit_contract(tmp_path, block)
    with pytest.raises(ValueError, match="bansos_daerah.yml"):
        benefit_terms("bansos_daerah", tmp_path)
