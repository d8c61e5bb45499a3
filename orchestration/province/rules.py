"""How each column of a public ind_* table rolls up from kabupaten to province: one declared rule per column.

AREA      level / kode_wilayah / nama_wilayah: the kabupaten rows are carried as published; the province
          row gets level 'provinsi' and the province's Kemendagri code and name
KEY       a dimension of the row (program, source, period pair ...): the province row is per key value
SUM       a count (or a sum of rupiah): the province value is the sum of the kabupaten rows
Ratio     a percentage: recomputed on the province row from its summed numerator and denominator
          (round(100 * numerator / denominator, 4), NULL when the denominator is 0 or NULL), never averaged;
          the same formula must reproduce every input's own kabupaten values (a gate of the roll-up)
NOT_ADDITIVE  a figure whose numerator and denominator the publication does not hold: NULL on the
          province row (the kabupaten rows keep theirs)

A column of a publication without a rule here stops the roll-up with its name (a new indicator column is
never dropped or summed by guess); tests/unit/test_province_rules.py checks every public ind_* column of
the dbt models has one.
"""
from __future__ import annotations

from dataclasses import dataclass

AREA = "area"
KEY = "key"
SUM = "sum"
NOT_ADDITIVE = "not_additive"

AREA_COLUMNS = ("level", "kode_wilayah", "nama_wilayah")


@dataclass(frozen=True)
class Ratio:
    """100 x numerator / denominator; both are SQL over the row's own (summed) columns."""
    numerator: str
    denominator: str

    def sql(self, qualify=lambda c: f'"{c}"') -> str:
        num, den = (_columns_sql(e, qualify) for e in (self.numerator, self.denominator))
        return f"case when ({den}) is null or ({den}) = 0 then null else round(100.0 * ({num}) / ({den}), 4) end"

    def columns(self) -> set[str]:
        return {t for e in (self.numerator, self.denominator) for t in e.replace("(", " ").replace(")", " ")
                .replace("-", " ").replace("+", " ").split()}


def _columns_sql(expr: str, qualify) -> str:
    out = []
    for token in expr.replace("(", " ( ").replace(")", " ) ").split():
        out.append(token if token in ("(", ")", "+", "-") else qualify(token))
    return " ".join(out)


# rules shared by every table: a column of this name means the same thing wherever it appears
COMMON: dict[str, object] = {
    "level": AREA, "kode_wilayah": AREA, "nama_wilayah": AREA,
    "program": KEY, "program_a": KEY, "program_b": KEY, "period_from": KEY, "period_to": KEY,
    "source": KEY, "period": KEY,
    "households_desil_1": SUM,
}

# table -> column -> rule (over COMMON)
RULES: dict[str, dict[str, object]] = {
    "ind_poverty_by_area": {
        "penduduk": SUM, "keluarga_dukcapil": SUM, "households": SUM, "households_desil_1_4": SUM,
        "persons_desil_1": SUM, "persons_desil_1_4": SUM,
        "extreme_poverty_pct": Ratio("persons_desil_1", "penduduk"),
    },
    "ind_program_coverage": {
        "recipient_households": SUM, "recipient_households_desil_1": SUM, "recipient_households_desil_1_4": SUM,
        "recipient_households_unregistered": SUM, "recipient_persons_family_unknown": SUM,
        "recipient_households_estimated": SUM,
        "coverage_desil_1_pct": Ratio("recipient_households_desil_1", "households_desil_1"),
        "exclusion_error_desil_1_pct": Ratio("households_desil_1 - recipient_households_desil_1", "households_desil_1"),
        "inclusion_error_desil_1_4_pct": Ratio("recipient_households - recipient_households_desil_1_4",
                                               "recipient_households"),
        # each program's own eligibility (#14): a district's contract may state another rule, a row per rule
        "eligibility_rule": KEY, "households_eligible": SUM, "recipient_households_eligible": SUM,
        "coverage_eligible_pct": Ratio("recipient_households_eligible", "households_eligible"),
        "exclusion_error_eligible_pct": Ratio("households_eligible - recipient_households_eligible",
                                              "households_eligible"),
        "inclusion_error_eligible_pct": Ratio("recipient_households - recipient_households_eligible",
                                              "recipient_households"),
    },
    "ind_program_budget": {
        "rupiah_total": SUM, "rupiah_desil_1": SUM, "rupiah_desil_1_4": SUM, "rupiah_eligible": SUM,
        "rupiah_not_eligible": SUM, "rupiah_unregistered": SUM, "rupiah_to_cover_priority_gap": SUM,
        "share_desil_1_pct": Ratio("rupiah_desil_1", "rupiah_total"),
        "basis": KEY,  # estimate or realised: never summed together
    },
    "ind_program_overlap": {"households_both": SUM},
    "ind_priority_gap": {"households_desil_1_no_program": SUM, "households_sikkep_priority": SUM},
    "ind_graduation": {"households_desil_1_from": SUM, "graduated": SUM, "entered": SUM, "remained": SUM,
                       "exited_other": SUM},
    "ind_data_quality": {
        "rows_received": SUM, "rows_loaded": SUM, "rows_quarantined": SUM, "rows_linked": SUM,
        "files_received": SUM, "files_rejected": SUM, "rows_unread": SUM,
        "linked_pct": Ratio("rows_linked", "rows_received"),
        # staged person rows with a valid NIK / staged person rows: neither is published
        "nik_valid_pct": NOT_ADDITIVE,
    },
}


class MissingRule(ValueError):
    """A column of a public ind_* table has no roll-up rule."""


def rule(table: str, column: str):
    """The rule of one column; MissingRule when none is declared."""
    table_rules = RULES.get(table, {})
    if column in table_rules:
        return table_rules[column]
    if column in COMMON:
        return COMMON[column]
    raise MissingRule(f"{table}.{column}")


def missing_rules(columns_by_table: dict[str, list[str]]) -> list[str]:
    """'table.column' of every column without a rule (a Ratio's own columns must exist in the table too)."""
    missing = []
    for table, columns in columns_by_table.items():
        for column in columns:
            try:
                r = rule(table, column)
            except MissingRule:
                missing.append(f"{table}.{column}")
                continue
            if isinstance(r, Ratio):
                missing += [f"{table}.{column} (its formula names {c}, not a column)"
                            for c in sorted(r.columns() - set(columns))]
    return missing
