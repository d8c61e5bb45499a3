{#-
  stage_person_source(source_name): raw.<source> (every contract column VARCHAR + lineage) -> one typed,
  cleaned row per raw row. The logic exists once, here; stg_<source> models are one call each, and a
  person source without a stg model is staged inline by int_person_rows with the same macro.

  Canonical columns (absent ones are NULL): nik, no_kk, nama, tanggal_lahir, jenis_kelamin, kode_wilayah,
  kecamatan, desa, alamat, hubungan, status_keberadaan, desil, status_peserta, plus the contract's
  family / household / person identifier columns. Every other contract column is kept, typed by its
  name: flags (ada_*, penerima_*, padan_*, kepesertaan_*, resiko_*) -> BOOLEAN, amounts (nominal,
  nilai*, plafon, jumlah*) -> DECIMAL, dates (tanggal*, tgl_*) -> DATE, anything else -> trimmed text.
-#}

{% macro _lineage_columns() -%}
  {{ return(['source_file', 'source_sheet', 'source_row', 'period', 'file_sha256', 'loaded_at', 'extra_columns']) }}
{%- endmacro %}

{% macro _core_columns() -%}
  {{ return(['nik', 'no_kk', 'nama', 'tanggal_lahir', 'jenis_kelamin', 'kode_wilayah', 'kecamatan', 'desa',
             'alamat', 'hubungan', 'status_keberadaan', 'desil', 'status_peserta']) }}
{%- endmacro %}

{% macro _extra_kind(c) -%}
  {%- if c.startswith('ada_') or c.startswith('penerima_') or c.startswith('padan_') or c.startswith('kepesertaan_') or c.startswith('resiko_') -%}
    {{ return('flag') }}
  {%- elif c in ['nominal', 'plafon', 'nilai'] or c.startswith('nilai_') or c.startswith('jumlah') -%}
    {{ return('amount') }}
  {%- elif c.startswith('tanggal') or c.startswith('tgl_') -%}
    {{ return('date') }}
  {%- else -%}
    {{ return('text') }}
  {%- endif -%}
{%- endmacro %}

{#- the raw relation of a source: declared source when it is in sources.yml, else raw.<source> -#}
{% macro raw_relation(source_name) -%}
  {%- if source_name in sikkep.staged_model_sources() or source_name == 'dukcapil_agregat' -%}
    {{ return(source('raw', source_name)) }}
  {%- else -%}
    {{ return(api.Relation.create(database=target.database, schema='raw', identifier=source_name)) }}
  {%- endif -%}
{%- endmacro %}

{#- the raw table's columns, lower case (introspected on raw.<source> itself, also under dbt unit tests
    where source() is a fixture CTE) -#}
{% macro raw_columns(source_name, assumed) -%}
  {%- if execute -%}
    {%- set relation = api.Relation.create(database=target.database, schema='raw', identifier=source_name) -%}
    {%- set cols = [] -%}
    {%- for c in adapter.get_columns_in_relation(relation) -%}{%- do cols.append(c.name | lower) -%}{%- endfor -%}
    {%- if cols | length == 0 -%}
      {{ exceptions.raise_compiler_error("raw table " ~ relation ~ " is missing or has no columns") }}
    {%- endif -%}
    {{ return(cols) }}
  {%- else -%}
    {{ return(assumed) }}
  {%- endif -%}
{%- endmacro %}

{% macro stage_person_source(source_name) -%}
{%- set meta = sikkep.person_source_meta(source_name) -%}
{%- set ids = meta.get('identifiers') or {} -%}
{%- set rel = sikkep.raw_relation(source_name) -%}
{%- set lineage = sikkep._lineage_columns() -%}
{%- set core = sikkep._core_columns() -%}
{%- set id_cols = [] -%}
{%- for k in ['family', 'household', 'person'] -%}
  {%- if ids.get(k) and ids.get(k) not in core and ids.get(k) not in id_cols -%}{%- do id_cols.append(ids.get(k)) -%}{%- endif -%}
{%- endfor -%}
{%- set present = sikkep.raw_columns(source_name, core + id_cols + lineage) -%}
{%- set contract_cols = [] -%}
{%- for c in present -%}{%- if c not in lineage -%}{%- do contract_cols.append(c) -%}{%- endif -%}{%- endfor -%}
{%- set extras = [] -%}
{%- for c in contract_cols -%}{%- if c not in core and c not in id_cols -%}{%- do extras.append(c) -%}{%- endif -%}{%- endfor -%}
{%- set fp = [] -%}
{%- for c in contract_cols -%}
  {%- do fp.append("coalesce(cast(" ~ adapter.quote(c) ~ " as " ~ dbt.type_string() ~ "), '')") -%}{%- do fp.append("'|'") -%}
{%- endfor -%}
{%- set fam = ids.get('family') -%}
{%- set hh = ids.get('household') -%}
{%- set per = ids.get('person') -%}
{%- set str = dbt.type_string() -%}
with src as (
    select
      {%- for c in core + id_cols + extras %}
        {% if c in present %}cast({{ adapter.quote(c) }} as {{ str }}){% else %}cast(null as {{ str }}){% endif %} as raw_{{ c }},
      {%- endfor %}
        {{ dbt.hash(dbt.concat(fp)) if fp else "cast(null as " ~ str ~ ")" }} as row_fingerprint,
        source_file, source_sheet, cast(source_row as integer) as source_row, period, file_sha256, loaded_at
    from {{ rel }}
),
step1 as (
    select src.*,
        {{ sikkep.clean_nik('raw_nik') }} as nik_clean,
        {{ sikkep.nik_scientific_suspect('raw_nik') }} as nik_sci,
        {{ sikkep.clean_nik('raw_no_kk') }} as kk_clean,
        {{ sikkep.parse_sex('raw_jenis_kelamin') }} as jk
    from src
),
step2 as (
    select step1.*,
        {{ sikkep.nik_excel_zeroed('nik_clean') }} as nik_zeroed,
        {{ sikkep.nik_problem('nik_clean', 'raw_nik', 'jk') }} as nik_prob,
        {{ sikkep.no_kk_problem('kk_clean', 'raw_no_kk') }} as kk_prob,
        {{ sikkep.parse_date('raw_tanggal_lahir') }} as tgl,
        {{ sikkep.kode_wilayah('raw_kode_wilayah') }} as kode_row,
        {{ sikkep.kode_wilayah('raw_kecamatan') }} as kode_kec_text,
        {{ sikkep.kode_wilayah('raw_desa') }} as kode_desa_text,
        {{ sikkep.parse_hubungan('raw_hubungan') }} as hub,
        {{ sikkep.parse_status_keberadaan('raw_status_keberadaan') }} as sta,
        {{ sikkep.parse_desil('raw_desil') }} as des,
        {{ sikkep.parse_status_peserta('raw_status_peserta') }} as stp
    from step1
)
select
    {{ dbt.concat(["'" ~ source_name ~ "'", "'|'", "period", "'|'", "source_file", "'|'",
                   "coalesce(source_sheet, '')", "'|'", "cast(source_row as " ~ str ~ ")"]) }} as record_id,
    cast('{{ source_name }}' as {{ str }}) as source,
    period, source_file, source_sheet, source_row, file_sha256, loaded_at,
    -- identifiers
    nik_clean as nik,
    case when nik_prob is not null then nik_prob
         when nik_zeroed then 'excel_zeroed'
         when nik_sci then 'scientific_zeroed' end as nik_problem,
    (nik_prob is null and not nik_zeroed and not nik_sci) as nik_valid,
    (nik_sci or nik_zeroed) as nik_suspect,
    ({{ sikkep.clean_text('raw_nik') }} is null) as nik_missing,
    {{ sikkep.mask_nik(sikkep.re_replace('trim(raw_nik)', '[^0-9A-Za-z+.]', '')) }} as nik_masked,
    kk_clean as no_kk,
    kk_prob as no_kk_problem,
    (kk_prob is null) as no_kk_valid,
    -- person
    {{ sikkep.clean_text('raw_nama') }} as nama,
    {{ sikkep.name_key('raw_nama') }} as name_key,
    tgl as tanggal_lahir,
    jk as jenis_kelamin,
    hub as hubungan,
    sta as status_keberadaan,
    des as desil,
    stp as status_peserta,
    -- place as delivered (resolved to Kemendagri codes in int_person_rows)
    coalesce(kode_row, kode_desa_text, kode_kec_text) as kode_wilayah_row,
    {{ sikkep.clean_text('raw_kecamatan') }} as kecamatan,
    {{ sikkep.clean_text('raw_desa') }} as desa,
    {{ sikkep.place_key('raw_kecamatan') }} as kecamatan_key,
    {{ sikkep.place_key('raw_desa') }} as desa_key,
    {{ sikkep.place_key('source_sheet') }} as sheet_key,
    {{ sikkep.place_key(sikkep.file_stem('source_file')) }} as file_key,
    {{ sikkep.clean_text('raw_alamat') }} as alamat,
    -- source-native family / household / person keys
    {% if fam == 'no_kk' -%}
    case when kk_clean is not null then {{ dbt.concat(["'kk:'", "kk_clean"]) }} end
    {%- elif fam -%}
    case when {{ sikkep.clean_id('raw_' ~ fam) }} is not null then {{ dbt.concat(["'" ~ source_name ~ ":'", sikkep.clean_id('raw_' ~ fam)]) }} end
    {%- else -%}
    case when kk_clean is not null then {{ dbt.concat(["'kk:'", "kk_clean"]) }} end
    {%- endif %} as family_ref,
    {% if hh %}{{ sikkep.clean_id('raw_' ~ hh) }}{% else %}cast(null as {{ str }}){% endif %} as household_ref,
    {% if per %}{{ sikkep.clean_id('raw_' ~ per) }}{% else %}cast(null as {{ str }}){% endif %} as person_ref,
    -- fields delivered but not understood
    {{ sikkep.concat_ws_nonnull(',', [
        "case when tgl is null and " ~ sikkep.clean_text('raw_tanggal_lahir') ~ " is not null then 'tanggal_lahir' end",
        "case when jk is null and " ~ sikkep.clean_text('raw_jenis_kelamin') ~ " is not null then 'jenis_kelamin' end",
        "case when hub is null and " ~ sikkep.clean_text('raw_hubungan') ~ " is not null then 'hubungan' end",
        "case when sta is null and " ~ sikkep.clean_text('raw_status_keberadaan') ~ " is not null then 'status_keberadaan' end",
        "case when des is null and " ~ sikkep.clean_text('raw_desil') ~ " is not null then 'desil' end",
        "case when stp is null and " ~ sikkep.clean_text('raw_status_peserta') ~ " is not null then 'status_peserta' end",
        "case when kode_row is null and " ~ sikkep.clean_text('raw_kode_wilayah') ~ " is not null then 'kode_wilayah' end"]) }} as unparsed_fields,
    row_fingerprint
    {%- for c in extras %},
    {%- set k = sikkep._extra_kind(c) %}
    {% if k == 'flag' %}{{ sikkep.parse_flag('raw_' ~ c) }}{% elif k == 'amount' %}{{ sikkep.parse_amount('raw_' ~ c) }}{% elif k == 'date' %}{{ sikkep.parse_date('raw_' ~ c) }}{% else %}{{ sikkep.clean_text('raw_' ~ c) }}{% endif %} as {{ adapter.quote(c) }}
    {%- endfor %}
from step2
{%- endmacro %}
