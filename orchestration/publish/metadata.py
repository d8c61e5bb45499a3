"""What is published where, and the metadata that travels with every public table."""
from __future__ import annotations

# public.duckdb: the contract's indicator tables (schema `indicators` of the build database).
PUBLIC_TABLES: dict[str, dict] = {
    "ind_poverty_by_area": {
        "description": (
            "Poverty by area. households = unified households placed in the area; households_desil_1 / "
            "households_desil_1_4 = households whose poorest current registry desil (DTKS, P3KE) is 1 / "
            "at most 4; persons_desil_k = living members of those households; penduduk and "
            "keluarga_dukcapil = Dukcapil JUMLAH_PENDUDUK / JUMLAH_KK of the current Dukcapil period "
            "summed over the area's villages; extreme_poverty_pct = persons_desil_1 / penduduk x 100 "
            "(NULL when penduduk is unknown or 0). Extreme poverty proxy: desil 1 (USD 2.15 PPP/day "
            "threshold from 2025, USD 1.90 until 2024)."
        ),
        "unit": "households, persons, percent",
        "sources": ["dtks", "p3ke", "dukcapil_agregat"],
        "area_levels": ["kabupaten", "kecamatan", "desa"],
    },
    "ind_program_coverage": {
        "description": (
            "Coverage and targeting errors of each program by area, from the current program lists. "
            "coverage_desil_1_pct = recipient households in desil 1 / households in desil 1 x 100; "
            "exclusion_error_desil_1_pct = households in desil 1 not receiving / households in desil 1 "
            "x 100; inclusion_error_desil_1_4_pct = recipient households not in desil 1-4 (including "
            "households in no registry) / recipient households x 100. Zero denominators give NULL."
        ),
        "unit": "households, percent",
        "sources": ["pkh", "bpnt", "pbi_jk", "blt_dd", "rtlh", "baznas", "kur", "dtks", "p3ke"],
        "area_levels": ["kabupaten", "kecamatan", "desa"],
    },
    "ind_program_overlap": {
        "description": (
            "Households receiving both program_a and program_b in the current lists (every ordered "
            "pair; the diagonal is the program's recipient households), kabupaten-wide."
        ),
        "unit": "households",
        "sources": ["pkh", "bpnt", "pbi_jk", "blt_dd", "rtlh", "baznas", "kur"],
        "area_levels": ["kabupaten"],
    },
    "ind_priority_gap": {
        "description": (
            "households_desil_1; households_desil_1_no_program = desil-1 households receiving no social "
            "assistance (KUR credit does not count); households_sikkep_priority = households in P3KE and "
            "in DTKS receiving no social assistance (the SIKKEP priority group)."
        ),
        "unit": "households",
        "sources": ["dtks", "p3ke", "pkh", "bpnt", "pbi_jk", "blt_dd", "rtlh", "baznas", "kur"],
        "area_levels": ["kabupaten", "kecamatan", "desa"],
    },
    "ind_graduation": {
        "description": (
            "Between consecutive registry periods: households in desil 1 at period_from; graduated = "
            "still in the registry at period_to with desil above 1 (welfare improved); remained = still "
            "desil 1; exited_other = died, moved, not found or no longer ranked (not graduation); "
            "entered = desil 1 at period_to but not at period_from."
        ),
        "unit": "households",
        "sources": ["dtks", "p3ke"],
        "area_levels": ["kabupaten", "kecamatan", "desa"],
    },
    "ind_data_quality": {
        "description": (
            "Per source and period: rows received and loaded (file manifest), rows quarantined, share of "
            "person rows with a valid NIK, rows linked to a person and linked_pct = rows_linked / "
            "rows_received x 100."
        ),
        "unit": "rows, percent",
        "sources": ["all"],
        "area_levels": ["kabupaten"],
    },
}

# restricted.duckdb: by-name tables for the poverty team. name -> schema in the build database.
RESTRICTED_TABLES: dict[str, str] = {
    "fct_household": "marts",
    "fct_person": "marts",
    "xref_source_record": "marts",
    "quarantine": "intermediate",
}

# Column names that must never appear in the public zone.
PERSONAL_COLUMNS = frozenset({
    "nik", "no_kk", "nama", "name", "tanggal_lahir", "alamat", "address", "person_id", "household_id",
    "head_person_id", "nik_masked", "head_name", "idbdt", "noka",
})
