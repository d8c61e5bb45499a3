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

    -- one order of a person's records (registry before program, current before history, newest first);
    -- each attribute is the value of the first record that has one (one window, not one per attribute)
    select
        person_id,
        nik,
        nik_valid,
        nama,
        tanggal_lahir,
        jenis_kelamin,
        case
            when nik_valid and not coalesce(nik_suspect, false) then 0
            when nik_valid then 1
            when nik is not null then 2
            else 3
        end as nik_class,
        row_number() over (partition by person_id order by record_rank, period desc, record_id) as rn
    from person_records

),

attributes as (

    -- the NIK: the first record of the best NIK class (valid and trusted, valid, any, none)
    select
        person_id,
        {{ sikkep.first_value_by('nik', 'nik_class * 100000000 + rn') }} as nik,
        {{ sikkep.first_value_by('case when nik_valid then 1 else 0 end', 'nik_class * 100000000 + rn') }} as nik_valid_flag,
        {{ sikkep.first_value_by('nama', 'rn') }} as nama,
        {{ sikkep.first_value_by('tanggal_lahir', 'rn') }} as tanggal_lahir,
        {{ sikkep.first_value_by('jenis_kelamin', 'rn') }} as jenis_kelamin
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
