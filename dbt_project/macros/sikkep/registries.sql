{#-
  The registries the warehouse knows, from the person sources (var person_sources, built from
  orchestration/contracts/*.yml): every entry with kind 'registry', with its contract block `registry`
  (orchestration/contract_terms.py). No registry is named in a model: fct_household's desil_<source> and
  in_<source> columns, the desil precedence and scale, the record order and the SIKKEP priority group all
  come from this list, so a new registry (DTSEN) is a new contract file.
  Each registry: source, label, order, desil_precedence, desil_min, desil_max, priority (none or a number),
  sorted by order then source.
-#}
{% macro registries() -%}
  {%- set found = [] -%}
  {%- for s in sikkep.person_sources() -%}
    {%- if s.get('kind') == 'registry' -%}
      {%- if not modules.re.fullmatch('[a-z][a-z0-9_]*', s['source'] | string) -%}
        {{ exceptions.raise_compiler_error("registry source " ~ s['source'] ~ " must be snake_case") }}
      {%- endif -%}
      {%- set t = s.get('registry') or {} -%}
      {%- set scale = t.get('desil_scale') or {} -%}
      {%- do found.append({
          'source': s['source'],
          'label': t.get('label') or (s['source'] | upper),
          'order': (t.get('order', 100)) | int,
          'desil_precedence': (t.get('desil_precedence', 1)) | int,
          'desil_min': (scale.get('min', 1)) | int,
          'desil_max': (scale.get('max', 10)) | int,
          'priority': t.get('priority')}) -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return(found | sort(attribute='source') | sort(attribute='order')) }}
{%- endmacro %}

{#- the registries of the SIKKEP priority group, in the order of their `priority` number -#}
{% macro priority_registries() -%}
  {%- set found = [] -%}
  {%- for r in sikkep.registries() if r['priority'] is not none -%}
    {%- do found.append(r) -%}
  {%- endfor -%}
  {{ return(found | sort(attribute='priority')) }}
{%- endmacro %}

{#- fct_household columns of each registry -#}
{% macro registry_household_columns() -%}
  {%- set cols = [] -%}
  {%- for r in sikkep.registries() -%}
    {%- do cols.append('desil_' ~ r['source']) -%}
    {%- do cols.append('in_' ~ r['source']) -%}
  {%- endfor -%}
  {{ return(cols) }}
{%- endmacro %}

{#- position of a row's source where one record is chosen: registries by their order, then the rest -#}
{% macro registry_rank(source_col) -%}
  case
  {%- for r in sikkep.registries() %} when {{ source_col }} = '{{ r['source'] }}' then {{ loop.index0 }}{% endfor %}
  else {{ sikkep.registries() | length }} end
{%- endmacro %}

{#- a registry row's desil precedence (lower wins); NULL for other sources -#}
{% macro registry_precedence(source_col) -%}
  case
  {%- for r in sikkep.registries() %} when {{ source_col }} = '{{ r['source'] }}' then {{ r['desil_precedence'] }}{% endfor %}
  end
{%- endmacro %}

{#- a registry row's desil when within its registry's scale, else NULL (unranked) -#}
{% macro registry_scaled_desil(source_col, desil_col) -%}
  case
  {%- for r in sikkep.registries() %}
    when {{ source_col }} = '{{ r['source'] }}' and {{ desil_col }} between {{ r['desil_min'] }} and {{ r['desil_max'] }} then {{ desil_col }}
  {%- endfor %}
  end
{%- endmacro %}

{#- a household is registered when any registry lists it (fct_household in_<source> columns of `alias`) -#}
{% macro registered_expr(alias) -%}
  {%- set regs = sikkep.registries() -%}
  {%- if regs | length == 0 -%}false
  {%- else -%}({% for r in regs %}{{ alias }}.in_{{ r['source'] }}{% if not loop.last %} or {% endif %}{% endfor %}){%- endif -%}
{%- endmacro %}
