-- The program lists the warehouse reads (one folder per program in raw/). `social_assistance` is FALSE
-- only for KUR (credit, not social assistance): "no program" in the priority definitions means no
-- program with social_assistance = TRUE.

with programs as (

    select 'pkh' as code, 'Program Keluarga Harapan (bantuan tunai bersyarat)' as name,
           'Kemensos / Dinas Sosial' as holder, 'family' as unit, true as social_assistance, 1 as sort_order
    union all
    select 'bpnt', 'BPNT / Program Sembako (bantuan pangan)', 'Kemensos / Dinas Sosial', 'family', true, 2
    union all
    select 'pbi_jk', 'PBI Jaminan Kesehatan (iuran dibayar pemerintah)', 'BPJS Kesehatan', 'person', true, 3
    union all
    select 'blt_dd', 'BLT Dana Desa (bantuan langsung tunai desa)', 'Pemerintah kampung / Dinas PMK', 'family', true, 4
    union all
    select 'rtlh', 'Rehabilitasi Rumah Tidak Layak Huni', 'Dinas Perkim', 'household', true, 5
    union all
    select 'baznas', 'Bantuan zakat Baznas (mustahik)', 'Baznas', 'person', true, 6
    union all
    select 'kur', 'Kredit Usaha Rakyat (kredit mikro)', 'Bank Lampung', 'person', false, 7

)

select
    code,
    name,
    holder,
    unit,
    social_assistance,
    sort_order
from programs
