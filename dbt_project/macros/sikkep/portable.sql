{#-
  Portability layer. Everything engine-specific that dbt's cross-database macros do not cover lives
  here, behind adapter.dispatch: a Spark/Trino port adds spark__/trino__ versions of these few macros
  and every cleaning macro and model stays as it is.
-#}

{% macro re_replace(expr, pattern, replacement) -%}
  {{ return(adapter.dispatch('re_replace', 'sikkep')(expr, pattern, replacement)) }}
{%- endmacro %}
{% macro default__re_replace(expr, pattern, replacement) -%}
  regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}
{% macro spark__re_replace(expr, pattern, replacement) -%}
  regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}
{% macro trino__re_replace(expr, pattern, replacement) -%}
  regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}

{% macro re_matches(expr, pattern) -%}
  {{ return(adapter.dispatch('re_matches', 'sikkep')(expr, pattern)) }}
{%- endmacro %}
{% macro default__re_matches(expr, pattern) -%}
  regexp_matches({{ expr }}, '{{ pattern }}')
{%- endmacro %}
{% macro spark__re_matches(expr, pattern) -%}
  ({{ expr }} rlike '{{ pattern }}')
{%- endmacro %}
{% macro trino__re_matches(expr, pattern) -%}
  regexp_like({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro re_extract(expr, pattern, group=0) -%}
  {{ return(adapter.dispatch('re_extract', 'sikkep')(expr, pattern, group)) }}
{%- endmacro %}
{% macro default__re_extract(expr, pattern, group=0) -%}
  nullif(regexp_extract({{ expr }}, '{{ pattern }}', {{ group }}), '')
{%- endmacro %}

{#- text in a strptime-style format -> DATE, NULL when it is not a real date -#}
{% macro try_to_date(expr, fmt) -%}
  {{ return(adapter.dispatch('try_to_date', 'sikkep')(expr, fmt)) }}
{%- endmacro %}
{% macro default__try_to_date(expr, fmt) -%}
  cast(try_strptime({{ expr }}, '{{ fmt }}') as date)
{%- endmacro %}

{#- text -> integer, NULL when not an integer -#}
{% macro try_int(expr) -%}
  {{ return(adapter.dispatch('try_int', 'sikkep')(expr)) }}
{%- endmacro %}
{% macro default__try_int(expr) -%}
  try_cast({{ expr }} as bigint)
{%- endmacro %}

{% macro try_decimal(expr) -%}
  {{ return(adapter.dispatch('try_decimal', 'sikkep')(expr)) }}
{%- endmacro %}
{% macro default__try_decimal(expr) -%}
  try_cast({{ expr }} as decimal(18, 2))
{%- endmacro %}

{#- string similarity in [0, 1] used for fuzzy place matching (Jaro-Winkler on DuckDB) -#}
{% macro string_similarity(a, b) -%}
  {{ return(adapter.dispatch('string_similarity', 'sikkep')(a, b)) }}
{%- endmacro %}
{% macro default__string_similarity(a, b) -%}
  jaro_winkler_similarity({{ a }}, {{ b }})
{%- endmacro %}

{#- string aggregation with a separator, NULLs skipped (dbt.listagg needs a literal ordering) -#}
{% macro concat_ws_nonnull(sep, exprs) -%}
  {{ return(adapter.dispatch('concat_ws_nonnull', 'sikkep')(sep, exprs)) }}
{%- endmacro %}
{% macro default__concat_ws_nonnull(sep, exprs) -%}
  nullif(concat_ws('{{ sep }}', {{ exprs | join(', ') }}), '')
{%- endmacro %}

{#- the value of `value` on the row with the smallest `key`, among the rows where `value` is not NULL
    (NULL when there is none): one aggregate instead of a row_number() window per attribute -#}
{% macro first_value_by(value, key) -%}
  {{ return(adapter.dispatch('first_value_by', 'sikkep')(value, key)) }}
{%- endmacro %}
{% macro default__first_value_by(value, key) -%}
  arg_min({{ value }}, case when {{ value }} is not null then {{ key }} end)
{%- endmacro %}
{% macro spark__first_value_by(value, key) -%}
  min_by({{ value }}, case when {{ value }} is not null then {{ key }} end)
{%- endmacro %}
{% macro trino__first_value_by(value, key) -%}
  min_by({{ value }}, case when {{ value }} is not null then {{ key }} end)
{%- endmacro %}
