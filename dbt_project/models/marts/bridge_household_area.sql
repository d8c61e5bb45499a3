-- Where each household counts in the area indicators: one row per household and level.
-- A household placed in a kecamatan of the kabupaten counts at kabupaten and kecamatan level, and at
-- desa level only when its village is known. Households with no kecamatan of this kabupaten are in no
-- area row (they stay visible in fct_household with NULL kode_kecamatan).

with households as (

    select household_id, kode_wilayah, kode_kecamatan from {{ ref('fct_household') }}

),

areas as (

    select level, kode_wilayah, kode_kecamatan from {{ ref('marts_dim_wilayah') }}

),

placed as (

    select
        h.household_id,
        h.kode_kecamatan,
        case when desa.kode_wilayah is not null then h.kode_wilayah end as kode_desa
    from households as h
    inner join areas as kec
        on kec.level = 'kecamatan' and kec.kode_wilayah = h.kode_kecamatan
    left join areas as desa
        on desa.level = 'desa' and desa.kode_wilayah = h.kode_wilayah

),

final as (

    select household_id, 'kabupaten' as level, '{{ var("kabupaten") }}' as kode_wilayah from placed
    union all
    select household_id, 'kecamatan' as level, kode_kecamatan as kode_wilayah from placed
    union all
    select household_id, 'desa' as level, kode_desa as kode_wilayah from placed where kode_desa is not null

)

select * from final
