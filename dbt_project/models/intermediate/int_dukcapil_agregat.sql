-- Usable Dukcapil aggregates (codes known in the kabupaten, counts parsed); the rest is in quarantine.
select
    record_id, source, period,
    period = max(period) over () as is_current,
    source_file, source_sheet, source_row,
    level, kode_wilayah, nama_wilayah, jumlah_penduduk, jumlah_kk, laki_laki, perempuan
from {{ ref('int_dukcapil_rows') }}
where quarantine_rule is null
