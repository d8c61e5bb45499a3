{#-
  Text -> DATE for every form the agencies deliver: yyyy-mm-dd (optionally with a time), dd/mm/yyyy,
  dd-mm-yyyy, dd.mm.yyyy, Excel serial numbers (1900 date system), and Indonesian (or English) month
  names, long or short: '12 Agustus 1975', '12 Agu 1975', '12-Ags-1975', '1 Mei 2020', '3 Okt 1999',
  '25 Des 1980', '17 Agt 1965'. Serials may carry a time fraction ('27123.5' = 27123). NULL when it is
  none of these or not a real date. A bare year (1800-2199, also '1975.0') is NOT taken as a serial (it
  would land in 1905): NULL.
-#}
{% macro month_number(word) -%}
  case {{ dbt.safe_cast("upper(substring(" ~ word ~ ", 1, 3))", dbt.type_string()) }}
    when 'JAN' then 1 when 'FEB' then 2 when 'PEB' then 2 when 'MAR' then 3 when 'APR' then 4
    when 'MEI' then 5 when 'MAY' then 5 when 'JUN' then 6 when 'JUL' then 7
    when 'AGU' then 8 when 'AGS' then 8 when 'AGT' then 8 when 'AUG' then 8 when 'SEP' then 9
    when 'OKT' then 10 when 'OCT' then 10 when 'NOV' then 11 when 'NOP' then 11
    when 'DES' then 12 when 'DEC' then 12
  end
{%- endmacro %}

{% macro parse_date(col) -%}
  {{ sikkep.parse_date_from('trim(' ~ col ~ ')') }}
{%- endmacro %}
{#- the same from the trimmed value -#}
{% macro parse_date_from(t) -%}
  case
    when {{ t }} is null or {{ t }} = '' then null
    when {{ sikkep.re_matches(t, '^[0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2}([ T].*)?$') }}
      then {{ sikkep.try_to_date(sikkep.re_replace(sikkep.re_extract(t, '^([0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2})', 1), '/', '-'), '%Y-%m-%d') }}
    when {{ sikkep.re_matches(t, '^[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{4}( .*)?$') }}
      then {{ sikkep.try_to_date(sikkep.re_replace(sikkep.re_extract(t, '^([0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{4})', 1), '[-.]', '/'), '%d/%m/%Y') }}
    when {{ sikkep.re_matches(t, '^[0-9]{1,6}(\\.[0-9]+)?$') }}
      then case
        when {{ sikkep.try_int(sikkep.re_extract(t, '^([0-9]+)', 1)) }} between 1800 and 2199 then null
        when {{ sikkep.try_int(sikkep.re_extract(t, '^([0-9]+)', 1)) }} between 1 and 2958465
          then cast({{ dbt.dateadd('day', sikkep.try_int(sikkep.re_extract(t, '^([0-9]+)', 1)), "cast('1899-12-30' as date)") }} as date)
        end
    when {{ sikkep.re_matches(t, '^[0-9]{1,2}[ ./-]*[A-Za-z]+[ ./-]*[0-9]{4}$') }}
      then {{ sikkep.try_to_date(dbt.concat([
              sikkep.re_extract(t, '([0-9]{4})$', 1), "'-'",
              dbt.safe_cast(sikkep.month_number(sikkep.re_extract(t, '([A-Za-z]+)', 1)), dbt.type_string()), "'-'",
              sikkep.re_extract(t, '^([0-9]{1,2})', 1)]), '%Y-%m-%d') }}
  end
{%- endmacro %}
