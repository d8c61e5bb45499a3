-- The "Satu Data" household (keluarga) fact: one row per unified household of linkage.
-- Definitions (docs: design.md "Definitions the contract relies on"):
--   members          living persons whose current household it is (a recipient attached only by
--                    an earlier or withdrawn registry row is not a member: present = FALSE; their
--                    program rows still count for the household)
--   present rows     current rows of members; a registry row counts only with status present
--                    (DTKS moved / not found withdraw only DTKS's own claim)
--   home rows        present members' current registry rows of a family living in this household (the
--                    household holding most of the family's persons, then its head; rows without a
--                    family reference count where their person lives): a person merged with a namesake
--                    of another family does not carry that family's desil into this household
--   registries       one desil_<source> and in_<source> pair per registry contract (kind registry; the
--                    published contract fixes desil_dtks, desil_p3ke, in_dtks, in_p3ke); their terms
--                    (precedence, desil scale, order, priority group) are contract data
--                    (macros/sikkep/registries.sql): no registry is named here
--   desil_<source>   poorest (min) desil of the home rows of that registry within its desil scale
--   desil            the poorest desil of the registries of the lowest desil_precedence that rank the
--                    household; NULL = unknown (not eligible)
--   in_<source>      the household has a home row of that registry
--   desil_source     the registry (source) the desil comes from; NULL when the desil is unknown
--   program flags    one boolean per program (dim_program, from the program contracts; the published
--                    contract fixes pkh, bpnt, pbi_jk, blt_dd, rtlh, baznas, kur): a CURRENT recipient row
--                    of that program (PBI NONAKTIF is not) counts for the household
--                    (bridge_program_record_household: a member's row, or a row carrying the NIK of a
--                    registry row of a family living here)
--   programs_count   number of current lists (all, including KUR) naming the household
--   sikkep_priority  in every registry of the priority group (contract registry.priority: P3KE and DTKS)
--                    and no social-assistance program (every list except KUR)
--   area             village (kode_wilayah) of the current registry record; kode_kecamatan always
--                    when known; kode_wilayah NULL when only a kecamatan is known
--   family_known     FALSE for a household of one recipient of person-level lists only (no registry
--                    family, no No KK, no family-level list): the family exists, its other members are
--                    unknown (ind_program_coverage estimates such families for PBI-JK)

{% set program_codes = sikkep.program_codes() %}
{% set registries = sikkep.registries() %}
{% set priority_registries = sikkep.priority_registries() %}

with records as (

    select * from {{ ref('linked_person_records') }}

),

record_person as (

    select record_id, person_id from {{ source('linkage', 'record_person') }}

),

person_household as (

    select
        person_id,
        household_id,
        coalesce(deceased, false) as deceased,
        coalesce(is_head, false) as is_head,
        coalesce(present, true) as present,
        coalesce(family_known, true) as family_known
    from {{ source('linkage', 'person_household') }}
    where household_id is not null

),

programs as (

    select code as program, social_assistance from {{ ref('dim_program') }}

),

households as (

    select
        household_id,
        sum(case when deceased or not present then 0 else 1 end) as members,
        min(case when is_head and not deceased then person_id end) as head_by_linkage,
        min(case when family_known then 1 else 0 end) = 1 as family_known
    from person_household
    group by household_id

),

member_rows as (

    select
        ph.household_id,
        ph.person_id,
        ph.is_head,
        r.record_id,
        r.source,
        r.period,
        r.kind,
        r.program,
        r.recipient,
        r.no_kk,
        r.no_kk_valid,
        r.hubungan,
        r.kode_desa,
        coalesce(r.kode_kecamatan, substring(r.kode_desa, 1, 8)) as kode_kecamatan,
        r.desil,
        r.family_ref
    from records as r
    inner join record_person as rp on rp.record_id = r.record_id
    inner join person_household as ph on ph.person_id = rp.person_id
    where r.is_current
      and not ph.deceased
      and (r.kind <> 'registry' or (ph.present and coalesce(r.status_keberadaan, 'ada') = 'ada'))

),

family_home as (

    -- where each registry family lives (bridge_family_household): a person wrongly merged with a
    -- namesake of another family brings that family's registry rows along; their desil and registry
    -- membership stay with the family
    select family_ref, household_id from {{ ref('bridge_family_household') }}

),

home_registry_rows as (

    select
        m.*,
        {{ sikkep.registry_scaled_desil('m.source', 'm.desil') }} as scaled_desil,
        {{ sikkep.registry_precedence('m.source') }} as desil_precedence
    from member_rows as m
    left join family_home as fh on fh.family_ref = m.family_ref
    where m.kind = 'registry'
      and (m.family_ref is null or fh.household_id = m.household_id)

),

