{#- Coded attributes: every spelling the agencies use -> one canonical value (NULL = unknown). -#}

{#- 1/0, Ya/Tidak, Y/T, YA/TIDAK, True/False, Ada/Tidak Ada; empty -> NULL -#}
{% macro parse_flag(col) -%}
  {{ sikkep.parse_flag_from('upper(trim(' ~ col ~ '))') }}
{%- endmacro %}
{#- the same from upper(trim(<raw>)) (as every *_from macro here) -#}
{% macro parse_flag_from(u) -%}
  case {{ u }}
    when '1' then true when 'Y' then true when 'YA' then true when 'IYA' then true when 'TRUE' then true
    when 'T' then false when '0' then false when 'TIDAK' then false when 'TDK' then false
    when 'N' then false when 'NO' then false when 'YES' then true when 'FALSE' then false
    when 'ADA' then true when 'TIDAK ADA' then false when 'BUKAN' then false
    when '1.0' then true when '0.0' then false
  end
{%- endmacro %}

{#- '1'..'10', 'Desil 1', 'DESIL 2', 'Desil-3', 'Desil ke-1', 'DESIL_4', '1.0' -> integer 1..10 -#}
{% macro parse_desil(col) -%}
  {{ sikkep.desil_from_number(sikkep.desil_number('upper(trim(' ~ col ~ '))')) }}
{%- endmacro %}
{#- the number of a desil-shaped value (any number), else NULL -#}
{% macro desil_number(u) -%}
  case when {{ sikkep.re_matches(u, '^(DESIL)?[\\s:_-]*(KE)?[\\s:_-]*[0-9]{1,2}(\\.0+)?$') }}
       then {{ sikkep.try_int(sikkep.re_extract(u, '([0-9]{1,2})', 1)) }} end
{%- endmacro %}
{% macro desil_from_number(n) -%}
  case when {{ n }} between 1 and 10 then {{ n }} end
{%- endmacro %}

{#- 1/2, L/P, Laki-laki/Perempuan, Pria/Wanita, LK/PR -> 'L' | 'P' -#}
{% macro parse_sex(col) -%}
  {{ sikkep.sex_from_code(sikkep.sex_code('upper(trim(' ~ col ~ '))')) }}
{%- endmacro %}
{% macro sex_code(u) -%}
  {{ sikkep.re_replace(u, '[^A-Z0-9]', '') }}
{%- endmacro %}
{% macro sex_from_code(c) -%}
  case {{ c }}
    when '1' then 'L' when 'L' then 'L' when 'LK' then 'L' when 'LAKILAKI' then 'L' when 'LAKI' then 'L'
    when 'PRIA' then 'L' when 'M' then 'L' when 'MALE' then 'L'
    when '2' then 'P' when 'P' then 'P' when 'PR' then 'P' when 'PEREMPUAN' then 'P' when 'WANITA' then 'P'
    when 'W' then 'P' when 'F' then 'P' when 'FEMALE' then 'P'
  end
{%- endmacro %}

{#- the code of a 'code + label' value ('1. Kepala Rumah Tangga', '3 - Meninggal' -> '1', '3'), else the
    words: upper case, punctuation -> single spaces -#}
{% macro _code_or_words(col) -%}
  {{ sikkep.code_or_words_from(sikkep.code_words('upper(trim(' ~ col ~ '))')) }}
{%- endmacro %}
{#- step 1: upper(trim(<raw>)) -> words: punctuation -> single spaces, trimmed -#}
{% macro code_words(u) -%}
  trim({{ sikkep.re_replace(u, '[^A-Z0-9]+', ' ') }})
{%- endmacro %}
{#- step 2: words -> the leading code, else the words; trimmed (what parse_hubungan_from and
    parse_status_keberadaan_from compare) -#}
{% macro code_or_words_from(w) -%}
  trim(coalesce({{ sikkep.re_extract(w, '^([0-9]+)( |$)', 1) }}, {{ w }}))
{%- endmacro %}

{#- DTKS HUB_KRT codes 1-8 (also '1. Kepala Rumah Tangga') and P3KE words -> kepala, pasangan, anak,
    menantu, cucu, orang_tua, famili, lainnya -#}
{% macro parse_hubungan(col) -%}
  {{ sikkep.parse_hubungan_from(sikkep._code_or_words(col)) }}
{%- endmacro %}
{#- the same from code_or_words_from -#}
{% macro parse_hubungan_from(u) -%}
  case
    when {{ u }} in ('1', 'KEPALA KELUARGA', 'KEPALA RUMAH TANGGA', 'KK', 'KRT', 'KEPALA') then 'kepala'
    when {{ u }} in ('2', 'ISTRI', 'ISTERI', 'SUAMI', 'ISTRI SUAMI', 'SUAMI ISTRI', 'PASANGAN') then 'pasangan'
    when {{ u }} in ('3', 'ANAK', 'ANAK KANDUNG', 'ANAK TIRI', 'ANAK ANGKAT') then 'anak'
    when {{ u }} in ('4', 'MENANTU') then 'menantu'
    when {{ u }} in ('5', 'CUCU') then 'cucu'
    when {{ u }} in ('6', 'ORANG TUA', 'ORANGTUA', 'MERTUA', 'ORANG TUA MERTUA', 'ORTU') then 'orang_tua'
    when {{ u }} in ('7', 'FAMILI LAIN', 'FAMILI', 'FAMILI LAINNYA', 'KELUARGA LAIN') then 'famili'
    when {{ u }} in ('8', 'LAINNYA', 'LAIN LAIN', 'LAIN', 'PEMBANTU', 'PEMBANTU RUMAH TANGGA') then 'lainnya'
  end
{%- endmacro %}

{#- DTKS STA_KEBERADAAN_ART 1-4 (also '2 - Pindah') -> ada, pindah, meninggal, tidak_ditemukan -#}
{% macro parse_status_keberadaan(col) -%}
  {{ sikkep.parse_status_keberadaan_from(sikkep._code_or_words(col)) }}
{%- endmacro %}
{% macro parse_status_keberadaan_from(u) -%}
  case
    when {{ u }} in ('1', 'ADA', 'TINGGAL', 'HADIR') then 'ada'
    when {{ u }} in ('2', 'PINDAH') then 'pindah'
    when {{ u }} in ('3', 'MENINGGAL', 'MENINGGAL DUNIA', 'WAFAT') then 'meninggal'
    when {{ u }} in ('4', 'TIDAK DITEMUKAN', 'TIDAK DIKETAHUI') then 'tidak_ditemukan'
  end
{%- endmacro %}

{#- PBI-JK STATUS_PESERTA -> 'AKTIF' | 'NONAKTIF' -#}
{% macro parse_status_peserta(col) -%}
  {{ sikkep.status_peserta_from_code(sikkep.status_peserta_code('upper(trim(' ~ col ~ '))')) }}
{%- endmacro %}
{% macro status_peserta_code(u) -%}
  {{ sikkep.re_replace(u, '[^A-Z]', '') }}
{%- endmacro %}
{% macro status_peserta_from_code(c) -%}
  case {{ c }}
    when 'AKTIF' then 'AKTIF' when 'AKTIVE' then 'AKTIF' when 'ACTIVE' then 'AKTIF'
    when 'NONAKTIF' then 'NONAKTIF' when 'TIDAKAKTIF' then 'NONAKTIF' when 'NONAKTIVE' then 'NONAKTIF'
    when 'INACTIVE' then 'NONAKTIF'
  end
{%- endmacro %}

{#- amounts: '1.500.000', '1,500,000', 'Rp 1.500.000,00', '1500000.0' -> decimal -#}
{% macro parse_amount(col) -%}
  {{ sikkep.parse_amount_from(sikkep.amount_text('upper(trim(' ~ col ~ '))')) }}
{%- endmacro %}
{#- upper(trim(<raw>)) without 'Rp' and spaces -#}
{% macro amount_text(u) -%}
  {{ sikkep.re_replace(u, '^RP\\.?\\s*|\\s', '') }}
{%- endmacro %}
{% macro parse_amount_from(t) -%}
  case
    when {{ sikkep.re_matches(t, '^[0-9]{1,3}(\\.[0-9]{3})+(,[0-9]+)?$') }}
      then {{ sikkep.try_decimal(sikkep.re_replace(sikkep.re_replace(t, '\\.', ''), ',', '.')) }}
    when {{ sikkep.re_matches(t, '^[0-9]{1,3}(,[0-9]{3})+(\\.[0-9]+)?$') }}
      then {{ sikkep.try_decimal(sikkep.re_replace(t, ',', '')) }}
    else {{ sikkep.try_decimal(sikkep.re_replace(t, ',', '.')) }}
  end
{%- endmacro %}

{#- counts: '1.234' (thousands dot), '1234', '1234.0' -> integer -#}
{% macro parse_count(col) -%}
  {%- set t = sikkep.re_replace('trim(' ~ col ~ ')', '\\s', '') -%}
  case
    when {{ sikkep.re_matches(t, '^[0-9]+(\\.0+)?$') }} then {{ sikkep.try_int(sikkep.re_replace(t, '\\.0+$', '')) }}
    when {{ sikkep.re_matches(t, '^[0-9]{1,3}([.,][0-9]{3})+$') }} then {{ sikkep.try_int(sikkep.re_replace(t, '[.,]', '')) }}
  end
{%- endmacro %}
