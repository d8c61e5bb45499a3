-- Families a list covering whole families names without a family key (dim_program.covers_whole_family:
-- PBI-JK). Its persons found in no registry, with no No KK and on no family-level list, are households of
-- one in fct_household (family_known = FALSE): the family exists, its other members are unknown. Counting
-- each as a household counts one family several times, so the area indicators count estimated families:
--   persons per family = the list's current rows per listed household of known family (at least 1)
--   families = max(1, round(persons / persons per family)) per kecamatan and village (NULL village = one
--              group), summed upwards so that the levels add up.
-- Every current row counts, recipient or not (a NONAKTIF member is listed, so present); a household of
-- unknown family named by two such lists is estimated under the first (program code order).
-- ind_program_coverage estimates the recipients of each list the same way (recipient_households_estimated).

with programs as (

    select code as program from {{ ref('dim_program') }} where coalesce(covers_whole_family, false)

),

households as (

    select household_id, family_known from {{ ref('fct_household') }}

),

records as (

    select record_id, program from {{ ref('linked_person_records') }}
    where is_current and program in (select program from programs)

),

xref as (

    select record_id, household_id from {{ ref('xref_source_record') }} where household_id is not null

),

household_area as (

    select household_id, level, kode_wilayah from {{ ref('bridge_household_area') }}

),

listed as (

    select x.household_id, r.program, count(*) as listed_rows
    from records as r
    inner join xref as x on x.record_id = r.record_id
    group by x.household_id, r.program

),

persons_per_family as (

    select l.program, greatest(1.0, 1.0 * sum(l.listed_rows) / count(*)) as persons_per_family
    from listed as l
    inner join households as h on h.household_id = l.household_id
    where coalesce(h.family_known, true)
    group by l.program

),

unknown as (

    select l.household_id, min(l.program) as program
    from listed as l
    inner join households as h on h.household_id = l.household_id
    where not coalesce(h.family_known, true)
    group by l.household_id

),

placement as (

    select k.household_id, k.kode_wilayah as kode_kecamatan, d.kode_wilayah as kode_desa
    from household_area as k
    left join household_area as d on d.household_id = k.household_id and d.level = 'desa'
    where k.level = 'kecamatan'

),

groups as (

    select
        pl.kode_kecamatan,
        pl.kode_desa,
        u.program,
        count(*) as persons,
        greatest(1, cast(round(count(*) / coalesce(max(ppf.persons_per_family), 1.0)) as integer)) as families
    from unknown as u
    inner join placement as pl on pl.household_id = u.household_id
    left join persons_per_family as ppf on ppf.program = u.program
    group by pl.kode_kecamatan, pl.kode_desa, u.program

),

final as (

    select 'kabupaten' as level, '{{ var("kabupaten") }}' as kode_wilayah, program,
           sum(persons) as persons_family_unknown, sum(families) as families_estimated
    from groups
    group by program
    union all
    select 'kecamatan', kode_kecamatan, program, sum(persons), sum(families)
    from groups
    group by kode_kecamatan, program
    union all
    select 'desa', kode_desa, program, sum(persons), sum(families)
    from groups
    where kode_desa is not null
    group by kode_desa, program

)

select * from final
