-- Every household placed in the kabupaten is in exactly one kecamatan: the kecamatan rows of each
-- area indicator add up to the kabupaten row, and the desa rows of a kecamatan never exceed it
-- (households known only at kecamatan are in no desa row). Returns the offending rows.

-- Reads several indicator tables; Dagster shows it as an asset check on ind_poverty_by_area (the
-- headline public table, where the GX indicators gate sits too).
{{ config(meta={'dagster': {'ref': {'name': 'ind_poverty_by_area'}}}) }}

with poverty as (

    select level, kode_wilayah, households as n1, households_desil_1 as n2, households_desil_1_4 as n3,
           persons_desil_1 as n4, persons_desil_1_4 as n5, 'ind_poverty_by_area' as tbl, 'all' as part
    from {{ ref('ind_poverty_by_area') }}
    union all
    select level, kode_wilayah, recipient_households, recipient_households_desil_1,
           recipient_households_desil_1_4, recipient_households_unregistered, households_desil_1,
           'ind_program_coverage', program
    from {{ ref('ind_program_coverage') }}
    union all
    select level, kode_wilayah, households_desil_1, households_desil_1_no_program,
           households_sikkep_priority, 0, 0, 'ind_priority_gap', 'all'
    from {{ ref('ind_priority_gap') }}
    union all
    select level, kode_wilayah, households_desil_1_from, graduated, entered, remained, exited_other,
           'ind_graduation', {{ dbt.concat(["period_from", "'>'", "period_to"]) }}
    from {{ ref('ind_graduation') }}

),

kabupaten as (

    select tbl, part, n1, n2, n3, n4, n5 from poverty where level = 'kabupaten'

),

kecamatan_sum as (

    select tbl, part, sum(n1) as n1, sum(n2) as n2, sum(n3) as n3, sum(n4) as n4, sum(n5) as n5
    from poverty where level = 'kecamatan'
    group by tbl, part

),

desa_sum as (

    select p.tbl, p.part, substring(p.kode_wilayah, 1, 8) as kode_kecamatan,
           sum(p.n1) as n1, sum(p.n2) as n2, sum(p.n3) as n3, sum(p.n4) as n4, sum(p.n5) as n5
    from poverty as p where p.level = 'desa'
    group by p.tbl, p.part, substring(p.kode_wilayah, 1, 8)

),

kabupaten_mismatch as (

    select k.tbl, k.part, 'kecamatan sum <> kabupaten' as problem
    from kabupaten as k
    left join kecamatan_sum as s on s.tbl = k.tbl and s.part = k.part
    where coalesce(s.n1, 0) <> k.n1 or coalesce(s.n2, 0) <> k.n2 or coalesce(s.n3, 0) <> k.n3
       or coalesce(s.n4, 0) <> k.n4 or coalesce(s.n5, 0) <> k.n5

),

desa_excess as (

    select d.tbl, d.part, 'desa sum > kecamatan' as problem
    from desa_sum as d
    inner join poverty as k
        on k.level = 'kecamatan' and k.kode_wilayah = d.kode_kecamatan and k.tbl = d.tbl and k.part = d.part
    where d.n1 > k.n1 or d.n2 > k.n2 or d.n3 > k.n3 or d.n4 > k.n4 or d.n5 > k.n5

),

graduation_balance as (

    select 'ind_graduation' as tbl, kode_wilayah as part, 'from <> graduated + remained + exited_other' as problem
    from {{ ref('ind_graduation') }}
    where households_desil_1_from <> graduated + remained + exited_other

)

select * from kabupaten_mismatch
union all
select * from desa_excess
union all
select * from graduation_balance
