{#-
  NIK / No KK cleaning and validation.

  Repairs (lossless only): leading apostrophes, spaces (also non-breaking), dots, hyphens, commas, a float '.0' tail, and
  scientific notation when the mantissa still carries all 16 digits. '1.80221E+15' is NOT recoverable:
  NULL and suspect. A 15-digit mantissa (Excel keeps 15 significant digits) gives the 16 digits with
  the last one zeroed: kept, but suspect (see nik_excel_zeroed for the plain-digits form).
-#}

{#-
  Each step exists twice: `<name>(col)` on a raw column (one expression), and `<name>_from(...)` /
  the id_* parts on values an earlier CTE computed, so staging (stage.sql) evaluates every regular
  expression once per row: trimmed text -> id_text -> id_is_scientific, id_plain_digits ->
  id_sci_mantissa, id_sci_int_digits (scientific values only) -> clean_nik_from.
-#}

{#- the delivered text without leading apostrophes (also typographic ‘ ’) and outer spaces, upper case;
    `trimmed` is trim(<raw>) -#}
{% macro id_text(trimmed) -%}
  upper({{ sikkep.re_replace(trimmed, "^[''`‘’]+", '') }})
{%- endmacro %}

{#- TRUE when the id text is in scientific notation ('1.80221E+15') -#}
{% macro id_is_scientific(t) -%}
  {{ sikkep.re_matches(t, '^[0-9]+([.,][0-9]+)?E\\+?[0-9]+$') }}
{%- endmacro %}

{#- digits of the mantissa of a scientific value ('1.80221E+15' -> '180221') -#}
{% macro id_sci_mantissa(t) -%}
  {{ sikkep.re_replace(sikkep.re_extract(t, '^([0-9.,]+)E', 1), '[.,]', '') }}
{%- endmacro %}
{#- number of integer digits the scientific value expands to -#}
{% macro id_sci_int_digits(t) -%}
  ({{ dbt.length(sikkep.re_extract(t, '^([0-9]+)', 1)) }} + {{ sikkep.try_int(sikkep.re_extract(t, 'E\\+?([0-9]+)$', 1)) }})
{%- endmacro %}
{#- the id text without a float '.0' tail, spaces (also non-breaking), dots, commas and hyphens -#}
{% macro id_plain_digits(t) -%}
  {{ sikkep.re_replace(sikkep.re_replace(t, '\\.0+$', ''), '[\\s\\x{00A0}.,-]', '') }}
{%- endmacro %}

{#- a 16-digit identifier from delivered text, or NULL -#}
{% macro clean_nik(col) -%}
  {%- set t = sikkep.id_text('trim(' ~ col ~ ')') -%}
  {{ sikkep.clean_nik_from(sikkep.clean_text(col), sikkep.id_is_scientific(t), sikkep.id_sci_mantissa(t),
                           sikkep.id_sci_int_digits(t), sikkep.id_plain_digits(t)) }}
{%- endmacro %}
{#- the same from its parts: clean_text of the raw value, id_is_scientific, id_sci_mantissa,
    id_sci_int_digits (the last two only read when scientific) and id_plain_digits -#}
{% macro clean_nik_from(text, is_sci, mantissa, int_digits, plain) -%}
  case
    when {{ text }} is null then null
    when {{ is_sci }} then
      case when {{ int_digits }} = 16 and {{ dbt.length(mantissa) }} between 15 and 16
           then rpad({{ mantissa }}, 16, '0') end
    else
      case when {{ sikkep.re_matches(plain, '^[0-9]{16}$') }} then {{ plain }} end
  end
{%- endmacro %}

{#- TRUE when the delivered value was in scientific notation with fewer than 16 mantissa digits -#}
{% macro nik_scientific_suspect(col) -%}
  {%- set t = sikkep.id_text('trim(' ~ col ~ ')') -%}
  {{ sikkep.nik_scientific_suspect_from(sikkep.id_is_scientific(t), sikkep.id_sci_mantissa(t)) }}
{%- endmacro %}
{% macro nik_scientific_suspect_from(is_sci, mantissa) -%}
  coalesce({{ is_sci }} and {{ dbt.length(mantissa) }} < 16, false)
{%- endmacro %}

{#- the DDMMYY parts of a cleaned NIK / No KK as integers (positions 7-8, 9-10, 11-12) -#}
{% macro id_dd(nik) -%}{{ sikkep.try_int('substring(' ~ nik ~ ', 7, 2)') }}{%- endmacro %}
{% macro id_mm(nik) -%}{{ sikkep.try_int('substring(' ~ nik ~ ', 9, 2)') }}{%- endmacro %}
{% macro id_yy(nik) -%}{{ sikkep.try_int('substring(' ~ nik ~ ', 11, 2)') }}{%- endmacro %}

{#-
  Excel-zeroed plain digits: a numeric Excel cell keeps 15 significant digits, so the 16th arrives as
  '0'. Raw text cannot tell a numeric cell from a text cell, so the evidence is the file: when at least
  half of a file's (sheet's) 16-digit values end in '0' (about 10% do naturally) the column was numeric,
  and every value ending in '0' there is suspect.
-#}
{% macro nik_excel_zeroed(nik, partition_by='source_file, source_sheet') -%}
  {{ sikkep.nik_excel_zeroed_from(nik, sikkep.nik_zero_count(nik) ~ ' over (partition by ' ~ partition_by ~ ')',
                                  'count(' ~ nik ~ ') over (partition by ' ~ partition_by ~ ')') }}
{%- endmacro %}
{#- the aggregate: how many of the values end in '0' (with count(<nik>), per file and sheet) -#}
{% macro nik_zero_count(nik) -%}
  sum(case when {{ dbt.right(nik, 1) }} = '0' then 1 else 0 end)
{%- endmacro %}
{#- the same from the per-file (sheet) nik_zero_count and count of the NIKs -#}
{% macro nik_excel_zeroed_from(nik, zeros, total) -%}
  coalesce({{ dbt.right(nik, 1) }} = '0'
    and {{ zeros }} >= 0.5 * {{ total }}
    and {{ total }} >= 3, false)
{%- endmacro %}

{#- TRUE when day/month/2-digit-year form a real calendar date (either century) -#}
{% macro _ddmmyy_valid(dd, mm, yy) -%}
  ({{ mm }} between 1 and 12 and {{ dd }} >= 1 and {{ dd }} <=
    case when {{ mm }} in (4, 6, 9, 11) then 30
         when {{ mm }} = 2 then case when mod({{ yy }}, 4) = 0 then 29 else 28 end
         else 31 end)
{%- endmacro %}

{#-
  Why a (cleaned) NIK is not valid, or NULL when it is valid. `present` = a value was delivered.
  Checks: 16 digits; province+kabupaten prefix is a Kemendagri code; DDMMYY a real date with day+40
  for women; consistent with the recorded sex when known; serial not 0000.
-#}
{% macro nik_problem(nik, raw, sex='null') -%}
  {{ sikkep.nik_problem_from(nik, sikkep.clean_text(raw), sikkep.nik_scientific_suspect(raw), sex,
                             sikkep.id_dd(nik), sikkep.id_mm(nik), sikkep.id_yy(nik)) }}
{%- endmacro %}
{#- the same from clean_text of the raw value, nik_scientific_suspect and the id_dd / id_mm / id_yy parts -#}
{% macro nik_problem_from(nik, text, sci_suspect, sex, dd, mm, yy) -%}
  case
    when {{ text }} is null then 'missing'
    when {{ nik }} is null and {{ sci_suspect }} then 'scientific_lossy'
    when {{ nik }} is null then 'malformed'
    when substring({{ nik }}, 1, 4) not in (select prefix from {{ ref('ref_kode_kabupaten') }}) then 'region'
    when not {{ sikkep._ddmmyy_valid('(case when ' ~ dd ~ ' > 40 then ' ~ dd ~ ' - 40 else ' ~ dd ~ ' end)', mm, yy) }} then 'birthdate'
    when substring({{ nik }}, 13, 4) = '0000' then 'serial'
    when {{ sex }} = 'P' and {{ dd }} <= 40 then 'sex_mismatch'
    when {{ sex }} = 'L' and {{ dd }} > 40 then 'sex_mismatch'
  end
{%- endmacro %}

{#- birth date encoded in a NIK (day-40 for women), both centuries resolved against a reference date -#}
{% macro nik_birth_date(nik) -%}
  {%- set dd = sikkep.try_int('substring(' ~ nik ~ ', 7, 2)') -%}
  {{ sikkep.try_to_date(dbt.concat([
      "case when " ~ sikkep.try_int('substring(' ~ nik ~ ', 11, 2)') ~ " > mod(extract(year from current_date), 100) then '19' else '20' end",
      "substring(" ~ nik ~ ", 11, 2)", "'-'", "substring(" ~ nik ~ ", 9, 2)", "'-'",
      "lpad(cast(case when " ~ dd ~ " > 40 then " ~ dd ~ " - 40 else " ~ dd ~ " end as varchar), 2, '0')"]), '%Y-%m-%d') }}
{%- endmacro %}

{#- Why a cleaned No KK is not valid (region 6 + registration DDMMYY + serial 4), or NULL -#}
{% macro no_kk_problem(kk, raw) -%}
  {{ sikkep.no_kk_problem_from(kk, sikkep.clean_text(raw), sikkep.nik_scientific_suspect(raw),
                               sikkep.id_dd(kk), sikkep.id_mm(kk), sikkep.id_yy(kk)) }}
{%- endmacro %}
{% macro no_kk_problem_from(kk, text, sci_suspect, dd, mm, yy) -%}
  case
    when {{ text }} is null then 'missing'
    when {{ kk }} is null and {{ sci_suspect }} then 'scientific_lossy'
    when {{ kk }} is null then 'malformed'
    when substring({{ kk }}, 1, 4) not in (select prefix from {{ ref('ref_kode_kabupaten') }}) then 'region'
    when not {{ sikkep._ddmmyy_valid(dd, mm, yy) }} then 'registration_date'
    when substring({{ kk }}, 13, 4) = '0000' then 'serial'
  end
{%- endmacro %}
