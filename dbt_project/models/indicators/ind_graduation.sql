-- Graduation from extreme poverty between consecutive registry periods (fct_household_period).
-- For each pair (period_from, period_to) of consecutive registry periods:
--   households_desil_1_from  households in desil 1 at period_from (counted in their period_from area)
--   graduated     of those, present in the period_to registry with a desil above 1 (welfare improved)
--   remained      of those, present in the period_to registry in desil 1
--   exited_other  of those, not present at period_to (died, moved, not found, dropped) or present
--                 without a desil (invalid / unranked): not graduation
--   entered       households in desil 1 at period_to that were not in desil 1 at period_from
--                 (counted in their period_to area)
-- households_desil_1_from = graduated + remained + exited_other.

with household_period as (

    select * from {{ ref('fct_household_period') }}

),

areas as (

    select level, kode_wilayah, nama_wilayah, kode_kecamatan from {{ ref('marts_dim_wilayah') }}

),

periods as (

    select distinct period from household_period

),

pairs as (

    select a.period as period_from, min(b.period) as period_to
    from periods as a
    inner join periods as b on b.period > a.period
    group by a.period

),

cohort as (

    select
        p.period_from,
        p.period_to,
        f.household_key,
        f.kode_wilayah,
        f.kode_kecamatan,
        case
            when t.present and t.desil = 1 then 'remained'
            when t.present and t.desil > 1 then 'graduated'
            else 'exited_other'
        end as outcome
    from pairs as p
    inner join household_period as f on f.period = p.period_from and f.desil = 1
    left join household_period as t on t.period = p.period_to and t.household_key = f.household_key

),

entrants as (

    select
        p.period_from,
        p.period_to,
        t.household_key,
        t.kode_wilayah,
        t.kode_kecamatan,
        'entered' as outcome
    from pairs as p
    inner join household_period as t on t.period = p.period_to and t.desil = 1
    left join household_period as f
        on f.period = p.period_from and f.household_key = t.household_key and f.desil = 1
    where f.household_key is null

),

events as (

    select * from cohort
    union all
    select * from entrants

),

placed_events as (

    select e.period_from, e.period_to, e.outcome, e.kode_wilayah, e.kode_kecamatan,
           case when desa.kode_wilayah is not null then 1 else 0 end as has_desa
    from events as e
    inner join areas as kec on kec.level = 'kecamatan' and kec.kode_wilayah = e.kode_kecamatan
    left join areas as desa on desa.level = 'desa' and desa.kode_wilayah = e.kode_wilayah

),

event_levels as (

    select period_from, period_to, outcome, 'kabupaten' as level, '{{ var("kabupaten") }}' as kode_wilayah
    from placed_events
    union all
    select period_from, period_to, outcome, 'kecamatan', kode_kecamatan from placed_events
    union all
    select period_from, period_to, outcome, 'desa', kode_wilayah from placed_events where has_desa = 1

),

counts as (

    select
        period_from,
        period_to,
        level,
        kode_wilayah,
        sum(case when outcome <> 'entered' then 1 else 0 end) as households_desil_1_from,
        sum(case when outcome = 'graduated' then 1 else 0 end) as graduated,
        sum(case when outcome = 'entered' then 1 else 0 end) as entered,
        sum(case when outcome = 'remained' then 1 else 0 end) as remained,
        sum(case when outcome = 'exited_other' then 1 else 0 end) as exited_other
    from event_levels
    group by period_from, period_to, level, kode_wilayah

),

final as (

    select
        p.period_from,
        p.period_to,
        a.level,
        a.kode_wilayah,
        a.nama_wilayah,
        cast(coalesce(c.households_desil_1_from, 0) as {{ dbt.type_bigint() }}) as households_desil_1_from,
        cast(coalesce(c.graduated, 0) as {{ dbt.type_bigint() }}) as graduated,
        cast(coalesce(c.entered, 0) as {{ dbt.type_bigint() }}) as entered,
        cast(coalesce(c.remained, 0) as {{ dbt.type_bigint() }}) as remained,
        cast(coalesce(c.exited_other, 0) as {{ dbt.type_bigint() }}) as exited_other
    from pairs as p
    cross join areas as a
    left join counts as c
        on c.period_from = p.period_from and c.period_to = p.period_to
        and c.level = a.level and c.kode_wilayah = a.kode_wilayah

)

select * from final
