"""#16 item 2: every column of every public ind_* table has a province roll-up rule (orchestration/province/
rules.py), read from the dbt models that make them: a column a new indicator adds fails here by name
instead of being dropped or summed by guess in the province publication."""
from __future__ import annotations

from orchestration.province.rollup import output_columns
from orchestration.province.rules import KEY, SUM, Ratio, missing_rules, rule
from orchestration.publish.metadata import PUBLIC_TABLES, public_table_metadata


def test_every_public_indicator_column_has_a_roll_up_rule():
    metadata = public_table_metadata()  # the dbt YAML: every public column is described there (publish audits it)
    columns = {t: [c for c, _ in output_columns([(c, "") for c in metadata[t]["columns"]])] for t in PUBLIC_TABLES}
    assert all(columns.values())
    assert missing_rules(columns) == []


def test_a_column_without_a_rule_is_named():
    assert missing_rules({"ind_poverty_by_area": ["level", "households", "rupiah_new"]}) == [
        "ind_poverty_by_area.rupiah_new"]
    assert missing_rules({"ind_x": ["a", "b"]}) == ["ind_x.a", "ind_x.b"]


def test_percentages_are_ratios_of_sums_and_counts_are_sums():
    r = rule("ind_program_coverage", "exclusion_error_desil_1_pct")
    assert isinstance(r, Ratio)
    assert r.columns() == {"households_desil_1", "recipient_households_desil_1"}
    assert rule("ind_program_coverage", "program") == KEY and rule("ind_graduation", "graduated") == SUM
    # a ratio naming a column its table lacks is a missing rule, not a silent NULL
    assert missing_rules({"ind_poverty_by_area": ["extreme_poverty_pct", "persons_desil_1"]}) == [
        "ind_poverty_by_area.extreme_poverty_pct (its formula names penduduk, not a column)"]