ranked_registry_rows as (

    -- the registries that decide the desil: those of the lowest precedence ranking the household
    select
        *,
        min(case when scaled_desil is not null then desil_precedence end)
            over (partition by household_id) as best_precedence
    from home_registry_rows

),

registry_summary as (

    select
        household_id,
        {%- for r in registries %}
        min(case when source = '{{ r.source }}' then scaled_desil end) as desil_{{ r.source }},
        {%- endfor %}
        min(case when desil_precedence = best_precedence then scaled_desil end) as desil,
        {%- for r in registries %}
        max(case when source = '{{ r.source }}' then 1 else 0 end) = 1 as in_{{ r.source }},
        {%- endfor %}
        min(case when hubungan = 'kepala' then person_id end) as head_by_registry
    from ranked_registry_rows
    group by household_id

),

desil_source_ranked as (

    -- the registry the desil comes from: the poorest row of the deciding precedence, registries in order
    select
        household_id,
        source,
        row_number() over (
            partition by household_id
            order by scaled_desil, {{ sikkep.registry_rank('source') }}, record_id
        ) as rn
    from ranked_registry_rows
    where scaled_desil is not null and desil_precedence = best_precedence

),

program_rows as (

    -- current recipient rows, counted for the household each row is attributed to
    -- (bridge_program_record_household: the person's, or the family of the row's NIK)
    select b.household_id, r.program
    from records as r
    inner join {{ ref('bridge_program_record_household') }} as b on b.record_id = r.record_id
    where r.is_current
      and r.kind = 'program'
      and r.program is not null
      and coalesce(r.recipient, true)

),

program_summary as (

    select
        m.household_id,
        {%- for code in program_codes %}
        max(case when m.program = '{{ code }}' then 1 else 0 end) = 1 as {{ code }},
        {%- endfor %}
        count(distinct m.program) as programs_count,
        count(distinct case when coalesce(p.social_assistance, true) then m.program end) as social_programs_count
    from program_rows as m
    left join programs as p on p.program = m.program
    group by m.household_id

),

area_ranked as (

    -- registry rows before program rows; rows naming a village before rows naming only a kecamatan
    select
        household_id,
        kode_desa,
        kode_kecamatan,
        row_number() over (
            partition by household_id
            order by
                case when kind = 'registry' then 0 else 1 end,
                case when kode_desa is not null then 0 when kode_kecamatan is not null then 1 else 2 end,
                case when is_head then 0 else 1 end,
                {{ sikkep.registry_rank('source') }},
                record_id
        ) as rn
    from member_rows

),

kk_ranked as (

    select
        household_id,
        no_kk,
        row_number() over (
            partition by household_id
            order by
                case when no_kk_valid then 0 else 1 end,
                case when kind = 'registry' then 0 else 1 end,
                case when is_head or hubungan = 'kepala' then 0 else 1 end,
                {{ sikkep.registry_rank('source') }},
                record_id
        ) as rn
    from member_rows
    where no_kk is not null

),

final as (

    select
        h.household_id,
        kk.no_kk,
        area.kode_desa as kode_wilayah,
        area.kode_kecamatan,
        coalesce(h.head_by_linkage, reg.head_by_registry) as head_person_id,
        h.members,
        reg.desil,
        {%- for r in registries %}
        reg.desil_{{ r.source }},
        {%- endfor %}
        {%- for r in registries %}
        coalesce(reg.in_{{ r.source }}, false) as in_{{ r.source }},
        {%- endfor %}
        {%- for code in program_codes %}
        coalesce(prog.{{ code }}, false) as {{ code }},
        {%- endfor %}
        coalesce(prog.programs_count, 0) as programs_count,
        coalesce(prog.social_programs_count, 0) as social_programs_count,
        {%- if priority_registries | length == 0 %}
        false as sikkep_priority,
        {%- else %}
        {%- for r in priority_registries %}
        coalesce(reg.in_{{ r.source }}, false) and
        {%- endfor %}
        coalesce(prog.social_programs_count, 0) = 0 as sikkep_priority,
        {%- endif %}
        h.family_known,
        ds.source as desil_source
    from households as h
    left join registry_summary as reg on reg.household_id = h.household_id
    left join desil_source_ranked as ds on ds.household_id = h.household_id and ds.rn = 1
    left join program_summary as prog on prog.household_id = h.household_id
    left join area_ranked as area on area.household_id = h.household_id and area.rn = 1
    left join kk_ranked as kk on kk.household_id = h.household_id and kk.rn = 1

)

select * from final
