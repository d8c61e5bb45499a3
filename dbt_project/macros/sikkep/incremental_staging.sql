{#-
  Staging that follows change, per file. A staged row depends only on its own raw row, the reference
  seeds and the rows of the same file and sheet (the Excel-zeroed NIK evidence; the name, place and
  address keys are per distinct text), so each file is staged alone and its rows are replaced alone.

  A file's staged rows are keyed by (source_file, file_sha256, loaded_at) of raw.<source>: the ingest
  replaces a file's raw rows when its content (SHA-256) or its contract changes, with a new loaded_at.
  On an incremental run of stg_<source> (materialized incremental, strategy append, dbt_project.yml):
    pre-hook   staging_forget_files: delete the staged rows whose key is no longer in raw (a removed
               or changed file)
    the model  stages only the raw rows whose key is not in the staged table (a new or changed file)
  The staging rules (these macros, the staging models, the seeds, dbt vars, the raw tables' columns)
  are not part of the key: when they change, orchestration/staging_state.py runs the staging step with
  --full-refresh, which stages every file again (docs/architecture.md, "Staging that follows change").
-#}

{#- an incremental run of a staging model (a dbt unit test has no `this`: never) -#}
{% macro staging_is_incremental() -%}
  {{ return(this is not none and is_incremental()) }}
{%- endmacro %}

{#- the CTEs that narrow the raw relation to the new files (empty on a full build), placed after `with` -#}
{% macro staging_input_ctes(rel) -%}
  {%- if sikkep.staging_is_incremental() %}
staged_files as (
    select distinct source_file, file_sha256, loaded_at from {{ this }}
),
raw_rows as (
    select r.* from {{ rel }} as r
    where not exists (select 1 from staged_files as s
                      where s.source_file = r.source_file
                        and s.file_sha256 is not distinct from r.file_sha256
                        and s.loaded_at is not distinct from r.loaded_at)
),
  {%- endif %}
{%- endmacro %}

{#- what a staging model reads: the new files' raw rows on an incremental run, else the whole raw table -#}
{% macro staging_input(rel) -%}
  {{ return('raw_rows' if sikkep.staging_is_incremental() else rel) }}
{%- endmacro %}

{#- pre-hook of every staging model: forget the files that left raw.<source> or were loaded again -#}
{% macro staging_forget_files() -%}
  {%- if sikkep.staging_is_incremental() -%}
    {%- set rel = api.Relation.create(database=target.database, schema='raw',
                                      identifier=this.identifier | replace('stg_', '', 1)) -%}
delete from {{ this }}
where not exists (select 1 from (select distinct source_file, file_sha256, loaded_at from {{ rel }}) as r
                  where r.source_file = {{ this }}.source_file
                    and r.file_sha256 is not distinct from {{ this }}.file_sha256
                    and r.loaded_at is not distinct from {{ this }}.loaded_at)
  {%- endif -%}
{%- endmacro %}
