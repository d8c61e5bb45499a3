{{ config(alias='quarantine') }}
-- Every row that cannot be used, published as restricted `quarantine`: the rows staging quarantined
-- (intermediate.quarantine: no identity, unparseable mandatory fields, ingest rejects) and the rows
-- quarantined after linkage (linkage.record_quarantine: no place, and the person found in no row
-- with a place). NIKs masked in detail.

with staged as (

    select source, period, source_file, source_sheet, source_row, rule, detail
    from {{ ref('quarantine') }}

),

after_linkage as (

    select record_id, rule from {{ source('linkage', 'record_quarantine') }}

),

rows as (

    select record_id, source, period, source_file, source_sheet, source_row, place_detail
    from {{ ref('int_person_rows') }}

),

linked_away as (

    select
        r.source,
        r.period,
        r.source_file,
        r.source_sheet,
        r.source_row,
        q.rule,
        {{ dbt.concat(["'wilayah tidak dikenali di kabupaten " ~ sikkep.kabupaten_code() ~ " ('", "coalesce(r.place_detail, '')",
                       "') dan orangnya tidak ditemukan di baris lain yang wilayahnya dikenali'"]) }} as detail
    from after_linkage as q
    inner join rows as r on r.record_id = q.record_id

)

select * from staged
union all
select * from linked_away
