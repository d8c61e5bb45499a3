-- One row per unified person (linkage person_id). Attributes come from the person's best record:
-- current registry rows first, then current program rows, then history; within that the newest period.
-- The NIK is taken from the best record holding a valid, trusted NIK (not Excel-mangled) when there is
-- one, otherwise from the best record holding any NIK. Household and death come from linkage.

with records as (

    select * from {{ ref('linked_person_records') }}

),

record_person as (

    select record_id, person_id from {{ source('linkage', 'record_person') }}

),

person_household as (

    select person_id, household_id, deceased from {{ source('linkage', 'person_household') }}

),

person_records as (

    select
        rp.person_id,
        r.record_id,
        r.period,
        r.nik,
        r.nik_valid,
        r.nik_suspect,
        r.nama,
        r.tanggal_lahir,
        r.jenis_kelamin,
        case
            when r.is_current and r.kind = 'registry' then 0
            when r.is_current then 1
            when r.kind = 'registry' then 2
            else 3
        end as record_rank
    from records as r
    inner join record_person as rp on rp.record_id = r.record_id

),

ranked as (

    select
        person_id,
        nik,
        nik_valid,
        nama,
        tanggal_lahir,
        jenis_kelamin,
        row_number() over (
            partition by person_id
            order by
                case
                    when nik_valid and not coalesce(nik_suspect, false) then 0
                    when nik_valid then 1
                    when nik is not null then 2
                    else 3
                end,
                record_rank, period desc, record_id
        ) as nik_rn,
        row_number() over (
            partition by person_id
            order by case when nama is null then 1 else 0 end, record_rank, period desc, record_id
        ) as nama_rn,
        row_number() over (
            partition by person_id
            order by case when tanggal_lahir is null then 1 else 0 end, record_rank, period desc, record_id
        ) as lahir_rn,
        row_number() over (
            partition by person_id
            order by case when jenis_kelamin is null then 1 else 0 end, record_rank, period desc, record_id
        ) as jk_rn
    from person_records

),

attributes as (

    select
        person_id,
        max(case when nik_rn = 1 then nik end) as nik,
        max(case when nik_rn = 1 then case when nik_valid then 1 else 0 end end) as nik_valid_flag,
        max(case when nama_rn = 1 then nama end) as nama,
        max(case when lahir_rn = 1 then tanggal_lahir end) as tanggal_lahir,
        max(case when jk_rn = 1 then jenis_kelamin end) as jenis_kelamin
    from ranked
    group by person_id

),

final as (

    select
        a.person_id,
        ph.household_id,
        a.nik,
        a.nama,
        a.tanggal_lahir,
        a.jenis_kelamin,
        coalesce(a.nik_valid_flag = 1, false) as nik_valid,
        coalesce(ph.deceased, false) as deceased
    from attributes as a
    left join person_household as ph on ph.person_id = a.person_id

)

select * from final
