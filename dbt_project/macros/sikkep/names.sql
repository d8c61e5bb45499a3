{#-
  name_key: the comparable form of a person's name.
  - upper case, accents dropped (ANDRÉ -> ANDRE); apostrophes dropped inside words (MA'RUF -> MARUF)
  - academic degrees after a comma dropped (everything after the first comma: 'AMINAH, S.Pd., M.Pd')
    and trailing degrees without a comma (S.Pd, S.Ag, S.E., S.H., S.Kom, S.Sos, S.IP, S.T, A.Md ..,
    M.Pd, M.Si ...)
  - leading titles and honorifics dropped, repeatedly: H., Hj., Haji, Hajjah, Drs., Dra., Dr., Ir.,
    Prof., K.H., Ust., Ny., Tn., Bpk., Ibu, Sdr.
  - patronymic: 'BIN X' / 'BINTI X' and what follows dropped (the person's own name is kept)
  - Muh./Moh./Moch./Muhd./Mhd. and spellings Muhamad, Mohamad, Mohammad, Mochammad ... -> MUHAMMAD;
    a leading 'M.' / 'M ' -> MUHAMMAD
  - any other punctuation -> space; spaces collapsed to one
  NULL when nothing with at least two letters is left.
-#}
{% macro name_key(col) -%}
  {{ sikkep.name_key_from(sikkep.name_normalised(sikkep.clean_text(col))) }}
{%- endmacro %}

{#- the rewriting steps on clean_text of the name, trimmed (not yet checked for two letters) -#}
{% macro name_normalised(text) -%}
  {%- set s = sikkep.fold_accents("upper(" ~ text ~ ")") -%}
  {%- set s = sikkep.re_replace(s, "[''`’]", '') -%}
  {%- set s = sikkep.re_replace(s, ',.*$', '') -%}
  {%- set s = sikkep.re_replace(s, '(\\s+(S\\.\\s?(PD|PDI|AG|E|H|HI|KOM|SOS|IP|T|P|KM|KEP|FARM|PT|HUT|SI|AP|IK|ST|PSI|KED|TR|I|AK)|A\\.\\s?MD(\\.\\s?[A-Z]+)?|M\\.\\s?(PD|PDI|SI|M|KES|AG|H|KOM|T|AP|SC|HUM|E|IP|AK))\\.?)+$', '') -%}
  {%- set s = sikkep.re_replace(s, '^((H|HJ|HAJI|HAJJAH|HAJAH|DRS|DRA|DR|IR|PROF|KH|K\\.\\s?H|UST|USTADZ|NY|TN|BPK|BAPAK|IBU|SDR|SDRI)(\\.\\s*|\\s+))+', '') -%}
  {%- set s = sikkep.re_replace(s, '\\s+(BIN|BINTI)\\s.*$', '') -%}
  {%- set s = sikkep.re_replace(s, '^M(\\.\\s*|\\s+)', 'MUHAMMAD ') -%}
  {%- set s = sikkep.re_replace(s, '\\b(MUH|MOH|MOCH|MUCH|MUHD|MHD|MUHAMAD|MUHAMMAD|MUHAMMED|MOHAMAD|MOHAMMAD|MOHAMMED|MOCHAMAD|MOCHAMMAD|MUCHAMAD|MUCHAMMAD|MUHAMAT|MUHAMMAT)\\b\\.?', 'MUHAMMAD ') -%}
  {%- set s = sikkep.re_replace(s, '[^A-Z0-9]+', ' ') -%}
  trim({{ s }})
{%- endmacro %}

{#- name_normalised -> name_key: NULL unless at least two letters are left -#}
{% macro name_key_from(n) -%}
  case when length({{ n }}) >= 2 and {{ sikkep.re_matches(n, '[A-Z].*[A-Z]') }}
       then {{ n }} end
{%- endmacro %}
