-- Every staged Dukcapil aggregate row with the reason it cannot be used (NULL = usable).
select
    s.*,
    w.kode_wilayah as kode_wilayah_known,
    case
      when s.kode_wilayah is null then 'unparseable_mandatory'
      when w.kode_wilayah is null then 'place_unresolved'
      when s.jumlah_penduduk is null or s.jumlah_kk is null then 'unparseable_mandatory'
    end as quarantine_rule,
    case
      when s.kode_wilayah is null then {{ dbt.concat(["'kode_wilayah tidak terbaca: '", "coalesce(s.kode_wilayah_text, '(kosong)')"]) }}
      when w.kode_wilayah is null then {{ dbt.concat(["'kode_wilayah bukan wilayah kabupaten " ~ sikkep.kabupaten_code() ~ ": '", "s.kode_wilayah"]) }}
      when s.jumlah_penduduk is null or s.jumlah_kk is null then {{ dbt.concat(["'kolom wajib tidak terbaca: '", "s.unparsed_fields"]) }}
    end as quarantine_detail
from {{ ref('stg_dukcapil_agregat') }} s
left join {{ ref('int_wilayah') }} w
  on w.kode_wilayah = s.kode_wilayah and w.level in ('kecamatan', 'desa')
