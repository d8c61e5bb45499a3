{#-
  place_key: the comparable form of a kecamatan / village name, applied alike to the reference names
  (dim_wilayah) and to what the agencies typed.
  upper; leading type words dropped ('KECAMATAN', 'KEC.', 'DESA', 'DS.', 'KAMPUNG', 'KP.', 'KAMP.',
  'KELURAHAN', 'KEL.', 'TIYUH', 'PEKON', 'NAGARI', 'GAMPONG', 'KABUPATEN', 'KAB.'); abbreviations expanded
  (GN. -> GUNUNG, TJ. -> TANJUNG, SP. -> SIMPANG, BD. -> BANDAR, SR. -> SRI, KR. -> KARANG,
  WY. -> WAY); then every space and punctuation removed, so 'Bandarjaya Barat' = 'Bandar Jaya Barat'
  and 'Kec. Gn. Sugih' = 'GUNUNG SUGIH'.
-#}
{% macro place_key(col) -%}
  {%- set s = sikkep.fold_accents("upper(" ~ sikkep.clean_text(col) ~ ")") -%}
  {%- set s = sikkep.re_replace(s, '[_]+', ' ') -%}
  {%- set s = sikkep.re_replace(s, '^\\s*((KECAMATAN|KEC|DESA|DS|KAMPUNG|KAMP|KP|KELURAHAN|KEL|TIYUH|PEKON|NAGARI|GAMPONG|KABUPATEN|KAB)(\\.\\s*|\\s+))+', '') -%}
  {%- set s = sikkep.re_replace(s, '\\bGN(\\.\\s*|\\s+)', 'GUNUNG ') -%}
  {%- set s = sikkep.re_replace(s, '\\bTJ(\\.\\s*|\\s+)', 'TANJUNG ') -%}
  {%- set s = sikkep.re_replace(s, '\\bSP(\\.\\s*|\\s+)', 'SIMPANG ') -%}
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
  {%- set d = sikkep.re_replace(sikkep.re_replace('trim(' ~ col ~ ')', '\\.0+$', ''), '[^0-9]', '') -%}
  case
    when not {{ sikkep.re_matches('trim(' ~ col ~ ')', '^[0-9][0-9 ./-]*$') }} then null
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
