-- Poverty by area (kabupaten / kecamatan / desa). Every area of the kabupaten has a row.
-- households = unified households placed in the area; persons of unknown family on a list covering whole
-- families (PBI-JK) are households of one in fct_household but count here as the families
-- marts.family_estimate estimates; persons_desil_k = living members of households
-- with desil <= k; penduduk / keluarga_dukcapil = Dukcapil JUMLAH_PENDUDUK / JUMLAH_KK of the current
-- Dukcapil period, summed over the area's villages (NULL when Dukcapil reports none of them);
-- extreme_poverty_pct = persons_desil_1 / penduduk x 100 (NULL when penduduk is NULL or 0).

with areas as (

    select level, kode_wilayah, nama_wilayah, kode_kecamatan, level_rank
    from {{ ref('marts_dim_wilayah') }}

),

households as (

    select household_id, desil, members from {{ ref('fct_household') }}

),

household_area as (

    select household_id, level, kode_wilayah from {{ ref('bridge_household_area') }}

),

family_estimate as (

    -- per area: households of one that the estimate replaces, and the families it counts instead
    select
        level,
        kode_wilayah,
        sum(persons_family_unknown) as persons_family_unknown,
        sum(families_estimated) as households_estimated
    from {{ ref('family_estimate') }}
    group by level, kode_wilayah

),

dukcapil as (

    select kode_wilayah, period, jumlah_penduduk, jumlah_kk
    from {{ ref('int_dukcapil_agregat') }}

),

dukcapil_current as (

    select d.kode_wilayah, d.jumlah_penduduk, d.jumlah_kk
    from dukcapil as d
    where d.period = (select max(period) from dukcapil)

),

villages as (

    select kode_wilayah, kode_kecamatan from areas where level = 'desa'

),

dukcapil_by_area as (

    select 'desa' as level, v.kode_wilayah, sum(d.jumlah_penduduk) as penduduk, sum(d.jumlah_kk) as keluarga
    from villages as v inner join dukcapil_current as d on d.kode_wilayah = v.kode_wilayah
    group by v.kode_wilayah
    union all
    select 'kecamatan', v.kode_kecamatan, sum(d.jumlah_penduduk), sum(d.jumlah_kk)
    from villages as v inner join dukcapil_current as d on d.kode_wilayah = v.kode_wilayah
    group by v.kode_kecamatan
    union all
    select 'kabupaten', '{{ var("kabupaten") }}', sum(d.jumlah_penduduk), sum(d.jumlah_kk)
    from villages as v inner join dukcapil_current as d on d.kode_wilayah = v.kode_wilayah

),

household_counts as (

    select
        ha.level,
        ha.kode_wilayah,
        count(*) as households,
        sum(case when h.desil = 1 then 1 else 0 end) as households_desil_1,
        sum(case when h.desil <= 4 then 1 else 0 end) as households_desil_1_4,
        sum(case when h.desil = 1 then h.members else 0 end) as persons_desil_1,
        sum(case when h.desil <= 4 then h.members else 0 end) as persons_desil_1_4
    from household_area as ha
    inner join households as h on h.household_id = ha.household_id
    group by ha.level, ha.kode_wilayah

),

final as (

    select
        a.level,
        a.kode_wilayah,
        a.nama_wilayah,
        cast(d.penduduk as {{ dbt.type_bigint() }}) as penduduk,
        cast(d.keluarga as {{ dbt.type_bigint() }}) as keluarga_dukcapil,
        cast(coalesce(c.households, 0) - coalesce(fe.persons_family_unknown, 0)
            + coalesce(fe.households_estimated, 0) as {{ dbt.type_bigint() }}) as households,
        cast(coalesce(c.households_desil_1, 0) as {{ dbt.type_bigint() }}) as households_desil_1,
        cast(coalesce(c.households_desil_1_4, 0) as {{ dbt.type_bigint() }}) as households_desil_1_4,
        cast(coalesce(c.persons_desil_1, 0) as {{ dbt.type_bigint() }}) as persons_desil_1,
        cast(coalesce(c.persons_desil_1_4, 0) as {{ dbt.type_bigint() }}) as persons_desil_1_4,
        case
            when d.penduduk is null or d.penduduk = 0 then null
            else round(100.0 * coalesce(c.persons_desil_1, 0) / d.penduduk, 4)
        end as extreme_poverty_pct
    from areas as a
    left join household_counts as c on c.level = a.level and c.kode_wilayah = a.kode_wilayah
    left join dukcapil_by_area as d on d.level = a.level and d.kode_wilayah = a.kode_wilayah
    left join family_estimate as fe on fe.level = a.level and fe.kode_wilayah = a.kode_wilayah

)

select * from final
