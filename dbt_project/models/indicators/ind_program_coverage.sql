-- Program coverage and targeting errors by area and program (current program lists).
-- Eligible is named: desil 1 (extreme poor) for coverage/exclusion, desil 1-4 for inclusion error.
--   coverage_desil_1_pct         = recipient households in desil 1 / households in desil 1 x 100
--   exclusion_error_desil_1_pct  = households in desil 1 NOT receiving / households in desil 1 x 100
--   inclusion_error_desil_1_4_pct = recipient households NOT in desil 1-4 (incl. unregistered and
--                                  unranked) / recipient households x 100
--   recipient_households_unregistered = recipients none of whose present members is in a current
--                                  registry record (any contract of kind registry). Zero denominators give NULL.
-- Each program's own eligibility (contract block eligibility, dim_program: desil 1..eligibility_desil_max):
--   households_eligible           = households of the area with desil <= eligibility_desil_max
--   recipient_households_eligible = recipient households with desil <= eligibility_desil_max
--   coverage_eligible_pct         = recipient_households_eligible / households_eligible x 100
--   exclusion_error_eligible_pct  = (households_eligible - recipient_households_eligible) / households_eligible x 100
--   inclusion_error_eligible_pct  = (recipient_households - recipient_households_eligible) / recipient_households x 100
--                                   (unregistered, unranked and estimated recipients are not eligible)
--   A program without a desil criterion (credit: KUR) has NULL in these columns; eligibility_rule says so.
-- Lists covering whole families without a family key (dim_program.covers_whole_family: PBI-JK) name
-- persons whose family may be unknown (fct_household.family_known = FALSE: a household of one). Counting
-- each as a household would count one family several times, so they are counted as estimated families:
--   recipient_persons_family_unknown = such recipients; recipient_households_estimated = their estimated
--       families (marts.family_estimate: persons / the list's persons per family of known family, per
--       kecamatan and village, summed upwards). They are unregistered (no registry family) and not in
--       desil 1-4.
with areas as (

    select level, kode_wilayah, nama_wilayah from {{ ref('marts_dim_wilayah') }}

),

