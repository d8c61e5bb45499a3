-- Every linked person row of every source (linked_person_records) exactly once, with the person linkage gave it
-- and the CURRENT household it counts for: the person's (NULL when no current source claims the person);
-- a program row follows bridge_program_record_household (the family of the row's NIK when linkage
-- merged the person with a namesake of another family).

with records as (

    select * from {{ ref('linked_person_records') }}

),

record_person as (

    select record_id, person_id, match_method, match_probability
    from {{ source('linkage', 'record_person') }}

),

person_household as (

    select person_id, household_id from {{ source('linkage', 'person_household') }}

),

program_record_household as (

    select record_id, household_id from {{ ref('bridge_program_record_household') }}

),

final as (

    select
        r.source,
        r.period,
        r.source_file,
        r.source_sheet,
        r.source_row,
        rp.person_id,
        coalesce(prh.household_id, ph.household_id) as household_id,
        rp.match_method,
        rp.match_probability,
        r.record_id
    from records as r
    left join record_person as rp on rp.record_id = r.record_id
    left join person_household as ph on ph.person_id = rp.person_id
    left join program_record_household as prh on prh.record_id = r.record_id

)

select * from final
