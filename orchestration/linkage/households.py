"""Household (= family, keluarga) formation from linked persons.

Rules (docs/architecture.md, design.md "Definitions the contract relies on"):

- Only CURRENT rows (``is_current``) count. A person who 'meninggal' in any current source is
  deceased and has no household.
- Present claims: current registry rows with status 'ada' or no status (P3KE), and current
  program rows. DTKS 'pindah' / 'tidak_ditemukan' only withdraw DTKS's own claim.
- Families: persons are grouped by the ``family_ref`` of their present current REGISTRY rows.
  Two family refs (e.g. DTKS 'kk:<no_kk>' and P3KE 'p3ke:<id>') are one household when they share
  at least two persons (or their only person): one person listed in two families (a married child
  still on the parents' old card) does not merge the two families. Refs with more than
  ``max_family_size`` persons (a bad No KK typed for a whole village) are ignored.
  A person claimed by several households goes to the one with most of their present rows
  (ties: where they are head, then the smallest key).
- A No KK one digit off (or Excel-zeroed) beside another No KK of the same DTKS household (IDBDT)
  is the same family's card mistyped: the two refs are one household.
- Registry persons whose only family refs were ignored (giant refs) live alone.
- Persons with no usable family ref (No KK missing or invalid) but a DTKS household id (IDBDT; also on
  PKH rows) join the family of that DTKS household that holds its head.
- Program recipients found in no registry: with a valid No KK of a registry family they join it;
  else, when their newest registry row (DTKS 'not found', or an earlier period: gone from the current
  registry) placed them in a family that is a household today and does not say they moved ('pindah':
  a new family, unknown) or died, their program rows go to that family
  but they are not counted as its members (``present`` FALSE: a PBI-JK card still active for a member
  who left is that family's receipt); otherwise program-only persons with the same valid No KK form
  one household; else alone.
- Exactly one head per household: most 'kepala' votes, then oldest, then smallest person_id.
"""
from __future__ import annotations

import duckdb

MAX_FAMILY_SIZE = 30


