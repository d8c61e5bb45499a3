-- The program lists the warehouse reads (one folder per program in raw/), one row per program contract
-- (orchestration/contracts/<source>.yml with kind 'program', passed as var person_sources; see
-- macros/sikkep/programs.sql). Name, holder and order come from the contract (program_name,
-- program_holder, program_order), unit and social_assistance too: `social_assistance` is FALSE for
-- credit (KUR), and "no program" in the priority definitions means no program with
-- social_assistance = TRUE.

{% set programs = sikkep.programs() %}

with programs as (

    {% for p in programs %}
    select
        {{ sikkep.text_literal(p['code']) }} as code,
        {{ sikkep.text_literal(p['name']) }} as name,
        {{ sikkep.text_literal(p['holder']) }} as holder,
        {{ sikkep.text_literal(p['unit']) }} as unit,
        {{ 'true' if p['social_assistance'] else 'false' }} as social_assistance,
        {{ p['sort_order'] }} as sort_order
    {% if not loop.last %}union all{% endif %}
    {% else %}
    select
        {{ sikkep.text_literal(none) }} as code,
        {{ sikkep.text_literal(none) }} as name,
        {{ sikkep.text_literal(none) }} as holder,
        {{ sikkep.text_literal(none) }} as unit,
        cast(null as {{ dbt.type_boolean() }}) as social_assistance,
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
    sort_order
from programs
