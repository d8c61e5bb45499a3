-- Data quality per source and period.
--   rows_received / rows_loaded  from raw.file_manifest, files loaded or in error (a repeated
--                                delivery with identical content, status 'duplicate', is not counted
--                                again; 'ignored' files are not extracts)
--   rows_quarantined             rows of the period in marts.quarantine (staging and after linkage)
--   nik_valid_pct                staged person rows with a valid NIK / staged person rows x 100
--   rows_linked                  staged person rows that linkage assigned to a person
--   linked_pct                   rows_linked / rows_received x 100
--   files_received               files loaded or in error (duplicates and ignored files aside)
--   files_rejected               files in error: rejected whole (unreadable, no usable header, a stray
--                                folder). Their readable rows are in rows_received and quarantined;
--   rows_unread                  the rows of rejected files that could not be read (password, damaged
--                                XML, an oversized cell), as far as they can be counted cheaply
--                                (orchestration/ingest/row_count.py); a file whose rows cannot be
--                                counted (an encrypted workbook) counts in files_rejected only
-- A file outside raw/<contract folder>/<YYYY-MM>/ counts under source / period '(tidak dikenal)'
-- (orchestration/ingest/discovery.py): a folder name never reaches this public table.
-- Aggregate sources (dukcapil_agregat) carry no person rows: NIK and linkage figures are NULL.
-- Zero denominators give NULL.

with manifest as (

    select source, period, status, rows_received, rows_loaded, rows_unread
    from {{ source('raw', 'file_manifest') }}

),

quarantine as (

    select source, period from {{ ref('mart_quarantine') }}

),

records as (

    select record_id, source, period, nik_valid from {{ ref('int_person_records') }}

),

record_person as (

    select record_id, person_id from {{ source('linkage', 'record_person') }}

),

manifest_counts as (

    select
        source,
        period,
        sum(coalesce(rows_received, 0)) as rows_received,
        sum(coalesce(rows_loaded, 0)) as rows_loaded,
        count(*) as files_received,
        sum(case when status = 'error' then 1 else 0 end) as files_rejected,
        sum(case when status = 'error' then coalesce(rows_unread, 0) else 0 end) as rows_unread
    from manifest
    where status in ('loaded', 'error')
    group by source, period

),

quarantine_counts as (

    select source, period, count(*) as rows_quarantined
    from quarantine
    group by source, period

),

record_counts as (

    select
        r.source,
        r.period,
        count(*) as person_rows,
        sum(case when r.nik_valid then 1 else 0 end) as rows_nik_valid,
        sum(case when rp.person_id is not null then 1 else 0 end) as rows_linked
    from records as r
    left join record_person as rp on rp.record_id = r.record_id
    group by r.source, r.period

),

source_periods as (

    select source, period from manifest_counts
    union
    select source, period from quarantine_counts
    union
    select source, period from record_counts

),

final as (

    select
        sp.source,
        sp.period,
        cast(coalesce(m.rows_received, 0) as {{ dbt.type_bigint() }}) as rows_received,
        cast(coalesce(m.rows_loaded, 0) as {{ dbt.type_bigint() }}) as rows_loaded,
        cast(coalesce(q.rows_quarantined, 0) as {{ dbt.type_bigint() }}) as rows_quarantined,
        case when rc.person_rows is null or rc.person_rows = 0 then null
             else round(100.0 * rc.rows_nik_valid / rc.person_rows, 4)
        end as nik_valid_pct,
        cast(rc.rows_linked as {{ dbt.type_bigint() }}) as rows_linked,
        case when rc.rows_linked is null or coalesce(m.rows_received, 0) = 0 then null
             else round(100.0 * rc.rows_linked / m.rows_received, 4)
        end as linked_pct,
        cast(coalesce(m.files_received, 0) as {{ dbt.type_bigint() }}) as files_received,
        cast(coalesce(m.files_rejected, 0) as {{ dbt.type_bigint() }}) as files_rejected,
        cast(coalesce(m.rows_unread, 0) as {{ dbt.type_bigint() }}) as rows_unread
    from source_periods as sp
    left join manifest_counts as m on m.source = sp.source and m.period = sp.period
    left join quarantine_counts as q on q.source = sp.source and q.period = sp.period
    left join record_counts as rc on rc.source = sp.source and rc.period = sp.period

)

select * from final
