-- Where each program's money goes, by area and program (current program lists), in rupiah per year.
-- Amounts are ESTIMATES: recipients x the program's benefit value (contract block benefit, the newest
-- version valid at the list's period; macros/sikkep/benefits.sql):
--   per keluarga per bulan x 12; per keluarga per tahun; per rumah (once); per orang per bulan x 12 x
--   the persons the list names in the household (PBI-JK).
--   rupiah_total         to every recipient household (estimated families of a whole-family list too)
--   rupiah_desil_1       to recipients in desil 1; rupiah_desil_1_4 in desil 1-4
--   rupiah_eligible      to recipients within the program's own eligibility (dim_program; NULL without a
--                        desil criterion); rupiah_not_eligible = rupiah_total - rupiah_eligible
--   rupiah_unregistered  to recipients in no current registry (estimated families included)
--   share_desil_1_pct    = rupiah_desil_1 / rupiah_total x 100
--   rupiah_to_cover_priority_gap  what reaching every desil-1 household of the area that receives no
--                        social-assistance program would cost at this program's benefit
-- A program without a benefit value (credit, or none set) has NULL amounts and NULL basis.
-- basis = 'estimate' (recipients x benefit).

{% set benefits = sikkep.program_benefits() %}

with areas as (

    select level, kode_wilayah, nama_wilayah from {{ ref('marts_dim_wilayah') }}

),

programs as (

    select
        code as program,
        coalesce(covers_whole_family, false) as covers_whole_family,
        eligibility_desil_max
    from {{ ref('dim_program') }}

),

participation as (

    select household_id, program, period, recipient_rows
    from {{ ref('fct_program_participation') }}
    where is_current

),

periods as (

    select program, max(period) as period from participation group by program

),

benefit_versions as (

    {% for b in benefits %}
    select
        {{ sikkep.text_literal(b['program']) }} as program,
        {{ sikkep.text_literal(b['valid_from']) }} as valid_from,
        cast({{ b['rupiah'] }} as {{ dbt.type_bigint() }}) as rupiah,
        {{ sikkep.text_literal(b['per']) }} as per
    {% if not loop.last %}union all{% endif %}
    {% else %}
    select
        {{ sikkep.text_literal(none) }} as program,
        {{ sikkep.text_literal(none) }} as valid_from,
        cast(null as {{ dbt.type_bigint() }}) as rupiah,
        {{ sikkep.text_literal(none) }} as per
    where 1 = 0
    {% endfor %}

),

benefit_ranked as (

    -- the newest version valid at the list's period (no list delivered: the newest version)
    select
        p.program,
        pe.period,
        b.rupiah,
        b.per,
        row_number() over (partition by p.program order by b.valid_from desc) as rn
    from programs as p
    left join periods as pe on pe.program = p.program
    inner join benefit_versions as b
        on b.program = p.program and (pe.period is null or b.valid_from <= pe.period)

),

benefit as (

    select program, period, rupiah, per from benefit_ranked where rn = 1

),

households as (

    select * from {{ ref('fct_household') }}

),

household_program as (

    {{ sikkep.household_program_rows('households') }}

),

receipts as (

    -- one row per recipient household and program, with its annual rupiah; recipients of unknown family
    -- of a whole-family list are counted through family_estimate instead (as in ind_program_coverage)
    select
        hp.household_id,
        hp.program,
        h.desil,
        {{ sikkep.registered_expr('h') }} as registered,
        p.eligibility_desil_max,
        {{ sikkep.annual_rupiah('b.rupiah', 'b.per', 'coalesce(pa.recipient_rows, 1)') }} as rupiah
    from household_program as hp
    inner join households as h on h.household_id = hp.household_id
    inner join programs as p on p.program = hp.program
    inner join benefit as b on b.program = hp.program
    left join participation as pa on pa.household_id = hp.household_id and pa.program = hp.program
    where not (not coalesce(h.family_known, true) and p.covers_whole_family)

),

