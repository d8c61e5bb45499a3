{#-
  NIK / No KK cleaning and validation.

  Repairs (lossless only): leading apostrophes, spaces (also non-breaking), dots, hyphens, commas, a float '.0' tail, and
  scientific notation when the mantissa still carries all 16 digits. '1.80221E+15' is NOT recoverable:
  NULL and suspect. A 15-digit mantissa (Excel keeps 15 significant digits) gives the 16 digits with
  the last one zeroed: kept, but suspect (see nik_excel_zeroed for the plain-digits form).
-#}

{#- the delivered text without leading apostrophes (also typographic ‘ ’) and outer spaces, upper case -#}
{% macro _id_text(col) -%}
  upper({{ sikkep.re_replace('trim(' ~ col ~ ')', "^[''`‘’]+", '') }})
{%- endmacro %}

{% macro _is_scientific(t) -%}
  {{ sikkep.re_matches(t, '^[0-9]+([.,][0-9]+)?E\\+?[0-9]+$') }}
{%- endmacro %}

{#- digits of the mantissa of a scientific value ('1.80221E+15' -> '180221') -#}
{% macro _sci_mantissa(t) -%}
  {{ sikkep.re_replace(sikkep.re_extract(t, '^([0-9.,]+)E', 1), '[.,]', '') }}
{%- endmacro %}
{#- number of integer digits the scientific value expands to -#}
{% macro _sci_int_digits(t) -%}
  ({{ dbt.length(sikkep.re_extract(t, '^([0-9]+)', 1)) }} + {{ sikkep.try_int(sikkep.re_extract(t, 'E\\+?([0-9]+)$', 1)) }})
{%- endmacro %}

{#- a 16-digit identifier from delivered text, or NULL -#}
{% macro clean_nik(col) -%}
  {%- set t = sikkep._id_text(col) -%}
  case
    when {{ sikkep.clean_text(col) }} is null then null
    when {{ sikkep._is_scientific(t) }} then
      case when {{ sikkep._sci_int_digits(t) }} = 16 and {{ dbt.length(sikkep._sci_mantissa(t)) }} between 15 and 16
           then rpad({{ sikkep._sci_mantissa(t) }}, 16, '0') end
    else
      case when {{ sikkep.re_matches(sikkep.re_replace(sikkep.re_replace(t, '\\.0+$', ''), '[\\s\\x{00A0}.,-]', ''), '^[0-9]{16}$') }}
           then {{ sikkep.re_replace(sikkep.re_replace(t, '\\.0+$', ''), '[\\s\\x{00A0}.,-]', '') }} end
  end
{%- endmacro %}

{#- TRUE when the delivered value was in scientific notation with fewer than 16 mantissa digits -#}
{% macro nik_scientific_suspect(col) -%}
  {%- set t = sikkep._id_text(col) -%}
  coalesce({{ sikkep._is_scientific(t) }} and {{ dbt.length(sikkep._sci_mantissa(t)) }} < 16, false)
{%- endmacro %}

{#-
  Excel-zeroed plain digits: a numeric Excel cell keeps 15 significant digits, so the 16th arrives as
  '0'. Raw text cannot tell a numeric cell from a text cell, so the evidence is the file: when at least
  half of a file's (sheet's) 16-digit values end in '0' (about 10% do naturally) the column was numeric,
  and every value ending in '0' there is suspect.
-#}
{% macro nik_excel_zeroed(nik, partition_by='source_file, source_sheet') -%}
  coalesce({{ dbt.right(nik, 1) }} = '0'
    and sum(case when {{ dbt.right(nik, 1) }} = '0' then 1 else 0 end) over (partition by {{ partition_by }})
        >= 0.5 * count({{ nik }}) over (partition by {{ partition_by }})
    and count({{ nik }}) over (partition by {{ partition_by }}) >= 3, false)
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
  {%- set dd = sikkep.try_int('substring(' ~ nik ~ ', 7, 2)') -%}
  {%- set mm = sikkep.try_int('substring(' ~ nik ~ ', 9, 2)') -%}
  {%- set yy = sikkep.try_int('substring(' ~ nik ~ ', 11, 2)') -%}
  case
    when {{ sikkep.clean_text(raw) }} is null then 'missing'
    when {{ nik }} is null and {{ sikkep.nik_scientific_suspect(raw) }} then 'scientific_lossy'
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
  case
    when {{ sikkep.clean_text(raw) }} is null then 'missing'
    when {{ kk }} is null and {{ sikkep.nik_scientific_suspect(raw) }} then 'scientific_lossy'
    when {{ kk }} is null then 'malformed'
    when substring({{ kk }}, 1, 4) not in (select prefix from {{ ref('ref_kode_kabupaten') }}) then 'region'
    when not {{ sikkep._ddmmyy_valid(sikkep.try_int('substring(' ~ kk ~ ', 7, 2)'),
                                     sikkep.try_int('substring(' ~ kk ~ ', 9, 2)'),
                                     sikkep.try_int('substring(' ~ kk ~ ', 11, 2)')) }} then 'registration_date'
    when substring({{ kk }}, 13, 4) = '0000' then 'serial'
  end
{%- endmacro %}
