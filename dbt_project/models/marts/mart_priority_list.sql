{{ config(alias='priority_list') }}
-- The SIKKEP priority households by name, published as restricted `priority_list` (and the Excel lists
-- per kecamatan): household, village, head's name, masked NIK, desil, each registry's desil, and why.
-- The registries (their desil columns, the priority group and its order in the reason) are contract data
-- (macros/sikkep/registries.sql); the programs a priority household still receives are lists that are not
-- social assistance (KUR), named in the reason.
{% set registries = sikkep.registries() %}
{% set priority_registries = sikkep.priority_registries() %}
{% set other_programs = [] %}
{% for p in sikkep.programs() if not p.social_assistance %}{% do other_programs.append("case when h." ~ p.code ~ " then '" ~ (p.code | upper) ~ "' end") %}{% endfor %}

with h as (

    select * from {{ ref('fct_household') }} where sikkep_priority

),

head as (

    select person_id, nama, nik from {{ ref('fct_person') }}

),

area as (

    select level, kode_wilayah, nama_wilayah from {{ ref('marts_dim_wilayah') }}

)

select
    h.household_id,
    h.kode_kecamatan,
    kec.nama_wilayah as nama_kecamatan,
    h.kode_wilayah,
    desa.nama_wilayah as nama_desa,
    hd.nama as nama_kepala_keluarga,
    case when hd.nik is null then null
         when length(hd.nik) >= 8 then substr(hd.nik, 1, 4) || repeat('*', length(hd.nik) - 6) || substr(hd.nik, length(hd.nik) - 1, 2)
         else repeat('*', length(hd.nik)) end as nik_kepala_masked,
    h.members,
    h.desil,
    {%- for r in registries %}
    h.desil_{{ r.source }},
    {%- endfor %}
    'Terdaftar di '
    {%- for r in priority_registries %}
        || '{{ r.label }} (desil ' || coalesce(cast(h.desil_{{ r.source }} as {{ dbt.type_string() }}), '-') || ')'
        {%- if not loop.last %} || ' dan '{% endif %}
    {%- endfor %}
        || ', tidak menerima bantuan sosial'
    {%- if other_programs | length > 0 %}
        || coalesce(' (hanya ' || {{ sikkep.concat_ws_nonnull(', ', other_programs) }} || ')', '')
    {%- endif %} as alasan
from h
left join head as hd on hd.person_id = h.head_person_id
left join area as kec on kec.level = 'kecamatan' and kec.kode_wilayah = h.kode_kecamatan
left join area as desa on desa.level = 'desa' and desa.kode_wilayah = h.kode_wilayah
