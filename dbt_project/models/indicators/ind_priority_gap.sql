-- The SIKKEP priority gap by area.
--   households_desil_1             households in desil 1 (poorest current registry desil)
--   households_desil_1_no_program  of those, receiving no social-assistance program (KUR is credit
--                                  and does not count as a program here)
--   households_sikkep_priority     households in P3KE AND in DTKS receiving no social-assistance
--                                  program (any desil), the October 2024 SIKKEP priority group

with areas as (

    select level, kode_wilayah, nama_wilayah from {{ ref('marts_dim_wilayah') }}

),

households as (

    select household_id, desil, social_programs_count, sikkep_priority from {{ ref('fct_household') }}

),

household_area as (

    select household_id, level, kode_wilayah from {{ ref('bridge_household_area') }}

),

counts as (

    select
        ha.level,
        ha.kode_wilayah,
        sum(case when h.desil = 1 then 1 else 0 end) as households_desil_1,
        sum(case when h.desil = 1 and h.social_programs_count = 0 then 1 else 0 end)
            as households_desil_1_no_program,
        sum(case when h.sikkep_priority then 1 else 0 end) as households_sikkep_priority
    from household_area as ha
    inner join households as h on h.household_id = ha.household_id
    group by ha.level, ha.kode_wilayah

),

final as (

    select
        a.level,
        a.kode_wilayah,
        a.nama_wilayah,
        cast(coalesce(c.households_desil_1, 0) as {{ dbt.type_bigint() }}) as households_desil_1,
        cast(coalesce(c.households_desil_1_no_program, 0) as {{ dbt.type_bigint() }}) as households_desil_1_no_program,
        cast(coalesce(c.households_sikkep_priority, 0) as {{ dbt.type_bigint() }}) as households_sikkep_priority
    from areas as a
    left join counts as c on c.level = a.level and c.kode_wilayah = a.kode_wilayah

)

select * from final
