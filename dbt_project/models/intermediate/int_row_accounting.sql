-- Nothing lost: per delivered file, rows received (raw.file_manifest) = rows staged (usable, in
-- int_person_records / int_dukcapil_agregat) + rows quarantined (dbt rules + ingest rejects).
-- Files in raw tables without a manifest row (or the reverse) show up unbalanced.
{% set tables = [] -%}
{%- for s in sikkep.person_sources() -%}{%- do tables.append(s.source) -%}{%- endfor %}
with manifest as (
    select source, period, source_file, status,
           coalesce(rows_received, 0) as rows_received,
           coalesce(rows_loaded, 0) as rows_loaded,
           coalesce(rows_rejected, 0) as rows_rejected
    from {{ source('raw', 'file_manifest') }}
),
raw_rows as (
    {%- for s in tables %}
    select '{{ s }}' as source, source_file, count(*) as rows_in_raw
    from {{ sikkep.raw_relation(s) }} group by source_file
    union all
    {%- endfor %}
    select 'dukcapil_agregat', source_file, count(*) from {{ source('raw', 'dukcapil_agregat') }} group by source_file
),
staged as (
    select source, source_file, count(*) as rows_staged from {{ ref('int_person_records') }} group by source, source_file
    union all
    select source, source_file, count(*) from {{ ref('int_dukcapil_agregat') }} group by source, source_file
),
quarantined as (
    select source, source_file, count(*) as rows_quarantined from {{ ref('quarantine') }} group by source, source_file
),
files as (
    select source, source_file from manifest
    union select source, source_file from raw_rows
    union select source, source_file from staged
    union select source, source_file from quarantined
)
select
    f.source,
    m.period,
    f.source_file,
    m.status,
    coalesce(m.rows_received, 0) as rows_received,
    coalesce(m.rows_loaded, 0) as rows_loaded,
    coalesce(m.rows_rejected, 0) as rows_rejected_ingest,
    coalesce(r.rows_in_raw, 0) as rows_in_raw,
    coalesce(s.rows_staged, 0) as rows_staged,
    coalesce(q.rows_quarantined, 0) as rows_quarantined,
    (m.source_file is not null
     and coalesce(m.rows_received, 0) = coalesce(s.rows_staged, 0) + coalesce(q.rows_quarantined, 0)
     and coalesce(m.rows_loaded, 0) = coalesce(r.rows_in_raw, 0)
     and coalesce(m.rows_received, 0) = coalesce(m.rows_loaded, 0) + coalesce(m.rows_rejected, 0)) as balanced
from files f
left join manifest m on m.source = f.source and m.source_file = f.source_file
left join raw_rows r on r.source = f.source and r.source_file = f.source_file
left join staged s on s.source = f.source and s.source_file = f.source_file
left join quarantined q on q.source = f.source and q.source_file = f.source_file
