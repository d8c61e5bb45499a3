-- Where each registry family (DTKS No KK, P3KE family) lives today: one row per family reference of the
-- current registry rows of living, present persons. Its household is the one holding most of the
-- family's persons, then the one holding its head, then the smallest id. A person linkage merged with a
-- namesake of another family brings that family's rows into their own household; the family's desil,
-- registry membership and program receipts stay where the family lives (fct_household,
-- bridge_program_record_household).

with records as (

    select record_id, family_ref, hubungan
    from {{ ref('linked_person_records') }}
    where kind = 'registry'
      and is_current
      and family_ref is not null
      and coalesce(status_keberadaan, 'ada') = 'ada'

),

record_person as (

    select record_id, person_id from {{ source('linkage', 'record_person') }}

),

person_household as (

    select person_id, household_id
    from {{ source('linkage', 'person_household') }}
    where household_id is not null
      and not coalesce(deceased, false)
      and coalesce(present, true)

),

family_rows as (

    select r.family_ref, ph.household_id, ph.person_id, r.hubungan
    from records as r
    inner join record_person as rp on rp.record_id = r.record_id
    inner join person_household as ph on ph.person_id = rp.person_id

),

ranked as (

    select
        family_ref,
        household_id,
        count(distinct person_id) as persons,
        row_number() over (
            partition by family_ref
            order by count(distinct person_id) desc,
                     max(case when hubungan = 'kepala' then 1 else 0 end) desc,
                     household_id
        ) as rn
    from family_rows
    group by family_ref, household_id

),

final as (

    select family_ref, household_id, persons
    from ranked
    where rn = 1

)

select * from final
