"""Splink settings: blocking rules and comparisons (before training).

Every comparison is written as explicit SQL levels so that the model JSON is readable and the
NIK is compared by its STRUCTURE (region+birth-date part vs serial), never by edit distance:
different people of one kecamatan born on the same day (twins, neighbours) have NIKs that differ
only in the 4 serial digits.

The m probabilities given here are priors; :func:`orchestration.linkage.train.train_model`
re-estimates m (from labels or by EM) and u (random sampling) and writes the trained JSON.
"""
from __future__ import annotations

from typing import Any

from .features import abbreviates, names_alike

# Name similarity used INSIDE the NIK comparison: an identical NIK on two rows whose names do
# not resemble each other is a copied NIK (head's NIK on every member row, neighbour's NIK copied
# down a column), so it gets its own level with its own (low) weight.
NAME_SIMILAR = names_alike("{}_l", "{}_r")


def _lvl(sql: str, label: str, m: float | None = None, null: bool = False) -> dict[str, Any]:
    d: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        d["is_null_level"] = True
    if m is not None:
        d["m_probability"] = m
    return d


def nik_comparison() -> dict[str, Any]:
    return {
        "output_column_name": "nik",
        "comparison_description": "NIK by structure: region+date (12) | serial (4); copied NIKs",
        "comparison_levels": [
            _lvl("nik_l IS NULL OR nik_r IS NULL", "null", null=True),
            _lvl(
                f"nik_l = nik_r AND NOT nik_suspect_l AND NOT nik_suspect_r AND {NAME_SIMILAR}"
                " AND coalesce(nik_dob_ok_l, 'Y') = 'Y' AND coalesce(nik_dob_ok_r, 'Y') = 'Y'",
                "exact, names alike, NIK agrees with birth dates", 0.80,
            ),
            _lvl(f"nik_l = nik_r AND {NAME_SIMILAR}",
                 "exact (or suspect-equal), names alike, NIK/birth date conflict", 0.08),
            # The NIK encodes its holder's birth date and sex: when both rows' own birth date and sex agree with
            # the shared NIK, the names differ by spelling (Siti/Sity, a dropped token, a typo, a title), not
            # because the NIK was copied onto somebody else (a head's or a neighbour's NIK contradicts the
            # birth date of the row it was typed on).
            _lvl("nik_l = nik_r AND NOT nik_suspect_l AND NOT nik_suspect_r"
                 " AND nik_dob_ok_l = 'Y' AND nik_dob_ok_r = 'Y'",
                 "exact, names differ, both rows' birth date and sex agree with the NIK (respelled name)", 0.02),
            _lvl("nik_l = nik_r", "exact but names differ (copied NIK)", 0.005),
            # Excel keeps 15 significant digits: a NIK typed as a number arrives with its 16th digit zeroed,
            # and the staging can only flag it when a whole sheet shows the pattern. A zero last digit with
            # the first 15 equal is the same NIK until the names or birth dates say otherwise.
            _lvl("(nik_suspect_l OR nik_suspect_r OR right(nik_l, 1) = '0' OR right(nik_r, 1) = '0')"
                 " AND nik15_l = nik15_r",
                 "suspect NIK (Excel-zeroed), first 15 digits equal", 0.03),
            _lvl(
                "nik_serial_l = nik_serial_r AND damerau_levenshtein(nik12_l, nik12_r) = 1",
                "serial equal, one digit off in region/date part", 0.03,
            ),
            # One serial digit off is how a typo looks, and also how twins look (consecutive serials).
            # Twins have different names: with names alike it is a typo.
            _lvl(f"nik12_l = nik12_r AND damerau_levenshtein(nik_serial_l, nik_serial_r) = 1 AND {NAME_SIMILAR}",
                 "same region+date, serial one digit off, names alike (typo)", 0.02),
            _lvl("nik12_l = nik12_r", "same region+date, different serial (different person)", 0.005),
            _lvl("nik_dob_ok_l = 'N' OR nik_dob_ok_r = 'N'",
                 "different, and one NIK contradicts its row's birth date (not evidence)", 0.04),
            # one NIK on people of different names is evidence of nothing: the head's NIK on a member's row, a
            # NIK copied down from the row above, a typo onto another person's NIK
            _lvl("nik_contested_l OR nik_contested_r",
                 "different, and one NIK is also on a row of another name (not evidence)", 0.03),
            _lvl("ELSE", "different", 0.04),
        ],
    }


