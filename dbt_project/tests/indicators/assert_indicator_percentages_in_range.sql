-- Every percentage of the public indicators lies in [0, 100] (NULL allowed: zero denominator).
-- extreme_poverty_pct is a share of the Dukcapil population: above 100 means the registries hold more
-- desil-1 members than Dukcapil counts residents, a data error worth stopping publication for.

-- Reads several indicator tables; Dagster shows it as an asset check on ind_poverty_by_area (the
-- headline public table, where the GX indicators gate sits too).
{{ config(meta={'dagster': {'ref': {'name': 'ind_poverty_by_area'}}}) }}

with percentages as (

    select 'ind_poverty_by_area.extreme_poverty_pct' as col, kode_wilayah as area, extreme_poverty_pct as pct
    from {{ ref('ind_poverty_by_area') }}
    union all
    select 'ind_program_coverage.coverage_desil_1_pct', kode_wilayah, coverage_desil_1_pct
    from {{ ref('ind_program_coverage') }}
    union all
    select 'ind_program_coverage.exclusion_error_desil_1_pct', kode_wilayah, exclusion_error_desil_1_pct
    from {{ ref('ind_program_coverage') }}
    union all
    select 'ind_program_coverage.inclusion_error_desil_1_4_pct', kode_wilayah, inclusion_error_desil_1_4_pct
    from {{ ref('ind_program_coverage') }}
    union all
    select 'ind_data_quality.nik_valid_pct', source, nik_valid_pct
    from {{ ref('ind_data_quality') }}
    union all
    select 'ind_data_quality.linked_pct', source, linked_pct
    from {{ ref('ind_data_quality') }}

)

select col, area, pct
from percentages
where pct is not null and (pct < 0 or pct > 100)
