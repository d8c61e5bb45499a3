{#-
  The person/family sources int_person_records unions over. The Python side passes
  `--vars '{"person_sources": [...]}'` built from orchestration/contracts/*.yml
  (orchestration/dbt_runtime.py, dbt_vars); this default mirrors the contracts
  shipped with the project. A source listed here without its own stg_<source> model is staged inline
  from raw.<source> by the same macro (stage_person_source), so a new program contract that uses the
  canonical column names (nik, nama, no_kk, tanggal_lahir, jenis_kelamin, kecamatan, desa, kode_wilayah,
  alamat, status_peserta, ...) needs no new SQL.
  Keys: source, kind ('registry'|'program'), unit, program (code or none), social_assistance (FALSE for
  credit: KUR), required (contract columns), identifiers (contract identifiers: family / household /
  person column names); registries carry their contract block `registry` (macros/sikkep/registries.sql); program lists also carry program_name, program_holder and program_order
  (dim_program, macros/sikkep/programs.sql), which this default leaves out: the contracts hold them.
-#}
{% macro default_person_sources() -%}
  {{ return([
    {'source': 'dtks', 'kind': 'registry', 'unit': 'person', 'program': none,
     'required': ['nama', 'nik', 'no_kk', 'kode_wilayah'],
     'registry': {'label': 'DTKS', 'order': 1, 'desil_precedence': 2, 'desil_scale': {'min': 1, 'max': 4}, 'priority': 2},
     'identifiers': {'nik': 'nik', 'no_kk': 'no_kk', 'family': 'no_kk', 'household': 'idbdt', 'person': 'idartbdt'}},
    {'source': 'p3ke', 'kind': 'registry', 'unit': 'person', 'program': none,
     'required': ['id_keluarga', 'nama', 'nik'],
     'registry': {'label': 'P3KE', 'order': 2, 'desil_precedence': 2, 'desil_scale': {'min': 1, 'max': 4}, 'priority': 1},
     'identifiers': {'nik': 'nik', 'no_kk': 'no_kk', 'family': 'id_keluarga', 'person': 'id_individu'}},
    {'source': 'dtsen', 'kind': 'registry', 'unit': 'person', 'program': none,
     'required': ['id_keluarga', 'nama', 'nik'],
     'registry': {'label': 'DTSEN', 'order': 0, 'desil_precedence': 1, 'desil_scale': {'min': 1, 'max': 10}, 'priority': none},
     'identifiers': {'nik': 'nik', 'no_kk': 'no_kk', 'family': 'id_keluarga', 'person': 'id_individu'}},
    {'source': 'pkh', 'kind': 'program', 'unit': 'family', 'program': 'pkh', 'required': ['nama', 'nik'],
     'identifiers': {'nik': 'nik', 'no_kk': 'no_kk', 'family': 'no_kk', 'household': 'idbdt'}},
    {'source': 'bpnt', 'kind': 'program', 'unit': 'family', 'program': 'bpnt', 'required': ['nama', 'nik'],
     'identifiers': {'nik': 'nik', 'no_kk': 'no_kk', 'family': 'no_kk'}},
    {'source': 'pbi_jk', 'kind': 'program', 'unit': 'person', 'program': 'pbi_jk', 'required': ['nama', 'nik'],
     'identifiers': {'nik': 'nik', 'no_kk': 'no_kk', 'person': 'noka'}},
    {'source': 'blt_dd', 'kind': 'program', 'unit': 'family', 'program': 'blt_dd', 'required': ['nama', 'desa'],
     'identifiers': {'nik': 'nik'}},
    {'source': 'rtlh', 'kind': 'program', 'unit': 'household', 'program': 'rtlh', 'required': ['nama'],
     'identifiers': {'nik': 'nik', 'no_kk': 'no_kk', 'family': 'no_kk'}},
    {'source': 'baznas', 'kind': 'program', 'unit': 'person', 'program': 'baznas', 'required': ['nama'],
     'identifiers': {'nik': 'nik', 'no_kk': 'no_kk'}},
    {'source': 'kur', 'kind': 'program', 'unit': 'person', 'program': 'kur', 'social_assistance': false,
     'required': ['nik', 'nama'],
     'identifiers': {'nik': 'nik', 'no_kk': 'no_kk'}},
  ]) }}
{%- endmacro %}

{% macro person_sources() -%}
  {{ return(var('person_sources', sikkep.default_person_sources())) }}
{%- endmacro %}

{#- sources that have their own stg_<source> model in models/staging -#}
{% macro staged_model_sources() -%}
  {{ return(['dtks', 'p3ke', 'pkh', 'bpnt', 'pbi_jk', 'blt_dd', 'rtlh', 'baznas', 'kur']) }}
{%- endmacro %}

{% macro person_source_meta(source_name) -%}
  {%- for s in sikkep.person_sources() -%}
    {%- if s['source'] == source_name -%}{{ return(s) }}{%- endif -%}
  {%- endfor -%}
  {{ return({'source': source_name, 'kind': 'program', 'unit': 'person', 'program': source_name,
             'required': [], 'identifiers': {'nik': 'nik'}}) }}
{%- endmacro %}

{#- the staged relation of a person source: its stg model, or inline staging of raw.<source> -#}
{% macro person_source_relation(source_name) -%}
  {%- if source_name in sikkep.staged_model_sources() -%}
    {{ return(ref('stg_' ~ source_name)) }}
  {%- else -%}
    {{ return('(' ~ sikkep.stage_person_source(source_name) ~ ')') }}
  {%- endif -%}
{%- endmacro %}

{#- kabupaten var normalised to 'PP.KK' ('1802' and '18.02' both work) -#}
{% macro kabupaten_code() -%}
  {%- set digits = (var('kabupaten', '18.02') | string) | select('in', '0123456789') | join('') -%}
  {%- if digits | length != 4 -%}
    {{ exceptions.raise_compiler_error("var kabupaten must be a 4-digit Kemendagri code such as 18.02, got " ~ var('kabupaten')) }}
  {%- endif -%}
  {{ return(digits[:2] ~ '.' ~ digits[2:]) }}
{%- endmacro %}
