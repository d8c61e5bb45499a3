{#-
  The programs the warehouse knows, from the person sources (var person_sources, built from
  orchestration/contracts/*.yml): every entry with kind 'program' and a program code. No program code is
  written out in a model: dim_program, the fct_household program columns (one boolean per program) and
  the program indicators all come from this list, so a new agency list is a new contract file.
  Each program: code, name (contract program_name, else the code), holder (contract program_holder),
  unit (contract unit), social_assistance (contract social_assistance, default TRUE; FALSE for credit such
  as KUR), covers_whole_family (contract covers_whole_family, default FALSE: a person-level list insuring
  every member of a family, such as PBI-JK), eligibility_desil_max and eligibility_rule (contract block
  eligibility: eligible = household desil 1..desil_max; none = no desil criterion), sort_order (1..n by
  contract program_order, then the order of person_sources).
-#}

{#- column names of fct_household a program code must not take -#}
{% macro reserved_household_columns() -%}
  {{ return(['household_id', 'no_kk', 'kode_wilayah', 'kode_kecamatan', 'head_person_id', 'members',
             'desil', 'desil_source', 'programs_count', 'social_programs_count', 'sikkep_priority', 'program',
             'period', 'source'] + sikkep.registry_household_columns()) }}
{%- endmacro %}

{% macro programs() -%}
  {%- set found = [] -%}
  {%- set seen = [] -%}
  {%- for s in sikkep.person_sources() -%}
    {%- set code = s.get('program') -%}
    {%- if s.get('kind') == 'program' and code and code not in seen -%}
      {%- if not modules.re.fullmatch('[a-z][a-z0-9_]*', code | string) or code in sikkep.reserved_household_columns() -%}
        {{ exceptions.raise_compiler_error("program code " ~ code ~ " of source " ~ s.get('source')
            ~ " must be snake_case and not a fct_household column name") }}
      {%- endif -%}
      {%- do seen.append(code) -%}
      {%- set order = s.get('program_order') -%}
      {%- set elig = s.get('eligibility') or {} -%}
      {%- do found.append({
          'code': code,
          'name': s.get('program_name') or code,
          'holder': s.get('program_holder') or none,
          'unit': s.get('unit'),
          'social_assistance': (s.get('social_assistance') is none) or (s.get('social_assistance') | string | lower in ['true', '1', 'yes']),
          'covers_whole_family': (s.get('covers_whole_family') | string | lower) in ['true', '1', 'yes'],
          'eligibility_desil_max': (elig.get('desil_max') | int) if elig.get('desil_max') is not none else none,
          'eligibility_rule': elig.get('rule') or ('Tanpa kriteria desil' if elig.get('desil_max') is none
                               else 'Desil 1' if (elig.get('desil_max') | int) == 1 else 'Desil 1-' ~ elig.get('desil_max')),
          'sort_key': (order | int) if order is not none else 1000000 + loop.index0,
          'position': loop.index0}) -%}
    {%- endif -%}
  {%- endfor -%}
  {%- set result = [] -%}
  {%- for p in found | sort(attribute='position') | sort(attribute='sort_key') -%}
    {%- do result.append({'code': p['code'], 'name': p['name'], 'holder': p['holder'], 'unit': p['unit'],
                          'social_assistance': p['social_assistance'],
                          'covers_whole_family': p['covers_whole_family'],
                          'eligibility_desil_max': p['eligibility_desil_max'],
                          'eligibility_rule': p['eligibility_rule'], 'sort_order': loop.index}) -%}
  {%- endfor -%}
  {{ return(result) }}
{%- endmacro %}

{% macro program_codes() -%}
  {{ return(sikkep.programs() | map(attribute='code') | list) }}
{%- endmacro %}

{#- a SQL text literal (quotes doubled) or a typed NULL -#}
{% macro text_literal(value) -%}
  {%- if value is none -%}cast(null as {{ dbt.type_string() }})
  {%- else -%}cast('{{ value | string | replace("'", "''") }}' as {{ dbt.type_string() }}){%- endif -%}
{%- endmacro %}

{#- (household_id, program) for every program flag set on `relation` (fct_household or a CTE of it) -#}
{% macro household_program_rows(relation) -%}
  {%- set codes = sikkep.program_codes() -%}
  {%- if codes | length == 0 -%}
    select household_id, {{ sikkep.text_literal(none) }} as program from {{ relation }} where 1 = 0
  {%- else -%}
    {%- for code in codes %}
    select household_id, '{{ code }}' as program from {{ relation }} where {{ code }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
  {%- endif -%}
{%- endmacro %}
