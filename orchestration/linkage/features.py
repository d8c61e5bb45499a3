"""Comparison columns derived in SQL from canonical person records.

Input: any relation with the canonical person columns of ``intermediate.int_person_records``
(at least ``record_id, source, nik, nik_suspect, no_kk, no_kk_valid, name_key, tanggal_lahir,
jenis_kelamin, kode_desa, kode_kecamatan``; ``kind``, ``hubungan`` and ``desil`` for the tie rules).
``desil`` may be missing: :func:`orchestration.linkage.splink_io.feature_table` adds it as NULL.

Output columns (one row per record, ``unique_id`` = ``record_id``):

- ``nik``: the 16-digit NIK or NULL; ``nik_suspect``: digits not trusted (Excel-zeroed, scientific).
- ``nik12`` (region + birth-date part), ``nik15`` (Excel keeps 15 significant digits),
  ``nik_serial`` (last 4): NIKs are compared by STRUCTURE, not by edit distance.
  ``nik12`` is NULL when the date part is all zeros (a scientific-notation NIK) so that mangled
  NIKs do not form one giant block.
- ``nik_dob_ok``: 'Y' when the NIK's birth-date part agrees with the row's own birth date and sex
  (day + 40 for women), 'N' when it disagrees (typically the head's or a neighbour's NIK typed on
  this row), NULL when unknown.
- ``name_key``, ``name_ns`` (without spaces: Nurhayati = Nur Hayati), ``name_first``,
  ``name_last``, ``name_tokens`` (the list, split once here rather than in every pair).
- ``dob`` (DATE), ``sex``, ``kode_desa``, ``kode_kecamatan``, ``no_kk`` (valid No KK only).
- ``representative``: a registry row of a family head or spouse (used only to resolve ties of
  name-only rows between namesakes, never in the model).
- ``desil``: the registry desil of a registry row (NULL otherwise or when not ranked); only for the
  ties of lists whose program targets the poorest first (``namesake_ties: poorest``), never in the model.
  Optional in the input (see ``splink_io.feature_table``).
- ``address_key`` (the address's comparable core, dbt macro ``address_key``) and ``address_rt``: the
  model's address comparison (namesakes of one village live at different addresses) and the tie rules.
  Optional in the input.
- ``nik_contested``: the row's NIK is also typed on a row whose name is not alike (an Excel-zeroed NIK counts
  as the NIK of its first 15 digits, as in the NIK comparison) (the head's NIK
  typed on every member's row, a NIK copied down a column, a typo landing on another person's NIK): one NIK
  on people of different names is evidence of nothing, so a pair whose NIKs differ and one of them is
  contested does not count the difference against it. Derived from the other rows holding the NIK, so part
  of the pair cache's record key.
- ``period``: the delivery's period. Not a comparison and not part of the pair cache's record key: the
  clustering uses it (a delivery lists a person once, engine.py).
- ``person_ref``: the source's own person id, prefixed with the source ('dtks:<IDARTBDT>',
  'p3ke:<ID_INDIVIDU>', 'pbi_jk:<NOKA>'): compared only between rows of one source. Optional in the input.
"""
from __future__ import annotations

FEATURE_COLUMNS = [
    "unique_id", "source", "nik", "nik_suspect", "nik12", "nik15", "nik_serial", "nik_dob_ok",
    "name_key", "name_ns", "name_first", "name_last", "dob", "sex", "kode_desa",
    "kode_kecamatan", "no_kk", "representative", "desil", "address_key", "address_rt", "person_ref",
    "nik_contested", "name_tokens",
]


# Indonesian names are written in the old (Van Ophuijsen / Soewandi) and the new spelling side by side:
# Soetrisno / Sutrisno, Djoko / Joko, Tjahjo / Cahyo, Achmad / Akhmad / Ahmad, and with doubled
# letters (Muhammad / Muhamad). Comparisons and blocking use one spelling; the staged name is untouched.
OLD_SPELLINGS = [("oe", "u"), ("dj", "j"), ("tj", "c"), ("sj", "sy"), ("nj", "ny"), ("ch", "h"), ("kh", "h")]


