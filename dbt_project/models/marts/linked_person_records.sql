{{ config(materialized='view') }}
-- The staged person rows that linkage kept (int_person_records minus the rows quarantined after
-- linkage): what every mart counts. Rows quarantined after linkage are in marts.quarantine instead.

with records as (

    select * from {{ ref('int_person_records') }}

),

record_person as (

    select record_id from {{ source('linkage', 'record_person') }}

)

select r.*
from records as r
where r.record_id in (select record_id from record_person)
