-- The served kabupaten's Kemendagri codes (var kabupaten; any kabupaten of Indonesia), with the
-- comparable name keys place resolution matches on.
select
    level, kode_wilayah, nama_wilayah, kode_kecamatan, kode_kabupaten, kode_provinsi,
    nullif(jenis, '') as jenis,
    {{ sikkep.place_key('nama_wilayah') }} as name_key
from {{ ref('dim_wilayah') }}
where kode_kabupaten = '{{ sikkep.kabupaten_code() }}'
   or (level = 'provinsi' and kode_wilayah = '{{ sikkep.kabupaten_code()[:2] }}')