def name_comparison() -> dict[str, Any]:
    return {
        "output_column_name": "name_key",
        "comparison_description": "normalised name: exact, Jaro-Winkler, tokens",
        "comparison_levels": [
            _lvl("name_ns_l IS NULL OR name_ns_r IS NULL", "null", null=True),
            _lvl("name_ns_l = name_ns_r", "exact (ignoring spaces)", 0.80),
            _lvl("jaro_winkler_similarity(name_ns_l, name_ns_r) >= 0.95", "JW >= 0.95", 0.09),
            _lvl(
                "jaro_winkler_similarity(name_ns_l, name_ns_r) >= 0.88"
                " OR (length(name_ns_l) >= 5 AND length(name_ns_r) >= 5"
                "     AND (contains(name_ns_l, name_ns_r) OR contains(name_ns_r, name_ns_l)))",
                "JW >= 0.88 or one name contains the other", 0.06,
            ),
            # lists abbreviate: an initial for the first name ('P. Hasibuan' / 'Painem Hasibuan'), or a token
            # dropped ('Eni' / 'Eni Maulana', 'Yuni Iskandar' / 'Yuni Iskandar Hasibuan')
            _lvl(
                f"{abbreviates('{}_l', '{}_r')} OR {abbreviates('{}_r', '{}_l')}",
                "one name abbreviates the other (an initial, or tokens dropped)", 0.04,
            ),
            _lvl(
                "(name_first_l = name_first_r AND length(name_first_l) >= 3)"
                " OR (name_last_l = name_last_r AND length(name_last_l) >= 3)"
                " OR name_first_l = name_last_r OR name_last_l = name_first_r",
                "a name token in common", 0.03,
            ),
            _lvl("ELSE", "different", 0.02),
        ],
    }


def dob_comparison() -> dict[str, Any]:
    return {
        "output_column_name": "dob",
        "comparison_description": "birth date: exact, day-month swap, one part off",
        "comparison_levels": [
            _lvl("dob_l IS NULL OR dob_r IS NULL", "null", null=True),
            _lvl("dob_l = dob_r", "exact", 0.88),
            _lvl(
                "(day(dob_l) = month(dob_r) AND month(dob_l) = day(dob_r) AND year(dob_l) = year(dob_r))"
                " OR (month(dob_l) = month(dob_r) AND day(dob_l) = day(dob_r)"
                "     AND abs(year(dob_l) - year(dob_r)) <= 2)"
                " OR (year(dob_l) = year(dob_r) AND (month(dob_l) = month(dob_r) OR day(dob_l) = day(dob_r)))",
                "day-month swap, year off <= 2, or one of day/month off", 0.09,
            ),
            _lvl("ELSE", "different", 0.03),
        ],
    }


def sex_comparison() -> dict[str, Any]:
    return {
        "output_column_name": "sex",
        "comparison_levels": [
            _lvl("sex_l IS NULL OR sex_r IS NULL", "null", null=True),
            _lvl("sex_l = sex_r", "exact", 0.97),
            _lvl("ELSE", "different", 0.03),
        ],
    }


def place_comparison() -> dict[str, Any]:
    return {
        "output_column_name": "place",
        "comparison_description": "village, else kecamatan",
        "comparison_levels": [
            _lvl("kode_kecamatan_l IS NULL OR kode_kecamatan_r IS NULL", "null", null=True),
            _lvl("kode_desa_l = kode_desa_r", "same village", 0.85),
            _lvl("kode_kecamatan_l = kode_kecamatan_r", "same kecamatan", 0.10),
            _lvl("ELSE", "different", 0.05),
        ],
    }


def no_kk_comparison() -> dict[str, Any]:
    return {
        "output_column_name": "no_kk",
        "comparison_levels": [
            _lvl("no_kk_l IS NULL OR no_kk_r IS NULL", "null", null=True),
            _lvl("no_kk_l = no_kk_r", "exact", 0.85),
            _lvl("ELSE", "different", 0.15),
        ],
    }


def source_id_comparison() -> dict[str, Any]:
    """A source's own person id (DTKS IDARTBDT, P3KE ID_INDIVIDU, PBI-JK NOKA: contract identifier
    ``person``): the same id in two deliveries of one source is the same person, whatever was mistyped in
    the NIK, name or birth date of one of them. Ids of different sources are different systems: no evidence."""
    same_system = "split_part(person_ref_l, ':', 1) = split_part(person_ref_r, ':', 1)"
    return {
        "output_column_name": "source_id",
        "comparison_description": "the source's own person id, within one source",
        "comparison_levels": [
            _lvl(f"person_ref_l IS NULL OR person_ref_r IS NULL OR NOT ({same_system})",
                 "null, or ids of two different sources", null=True),
            _lvl("person_ref_l = person_ref_r", "same source, same person id", 0.95),
            _lvl("ELSE", "same source, different person ids", 0.05),
        ],
    }


# an address as token lists (address_key: RT/RW out, Dsn./Jl./Gg. and numbers unified in staging)
_TOKENS_L, _TOKENS_R = "string_split(address_key_l, ' ')", "string_split(address_key_r, ' ')"


