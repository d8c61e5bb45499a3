-- Dukcapil population aggregates per village: typed. Codes are checked against the kabupaten's
-- dim_wilayah in int_dukcapil_rows; unusable rows go to quarantine from there.
-- One CTE per step; every value is computed once per row (see macros/sikkep/stage.sql).
with {{ sikkep.staging_input_ctes(source('raw', 'dukcapil_agregat')) }}
src as (
    select * from {{ sikkep.staging_input(source('raw', 'dukcapil_agregat')) }}
),
-- step 1: code digits, counts, clean text
cleaned as (
    select
        {{ dbt.concat(["'dukcapil_agregat|'", "period", "'|'", "source_file", "'|'", "coalesce(source_sheet, '')", "'|'",
                       "cast(source_row as " ~ dbt.type_string() ~ ")"]) }} as record_id,
        period, source_file, source_sheet, cast(source_row as integer) as source_row, file_sha256, loaded_at,
        {{ sikkep.kode_digits('trim(kode_wilayah)') }} as kode_digits,
        {{ sikkep.clean_text('kode_wilayah') }} as kode_wilayah_text,
        {{ sikkep.clean_text('nama_wilayah') }} as nama_wilayah,
        {{ sikkep.parse_count('jumlah_penduduk') }} as jumlah_penduduk,
        {{ sikkep.parse_count('jumlah_kk') }} as jumlah_kk,
        {{ sikkep.parse_count('laki_laki') }} as laki_laki,
        {{ sikkep.parse_count('perempuan') }} as perempuan,
        {{ sikkep.clean_text('laki_laki') }} as laki_laki_text,
        {{ sikkep.clean_text('perempuan') }} as perempuan_text
    from src
),
-- step 2: the Kemendagri code
coded as (
    select cleaned.*, {{ sikkep.kode_wilayah_from_digits('kode_digits') }} as kode_wilayah
    from cleaned
)
select
    record_id,
    cast('dukcapil_agregat' as {{ dbt.type_string() }}) as source,
    period, source_file, source_sheet, source_row, file_sha256, loaded_at,
    kode_wilayah,
    kode_wilayah_text,
    nama_wilayah,
    case {{ dbt.length('kode_wilayah') }} when 13 then 'desa' when 8 then 'kecamatan' end as level,
    jumlah_penduduk,
    jumlah_kk,
    laki_laki,
    perempuan,
    {{ sikkep.concat_ws_nonnull(',', [
        "case when kode_wilayah is null then 'kode_wilayah' end",
        "case when jumlah_penduduk is null then 'jumlah_penduduk' end",
        "case when jumlah_kk is null then 'jumlah_kk' end",
        "case when laki_laki is null and laki_laki_text is not null then 'laki_laki' end",
        "case when perempuan is null and perempuan_text is not null then 'perempuan' end"]) }}
      as unparsed_fields
from coded
