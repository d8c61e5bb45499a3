{#-
  Address keys: the comparable core of an address as agencies type it, compared by the linkage model (and
  its tie rule for name-only rows) to tell namesakes of one village apart; never a match on its own.
  address_key: upper case, accents folded; RT / RW numbers taken out (address_rt keeps the RT);
    Dsn./Dusun -> DUSUN, Jl./Jln./Jalan -> JL, Gg./Gang -> GG, Kp./Kampung -> KAMPUNG, No./Nomor dropped;
    roman numerals I..XX and number words SATU..SEPULUH -> numbers (Dusun IV = Dusun Empat = Dusun 4),
    leading zeros dropped; a bare RT/RW pair ('003/001') out; any other punctuation -> space. NULL when no
    token with a letter or digit is left.
  address_rt: the RT number (RT 003, RT.03, RT03, 003/001 -> 3), NULL when none.
-#}
{% macro address_key(text) -%}
  {%- set s = sikkep.fold_accents("upper(" ~ text ~ ")") -%}
  {%- set s = sikkep.re_replace(s, '\\b(RT|RW)\\s*[.:]?\\s*[0-9]+', ' ') -%}
  {#- RT/RW written as a bare pair ('003/001') -#}
  {%- set s = sikkep.re_replace(s, '\\b[0-9]{1,3}\\s*/\\s*[0-9]{1,3}\\b', ' ') -%}
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
  {#- numbers written as words (Dusun Dua = Dusun II = Dusun 2) -#}
  {%- for word, number in [('SEPULUH', 10), ('SEMBILAN', 9), ('DELAPAN', 8), ('TUJUH', 7), ('ENAM', 6), ('LIMA', 5),
                            ('EMPAT', 4), ('TIGA', 3), ('DUA', 2), ('SATU', 1)] -%}
    {%- set ns.s = sikkep.re_replace(ns.s, '\\b' ~ word ~ '\\b', number | string) -%}
  {%- endfor -%}
  {%- set s = sikkep.re_replace(ns.s, '\\b0+([0-9])', '\\1') -%}
  {%- set s = sikkep.re_replace(s, '\\s+', ' ') -%}
  nullif(trim({{ s }}), '')
{%- endmacro %}

{% macro address_rt(text) -%}
  cast(coalesce(
    {{ sikkep.re_extract("upper(" ~ text ~ ")", '\\bRT\\s*[.:]?\\s*0*([0-9]+)', 1) }},
    {{ sikkep.re_extract("upper(" ~ text ~ ")", '\\b0*([0-9]{1,3})\\s*/\\s*[0-9]{1,3}\\b', 1) }}
  ) as {{ dbt.type_int() }})
{%- endmacro %}