counted as (

    select
        ha.level,
        ha.kode_wilayah,
        r.program,
        sum(r.rupiah) as rupiah_total,
        sum(case when r.desil = 1 then r.rupiah else 0 end) as rupiah_desil_1,
        sum(case when r.desil <= 4 then r.rupiah else 0 end) as rupiah_desil_1_4,
        sum(case when r.desil <= r.eligibility_desil_max then r.rupiah else 0 end) as rupiah_eligible,
        sum(case when r.registered then 0 else r.rupiah end) as rupiah_unregistered
    from receipts as r
    inner join {{ ref('bridge_household_area') }} as ha on ha.household_id = r.household_id
    group by ha.level, ha.kode_wilayah, r.program

),

estimated as (

    -- estimated families of a whole-family list: unregistered, not eligible
    select
        e.level,
        e.kode_wilayah,
        e.program,
        case when b.per = 'orang_bulan' then b.rupiah * 12 * e.recipient_persons
             else {{ sikkep.annual_rupiah('b.rupiah', 'b.per', '1') }} * e.recipient_families end as rupiah
    from {{ ref('family_estimate') }} as e
    inner join benefit as b on b.program = e.program

),

gap as (

    -- desil-1 households receiving no social-assistance program (as ind_priority_gap), and their members
    select
        ha.level,
        ha.kode_wilayah,
        count(*) as households,
        sum(h.members) as members
    from households as h
    inner join {{ ref('bridge_household_area') }} as ha on ha.household_id = h.household_id
    where h.desil = 1 and coalesce(h.social_programs_count, 0) = 0
    group by ha.level, ha.kode_wilayah

),

grid as (

    select a.level, a.kode_wilayah, a.nama_wilayah, p.program, p.eligibility_desil_max
    from areas as a
    cross join programs as p

),

amounts as (

    select
        g.level,
        g.kode_wilayah,
        g.nama_wilayah,
        g.program,
        b.period,
        b.rupiah is not null as has_benefit,
        g.eligibility_desil_max,
        coalesce(c.rupiah_total, 0) + coalesce(e.rupiah, 0) as rupiah_total,
        coalesce(c.rupiah_desil_1, 0) as rupiah_desil_1,
        coalesce(c.rupiah_desil_1_4, 0) as rupiah_desil_1_4,
        coalesce(c.rupiah_eligible, 0) as rupiah_eligible,
        coalesce(c.rupiah_unregistered, 0) + coalesce(e.rupiah, 0) as rupiah_unregistered,
        case when b.per = 'orang_bulan' then b.rupiah * 12 * coalesce(gp.members, 0)
             else {{ sikkep.annual_rupiah('b.rupiah', 'b.per', '1') }} * coalesce(gp.households, 0)
        end as rupiah_to_cover_priority_gap
    from grid as g
    left join benefit as b on b.program = g.program
    left join counted as c
        on c.level = g.level and c.kode_wilayah = g.kode_wilayah and c.program = g.program
    left join estimated as e
        on e.level = g.level and e.kode_wilayah = g.kode_wilayah and e.program = g.program
    left join gap as gp
        on gp.level = g.level and gp.kode_wilayah = g.kode_wilayah

),

final as (

    select
        program,
        level,
        kode_wilayah,
        nama_wilayah,
        period,
        cast(case when has_benefit then rupiah_total end as {{ dbt.type_bigint() }}) as rupiah_total,
        cast(case when has_benefit then rupiah_desil_1 end as {{ dbt.type_bigint() }}) as rupiah_desil_1,
        cast(case when has_benefit then rupiah_desil_1_4 end as {{ dbt.type_bigint() }}) as rupiah_desil_1_4,
        cast(case when has_benefit and eligibility_desil_max is not null then rupiah_eligible end
             as {{ dbt.type_bigint() }}) as rupiah_eligible,
        cast(case when has_benefit and eligibility_desil_max is not null then rupiah_total - rupiah_eligible end
             as {{ dbt.type_bigint() }}) as rupiah_not_eligible,
        cast(case when has_benefit then rupiah_unregistered end as {{ dbt.type_bigint() }}) as rupiah_unregistered,
        case when has_benefit and rupiah_total > 0
             then round(100.0 * rupiah_desil_1 / rupiah_total, 4) end as share_desil_1_pct,
        cast(case when has_benefit then rupiah_to_cover_priority_gap end as {{ dbt.type_bigint() }})
            as rupiah_to_cover_priority_gap,
        case when has_benefit then 'estimate' end as basis
    from amounts

)

select * from final