def spelling_key(expr: str) -> str:
    """SQL: ``expr`` (lower case) in one spelling, doubled letters collapsed."""
    for old, new in OLD_SPELLINGS:
        expr = f"replace({expr}, '{old}', '{new}')"
    for c in "abcdefghijklmnopqrstuvwxyz":
        expr = f"replace({expr}, '{c}{c}', '{c}')"
    return expr


def abbreviates(a: str, b: str) -> str:
    """SQL: name ``a`` written as an abbreviation of name ``b`` ('P. Hasibuan' / 'Painem Hasibuan': the first
    token an initial, the last tokens equal; 'Eni' / 'Eni Maulana': all of a's tokens among b's). ``a`` and
    ``b`` are column templates ('{}_l', 'x.{}') over name_first, name_last and name_tokens."""
    return (f"((length({a.format('name_first')}) = 1 AND {a.format('name_first')} = left({b.format('name_first')}, 1)"
            f" AND {a.format('name_last')} = {b.format('name_last')} AND length({a.format('name_last')}) >= 3)"
            f" OR list_has_all({b.format('name_tokens')}, {a.format('name_tokens')}))")


def names_alike(a: str, b: str) -> str:
    """SQL: two names one person could have been written with: equal or Jaro-Winkler >= 0.85 (without
    spaces), one holding the other (both at least 5 letters), or one abbreviating the other. ``a`` and ``b``
    are column templates ('{}_l', 'x.{}'). The NIK comparison and ``nik_contested`` share it."""
    x, y = a.format("name_ns"), b.format("name_ns")
    return (f"({x} = {y} OR jaro_winkler_similarity({x}, {y}) >= 0.85"
            f" OR (length({x}) >= 5 AND length({y}) >= 5 AND (contains({x}, {y}) OR contains({y}, {x})))"
            f" OR {abbreviates(a, b)} OR {abbreviates(b, a)})")


