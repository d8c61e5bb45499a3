-- Program receipt by household, program and period: the number of recipient rows (PBI-JK NONAKTIF rows
-- are not recipients) of the household's persons in each program list delivery. Households are the
-- persons' CURRENT households; rows of persons without a current household are not attributed.
-- Every period is kept (history); the household booleans in fct_household use the current period only.

with records as (

    select * from {{ ref('int_person_records') }}

),

record_person as (

    select record_id, person_id from {{ source('linkage', 'record_person') }}

),

person_household as (

    select person_id, household_id from {{ source('linkage', 'person_household') }}

),

program_rows as (

    select
        ph.household_id,
        r.program,
        r.period,
        r.is_current
    from records as r
    inner join record_person as rp on rp.record_id = r.record_id
    inner join person_household as ph on ph.person_id = rp.person_id
    where r.kind = 'program'
      and r.program is not null
      and coalesce(r.recipient, true)
      and ph.household_id is not null

),

final as (

    select
        household_id,
        program,
        period,
        max(case when is_current then 1 else 0 end) = 1 as is_current,
        count(*) as recipient_rows
    from program_rows
    group by household_id, program, period

)

select * from final
