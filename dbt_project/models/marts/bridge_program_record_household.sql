-- The household each program row counts for: one row per program record (every period) of a person with
-- a current household who is not deceased. Normally the person's household. When linkage merged the
-- person with a namesake of another family, the row goes where the family of its own NIK lives: the
-- family named by the person's current registry rows (present) that carry the row's valid NIK
-- (bridge_family_household), when those name one household (a PBI-JK card with the namesake's NIK is
-- the namesake family's). A No KK typed on a program row is not followed: a list can lag behind a
-- family split, the registry is the reference.

with records as (

    select record_id, kind, is_current, status_keberadaan, nik, nik_valid, family_ref
    from {{ ref('linked_person_records') }}

),

record_person as (

    select record_id, person_id from {{ source('linkage', 'record_person') }}

),

person_household as (

    select person_id, household_id
    from {{ source('linkage', 'person_household') }}
    where household_id is not null
      and not coalesce(deceased, false)

),

family_household as (

    select family_ref, household_id from {{ ref('bridge_family_household') }}

),

program_rows as (

    select r.record_id, r.nik, r.nik_valid, rp.person_id, ph.household_id
    from records as r
    inner join record_person as rp on rp.record_id = r.record_id
    inner join person_household as ph on ph.person_id = rp.person_id
    where r.kind = 'program'

),

registry_nik_family as (

    -- the families a person's current registry rows (present) name, by the NIK typed on the row
    select distinct rp.person_id, r.nik, r.family_ref
    from records as r
    inner join record_person as rp on rp.record_id = r.record_id
    where r.kind = 'registry' and r.is_current and coalesce(r.status_keberadaan, 'ada') = 'ada'
      and r.nik_valid and r.family_ref is not null

),

by_nik as (

    select p.record_id, min(fh.household_id) as household_id
    from program_rows as p
    inner join registry_nik_family as nf on nf.person_id = p.person_id and nf.nik = p.nik
    inner join family_household as fh on fh.family_ref = nf.family_ref
    where p.nik_valid
    group by p.record_id
    having count(distinct fh.household_id) = 1

),

final as (

    select
        p.record_id,
        p.person_id,
        coalesce(bn.household_id, p.household_id) as household_id,
        case when bn.household_id <> p.household_id then 'registry_nik_family' else 'person' end as attributed_by
    from program_rows as p
    left join by_nik as bn on bn.record_id = p.record_id

)

select * from final
