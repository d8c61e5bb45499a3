{#-
  place_key: the comparable form of a kecamatan / village name, applied alike to the reference names
  (dim_wilayah) and to what the agencies typed.
  upper; leading type words dropped ('KECAMATAN', 'KEC.', 'DESA', 'DS.', 'KAMPUNG', 'KP.', 'KAMP.',
  'KELURAHAN', 'KEL.', 'TIYUH', 'PEKON', 'NAGARI', 'GAMPONG', 'KABUPATEN', 'KAB.'); abbreviations expanded
  (GN. -> GUNUNG, TJ. -> TANJUNG, BD. -> BANDAR, SR. -> SRI, KR. -> KARANG, WY. -> WAY); 'Sp.' stands
  for Seputih (Lampung Tengah: Sp. Raman) as well as Simpang, so SEPUTIH and SIMPANG become SP (two places
  differing only there would tie and stay unresolved, never be swapped); then every space and
  punctuation removed, so 'Bandarjaya Barat' = 'Bandar Jaya Barat' and 'Kec. Gn. Sugih' = 'GUNUNG SUGIH'.
-#}
{% macro place_key(col) -%}
  {{ sikkep.place_key_from(sikkep.clean_text(col)) }}
{%- endmacro %}
{#- the same from clean_text of the value -#}
{% macro place_key_from(text) -%}
  {%- set s = sikkep.fold_accents("upper(" ~ text ~ ")") -%}
  {%- set s = sikkep.re_replace(s, '[_]+', ' ') -%}
  {%- set s = sikkep.re_replace(s, '^\\s*((KECAMATAN|KEC|DESA|DS|KAMPUNG|KAMP|KP|KELURAHAN|KEL|TIYUH|PEKON|NAGARI|GAMPONG|KABUPATEN|KAB)(\\.\\s*|\\s+))+', '') -%}
  {%- set s = sikkep.re_replace(s, '\\bGN(\\.\\s*|\\s+)', 'GUNUNG ') -%}
  {%- set s = sikkep.re_replace(s, '\\bTJ(\\.\\s*|\\s+)', 'TANJUNG ') -%}
  {#- 'Sp.' is Seputih in Lampung Tengah (Sp. Raman) and Simpang elsewhere: all three become SP, also
      when written as one word (Seputihbanyak) -#}
  {%- set s = sikkep.re_replace(s, '\\b(SEPUTIH|SIMPANG)', 'SP') -%}
  {%- set s = sikkep.re_replace(s, '\\bBD(\\.\\s*|\\s+)', 'BANDAR ') -%}
  {%- set s = sikkep.re_replace(s, '\\bSR(\\.\\s*|\\s+)', 'SRI ') -%}
  {%- set s = sikkep.re_replace(s, '\\bKR(\\.\\s*|\\s+)', 'KARANG ') -%}
  {%- set s = sikkep.re_replace(s, '\\bWY(\\.\\s*|\\s+)', 'WAY ') -%}
  nullif({{ sikkep.re_replace(s, '[^A-Z0-9]', '') }}, '')
{%- endmacro %}

{#-
  A Kemendagri code from delivered text: 10 digits (with or without dots, spaces, dashes or slashes) -> 'PP.KK.CC.DDDD',
  6 digits -> 'PP.KK.CC' (a kecamatan code). Anything else -> NULL.
-#}
{% macro kode_wilayah(col) -%}
  {{ sikkep.kode_wilayah_from_digits(sikkep.kode_digits('trim(' ~ col ~ ')')) }}
{%- endmacro %}
{#- the digits of a trimmed value that looks like a code (digits with dots, spaces, dashes, slashes; a
    float '.0' tail dropped), else NULL -#}
{% macro kode_digits(trimmed) -%}
  case when {{ sikkep.re_matches(trimmed, '^[0-9][0-9 ./-]*$') }}
       then {{ sikkep.re_replace(sikkep.re_replace(trimmed, '\\.0+$', ''), '[^0-9]', '') }} end
{%- endmacro %}
{#- kode_digits -> 'PP.KK.CC.DDDD' (10 digits) | 'PP.KK.CC' (6 digits) | NULL -#}
{% macro kode_wilayah_from_digits(d) -%}
  case
    when {{ dbt.length(d) }} = 10 then {{ dbt.concat(["substring(" ~ d ~ ", 1, 2)", "'.'", "substring(" ~ d ~ ", 3, 2)", "'.'",
                                                       "substring(" ~ d ~ ", 5, 2)", "'.'", "substring(" ~ d ~ ", 7, 4)"]) }}
    when {{ dbt.length(d) }} = 6 then {{ dbt.concat(["substring(" ~ d ~ ", 1, 2)", "'.'", "substring(" ~ d ~ ", 3, 2)", "'.'",
                                                      "substring(" ~ d ~ ", 5, 2)"]) }}
  end
{%- endmacro %}

{#- the file name without folders and extension (for kecamatan-per-file extracts) -#}
{% macro file_stem(col) -%}
  {{ sikkep.re_replace(sikkep.re_replace(col, '^.*/', ''), '\\.[A-Za-z0-9]+$', '') }}
{%- endmacro %}
