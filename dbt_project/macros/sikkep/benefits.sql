{#-
  The benefit value versions of each program, from the program contracts (block `benefit`,
  orchestration/contract_terms.py benefit_terms, passed in var person_sources): program, valid_from
  (YYYY-MM), rupiah, per ('keluarga_bulan', 'keluarga_tahun', 'orang_bulan', 'rumah'), legal_source.
  A program code delivered by two sources takes the first source's versions (as dim_program).
-#}
{% macro program_benefits() -%}
  {%- set found = [] -%}
  {%- set seen = [] -%}
  {%- for s in sikkep.person_sources() -%}
    {%- set code = s.get('program') -%}
    {%- if s.get('kind') == 'program' and code and code not in seen -%}
      {%- do seen.append(code) -%}
      {%- for b in (s.get('benefit') or []) -%}
        {%- do found.append({'program': code, 'valid_from': b['valid_from'] | string, 'rupiah': b['rupiah'] | int,
                             'per': b['per'], 'legal_source': b.get('legal_source')}) -%}
      {%- endfor -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return(found) }}
{%- endmacro %}

{#- annual rupiah of one receipt: per family or house as given, per person times the persons listed -#}
{% macro annual_rupiah(rupiah, per, persons) -%}
  case {{ per }}
    when 'keluarga_bulan' then {{ rupiah }} * 12
    when 'keluarga_tahun' then {{ rupiah }}
    when 'rumah' then {{ rupiah }}
    when 'orang_bulan' then {{ rupiah }} * 12 * {{ persons }}
  end
{%- endmacro %}
