{#- trimmed text, '' and placeholder values ('-', 'NULL', 'N/A', '.') -> NULL -#}
{% macro clean_text(col) -%}
  case when upper(trim({{ col }})) in ('', '-', '--', '.', 'NULL', 'NONE', 'NAN', 'N/A', 'NA', '#N/A')
       then null else trim({{ col }}) end
{%- endmacro %}

{#- identifier-like text (IDBDT, ID keluarga, NOKA): apostrophes, spaces and a float '.0' removed -#}
{% macro clean_id(col) -%}
  nullif({{ sikkep.re_replace(sikkep.re_replace(sikkep.clean_text(col), "^[''`‘’]+|\\s+", ''), '\\.0+$', '') }}, '')
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
