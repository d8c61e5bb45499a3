{#-
  Text cleaning. Every macro comes in two forms: `<name>(col)` takes a raw column and is a single
  expression (for small models); `<name>_from(...)` takes values already computed by an earlier CTE
  (the trimmed text, its upper-case form, ...), so a staging model evaluates each intermediate value
  once per row (stage.sql).
-#}

{#- placeholder values that mean "nothing delivered" (compared upper case) -#}
{% macro _placeholder_values() -%}
  ('', '-', '--', '.', 'NULL', 'NONE', 'NAN', 'N/A', 'NA', '#N/A')
{%- endmacro %}

{#- trimmed text, '' and placeholder values ('-', 'NULL', 'N/A', '.') -> NULL -#}
{% macro clean_text(col) -%}
  {{ sikkep.clean_text_from('trim(' ~ col ~ ')', 'upper(trim(' ~ col ~ '))') }}
{%- endmacro %}
{#- the same from the trimmed text and its upper-case form -#}
{% macro clean_text_from(trimmed, upper_trimmed) -%}
  case when {{ upper_trimmed }} in {{ sikkep._placeholder_values() }}
       then null else {{ trimmed }} end
{%- endmacro %}

{#- identifier-like text (IDBDT, ID keluarga, NOKA): apostrophes, spaces and a float '.0' removed -#}
{% macro clean_id(col) -%}
  {{ sikkep.clean_id_from(sikkep.clean_text(col)) }}
{%- endmacro %}
{#- the same from clean_text -#}
{% macro clean_id_from(text) -%}
  nullif({{ sikkep.re_replace(sikkep.re_replace(text, "^[''`‘’]+|\\s+", ''), '\\.0+$', '') }}, '')
{%- endmacro %}

{#- mask a NIK / No KK for anything a person reads: '1802**********01' -#}
{% macro mask_nik(col) -%}
  case when {{ col }} is null then null
       when {{ dbt.length(col) }} < 8 then {{ sikkep.re_replace(col, '.', '*') }}
       else {{ dbt.concat(["substring(" ~ col ~ ", 1, 4)",
                           sikkep.re_replace("substring(" ~ col ~ ", 5, " ~ dbt.length(col) ~ " - 6)", '.', '*'),
                           dbt.right(col, 2)]) }}
  end
{%- endmacro %}

{#- masks every run of 12+ digits (NIK, No KK, card numbers) inside free text: first 4 and last 2 kept -#}
{% macro mask_digits_in_text(col) -%}
  {{ sikkep.re_replace(col, '([0-9]{4})[0-9]{6,}([0-9]{2})', '\\1**********\\2') }}
{%- endmacro %}

{#- upper-case Latin letters with accents -> plain letters ('ANDRÉ' -> 'ANDRE'): Windows-1252 and UTF-8 files
    carry them, and a name typed with and without the accent is the same name. translate() exists on
    DuckDB, Spark and Trino alike. Apply after upper(). -#}
{% macro fold_accents(expr) -%}
  translate({{ expr }}, 'ÀÁÂÃÄÅÈÉÊËÌÍÎÏÒÓÔÕÖØÙÚÛÜÝŸÑÇ', 'AAAAAAEEEEIIIIOOOOOOUUUUYYNC')
{%- endmacro %}
