-- Program overlap across the kabupaten: for every ordered pair of programs (diagonal included: a
-- program with itself = its recipient households), the number of households placed in the kabupaten
-- that receive both in the current program lists. The diagonal of a list covering whole families
-- (PBI-JK) is its kabupaten recipient_households of ind_program_coverage, where recipients of unknown
-- family are counted as estimated families; pairs count the households as formed.

with programs as (

    select code as program, coalesce(covers_whole_family, false) as covers_whole_family
    from {{ ref('dim_program') }}

),

estimated_diagonal as (

    select program, recipient_households
    from {{ ref('ind_program_coverage') }}
    where level = 'kabupaten'

),

households as (

    select h.*
    from {{ ref('fct_household') }} as h
    inner join {{ ref('bridge_household_area') }} as ha
        on ha.household_id = h.household_id and ha.level = 'kabupaten'

),

household_program as (

    -- one row per household and program it receives: the fct_household program columns, one per
    -- program contract (macros/sikkep/programs.sql)
    {{ sikkep.household_program_rows('households') }}

),

pairs as (

    select a.program as program_a, b.program as program_b, count(*) as households_both
    from household_program as a
    inner join household_program as b on b.household_id = a.household_id
    group by a.program, b.program

),

final as (

    select
        pa.program as program_a,
        pb.program as program_b,
        cast(case when pa.program = pb.program and pa.covers_whole_family
             then coalesce(d.recipient_households, 0)
             else coalesce(p.households_both, 0)
        end as {{ dbt.type_bigint() }}) as households_both
    from programs as pa
    cross join programs as pb
    left join pairs as p on p.program_a = pa.program and p.program_b = pb.program
    left join estimated_diagonal as d on d.program = pa.program

)

select * from final