def form_households(
    con: duckdb.DuckDBPyConnection,
    records_sql: str,
    record_person_sql: str,
    out_table: str = "__households",
    max_family_size: int = MAX_FAMILY_SIZE,
) -> None:
    """Create TEMP table ``out_table(person_id, household_key, deceased, is_head, present, family_known)`` in ``con``
    (household_key is a deterministic cluster key; stable IDs are assigned by the caller)."""
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE __hh_rows AS
        SELECT rp.person_id, r.kind, r.unit, r.family_ref, r.household_ref, r.hubungan, r.status_keberadaan,
               TRY_CAST(r.tanggal_lahir AS DATE) AS dob,
               CASE WHEN COALESCE(CAST(r.no_kk_valid AS BOOLEAN), FALSE)
                         AND regexp_full_match(CAST(r.no_kk AS VARCHAR), '[0-9]{{16}}')
                    THEN 'kk:' || r.no_kk END AS kk_ref
        FROM ({records_sql}) r JOIN ({record_person_sql}) rp USING (record_id)
        WHERE COALESCE(CAST(r.is_current AS BOOLEAN), FALSE);
    CREATE OR REPLACE TEMP TABLE __hh_persons AS
        SELECT DISTINCT person_id FROM ({record_person_sql});
    CREATE OR REPLACE TEMP TABLE __hh_dead AS
        SELECT DISTINCT person_id FROM __hh_rows WHERE status_keberadaan = 'meninggal';
    CREATE OR REPLACE TEMP TABLE __hh_present AS
        SELECT * FROM __hh_rows
        WHERE person_id NOT IN (SELECT person_id FROM __hh_dead)
          AND ((kind = 'registry' AND COALESCE(status_keberadaan, 'ada') = 'ada') OR kind = 'program');
    -- person <-> family_ref edges from present registry rows, without giant refs
    CREATE OR REPLACE TEMP TABLE __hh_edges AS
        WITH e AS (SELECT DISTINCT person_id, family_ref FROM __hh_present
                   WHERE kind = 'registry' AND family_ref IS NOT NULL),
        sz AS (SELECT family_ref, count(*) AS n FROM e GROUP BY 1)
        SELECT e.person_id, e.family_ref, sz.n FROM e JOIN sz USING (family_ref)
        WHERE sz.n <= {int(max_family_size)};
    -- ref <-> ref links: at least two shared persons, or all of a one-person ref
    CREATE OR REPLACE TEMP TABLE __hh_links AS
        SELECT a.family_ref AS a, b.family_ref AS b
        FROM __hh_edges a JOIN __hh_edges b ON a.person_id = b.person_id AND a.family_ref < b.family_ref
        GROUP BY a.family_ref, b.family_ref, a.n, b.n
        HAVING count(*) >= least(2, a.n, b.n);
    -- a No KK one digit off (typo) or Excel-zeroed beside another No KK of the same DTKS household
    -- (IDBDT) is that family's card mistyped, not a second family
    INSERT INTO __hh_links
        WITH ref_ruta AS (
            SELECT DISTINCT p.family_ref, p.household_ref FROM __hh_present p
            JOIN (SELECT DISTINCT family_ref FROM __hh_edges) e USING (family_ref)
            WHERE p.kind = 'registry' AND p.family_ref LIKE 'kk:%' AND p.household_ref IS NOT NULL)
        SELECT DISTINCT a.family_ref, b.family_ref
        FROM ref_ruta a JOIN ref_ruta b ON a.household_ref = b.household_ref AND a.family_ref < b.family_ref
        WHERE damerau_levenshtein(a.family_ref, b.family_ref) <= 1;
    CREATE OR REPLACE TEMP TABLE __hh_label AS
        SELECT DISTINCT family_ref AS ref, family_ref AS label FROM __hh_edges;
    """)
    # connected components over refs by min-label propagation
    for _ in range(100):
        changed = con.execute("""
        CREATE OR REPLACE TEMP TABLE __hh_label2 AS
            WITH nb AS (
                SELECT l.a AS ref, x.label FROM __hh_links l JOIN __hh_label x ON x.ref = l.b
                UNION ALL
                SELECT l.b AS ref, x.label FROM __hh_links l JOIN __hh_label x ON x.ref = l.a
                UNION ALL
                SELECT ref, label FROM __hh_label)
            SELECT ref, min(label) AS label FROM nb GROUP BY ref;
        SELECT count(*) FROM __hh_label2 n JOIN __hh_label o USING (ref) WHERE n.label <> o.label;
        """).fetchall()[0][0]
        con.execute("CREATE OR REPLACE TEMP TABLE __hh_label AS SELECT * FROM __hh_label2")
        if changed == 0:
            break
    con.execute(f"""
    -- registry persons: the household with most of their present registry rows
    CREATE OR REPLACE TEMP TABLE __hh_reg AS
        WITH votes AS (
            SELECT p.person_id, l.label AS hh, count(*) AS n,
                   max(CASE WHEN p.hubungan = 'kepala' THEN 1 ELSE 0 END) AS head
            FROM __hh_present p JOIN __hh_edges e USING (person_id, family_ref)
            JOIN __hh_label l ON l.ref = p.family_ref
            WHERE p.kind = 'registry'
            GROUP BY 1, 2)
        SELECT person_id, hh FROM (
            SELECT *, row_number() OVER (PARTITION BY person_id ORDER BY n DESC, head DESC, hh) AS rk
            FROM votes) WHERE rk = 1;
    -- persons with no usable family ref (No KK missing or invalid) but a DTKS household id (IDBDT, also
    -- on PKH rows): the family of that DTKS household that holds its head (else its largest family)
    CREATE OR REPLACE TEMP TABLE __hh_ruta AS
        WITH fam AS (
            SELECT p.household_ref, r.hh, count(*) AS n,
                   max(CASE WHEN p.hubungan = 'kepala' THEN 1 ELSE 0 END) AS head
            FROM __hh_present p JOIN __hh_reg r USING (person_id)
            WHERE p.kind = 'registry' AND p.household_ref IS NOT NULL
            GROUP BY 1, 2),
        best AS (
            SELECT household_ref, hh FROM (
                SELECT *, row_number() OVER (PARTITION BY household_ref ORDER BY head DESC, n DESC, hh) AS rk
                FROM fam) WHERE rk = 1),
        orphans AS (
            SELECT DISTINCT person_id, household_ref FROM __hh_present
            WHERE household_ref IS NOT NULL AND (kind = 'program' OR family_ref IS NULL)
              AND person_id NOT IN (SELECT person_id FROM __hh_reg))
        SELECT o.person_id, min(b.hh) AS hh FROM orphans o JOIN best b USING (household_ref) GROUP BY 1;
    -- the last family the registries placed each person in, when that family is a household today and
    -- the newest registry row does not say the person moved ('pindah': a new family elsewhere) or
    -- died: for recipients DTKS could not find ('tidak_ditemukan') or who dropped out of the current
    -- registry (a death or a move out of the kabupaten not yet recorded)
    CREATE OR REPLACE TEMP TABLE __hh_last AS
        WITH past AS (
            SELECT rp.person_id, l.label AS hh, r.period, COALESCE(r.status_keberadaan, 'ada') AS status,
                   COALESCE(CAST(r.is_current AS BOOLEAN), FALSE) AS cur
            FROM ({records_sql}) r JOIN ({record_person_sql}) rp USING (record_id)
            LEFT JOIN __hh_label l ON l.ref = r.family_ref AND l.label IN (SELECT hh FROM __hh_reg)
            WHERE r.kind = 'registry'),
        newest AS (
            SELECT * FROM (
                SELECT *, row_number() OVER (PARTITION BY person_id ORDER BY period DESC, cur DESC,
                       status IN ('pindah', 'meninggal') DESC, hh IS NULL, hh) AS rk
                FROM past) WHERE rk = 1)
        SELECT person_id, hh FROM newest WHERE hh IS NOT NULL AND status NOT IN ('pindah', 'meninggal');
    -- program-only persons: the registry family of their valid No KK, else their last registry family
    -- (program rows attributed there, not a member: present = FALSE), else program-only persons with
    -- the same valid No KK form one household, else alone
    CREATE OR REPLACE TEMP TABLE __hh_prog AS
        WITH p AS (
            SELECT person_id, min(kk_ref) FILTER (WHERE kind = 'program') AS kk_ref FROM __hh_present
            WHERE person_id NOT IN (SELECT person_id FROM __hh_reg)
              AND person_id NOT IN (SELECT person_id FROM __hh_ruta)
            GROUP BY 1),
        reg_kk AS (  -- the household of each registry No KK (refs are 'kk:<no_kk>' in DTKS)
            SELECT DISTINCT ref, label FROM __hh_label WHERE ref LIKE 'kk:%')
        SELECT p.person_id, coalesce(rk.label, la.hh, p.kk_ref, 'person:' || p.person_id) AS hh,
               rk.label IS NOT NULL OR la.hh IS NULL AS present,
               rk.label IS NOT NULL OR la.hh IS NOT NULL OR p.kk_ref IS NOT NULL
                   OR p.person_id IN (SELECT person_id FROM __hh_present
                                      WHERE kind = 'program' AND unit IN ('family', 'household')) AS family_known
        FROM p LEFT JOIN reg_kk rk ON rk.ref = p.kk_ref LEFT JOIN __hh_last la USING (person_id);
    CREATE OR REPLACE TEMP TABLE __hh_member AS
        SELECT *, TRUE AS present, TRUE AS family_known FROM __hh_reg
        UNION ALL SELECT *, TRUE, TRUE FROM __hh_ruta
        UNION ALL SELECT * FROM __hh_prog;
    CREATE OR REPLACE TEMP TABLE __hh_head AS
        WITH c AS (
            SELECT m.hh, m.person_id,
                   count(*) FILTER (WHERE p.hubungan = 'kepala') AS kepala,
                   count(*) FILTER (WHERE p.kind = 'program' AND p.unit IN ('family', 'household')) AS recipient,
                   min(p.dob) AS dob
            FROM __hh_member m JOIN __hh_present p USING (person_id)
            WHERE m.present
            GROUP BY 1, 2)
        SELECT hh, person_id FROM (
            SELECT *, row_number() OVER (PARTITION BY hh
                   ORDER BY kepala DESC, recipient DESC, dob NULLS LAST, person_id) AS rk FROM c)
        WHERE rk = 1;
    CREATE OR REPLACE TEMP TABLE {out_table} AS
        SELECT a.person_id, m.hh AS household_key,
               a.person_id IN (SELECT person_id FROM __hh_dead) AS deceased,
               COALESCE(h.person_id IS NOT NULL, FALSE) AS is_head,
               COALESCE(m.present, FALSE) AS present,
               COALESCE(m.family_known, TRUE) AS family_known
        FROM __hh_persons a
        LEFT JOIN __hh_member m USING (person_id)
        LEFT JOIN __hh_head h ON h.hh = m.hh AND h.person_id = a.person_id;
    """)
    for t in ("__hh_rows", "__hh_persons", "__hh_dead", "__hh_present", "__hh_edges", "__hh_links",
              "__hh_label", "__hh_label2", "__hh_reg", "__hh_ruta", "__hh_last", "__hh_prog", "__hh_member", "__hh_head"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
