{#-
  Every staged person row of every person/family source (var person_sources), with its place resolved
  to Kemendagri codes, its fixable problems flagged and, for rows that cannot be used, the quarantine
  rule. int_person_records (usable) and quarantine (unusable) are the two halves of this table.

  Place resolution (kecamatan, then village within it):
    1. code on the row (kode_wilayah, or a code typed in kecamatan/desa), checked against int_wilayah
    2. kecamatan name on the row: exact place_key, then fuzzy (similarity >= var place_fuzzy_threshold,
       unique best)
    3. the sheet name, then the file name, naming the kecamatan (exact key or containing it; longest wins)
    4. village name within the kecamatan: exact key, then fuzzy (same threshold, unique best); with no
       kecamatan, a village name unique in the kabupaten resolves both
  A village that is ambiguous or unknown leaves kode_desa NULL with kode_kecamatan set (flagged).

  Quarantine before linkage (first rule that applies):
    no_identity           no usable name (name_key NULL) and no valid NIK
    unparseable_mandatory a contract-required field was delivered but cannot be parsed (places excepted)
  A place that resolves to nothing is flagged ('place_unresolved') and decided AFTER linkage
  (orchestration/linkage/quarantine.py, design.md "Quarantine is decided after linkage"): the row is
  linked when its person is found in a row with a place, else quarantined there. So a place column is
  never an "unparseable mandatory" field here: a garbage KODE_WILAYAH on a DTKS row of a known person
  links, with the problem flagged.
-#}
{%- set threshold = var('place_fuzzy_threshold', 0.9) -%}
{%- set typed = ['tanggal_lahir', 'jenis_kelamin', 'hubungan', 'status_keberadaan', 'desil', 'status_peserta'] -%}

with staged as (
{%- for s in sikkep.person_sources() %}
    {%- set req_exprs = [] -%}
    {%- for c in (s.get('required') or []) -%}
      {%- if c in typed -%}
        {%- do req_exprs.append("case when " ~ dbt.concat(["','", "coalesce(unparsed_fields, '')", "','"]) ~ " like '%," ~ c ~ ",%' then '" ~ c ~ "' end") -%}
      {%- endif -%}
    {%- endfor %}
    select
        record_id, source, period, source_file, source_sheet, source_row,
        cast('{{ s.kind }}' as {{ dbt.type_string() }}) as kind,
        cast('{{ s.unit }}' as {{ dbt.type_string() }}) as unit,
        {% if s.program %}cast('{{ s.program }}' as {{ dbt.type_string() }}){% else %}cast(null as {{ dbt.type_string() }}){% endif %} as program,
        nik, nik_problem, nik_valid, nik_suspect, nik_masked,
        no_kk, no_kk_problem, no_kk_valid,
        nama, name_key, tanggal_lahir, jenis_kelamin, hubungan, status_keberadaan, desil, status_peserta,
        kode_wilayah_row, kecamatan, desa, kecamatan_key, desa_key, sheet_key, file_key,
        family_ref, household_ref, person_ref, address_key, address_rt, unparsed_fields,
        {% if req_exprs %}{{ sikkep.concat_ws_nonnull(',', req_exprs) }}{% else %}cast(null as {{ dbt.type_string() }}){% endif %} as unparsed_required
    from {{ sikkep.person_source_relation(s.source) }} as t
    {% if not loop.last %}union all{% endif %}
{%- endfor %}
),

kec as (
    select kode_wilayah as kode_kecamatan, name_key from {{ ref('int_wilayah') }} where level = 'kecamatan'
),
desa_ref as (
    select kode_wilayah as kode_desa, kode_kecamatan, name_key from {{ ref('int_wilayah') }} where level = 'desa'
),

-- resolution works on the distinct place descriptions, not on every row
places as (
    select distinct kode_wilayah_row, kecamatan_key, desa_key, sheet_key, file_key from staged
),
-- 1. the row's code
by_code as (
    select p.kode_wilayah_row, d.kode_desa, k.kode_kecamatan
    from (select distinct kode_wilayah_row from places where kode_wilayah_row is not null) p
    left join kec k on k.kode_kecamatan = substring(p.kode_wilayah_row, 1, 8)
    left join desa_ref d on d.kode_desa = p.kode_wilayah_row
),
-- 2. the kecamatan name on the row: exact, then fuzzy with a unique best
kec_names as (
    select distinct kecamatan_key from places where kecamatan_key is not null
),
kec_scored as (
    select n.kecamatan_key, k.kode_kecamatan,
           case when k.name_key = n.kecamatan_key then 1.0
                else {{ sikkep.string_similarity('n.kecamatan_key', 'k.name_key') }} end as score
    from kec_names n cross join kec k
),
kec_ranked as (
    select kecamatan_key, kode_kecamatan, score,
           row_number() over (partition by kecamatan_key order by score desc, kode_kecamatan) as rn,
           count(*) over (partition by kecamatan_key, score) as ties
    from kec_scored
    where score >= {{ threshold }}
),
by_kec_name as (
    select kecamatan_key, kode_kecamatan, case when score = 1.0 then 'name' else 'fuzzy' end as method
    from kec_ranked where rn = 1 and ties = 1
),
-- 3. the sheet or file named after the kecamatan: exact key, or containing it (longest name wins)
labels as (
    select sheet_key as label_key from places where sheet_key is not null
    union
    select file_key from places where file_key is not null
),
label_ranked as (
    select l.label_key, k.kode_kecamatan,
           row_number() over (partition by l.label_key order by {{ dbt.length('k.name_key') }} desc, k.kode_kecamatan) as rn,
           count(*) over (partition by l.label_key, {{ dbt.length('k.name_key') }}) as ties,
           max({{ dbt.length('k.name_key') }}) over (partition by l.label_key) as best_len
    from labels l
    join kec k
      on l.label_key = k.name_key
      or ({{ dbt.length('k.name_key') }} >= 4 and l.label_key like {{ dbt.concat(["'%'", "k.name_key", "'%'"]) }})
),
by_label as (
    select label_key, kode_kecamatan from label_ranked where rn = 1 and ties = 1
),
place_kec as (
    select
        p.kode_wilayah_row, p.kecamatan_key, p.desa_key, p.sheet_key, p.file_key,
        c.kode_desa as code_desa,
        c.kode_kecamatan as code_kecamatan,
        coalesce(c.kode_kecamatan, kn.kode_kecamatan, ls.kode_kecamatan, lf.kode_kecamatan) as kode_kecamatan,
        case when c.kode_kecamatan is not null then 'code'
             when kn.kode_kecamatan is not null then kn.method
             when ls.kode_kecamatan is not null then 'sheet'
             when lf.kode_kecamatan is not null then 'file' end as kec_method,
        (p.kode_wilayah_row is not null and c.kode_kecamatan is null) as code_outside,
        ({{ dbt.length('p.kode_wilayah_row') }} = 13 and c.kode_kecamatan is not null and c.kode_desa is null) as code_desa_unknown
    from places p
    left join by_code c on c.kode_wilayah_row = p.kode_wilayah_row
    left join by_kec_name kn on kn.kecamatan_key = p.kecamatan_key
    left join by_label ls on ls.label_key = p.sheet_key
    left join by_label lf on lf.label_key = p.file_key
),
-- 4. the village name within the kecamatan (or, without one, unique in the kabupaten)
desa_names as (
    select distinct kode_kecamatan, desa_key from place_kec where desa_key is not null and code_desa is null
),
desa_scored as (
    select n.kode_kecamatan as in_kecamatan, n.desa_key, d.kode_desa, d.kode_kecamatan,
           case when d.name_key = n.desa_key then 1.0
                else {{ sikkep.string_similarity('n.desa_key', 'd.name_key') }} end as score
    from desa_names n
    join desa_ref d
      on d.kode_kecamatan = n.kode_kecamatan
      or (n.kode_kecamatan is null and d.name_key = n.desa_key)
),
desa_ranked as (
    select in_kecamatan, desa_key, kode_desa, kode_kecamatan, score,
           row_number() over (partition by in_kecamatan, desa_key order by score desc, kode_desa) as rn,
           count(*) over (partition by in_kecamatan, desa_key, score) as ties
    from desa_scored
    where score >= {{ threshold }}
),
by_desa as (
    select in_kecamatan, desa_key,
           max(case when rn = 1 and ties = 1 then kode_desa end) as kode_desa,
           max(case when rn = 1 and ties = 1 then kode_kecamatan end) as kode_kecamatan,
           max(case when rn = 1 and ties = 1 and score < 1.0 then 1 else 0 end) = 1 as fuzzy,
           max(case when rn = 1 and ties > 1 then 1 else 0 end) = 1 as ambiguous
    from desa_ranked
    group by in_kecamatan, desa_key
),
place_resolved as (
    select
        pk.kode_wilayah_row, pk.kecamatan_key, pk.desa_key, pk.sheet_key, pk.file_key,
        coalesce(pk.code_desa, bd.kode_desa) as kode_desa,
        coalesce(pk.kode_kecamatan, bd.kode_kecamatan) as kode_kecamatan,
        case
          when pk.kode_kecamatan is null and bd.kode_desa is null then null
          when pk.code_desa is not null then 'code'
          when coalesce(bd.fuzzy, false) or pk.kec_method = 'fuzzy' then 'fuzzy'
          when pk.kec_method is null then 'name'
          else pk.kec_method
        end as place_resolved_by,
        pk.code_outside, pk.code_desa_unknown,
        coalesce(bd.ambiguous, false) as desa_ambiguous
    from place_kec pk
    left join by_desa bd
      on bd.desa_key = pk.desa_key
     and (bd.in_kecamatan = pk.kode_kecamatan or (bd.in_kecamatan is null and pk.kode_kecamatan is null))
     and pk.code_desa is null
),

-- the newest period of every source (an aggregate, not a window over every row)
current_periods as (
    select source, max(period) as current_period from staged group by source
),

rows_resolved as (
    select
        s.*,
        cp.current_period,
        pr.kode_desa, pr.kode_kecamatan, pr.place_resolved_by,
        coalesce(pr.code_outside, false) as code_outside,
        coalesce(pr.code_desa_unknown, false) as code_desa_unknown,
        coalesce(pr.desa_ambiguous, false) as desa_ambiguous,
        {{ sikkep.nik_birth_date('s.nik') }} as nik_birth_date
    from staged s
    left join place_resolved pr
      on  coalesce(pr.kode_wilayah_row, '~') = coalesce(s.kode_wilayah_row, '~')
      and coalesce(pr.kecamatan_key, '~') = coalesce(s.kecamatan_key, '~')
      and coalesce(pr.desa_key, '~') = coalesce(s.desa_key, '~')
      and coalesce(pr.sheet_key, '~') = coalesce(s.sheet_key, '~')
      and coalesce(pr.file_key, '~') = coalesce(s.file_key, '~')
    left join current_periods cp on cp.source = s.source
)

select
    record_id, source, period,
    period = current_period as is_current,
    source_file, source_sheet, source_row, kind, unit, program,
    nik, nik_valid, nik_suspect, nik_problem, nik_masked,
    no_kk, no_kk_valid,
    nama, name_key, tanggal_lahir, jenis_kelamin,
    kode_desa, kode_kecamatan, place_resolved_by,
    family_ref, household_ref, hubungan, status_keberadaan, desil, address_key, address_rt,
    -- the source's own person id (DTKS IDARTBDT, P3KE ID_INDIVIDU, PBI-JK NOKA), namespaced by source and
    -- without leading zeros (a spreadsheet drops them): the same id in two deliveries of one source
    case when person_ref is not null then
        {{ dbt.concat(["source", "':'", sikkep.re_replace('person_ref', '^0+', '')]) }} end as person_ref,
    case when kind = 'program' then coalesce(status_peserta <> 'NONAKTIF', true) end as recipient,
    {{ sikkep.concat_ws_nonnull(',', [
        "case when nik_problem = 'missing' then 'nik_missing' end",
        "case when nik_problem in ('excel_zeroed', 'scientific_zeroed', 'scientific_lossy') then " ~ dbt.concat(["'nik_suspect:'", "nik_problem"]) ~ " end",
        "case when nik_problem not in ('missing', 'excel_zeroed', 'scientific_zeroed', 'scientific_lossy') then " ~ dbt.concat(["'nik_invalid:'", "nik_problem"]) ~ " end",
        "case when nik_valid and tanggal_lahir is not null and nik_birth_date is not null and (extract(month from nik_birth_date) <> extract(month from tanggal_lahir) or extract(day from nik_birth_date) <> extract(day from tanggal_lahir) or mod(extract(year from nik_birth_date), 100) <> mod(extract(year from tanggal_lahir), 100)) then 'nik_birthdate_mismatch' end",
        "case when no_kk_problem is not null and no_kk_problem <> 'missing' then " ~ dbt.concat(["'no_kk_invalid:'", "no_kk_problem"]) ~ " end",
        "case when code_outside then 'kode_wilayah_outside_kabupaten' end",
        "case when code_desa_unknown then 'kode_desa_unknown' end",
        "case when kode_kecamatan is null then 'place_unresolved' end",
        "case when kode_kecamatan is not null and kode_desa is null and desa_ambiguous then 'desa_ambiguous' end",
        "case when kode_kecamatan is not null and kode_desa is null and desa_key is not null and not desa_ambiguous then 'desa_unresolved' end",
        "case when unparsed_fields is not null then " ~ dbt.concat(["'unparsed:'", "unparsed_fields"]) ~ " end"]) }} as flags,
    case
      when name_key is null and not nik_valid then 'no_identity'
      when unparsed_required is not null then 'unparseable_mandatory'
    end as quarantine_rule,
    case
      when name_key is null and not nik_valid then
        {{ dbt.concat(["'nama tidak dapat dipakai dan NIK tidak valid ('", "coalesce(nik_problem, '')",
                       "case when nik_masked is not null then " ~ dbt.concat(["': '", "nik_masked"]) ~ " else '' end", "')'"]) }}
      when unparsed_required is not null then
        {{ dbt.concat(["'kolom wajib tidak terbaca: '", "unparsed_required"]) }}
    end as quarantine_detail,
    case when kode_kecamatan is null then
        {{ sikkep.mask_digits_in_text(dbt.concat(["'kode='", "coalesce(kode_wilayah_row, '')",
                       "'; kecamatan='", "coalesce(kecamatan, '')", "'; desa='", "coalesce(desa, '')",
                       "'; sheet='", "coalesce(source_sheet, '')"])) }}
    end as place_detail
from rows_resolved