def feature_select_sql(records_sql: str) -> str:
    """SQL selecting the Splink input columns from ``records_sql`` (a table name or a
    parenthesised subquery)."""
    return f"""
WITH r AS (
    SELECT
        CAST(record_id AS VARCHAR) AS unique_id,
        CAST(source AS VARCHAR) AS source,
        CAST(period AS VARCHAR) AS period,
        CASE WHEN regexp_full_match(CAST(nik AS VARCHAR), '[0-9]{{16}}') THEN CAST(nik AS VARCHAR) END AS nik,
        COALESCE(CAST(nik_suspect AS BOOLEAN), FALSE) AS nik_suspect,
        CASE WHEN COALESCE(CAST(no_kk_valid AS BOOLEAN), FALSE)
                  AND regexp_full_match(CAST(no_kk AS VARCHAR), '[0-9]{{16}}')
                  AND CAST(no_kk AS VARCHAR) NOT LIKE '%0000000000'
             THEN CAST(no_kk AS VARCHAR) END AS no_kk,
        NULLIF(trim(regexp_replace({spelling_key("lower(CAST(name_key AS VARCHAR))")}, '\\s+', ' ', 'g')), '') AS name_key,
        TRY_CAST(tanggal_lahir AS DATE) AS dob,
        CASE WHEN jenis_kelamin IN ('L', 'P') THEN jenis_kelamin END AS sex,
        NULLIF(CAST(kode_desa AS VARCHAR), '') AS kode_desa,
        NULLIF(CAST(kode_kecamatan AS VARCHAR), '') AS kode_kecamatan,
        -- the family's representative (head or spouse) in a registry: whom a family-level list names
        coalesce(CAST(kind AS VARCHAR) = 'registry' AND CAST(hubungan AS VARCHAR) IN ('kepala', 'pasangan'), FALSE)
            AS representative,
        CASE WHEN CAST(kind AS VARCHAR) = 'registry' THEN TRY_CAST(desil AS INTEGER) END AS desil,
        NULLIF(trim(CAST(address_key AS VARCHAR)), '') AS address_key,
        TRY_CAST(address_rt AS INTEGER) AS address_rt,
        NULLIF(CAST(person_ref AS VARCHAR), '') AS person_ref
    FROM {records_sql}
),
f AS MATERIALIZED (
SELECT
    unique_id, source, period, nik, nik_suspect,
    CASE WHEN nik IS NOT NULL AND substr(nik, 7, 6) <> '000000' THEN substr(nik, 1, 12) END AS nik12,
    CASE WHEN nik IS NOT NULL AND substr(nik, 7, 6) <> '000000' THEN substr(nik, 1, 15) END AS nik15,
    substr(nik, 13, 4) AS nik_serial,
    CASE
        WHEN nik IS NULL OR dob IS NULL OR nik_suspect THEN NULL
        WHEN substr(nik, 9, 4) = strftime(dob, '%m%y')
             AND (
                (sex = 'L' AND TRY_CAST(substr(nik, 7, 2) AS INTEGER) = day(dob))
             OR (sex = 'P' AND TRY_CAST(substr(nik, 7, 2) AS INTEGER) = day(dob) + 40)
             OR (sex IS NULL AND TRY_CAST(substr(nik, 7, 2) AS INTEGER) IN (day(dob), day(dob) + 40))
             ) THEN 'Y'
        ELSE 'N'
    END AS nik_dob_ok,
    name_key,
    replace(name_key, ' ', '') AS name_ns,
    split_part(name_key, ' ', 1) AS name_first,
    string_split(name_key, ' ') AS name_tokens,
    CASE WHEN strpos(name_key, ' ') > 0 THEN regexp_extract(name_key, '([^ ]+)$', 1) END AS name_last,
    dob, sex, kode_desa, kode_kecamatan, no_kk, representative, desil, address_key, address_rt, person_ref
FROM r
),
-- rows whose NIK is also on a row of another name (the pairwise name test runs only within the few NIKs that
-- carry more than one spelling). "The same NIK" as the NIK comparison sees it: equal, or the first 15 digits
-- equal where one of the two lost its 16th digit to Excel (suspect, or ending in 0)
respelled AS (
    SELECT * FROM f WHERE nik15 IN (
        SELECT nik15 FROM f WHERE nik15 IS NOT NULL GROUP BY nik15 HAVING count(DISTINCT name_ns) > 1)
),
contested AS (
    SELECT DISTINCT a.unique_id
    FROM respelled AS a JOIN respelled AS b ON a.nik15 = b.nik15 AND a.unique_id <> b.unique_id
    WHERE ((a.nik = b.nik AND NOT a.nik_suspect AND NOT b.nik_suspect)
           OR a.nik_suspect OR b.nik_suspect OR right(a.nik, 1) = '0' OR right(b.nik, 1) = '0')
      AND NOT {names_alike("a.{}", "b.{}")}
)
SELECT f.*,
    c.unique_id IS NOT NULL AS nik_contested,
    -- blocking keys for rows without a trusted NIK (derived from the columns above, so not part of the pair
    -- cache's record key): the row's village, and its name as initial + last token ('Z. Saputra'), as
    -- consonants ('Rezki'/'Rizki', 'Fatemah'/'Fatimah'), as a lone first token ('Imam' for 'Imam Hermawan')
    CASE WHEN nik IS NULL OR nik_suspect THEN kode_desa END AS village_weak,
    -- ... or their kecamatan when the row gives no village (PBI-JK lists name only the kecamatan): the same
    -- name keys searched one level up
    CASE WHEN (nik IS NULL OR nik_suspect) AND kode_desa IS NULL THEN kode_kecamatan END AS kecamatan_weak,
    left(name_first, 1) AS name_initial,
    left(name_first, 1) || ' ' || name_last AS name_initial_last,
    NULLIF(regexp_replace(name_ns, '[aeiouy]', '', 'g'), '') AS name_skeleton,
    CASE WHEN name_last IS NULL THEN name_key END AS name_single,
    -- ... and as its first two tokens ('Nia Riyadi' for 'Nia Riyadi Hanim') or its first token and the last
    -- one's initial (a typo in the last token: 'Sugeng Seiawan' / 'Sugeng Setiawan')
    CASE WHEN name_last IS NOT NULL THEN name_first || ' ' || split_part(name_key, ' ', 2) END
        AS name_first2,
    CASE WHEN name_last IS NOT NULL THEN name_first || ' ' || left(name_last, 1) END AS name_first_initial
FROM f LEFT JOIN contested AS c USING (unique_id)
"""