programs as (

    select
        code as program,
        coalesce(covers_whole_family, false) as covers_whole_family,
        eligibility_desil_max,
        eligibility_rule
    from {{ ref('dim_program') }}

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

household_program_counted as (

    -- receipts counted one household each; recipients of unknown family of a whole-family list are
    -- estimated instead (estimated)
    select hp.household_id, hp.program, not coalesce(h.family_known, true) and p.covers_whole_family as estimated
    from household_program as hp
    inner join households as h on h.household_id = hp.household_id
    inner join programs as p on p.program = hp.program

),

area_households as (

    select
        ha.level,
        ha.kode_wilayah,
        h.household_id,
        h.desil,
        {{ sikkep.registered_expr('h') }} as registered
    from household_area as ha
    inner join households as h on h.household_id = ha.household_id

),

estimated as (

    -- recipients of unknown family of a whole-family list, as estimated families (marts.family_estimate)
    select level, kode_wilayah, program, recipient_families as households, recipient_persons as persons
    from {{ ref('family_estimate') }}

),

desil_1 as (

    select level, kode_wilayah, count(*) as households_desil_1
    from area_households
    where desil = 1
    group by level, kode_wilayah

),

counted as (

    select
        ah.level,
        ah.kode_wilayah,
        hpc.program,
        count(*) as recipient_households,
        sum(case when ah.desil = 1 then 1 else 0 end) as recipient_households_desil_1,
        sum(case when ah.desil <= 4 then 1 else 0 end) as recipient_households_desil_1_4,
        sum(case when ah.registered then 0 else 1 end) as recipient_households_unregistered,
        sum(case when ah.desil <= p.eligibility_desil_max then 1 else 0 end) as recipient_households_eligible
    from area_households as ah
    inner join household_program_counted as hpc on hpc.household_id = ah.household_id
    inner join programs as p on p.program = hpc.program
    where not hpc.estimated
    group by ah.level, ah.kode_wilayah, hpc.program

),

recipients as (

    select
        coalesce(c.level, e.level) as level,
        coalesce(c.kode_wilayah, e.kode_wilayah) as kode_wilayah,
        coalesce(c.program, e.program) as program,
        coalesce(c.recipient_households, 0) + coalesce(e.households, 0) as recipient_households,
        coalesce(c.recipient_households_desil_1, 0) as recipient_households_desil_1,
        coalesce(c.recipient_households_desil_1_4, 0) as recipient_households_desil_1_4,
        coalesce(c.recipient_households_unregistered, 0) + coalesce(e.households, 0)
            as recipient_households_unregistered,
        coalesce(e.persons, 0) as recipient_persons_family_unknown,
        coalesce(e.households, 0) as recipient_households_estimated,
        coalesce(c.recipient_households_eligible, 0) as recipient_households_eligible
    from counted as c
    full outer join estimated as e
        on e.level = c.level and e.kode_wilayah = c.kode_wilayah and e.program = c.program

),

eligible as (

    -- households each program is for (desil 1..eligibility_desil_max), per area
    select ah.level, ah.kode_wilayah, p.program, count(*) as households_eligible
    from area_households as ah
    inner join programs as p on ah.desil <= p.eligibility_desil_max
    group by ah.level, ah.kode_wilayah, p.program

),

grid as (

    select a.level, a.kode_wilayah, a.nama_wilayah, p.program, p.eligibility_desil_max, p.eligibility_rule
    from areas as a
    cross join programs as p

),

counts as (

    select
        g.level,
        g.kode_wilayah,
        g.nama_wilayah,
        g.program,
        cast(coalesce(r.recipient_households, 0) as {{ dbt.type_bigint() }}) as recipient_households,
        cast(coalesce(r.recipient_households_desil_1, 0) as {{ dbt.type_bigint() }}) as recipient_households_desil_1,
        cast(coalesce(r.recipient_households_desil_1_4, 0) as {{ dbt.type_bigint() }}) as recipient_households_desil_1_4,
        cast(coalesce(r.recipient_households_unregistered, 0) as {{ dbt.type_bigint() }}) as recipient_households_unregistered,
        cast(coalesce(r.recipient_persons_family_unknown, 0) as {{ dbt.type_bigint() }}) as recipient_persons_family_unknown,
        cast(coalesce(r.recipient_households_estimated, 0) as {{ dbt.type_bigint() }}) as recipient_households_estimated,
        cast(coalesce(d.households_desil_1, 0) as {{ dbt.type_bigint() }}) as households_desil_1,
        g.eligibility_rule,
        -- no desil criterion (credit): nothing to count against
        cast(case when g.eligibility_desil_max is not null then coalesce(el.households_eligible, 0) end
             as {{ dbt.type_bigint() }}) as households_eligible,
        cast(case when g.eligibility_desil_max is not null then coalesce(r.recipient_households_eligible, 0) end
             as {{ dbt.type_bigint() }}) as recipient_households_eligible
    from grid as g
    left join recipients as r
        on r.level = g.level and r.kode_wilayah = g.kode_wilayah and r.program = g.program
    left join desil_1 as d
        on d.level = g.level and d.kode_wilayah = g.kode_wilayah
    left join eligible as el
        on el.level = g.level and el.kode_wilayah = g.kode_wilayah and el.program = g.program

),

computed as (

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
        end as inclusion_error_desil_1_4_pct,
        case when households_eligible = 0 then null
             else round(100.0 * recipient_households_eligible / households_eligible, 4)
        end as coverage_eligible_pct,
        case when households_eligible = 0 then null
             else round(100.0 * (households_eligible - recipient_households_eligible) / households_eligible, 4)
        end as exclusion_error_eligible_pct,
        case when recipient_households = 0 or recipient_households_eligible is null then null
             else round(100.0 * (recipient_households - recipient_households_eligible) / recipient_households, 4)
        end as inclusion_error_eligible_pct
    from counts

),

final as (

    -- the published contract only grows: the eligibility columns come after the earlier ones
    select
        level, kode_wilayah, nama_wilayah, program,
        recipient_households, recipient_households_desil_1, recipient_households_desil_1_4,
        recipient_households_unregistered, recipient_persons_family_unknown, recipient_households_estimated,
        households_desil_1, coverage_desil_1_pct, exclusion_error_desil_1_pct, inclusion_error_desil_1_4_pct,
        eligibility_rule, households_eligible, recipient_households_eligible,
        coverage_eligible_pct, exclusion_error_eligible_pct, inclusion_error_eligible_pct
    from computed

)

select * from final
