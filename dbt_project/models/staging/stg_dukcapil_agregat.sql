-- Dukcapil population aggregates per village: typed. Codes are checked against the kabupaten's
-- dim_wilayah in int_dukcapil_rows; unusable rows go to quarantine from there.
with src as (
    select * from {{ source('raw', 'dukcapil_agregat') }}
)
select
    {{ dbt.concat(["'dukcapil_agregat|'", "period", "'|'", "source_file", "'|'", "coalesce(source_sheet, '')", "'|'",
                   "cast(source_row as " ~ dbt.type_string() ~ ")"]) }} as record_id,
    cast('dukcapil_agregat' as {{ dbt.type_string() }}) as source,
    period, source_file, source_sheet, cast(source_row as integer) as source_row, file_sha256, loaded_at,
    {{ sikkep.kode_wilayah('kode_wilayah') }} as kode_wilayah,
    {{ sikkep.clean_text('kode_wilayah') }} as kode_wilayah_text,
    {{ sikkep.clean_text('nama_wilayah') }} as nama_wilayah,
    case {{ dbt.length(sikkep.kode_wilayah('kode_wilayah')) }} when 13 then 'desa' when 8 then 'kecamatan' end as level,
    {{ sikkep.parse_count('jumlah_penduduk') }} as jumlah_penduduk,
    {{ sikkep.parse_count('jumlah_kk') }} as jumlah_kk,
    {{ sikkep.parse_count('laki_laki') }} as laki_laki,
    {{ sikkep.parse_count('perempuan') }} as perempuan,
    {{ sikkep.concat_ws_nonnull(',', [
        "case when " ~ sikkep.kode_wilayah('kode_wilayah') ~ " is null then 'kode_wilayah' end",
        "case when " ~ sikkep.parse_count('jumlah_penduduk') ~ " is null then 'jumlah_penduduk' end",
        "case when " ~ sikkep.parse_count('jumlah_kk') ~ " is null then 'jumlah_kk' end",
        "case when " ~ sikkep.parse_count('laki_laki') ~ " is null and " ~ sikkep.clean_text('laki_laki') ~ " is not null then 'laki_laki' end",
        "case when " ~ sikkep.parse_count('perempuan') ~ " is null and " ~ sikkep.clean_text('perempuan') ~ " is not null then 'perempuan' end"]) }}
      as unparsed_fields
from src
