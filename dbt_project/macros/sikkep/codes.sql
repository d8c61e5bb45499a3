{#- Coded attributes: every spelling the agencies use -> one canonical value (NULL = unknown). -#}

{#- 1/0, Ya/Tidak, Y/T, YA/TIDAK, True/False, Ada/Tidak Ada; empty -> NULL -#}
{% macro parse_flag(col) -%}
  case upper(trim({{ col }}))
    when '1' then true when 'Y' then true when 'YA' then true when 'IYA' then true when 'TRUE' then true
    when 'T' then false when '0' then false when 'TIDAK' then false when 'TDK' then false
    when 'N' then false when 'NO' then false when 'YES' then true when 'FALSE' then false
    when 'ADA' then true when 'TIDAK ADA' then false when 'BUKAN' then false
    when '1.0' then true when '0.0' then false
  end
{%- endmacro %}

{#- '1'..'10', 'Desil 1', 'DESIL 2', 'Desil-3', 'Desil ke-1', 'DESIL_4', '1.0' -> integer 1..10 -#}
{% macro parse_desil(col) -%}
  case when {{ sikkep.re_matches('upper(trim(' ~ col ~ '))', '^(DESIL)?[\\s:_-]*(KE)?[\\s:_-]*[0-9]{1,2}(\\.0+)?$') }}
            and {{ sikkep.try_int(sikkep.re_extract('upper(trim(' ~ col ~ '))', '([0-9]{1,2})', 1)) }} between 1 and 10
       then {{ sikkep.try_int(sikkep.re_extract('upper(trim(' ~ col ~ '))', '([0-9]{1,2})', 1)) }} end
{%- endmacro %}

{#- 1/2, L/P, Laki-laki/Perempuan, Pria/Wanita, LK/PR -> 'L' | 'P' -#}
{% macro parse_sex(col) -%}
  case {{ sikkep.re_replace('upper(trim(' ~ col ~ '))', '[^A-Z0-9]', '') }}
    when '1' then 'L' when 'L' then 'L' when 'LK' then 'L' when 'LAKILAKI' then 'L' when 'LAKI' then 'L'
    when 'PRIA' then 'L' when 'M' then 'L' when 'MALE' then 'L'
    when '2' then 'P' when 'P' then 'P' when 'PR' then 'P' when 'PEREMPUAN' then 'P' when 'WANITA' then 'P'
    when 'W' then 'P' when 'F' then 'P' when 'FEMALE' then 'P'
  end
{%- endmacro %}

{#- the code of a 'code + label' value ('1. Kepala Rumah Tangga', '3 - Meninggal' -> '1', '3'), else the
    words: upper case, punctuation -> single spaces -#}
{% macro _code_or_words(col) -%}
  {%- set u = 'trim(' ~ sikkep.re_replace('upper(trim(' ~ col ~ '))', '[^A-Z0-9]+', ' ') ~ ')' -%}
  coalesce({{ sikkep.re_extract(u, '^([0-9]+)( |$)', 1) }}, {{ u }})
{%- endmacro %}

{#- DTKS HUB_KRT codes 1-8 (also '1. Kepala Rumah Tangga') and P3KE words -> kepala, pasangan, anak,
    menantu, cucu, orang_tua, famili, lainnya -#}
{% macro parse_hubungan(col) -%}
  {%- set u = sikkep._code_or_words(col) -%}
  case
    when trim({{ u }}) in ('1', 'KEPALA KELUARGA', 'KEPALA RUMAH TANGGA', 'KK', 'KRT', 'KEPALA') then 'kepala'
    when trim({{ u }}) in ('2', 'ISTRI', 'ISTERI', 'SUAMI', 'ISTRI SUAMI', 'SUAMI ISTRI', 'PASANGAN') then 'pasangan'
    when trim({{ u }}) in ('3', 'ANAK', 'ANAK KANDUNG', 'ANAK TIRI', 'ANAK ANGKAT') then 'anak'
    when trim({{ u }}) in ('4', 'MENANTU') then 'menantu'
    when trim({{ u }}) in ('5', 'CUCU') then 'cucu'
    when trim({{ u }}) in ('6', 'ORANG TUA', 'ORANGTUA', 'MERTUA', 'ORANG TUA MERTUA', 'ORTU') then 'orang_tua'
    when trim({{ u }}) in ('7', 'FAMILI LAIN', 'FAMILI', 'FAMILI LAINNYA', 'KELUARGA LAIN') then 'famili'
    when trim({{ u }}) in ('8', 'LAINNYA', 'LAIN LAIN', 'LAIN', 'PEMBANTU', 'PEMBANTU RUMAH TANGGA') then 'lainnya'
  end
{%- endmacro %}

{#- DTKS STA_KEBERADAAN_ART 1-4 (also '2 - Pindah') -> ada, pindah, meninggal, tidak_ditemukan -#}
{% macro parse_status_keberadaan(col) -%}
  {%- set u = sikkep._code_or_words(col) -%}
  case
    when trim({{ u }}) in ('1', 'ADA', 'TINGGAL', 'HADIR') then 'ada'
    when trim({{ u }}) in ('2', 'PINDAH') then 'pindah'
    when trim({{ u }}) in ('3', 'MENINGGAL', 'MENINGGAL DUNIA', 'WAFAT') then 'meninggal'
    when trim({{ u }}) in ('4', 'TIDAK DITEMUKAN', 'TIDAK DIKETAHUI') then 'tidak_ditemukan'
  end
{%- endmacro %}

{#- PBI-JK STATUS_PESERTA -> 'AKTIF' | 'NONAKTIF' -#}
{% macro parse_status_peserta(col) -%}
  case {{ sikkep.re_replace('upper(trim(' ~ col ~ '))', '[^A-Z]', '') }}
    when 'AKTIF' then 'AKTIF' when 'AKTIVE' then 'AKTIF' when 'ACTIVE' then 'AKTIF'
    when 'NONAKTIF' then 'NONAKTIF' when 'TIDAKAKTIF' then 'NONAKTIF' when 'NONAKTIVE' then 'NONAKTIF'
    when 'INACTIVE' then 'NONAKTIF'
  end
{%- endmacro %}

{#- amounts: '1.500.000', '1,500,000', 'Rp 1.500.000,00', '1500000.0' -> decimal -#}
{% macro parse_amount(col) -%}
  {%- set t = sikkep.re_replace('upper(trim(' ~ col ~ '))', '^RP\\.?\\s*|\\s', '') -%}
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
