-- The program lists the warehouse reads (one folder per program in raw/), one row per program contract
-- (orchestration/contracts/<source>.yml with kind 'program', passed as var person_sources; see
-- macros/sikkep/programs.sql). Name, holder and order come from the contract (program_name,
-- program_holder, program_order), unit and social_assistance too: `social_assistance` is FALSE for
-- credit (KUR), and "no program" in the priority definitions means no program with
-- social_assistance = TRUE. `covers_whole_family` marks a person-level list that insures every member of
-- a family (PBI-JK): ind_program_coverage estimates the families of its recipients of unknown family.
-- `eligibility_desil_max` / `eligibility_rule` (contract block eligibility): whom the program is for
-- (eligible = household desil 1..eligibility_desil_max; NULL = no desil criterion, e.g. credit).

{% set programs = sikkep.programs() %}

with programs as (

    {% for p in programs %}
    select
        {{ sikkep.text_literal(p['code']) }} as code,
        {{ sikkep.text_literal(p['name']) }} as name,
        {{ sikkep.text_literal(p['holder']) }} as holder,
        {{ sikkep.text_literal(p['unit']) }} as unit,
        {{ 'true' if p['social_assistance'] else 'false' }} as social_assistance,
        {{ 'true' if p['covers_whole_family'] else 'false' }} as covers_whole_family,
        cast({{ p['eligibility_desil_max'] if p['eligibility_desil_max'] is not none else 'null' }} as {{ dbt.type_int() }}) as eligibility_desil_max,
        {{ sikkep.text_literal(p['eligibility_rule']) }} as eligibility_rule,
        {{ p['sort_order'] }} as sort_order
    {% if not loop.last %}union all{% endif %}
    {% else %}
    select
        {{ sikkep.text_literal(none) }} as code,
        {{ sikkep.text_literal(none) }} as name,
        {{ sikkep.text_literal(none) }} as holder,
        {{ sikkep.text_literal(none) }} as unit,
        cast(null as {{ dbt.type_boolean() }}) as social_assistance,
        cast(null as {{ dbt.type_boolean() }}) as covers_whole_family,
        cast(null as {{ dbt.type_int() }}) as eligibility_desil_max,
        {{ sikkep.text_literal(none) }} as eligibility_rule,
        cast(null as {{ dbt.type_int() }}) as sort_order
    where 1 = 0
    {% endfor %}

)

select
    code,
    name,
    holder,
    unit,
    social_assistance,
    covers_whole_family,
    eligibility_desil_max,
    eligibility_rule,
    sort_order
from programs
