-- Families a list covering whole families names without a family key (dim_program.covers_whole_family:
-- PBI-JK). Its persons found in no registry, with no No KK and on no family-level list, are households of
-- one in fct_household (family_known = FALSE): the family exists, its other members are unknown. Counting
-- each as a household counts one family several times, so the area indicators count estimated families:
--   persons per family = the list's current rows per listed household of known family (at least 1)
--   families = max(1, round(persons / persons per family)) per kecamatan and village (NULL village = one
--              group), summed upwards so that the levels add up.
-- Every current row counts, recipient or not (a NONAKTIF member is listed, so present); a household of
-- unknown family named by two such lists is estimated under the first (program code order).
-- The recipients among them (a current recipient row of that list) are estimated the same way, for
-- ind_program_coverage: recipient_persons / recipient_families.

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

receipts as (

    select household_id, program from {{ ref('fct_program_participation') }} where is_current

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

unknown_placed as (

    select
        u.household_id,
        u.program,
        pl.kode_kecamatan,
        pl.kode_desa,
        rc.household_id is not null as recipient,
        coalesce(ppf.persons_per_family, 1.0) as persons_per_family
    from unknown as u
    inner join placement as pl on pl.household_id = u.household_id
    left join receipts as rc on rc.household_id = u.household_id and rc.program = u.program
    left join persons_per_family as ppf on ppf.program = u.program

),

groups as (

    select
        kode_kecamatan,
        kode_desa,
        program,
        count(*) as persons,
        greatest(1, cast(round(count(*) / max(persons_per_family)) as integer)) as families,
        sum(case when recipient then 1 else 0 end) as recipient_persons,
        case when sum(case when recipient then 1 else 0 end) = 0 then 0
             else greatest(1, cast(round(sum(case when recipient then 1 else 0 end) / max(persons_per_family))
                                   as integer))
        end as recipient_families
    from unknown_placed
    group by kode_kecamatan, kode_desa, program

),

final as (

    select 'kabupaten' as level, '{{ var("kabupaten") }}' as kode_wilayah, program,
           sum(persons) as persons_family_unknown, sum(families) as families_estimated,
           sum(recipient_persons) as recipient_persons, sum(recipient_families) as recipient_families
    from groups
    group by program
    union all
    select 'kecamatan', kode_kecamatan, program, sum(persons), sum(families), sum(recipient_persons),
           sum(recipient_families)
    from groups
    group by kode_kecamatan, program
    union all
    select 'desa', kode_desa, program, sum(persons), sum(families), sum(recipient_persons), sum(recipient_families)
    from groups
    where kode_desa is not null
    group by kode_desa, program

)

select * from final
