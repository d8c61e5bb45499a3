-- Program coverage and targeting errors by area and program (current program lists).
-- Eligible is named: desil 1 (extreme poor) for coverage/exclusion, desil 1-4 for inclusion error.
--   coverage_desil_1_pct         = recipient households in desil 1 / households in desil 1 x 100
--   exclusion_error_desil_1_pct  = households in desil 1 NOT receiving / households in desil 1 x 100
--   inclusion_error_desil_1_4_pct = recipient households NOT in desil 1-4 (incl. unregistered and
--                                  unranked) / recipient households x 100
--   recipient_households_unregistered = recipients none of whose present members is in a current
--                                  DTKS or P3KE record. Zero denominators give NULL.

with areas as (

    select level, kode_wilayah, nama_wilayah from {{ ref('marts_dim_wilayah') }}

),

programs as (

    select code as program from {{ ref('dim_program') }}

),

households as (

    select * from {{ ref('fct_household') }}

),

household_area as (

    select household_id, level, kode_wilayah from {{ ref('bridge_household_area') }}

),

household_program as (

    -- one row per household and program it receives: the fct_household program columns, one per
    -- program contract (macros/sikkep/programs.sql)
    {{ sikkep.household_program_rows('households') }}

),

area_households as (

    select
        ha.level,
        ha.kode_wilayah,
        h.household_id,
        h.desil,
        h.in_dtks or h.in_p3ke as registered
    from household_area as ha
    inner join households as h on h.household_id = ha.household_id

),

desil_1 as (

    select level, kode_wilayah, count(*) as households_desil_1
    from area_households
    where desil = 1
    group by level, kode_wilayah

),

recipients as (

    select
        ah.level,
        ah.kode_wilayah,
        hp.program,
        count(*) as recipient_households,
        sum(case when ah.desil = 1 then 1 else 0 end) as recipient_households_desil_1,
        sum(case when ah.desil <= 4 then 1 else 0 end) as recipient_households_desil_1_4,
        sum(case when ah.registered then 0 else 1 end) as recipient_households_unregistered
    from area_households as ah
    inner join household_program as hp on hp.household_id = ah.household_id
    group by ah.level, ah.kode_wilayah, hp.program

),

grid as (

    select a.level, a.kode_wilayah, a.nama_wilayah, p.program
    from areas as a
    cross join programs as p

),

counts as (

    select
        g.level,
        g.kode_wilayah,
        g.nama_wilayah,
        g.program,
        coalesce(r.recipient_households, 0) as recipient_households,
        coalesce(r.recipient_households_desil_1, 0) as recipient_households_desil_1,
        coalesce(r.recipient_households_desil_1_4, 0) as recipient_households_desil_1_4,
        coalesce(r.recipient_households_unregistered, 0) as recipient_households_unregistered,
        coalesce(d.households_desil_1, 0) as households_desil_1
    from grid as g
    left join recipients as r
        on r.level = g.level and r.kode_wilayah = g.kode_wilayah and r.program = g.program
    left join desil_1 as d
        on d.level = g.level and d.kode_wilayah = g.kode_wilayah

),

final as (

    select
        *,
        case when households_desil_1 = 0 then null
             else round(100.0 * recipient_households_desil_1 / households_desil_1, 4)
        end as coverage_desil_1_pct,
        case when households_desil_1 = 0 then null
             else round(100.0 * (households_desil_1 - recipient_households_desil_1) / households_desil_1, 4)
        end as exclusion_error_desil_1_pct,
        case when recipient_households = 0 then null
             else round(100.0 * (recipient_households - recipient_households_desil_1_4) / recipient_households, 4)
        end as inclusion_error_desil_1_4_pct
    from counts

)

select * from final
