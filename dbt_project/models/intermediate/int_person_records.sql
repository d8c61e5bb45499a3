-- The dbt -> linkage interface (docs/architecture.md): one row per usable staged person row of every
-- person/family source; quarantined rows excluded. Built over var person_sources (see int_person_rows).
select
    record_id, source, period, is_current, source_file, source_sheet, source_row,
    kind, unit, program,
    nik, nik_valid, nik_suspect,
    no_kk, no_kk_valid,
    nama, name_key, tanggal_lahir, jenis_kelamin,
    kode_desa, kode_kecamatan, place_resolved_by,
    family_ref, household_ref, person_ref, hubungan, status_keberadaan,
    address_key, address_rt,
    cast(desil as integer) as desil,
    recipient, flags
from {{ ref('int_person_rows') }}
where quarantine_rule is null
