-- Program receipt by household, program and period: the number of recipient rows (PBI-JK NONAKTIF rows
-- are not recipients) attributed to the household in each program list delivery. Households are the
-- CURRENT households (bridge_program_record_household: the person's, or the family of the row's NIK);
-- rows of persons without a current household, or deceased, are not attributed.
-- Every period is kept (history); the household booleans in fct_household use the current period only.

with records as (

    select * from {{ ref('linked_person_records') }}

),

program_record_household as (

    select record_id, household_id from {{ ref('bridge_program_record_household') }}

),

program_rows as (

    select
        b.household_id,
        r.program,
        r.period,
        r.is_current
    from records as r
    inner join program_record_household as b on b.record_id = r.record_id
    where r.kind = 'program'
      and r.program is not null
      and coalesce(r.recipient, true)

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
