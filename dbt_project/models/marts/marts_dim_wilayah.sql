{{ config(alias='dim_wilayah') }}
-- The areas of the kabupaten served (var kabupaten): one kabupaten row, its kecamatan and its villages,
-- with Kemendagri codes. The seed may hold several kabupaten; only the one served is kept.

with seed as (

    select * from {{ ref('dim_wilayah') }}

),

served as (

    select
        level,
        kode_wilayah,
        nama_wilayah,
        case when level = 'kabupaten' then null else kode_kecamatan end as kode_kecamatan,
        kode_kabupaten,
        jenis
    from seed
    where kode_kabupaten = '{{ var("kabupaten") }}'
      and level in ('kabupaten', 'kecamatan', 'desa')

),

final as (

    select
        level,
        kode_wilayah,
        nama_wilayah,
        case when level = 'kecamatan' then kode_wilayah else kode_kecamatan end as kode_kecamatan,
        kode_kabupaten,
        jenis,
        case level when 'kabupaten' then 1 when 'kecamatan' then 2 else 3 end as level_rank
    from served

)

select * from final
