-- Rows that cannot be used, with the rule and a detail (NIKs masked): dbt's rules on person rows
-- (int_person_rows) and Dukcapil aggregates (int_dukcapil_rows), plus the rows ingest rejected
-- (raw.rejected_rows, when that table exists; rule prefixed 'ingest:').
{%- set rejected = adapter.get_relation(database=target.database, schema='raw', identifier='rejected_rows') if execute else none %}
select source, period, source_file, source_sheet, source_row, quarantine_rule as rule, quarantine_detail as detail
from {{ ref('int_person_rows') }}
where quarantine_rule is not null
union all
select source, period, source_file, source_sheet, source_row, quarantine_rule, quarantine_detail
from {{ ref('int_dukcapil_rows') }}
where quarantine_rule is not null
{%- if rejected is not none %}
union all
select cast(source as {{ dbt.type_string() }}), cast(period as {{ dbt.type_string() }}),
       cast(source_file as {{ dbt.type_string() }}), cast(source_sheet as {{ dbt.type_string() }}),
       cast(source_row as integer),
       {{ dbt.concat(["'ingest:'", "coalesce(rule, 'rejected')"]) }},
       {{ sikkep.mask_digits_in_text('cast(detail as ' ~ dbt.type_string() ~ ')') }}
from {{ rejected }}
{%- endif %}