def address_comparison() -> dict[str, Any]:
    """The address within the village: namesakes of one village usually live at different addresses."""
    return {
        "output_column_name": "address",
        "comparison_description": "address tokens and RT",
        "comparison_levels": [
            _lvl("address_key_l IS NULL OR address_key_r IS NULL", "null", null=True),
            _lvl("address_key_l = address_key_r AND address_rt_l = address_rt_r", "same address and RT", 0.5),
            _lvl("address_key_l = address_key_r AND (address_rt_l IS NULL OR address_rt_r IS NULL)",
                 "same address, RT unknown on one side", 0.2),
            # RT numbers are often mistyped: the same address with another RT is still the same place
            _lvl("address_key_l = address_key_r", "same address, RT differs", 0.05),
            _lvl(f"list_has_all({_TOKENS_L}, {_TOKENS_R}) OR list_has_all({_TOKENS_R}, {_TOKENS_L})",
                 "one address holds the other ('Dusun 4' in 'Dusun 4 Gg Melati')", 0.1),
            _lvl("ELSE", "different", 0.15),
        ],
    }


# Blocking: each rule reaches a kind of hard case. Candidate pairs are the union.
BLOCKING_RULES: list[str] = [
    # exact NIK (also copied NIKs: the comparison then tells them apart)
    "l.nik = r.nik",
    # the same person id of one source in two of its deliveries (a NIK mistyped in one of them)
    "l.person_ref = r.person_ref",
    # NIK with the serial damaged / Excel-zeroed: same region + birth-date part
    "l.nik12 = r.nik12",
    # no or wrong NIK: birth date + first name token
    "l.dob = r.dob AND l.name_first = r.name_first",
    # the family card + a name token
    "l.no_kk = r.no_kk AND l.name_first = r.name_first",
    # lists without NIK or birth date (BLT-DD, Baznas): village + a name token.
    # Whole tokens, not prefixes: a 'village + name prefix' rule grows about N^1.9.
    # (first token compared on its first 3 letters: Rahayu/Rahayoe, Siti/Sity on lists without birth date)
    "l.kode_desa = r.kode_desa AND substr(l.name_first, 1, 3) = substr(r.name_first, 1, 3)"
    " AND l.name_last = r.name_last",
    "l.kode_desa = r.kode_desa AND l.name_ns = r.name_ns",
    # first-token spelling variants (Siti/Sity): village + last token + birth year
    "l.kode_desa = r.kode_desa AND l.name_last = r.name_last AND year(l.dob) = year(r.dob)",
]

# Recall rules for rows without a trusted NIK (BLT-DD and Baznas rows, NIK-less or mangled rows) whose
# name was typed another way: their village (village_weak is NULL on rows with a trusted NIK, so the joins
# start from those few rows; both orientations) and the name as initial + last token, as consonants, as a
# lone first token, as its first two tokens (trailing tokens dropped) or as its first token and the last
# one's initial (a typo in the last token). A row that gives no village (PBI-JK lists name the kecamatan
# only) is searched by the same name keys in its kecamatan. A name typed past every key ('Bamban' / 'Bambang',
# 'Inham' / 'Ilham') is searched at its own address: the same address and RT in the village and the same
# initial. Training estimates the model on the pairs of BLOCKING_RULES only
# (train._calibrate_on_blocked_pairs): these rules widen the search, they do not change the model.
WEAK_ROW_RULES: list[str] = [
    rule.format(a=a, b=b)
    for a, b in (("l", "r"), ("r", "l"))
    for rule in (
        "{a}.village_weak = {b}.kode_desa AND {a}.name_initial_last = {b}.name_initial_last",
        "{a}.village_weak = {b}.kode_desa AND {a}.name_skeleton = {b}.name_skeleton",
        "{a}.village_weak = {b}.kode_desa AND {a}.name_single = {b}.name_first",
        "{a}.village_weak = {b}.kode_desa AND {a}.name_first2 = {b}.name_first2",
        "{a}.village_weak = {b}.kode_desa AND {a}.name_first_initial = {b}.name_first_initial",
        "{a}.village_weak = {b}.kode_desa AND {a}.address_key = {b}.address_key"
        " AND {a}.address_rt = {b}.address_rt AND {a}.name_initial = {b}.name_initial",
        "{a}.kecamatan_weak = {b}.kode_kecamatan AND {a}.name_ns = {b}.name_ns AND {a}.name_last IS NOT NULL",
    )
]

# Deterministic rules used only to estimate the prior match probability when training.
DETERMINISTIC_RULES: list[str] = [
    "l.nik = r.nik AND l.dob = r.dob",
    "l.name_ns = r.name_ns AND l.dob = r.dob AND l.kode_kecamatan = r.kode_kecamatan",
]


def base_settings() -> dict[str, Any]:
    """The untrained settings dict (Splink 5, dedupe over the union of all sources)."""
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": 1e-5,
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": br, "sql_dialect": "duckdb"} for br in BLOCKING_RULES + WEAK_ROW_RULES
        ],
        "comparisons": [
            nik_comparison(),
            name_comparison(),
            dob_comparison(),
            sex_comparison(),
            place_comparison(),
            no_kk_comparison(),
            address_comparison(),
            source_id_comparison(),
        ],
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "additional_columns_to_retain": [],
        "sql_dialect": "duckdb",
        "linker_uid": "sikkep_person_v1",
    }
