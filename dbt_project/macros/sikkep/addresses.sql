{#-
  Address keys: the comparable core of an address as agencies type it, used only to tell namesakes of one
  village apart (the linkage tie rule for name-only rows; never a match on its own).
  address_key: upper case, accents folded; RT / RW numbers taken out (address_rt keeps the RT);
    Dsn./Dusun -> DUSUN, Jl./Jln./Jalan -> JL, Gg./Gang -> GG, Kp./Kampung -> KAMPUNG, No./Nomor dropped;
    roman numerals I..XX -> numbers (Dusun IV = Dusun 4), leading zeros dropped; any other punctuation
    -> space. NULL when no token with a letter or digit is left.
  address_rt: the RT number (RT 003, RT.03, RT03 -> 3), NULL when none.
-#}
{% macro address_key(text) -%}
  {%- set s = sikkep.fold_accents("upper(" ~ text ~ ")") -%}
  {%- set s = sikkep.re_replace(s, '\\b(RT|RW)\\s*[.:]?\\s*[0-9]+', ' ') -%}
  {%- set s = sikkep.re_replace(s, '[^A-Z0-9]+', ' ') -%}
  {%- set s = sikkep.re_replace(s, '\\b(DSN|DUSUN)\\b', 'DUSUN') -%}
  {%- set s = sikkep.re_replace(s, '\\b(JL|JLN|JALAN)\\b', 'JL') -%}
  {%- set s = sikkep.re_replace(s, '\\b(GG|GANG)\\b', 'GG') -%}
  {%- set s = sikkep.re_replace(s, '\\b(KP|KAMPUNG)\\b', 'KAMPUNG') -%}
  {%- set s = sikkep.re_replace(s, '\\b(NO|NOMOR)\\b', ' ') -%}
  {#- a for loop has its own scope: the rewritten text lives in a namespace -#}
  {%- set ns = namespace(s=s) -%}
  {%- for roman, number in [('XVIII', 18), ('XVII', 17), ('XIII', 13), ('VIII', 8), ('XVI', 16), ('XIV', 14),
                             ('XIX', 19), ('XII', 12), ('III', 3), ('VII', 7), ('XV', 15), ('XI', 11),
                             ('XX', 20), ('IV', 4), ('IX', 9), ('VI', 6), ('II', 2), ('X', 10), ('V', 5),
                             ('I', 1)] -%}
    {%- set ns.s = sikkep.re_replace(ns.s, '\\b' ~ roman ~ '\\b', number | string) -%}
  {%- endfor -%}
  {%- set s = sikkep.re_replace(ns.s, '\\b0+([0-9])', '\\1') -%}
  {%- set s = sikkep.re_replace(s, '\\s+', ' ') -%}
  nullif(trim({{ s }}), '')
{%- endmacro %}

{% macro address_rt(text) -%}
  cast({{ sikkep.re_extract("upper(" ~ text ~ ")", '\\bRT\\s*[.:]?\\s*0*([0-9]+)', 1) }} as {{ dbt.type_int() }})
{%- endmacro %}
