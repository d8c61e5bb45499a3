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

{#-
  The model is a chain of CTEs, one per step, each computing every value it adds once per row from
  the columns of the step before (regular expressions are the cost: nothing is evaluated twice):
    src         contract columns as raw_<c> (VARCHAR), fingerprint, lineage
    trimmed     t_<c>   = trim(raw_<c>)
    normalised  u_<c>   = upper(t_<c>); NIK / No KK id text; code digits; dates
    cleaned     txt_<c> = clean_text (placeholders -> NULL); codes / words; scientific-notation test
    parsed      sex, status, desil, mantissas, source ids, extra columns x_<c>
    identified  NIK / No KK (16 digits), hubungan, status_keberadaan
    id_parts    the DDMMYY of NIK / No KK
    validated   nik_problem, no_kk_problem, Excel-zeroed (per file and sheet)
    keyed       name_key (once per distinct name), address keys;
                kecamatan_key / desa_key / sheet_key / file_key: place_key evaluated once per distinct
                name (*_keys CTEs over the raw table; few hundred values) and joined
  Internal column prefixes (t_, u_, txt_, x_, ref_, amount_text_) keep contract column names from
  colliding with the step columns; the final select names every output column explicitly.
-#}
{% macro stage_person_source(source_name) -%}
{%- set meta = sikkep.person_source_meta(source_name) -%}
{%- set ids = meta.get('identifiers') or {} -%}
{%- set raw = sikkep.raw_relation(source_name) -%}
{#- a staging model's incremental run reads the new files only (incremental_staging.sql) -#}
{%- set rel = sikkep.staging_input(raw) -%}
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
{%- set ref_cols = [] -%}
{%- for c in [fam if fam != 'no_kk' else none, hh, per] -%}
  {%- if c and c not in ref_cols -%}{%- do ref_cols.append(c) -%}{%- endif -%}
{%- endfor -%}
{%- set cols = core + id_cols + extras -%}
{%- set str = dbt.type_string() -%}
with {{ sikkep.staging_input_ctes(raw) }}
src as (
    select
      {%- for c in cols %}
        {% if c in present %}cast({{ adapter.quote(c) }} as {{ str }}){% else %}cast(null as {{ str }}){% endif %} as raw_{{ c }},
      {%- endfor %}
        {{ dbt.hash(dbt.concat(fp)) if fp else "cast(null as " ~ str ~ ")" }} as row_fingerprint,
        source_file, source_sheet, cast(source_row as integer) as source_row, period, file_sha256, loaded_at
    from {{ rel }}
),
-- step 1: every delivered value trimmed
trimmed as (
    select
      {%- for c in cols %}
        trim(raw_{{ c }}) as t_{{ c }},
      {%- endfor %}
        row_fingerprint, source_file, source_sheet, source_row, period, file_sha256, loaded_at
    from src
),
-- step 2: upper case; identifier text; code digits; dates
normalised as (
    select trimmed.*,
      {%- for c in cols %}
        upper(t_{{ c }}) as u_{{ c }},
      {%- endfor %}
        {{ sikkep.id_text('t_nik') }} as nik_text,
        {{ sikkep.id_text('t_no_kk') }} as kk_text,
        {{ sikkep.re_replace('t_nik', '[^0-9A-Za-z+.]', '') }} as nik_mask_text,
        {{ sikkep.kode_digits('t_kode_wilayah') }} as kode_row_digits,
        {{ sikkep.kode_digits('t_kecamatan') }} as kode_kec_digits,
        {{ sikkep.kode_digits('t_desa') }} as kode_desa_digits,
        {{ sikkep.parse_date_from('t_tanggal_lahir') }} as tgl
      {%- for c in extras %}{% if sikkep._extra_kind(c) == 'date' %},
        {{ sikkep.parse_date_from('t_' ~ c) }} as x_{{ c }}
      {%- endif %}{% endfor %}
    from trimmed
),
-- step 3: placeholders -> NULL; code / word forms; scientific-notation test; Kemendagri codes
cleaned as (
    select normalised.*,
      {%- for c in cols %}
        {{ sikkep.clean_text_from('t_' ~ c, 'u_' ~ c) }} as txt_{{ c }},
      {%- endfor %}
        {{ sikkep.sex_code('u_jenis_kelamin') }} as sex_code,
        {{ sikkep.status_peserta_code('u_status_peserta') }} as stp_code,
        {{ sikkep.code_words('u_hubungan') }} as hub_words,
        {{ sikkep.code_words('u_status_keberadaan') }} as sta_words,
        {{ sikkep.desil_number('u_desil') }} as desil_number,
        {{ sikkep.id_is_scientific('nik_text') }} as nik_sci_form,
        {{ sikkep.id_plain_digits('nik_text') }} as nik_plain,
        {{ sikkep.id_is_scientific('kk_text') }} as kk_sci_form,
        {{ sikkep.id_plain_digits('kk_text') }} as kk_plain,
        {{ sikkep.kode_wilayah_from_digits('kode_row_digits') }} as kode_row,
        {{ sikkep.kode_wilayah_from_digits('kode_kec_digits') }} as kode_kec_text,
        {{ sikkep.kode_wilayah_from_digits('kode_desa_digits') }} as kode_desa_text
      {%- for c in extras %}{% set k = sikkep._extra_kind(c) %}{% if k == 'flag' %},
        {{ sikkep.parse_flag_from('u_' ~ c) }} as x_{{ c }}
      {%- elif k == 'amount' %},
        {{ sikkep.amount_text('u_' ~ c) }} as amount_text_{{ c }}
      {%- endif %}{% endfor %}
    from normalised
),
-- step 4: coded values; scientific mantissas; place rewriting; source ids; extra columns
parsed as (
    select cleaned.*,
        {{ sikkep.sex_from_code('sex_code') }} as jk,
        {{ sikkep.status_peserta_from_code('stp_code') }} as stp,
        {{ sikkep.code_or_words_from('hub_words') }} as hub_code,
        {{ sikkep.code_or_words_from('sta_words') }} as sta_code,
        {{ sikkep.desil_from_number('desil_number') }} as des,
        case when nik_sci_form then {{ sikkep.id_sci_mantissa('nik_text') }} end as nik_mantissa,
        case when nik_sci_form then {{ sikkep.id_sci_int_digits('nik_text') }} end as nik_int_digits,
        case when kk_sci_form then {{ sikkep.id_sci_mantissa('kk_text') }} end as kk_mantissa,
        case when kk_sci_form then {{ sikkep.id_sci_int_digits('kk_text') }} end as kk_int_digits
      {%- for c in ref_cols %},
        {{ sikkep.clean_id_from('txt_' ~ c) }} as ref_{{ c }}
      {%- endfor %}
      {%- for c in extras %}{% set k = sikkep._extra_kind(c) %}{% if k == 'amount' %},
        {{ sikkep.parse_amount_from('amount_text_' ~ c) }} as x_{{ c }}
      {%- elif k == 'text' %},
        txt_{{ c }} as x_{{ c }}
      {%- endif %}{% endfor %}
    from cleaned
),
-- step 5: the 16-digit NIK / No KK, hubungan, status_keberadaan
identified as (
    select parsed.*,
        {{ sikkep.clean_nik_from('txt_nik', 'nik_sci_form', 'nik_mantissa', 'nik_int_digits', 'nik_plain') }} as nik_clean,
        {{ sikkep.nik_scientific_suspect_from('nik_sci_form', 'nik_mantissa') }} as nik_sci,
        {{ sikkep.clean_nik_from('txt_no_kk', 'kk_sci_form', 'kk_mantissa', 'kk_int_digits', 'kk_plain') }} as kk_clean,
        {{ sikkep.nik_scientific_suspect_from('kk_sci_form', 'kk_mantissa') }} as kk_sci,
        {{ sikkep.parse_hubungan_from('hub_code') }} as hub,
        {{ sikkep.parse_status_keberadaan_from('sta_code') }} as sta
    from parsed
),
-- step 6: the DDMMYY parts of NIK and No KK
id_parts as (
    select identified.*,
        {{ sikkep.id_dd('nik_clean') }} as nik_dd,
        {{ sikkep.id_mm('nik_clean') }} as nik_mm,
        {{ sikkep.id_yy('nik_clean') }} as nik_yy,
        {{ sikkep.id_dd('kk_clean') }} as kk_dd,
        {{ sikkep.id_mm('kk_clean') }} as kk_mm,
        {{ sikkep.id_yy('kk_clean') }} as kk_yy
    from identified
),
-- step 7: validity (Excel-zeroed: evidence per file and sheet)
validated as (
    select id_parts.*,
        {{ sikkep.nik_excel_zeroed('nik_clean') }} as nik_zeroed,
        {{ sikkep.nik_problem_from('nik_clean', 'txt_nik', 'nik_sci', 'jk', 'nik_dd', 'nik_mm', 'nik_yy') }} as nik_prob,
        {{ sikkep.no_kk_problem_from('kk_clean', 'txt_no_kk', 'kk_sci', 'kk_dd', 'kk_mm', 'kk_yy') }} as kk_prob
    from id_parts
),
-- place keys (place_key: 9 regular expressions) once per distinct kecamatan / desa / sheet / file name
{%- for c in ['kecamatan', 'desa'] if c in present %}
{{ c }}_keys as (
    select {{ c }}_text, {{ sikkep.place_key_from(c ~ '_text') }} as {{ c }}_key
    from (select distinct {{ sikkep.clean_text('cast(' ~ adapter.quote(c) ~ ' as ' ~ str ~ ')') }} as {{ c }}_text
          from {{ rel }}) as names
    where {{ c }}_text is not null
),
{%- endfor %}
{%- if 'nama' in present %}
-- name keys (macros/sikkep/names.sql: nine regular expressions) once per distinct name: the two periods
-- of a registry and the program lists repeat most names
nama_keys as (
    select nama_text, {{ sikkep.name_key_from('name_normalised') }} as name_key
    from (select nama_text, {{ sikkep.name_normalised('nama_text') }} as name_normalised
          from (select distinct {{ sikkep.clean_text('cast(' ~ adapter.quote('nama') ~ ' as ' ~ str ~ ')') }} as nama_text
                from {{ rel }}) as names
          where nama_text is not null) as normalised_names
),
{%- endif %}
{%- if 'alamat' in present %}
-- address keys (macros/sikkep/addresses.sql) once per distinct address
alamat_keys as (
    select alamat_text, {{ sikkep.address_key('alamat_text') }} as address_key,
           {{ sikkep.address_rt('alamat_text') }} as address_rt
    from (select distinct {{ sikkep.clean_text('cast(' ~ adapter.quote('alamat') ~ ' as ' ~ str ~ ')') }} as alamat_text
          from {{ rel }}) as addresses
    where alamat_text is not null
),
{%- endif %}
sheet_keys as (
    select source_sheet, {{ sikkep.place_key('source_sheet') }} as sheet_key
    from (select distinct source_sheet from {{ rel }} where source_sheet is not null) as sheets
),
file_keys as (
    select source_file, {{ sikkep.place_key(sikkep.file_stem('source_file')) }} as file_key
    from (select distinct source_file from {{ rel }} where source_file is not null) as files
),
-- step 8: the place keys joined to every row
keyed as (
    select validated.*,
        {% if 'kecamatan' in present %}kk.kecamatan_key{% else %}cast(null as {{ str }}) as kecamatan_key{% endif %},
        {% if 'desa' in present %}dk.desa_key{% else %}cast(null as {{ str }}) as desa_key{% endif %},
        {% if 'alamat' in present %}ak.address_key, ak.address_rt{% else %}cast(null as {{ str }}) as address_key,
        cast(null as {{ dbt.type_int() }}) as address_rt{% endif %},
        {% if 'nama' in present %}nk.name_key{% else %}cast(null as {{ str }}) as name_key{% endif %},
        sk.sheet_key, fk.file_key
    from validated
    {%- if 'nama' in present %}
    left join nama_keys as nk on nk.nama_text = validated.txt_nama
    {%- endif %}
    {%- if 'kecamatan' in present %}
    left join kecamatan_keys as kk on kk.kecamatan_text = validated.txt_kecamatan
    {%- endif %}
    {%- if 'desa' in present %}
    left join desa_keys as dk on dk.desa_text = validated.txt_desa
    {%- endif %}
    {%- if 'alamat' in present %}
    left join alamat_keys as ak on ak.alamat_text = validated.txt_alamat
    {%- endif %}
    left join sheet_keys as sk on sk.source_sheet = validated.source_sheet
    left join file_keys as fk on fk.source_file = validated.source_file
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
    (txt_nik is null) as nik_missing,
    {{ sikkep.mask_nik('nik_mask_text') }} as nik_masked,
    kk_clean as no_kk,
    kk_prob as no_kk_problem,
    (kk_prob is null) as no_kk_valid,
    -- person
    txt_nama as nama,
    name_key,
    tgl as tanggal_lahir,
    jk as jenis_kelamin,
    hub as hubungan,
    sta as status_keberadaan,
    des as desil,
    stp as status_peserta,
    -- place as delivered (resolved to Kemendagri codes in int_person_rows)
    coalesce(kode_row, kode_desa_text, kode_kec_text) as kode_wilayah_row,
    txt_kecamatan as kecamatan,
    txt_desa as desa,
    kecamatan_key,
    desa_key,
    sheet_key,
    file_key,
    txt_alamat as alamat,
    address_key,
    address_rt,
    -- source-native family / household / person keys
    {% if fam and fam != 'no_kk' -%}
    case when ref_{{ fam }} is not null then {{ dbt.concat(["'" ~ source_name ~ ":'", 'ref_' ~ fam]) }} end
    {%- else -%}
    case when kk_clean is not null then {{ dbt.concat(["'kk:'", "kk_clean"]) }} end
    {%- endif %} as family_ref,
    {% if hh %}ref_{{ hh }}{% else %}cast(null as {{ str }}){% endif %} as household_ref,
    {% if per %}ref_{{ per }}{% else %}cast(null as {{ str }}){% endif %} as person_ref,
    -- fields delivered but not understood
    {{ sikkep.concat_ws_nonnull(',', [
        "case when tgl is null and txt_tanggal_lahir is not null then 'tanggal_lahir' end",
        "case when jk is null and txt_jenis_kelamin is not null then 'jenis_kelamin' end",
        "case when hub is null and txt_hubungan is not null then 'hubungan' end",
        "case when sta is null and txt_status_keberadaan is not null then 'status_keberadaan' end",
        "case when des is null and txt_desil is not null then 'desil' end",
        "case when stp is null and txt_status_peserta is not null then 'status_peserta' end",
        "case when kode_row is null and txt_kode_wilayah is not null then 'kode_wilayah' end"]) }} as unparsed_fields,
    row_fingerprint
    {%- for c in extras %},
    x_{{ c }} as {{ adapter.quote(c) }}
    {%- endfor %}
from keyed
{%- endmacro %}
