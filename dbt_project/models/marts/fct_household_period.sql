-- Household registry state per registry period (history), the input of ind_graduation.
-- Snapshot at period P: for each registry source (every contract of kind registry) its newest delivery at
-- or before P; the periods are those of every registry's deliveries (DTSEN's quarters included).
-- A record belongs to the CURRENT household (linkage) its source family lives in (the one holding most
-- of the family's persons: a person merged with a namesake of another family does not carry that
-- family's row along, as in fct_household); a record without a family reference to its person's
-- household; a family none of whose persons has a household (died, moved away) gets a synthetic
-- household key 'gone:<source>:<family>' that never appears in later periods.
-- present = at least one row with status present; desil = poorest desil, within its registry's desil
-- scale, of the present rows of the registries of the lowest desil_precedence ranking the household (as
-- in fct_household); area = village / kecamatan of the present rows (registries in contract order).

with records as (

    select * from {{ ref('linked_person_records') }} where kind = 'registry'

),

record_person as (

    select record_id, person_id from {{ source('linkage', 'record_person') }}

),

person_household as (

    select person_id, household_id from {{ source('linkage', 'person_household') }}

),

registry_periods as (

    select distinct period from records

),

source_periods as (

    select distinct source, period from records

),

snapshots as (

    select
        p.period as snapshot_period,
        s.source,
        max(s.period) as source_period
    from registry_periods as p
    inner join source_periods as s on s.period <= p.period
    group by p.period, s.source

),

snapshot_rows as (

    select
        sn.snapshot_period,
        r.record_id,
        r.source,
        r.family_ref,
        r.hubungan,
        {{ sikkep.registry_scaled_desil('r.source', 'r.desil') }} as desil,
        {{ sikkep.registry_precedence('r.source') }} as desil_precedence,
        r.kode_desa,
        coalesce(r.kode_kecamatan, substring(r.kode_desa, 1, 8)) as kode_kecamatan,
        coalesce(r.status_keberadaan, 'ada') = 'ada' as is_present,
        rp.person_id,
        ph.household_id
    from snapshots as sn
    inner join records as r on r.source = sn.source and r.period = sn.source_period
    inner join record_person as rp on rp.record_id = r.record_id
    left join person_household as ph on ph.person_id = rp.person_id

),

family_households as (

    -- where each family of a snapshot lives: the current household holding most of its persons, then
    -- its head (as in fct_household)
    select
        snapshot_period,
        source,
        family_ref,
        household_id,
        row_number() over (
            partition by snapshot_period, source, family_ref
            order by count(distinct person_id) desc,
                     max(case when hubungan = 'kepala' then 1 else 0 end) desc,
                     household_id
        ) as rn
    from snapshot_rows
    where family_ref is not null and household_id is not null
    group by snapshot_period, source, family_ref, household_id

),

family_household as (

    select
        r.*,
        fh.household_id as family_household_id
    from snapshot_rows as r
    left join family_households as fh
        on fh.snapshot_period = r.snapshot_period and fh.source = r.source
       and fh.family_ref = r.family_ref and fh.rn = 1

),

keyed as (

    select
        snapshot_period,
        record_id,
        source,
        desil,
        desil_precedence,
        kode_desa,
        kode_kecamatan,
        is_present,
        coalesce(
            family_household_id,
            household_id,
            {{ dbt.concat(["'gone:'", "source", "':'", "coalesce(family_ref, person_id)"]) }}
        ) as household_key
    from family_household

),

area_ranked as (

    select
        snapshot_period,
        household_key,
        kode_desa,
        kode_kecamatan,
        row_number() over (
            partition by snapshot_period, household_key
            order by
                case when is_present then 0 else 1 end,
                case when kode_desa is not null then 0 when kode_kecamatan is not null then 1 else 2 end,
                {{ sikkep.registry_rank('source') }},
                record_id
        ) as rn
    from keyed

),

ranked as (

    select
        *,
        min(case when is_present and desil is not null then desil_precedence end)
            over (partition by snapshot_period, household_key) as best_precedence
    from keyed

),

summary as (

    select
        snapshot_period,
        household_key,
        max(case when is_present then 1 else 0 end) = 1 as present,
        min(case when is_present and desil_precedence = best_precedence then desil end) as desil
    from ranked
    group by snapshot_period, household_key

),

final as (

    select
        s.snapshot_period as period,
        s.household_key,
        s.present,
        s.desil,
        case when s.present then a.kode_desa end as kode_wilayah,
        case when s.present then a.kode_kecamatan end as kode_kecamatan
    from summary as s
    left join area_ranked as a
        on a.snapshot_period = s.snapshot_period and a.household_key = s.household_key and a.rn = 1

)

select * from final
