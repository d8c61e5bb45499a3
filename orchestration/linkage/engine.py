"""Public API of the person-linkage engine.

``link_records(con, records, model_path, threshold)`` dedupes person records of ALL sources at
once (Splink 5, DuckDB, ``dedupe_only`` over the union; ``source`` is just a column) and returns
one row per record: ``record_id, cluster_id, match_probability, match_method``.

``run_linkage(build_con, state_db_path, ...)`` is the nightly stage: link, assign stable
person_ids (state registry), form households, write ``linkage.record_person`` and
``linkage.person_household`` into the build DB, and return a summary dict.

There is no deterministic exact-NIK pass: an identical NIK is strong evidence inside the
probabilistic model, but two rows with one NIK and different names / birth dates stay apart
(the head's NIK typed on every member row, a neighbour's NIK copied).
"""
from __future__ import annotations

import time
from pathlib import Path

import duckdb

from orchestration.linkage.splink_io import feature_table, splink_connection

MODEL_PATH = Path(__file__).resolve().parent / "model.json"
PREDICT_THRESHOLD = 0.5   # pairs kept from predict
CLUSTER_THRESHOLD = 0.9   # pairs that join a cluster (connected components)


def link_records(
    con: duckdb.DuckDBPyConnection,
    records="intermediate.int_person_records",
    model_path: str | Path = MODEL_PATH,
    threshold: float = CLUSTER_THRESHOLD,
    *,
    predict_threshold: float = PREDICT_THRESHOLD,
    out_table: str = "linkage_clusters",
    timings: dict | None = None,
    cache: "PairCache | None" = None,
    memory_limit: str | None = None,
    temp_dir: str | Path | None = None,
    poorest_first_sources: tuple[str, ...] | list[str] = (),
    threads: int | None = None,
) -> duckdb.DuckDBPyRelation:
    """Cluster person records into persons.

    Args:
        con: DuckDB connection holding ``records``.
        records: table/view name or a DuckDB relation on ``con`` with the canonical person
            columns (``record_id, source, nik, nik_suspect, no_kk, no_kk_valid, name_key,
            tanggal_lahir, jenis_kelamin, kode_desa, kode_kecamatan``).
        model_path: trained Splink model JSON.
        threshold: match probability at or above which a pair joins a cluster.
        predict_threshold: pairs below this are not even kept from predict.
        out_table: name of the TEMP table created in ``con`` with the result.
        timings: optional dict that receives ``predict_s`` / ``cluster_s`` / ``pairs``
            (and ``new_records`` / ``cached_pairs`` with a cache).
        cache: optional :class:`~orchestration.linkage.pair_cache.PairCache`: pairs of two
            records scored by an earlier run (same content, same model) are taken from it and only
            pairs touching a new or changed record are scored; the cache is then replaced.
        memory_limit, temp_dir, threads: cap of Splink's private DuckDB, where it spills, its threads
            (settings.linkage_memory, linkage_spill_dir, linkage_threads).
        poorest_first_sources: sources whose program targets the poorest families first (contract
            ``namesake_ties: poorest``): a name-only row of such a list that matches several
            namesake family heads or spouses equally well joins the one of the poorest family (lowest
            registry ``desil``) when that one is unique, instead of staying unlinked.

    Returns:
        relation over TEMP table ``out_table``: ``record_id`` (VARCHAR), ``cluster_id``
        (VARCHAR: the smallest record_id of the cluster, deterministic), ``match_probability``
        (best pair probability inside the cluster; NULL for a singleton), ``match_method``
        ('nik_exact' when the record shares a trusted NIK with another record of its cluster,
        'probabilistic' otherwise, 'singleton' when alone).
    """
    from splink import DuckDBAPI, Linker

    t0 = time.perf_counter()
    feats = feature_table(con, records)
    scon = splink_connection(memory_limit, temp_dir, threads)
    if timings is not None:  # what the operator's settings made of Splink's DuckDB (run metadata)
        timings["splink_threads"], timings["splink_memory_limit"] = scon.execute(
            "SELECT current_setting('threads'), current_setting('memory_limit')").fetchall()[0]
    scon.register("__feats", feats)
    scon.execute("CREATE TABLE person_records AS SELECT * FROM __feats")
    scon.unregister("__feats")
    del feats  # at kabupaten scale the Arrow copy is most of a gigabyte: Splink's table holds it now
    db_api = DuckDBAPI(scon)
    sdf = db_api.register("person_records", table_name="person_records_in")
    linker = Linker(sdf, str(model_path), log_level=None)
    t1 = time.perf_counter()
    if cache is None:
        pred = linker.inference.predict(threshold_match_probability=predict_threshold, warning_mode="never")
        p = pred.physical_name
    else:
        p = _predict_with_cache(scon, db_api, linker, model_path, predict_threshold, cache, timings)
    t2 = time.perf_counter()
    # WEAK records (no trusted NIK: BLT-DD and Baznas rows, NIK-less or Excel-mangled registry rows)
    # do not take part in the connected components with strong records: a row with a common name,
    # a village and a birth date close to two namesakes' would otherwise bridge them, and at
    # kabupaten scale such bridges chained dozens of FITRIs of one village into one "person".
    # Each weak record joins the cluster of its best strong partner instead (single best link);
    # weak records without one cluster among themselves.
    scon.execute(f"""
    CREATE OR REPLACE TABLE __weak AS
        SELECT unique_id FROM person_records WHERE nik IS NULL OR nik_suspect;
    CREATE OR REPLACE TABLE __cc_edges AS
        SELECT e.* FROM {p} e
        WHERE (e.unique_id_l IN (SELECT unique_id FROM __weak)) = (e.unique_id_r IN (SELECT unique_id FROM __weak));
    """)
    cc_edges = db_api.register("__cc_edges", table_name="cc_edges_in")
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        cc_edges, threshold_match_probability=threshold
    )
    t3 = time.perf_counter()
    c = _refine_oversized(scon, clusters.physical_name)
    t_refined = time.perf_counter()
    out = scon.sql(f"""
    WITH cl0 AS (SELECT unique_id AS record_id, cluster_id FROM {c}),
    flagged AS (
        SELECT e.unique_id_l, e.unique_id_r, e.match_probability, e.match_weight,
               wl.unique_id IS NOT NULL AS weak_l, wr.unique_id IS NOT NULL AS weak_r
        FROM {p} e
        LEFT JOIN __weak wl ON wl.unique_id = e.unique_id_l
        LEFT JOIN __weak wr ON wr.unique_id = e.unique_id_r
        WHERE e.match_probability >= {float(threshold)}
    ),
    weak_pairs AS (
        SELECT CASE WHEN weak_l THEN unique_id_l ELSE unique_id_r END AS w,
               CASE WHEN weak_l THEN unique_id_r ELSE unique_id_l END AS s,
               match_probability, match_weight
        FROM flagged
        WHERE weak_l <> weak_r
    ),
    -- the best pair into each candidate person; a weak record joins the best person only when it is
    -- clearly better than the runner-up (HASAN with no NIK nor birth date in a village of four HASANs
    -- stays unlinked rather than being given to one of them by chance)
    rep_clusters AS (
        SELECT DISTINCT c.cluster_id FROM cl0 c JOIN person_records r ON r.unique_id = c.record_id
        WHERE r.representative
    ),
    -- the poorest registry desil of each candidate person
    cluster_desil AS (
        SELECT c.cluster_id, min(r.desil) AS desil FROM cl0 c JOIN person_records r ON r.unique_id = c.record_id
        WHERE r.desil IS NOT NULL GROUP BY 1
    ),
    weak_candidates AS (
        SELECT wp.w, c.cluster_id, arg_max(wp.s, wp.match_weight) AS s, max(wp.match_weight) AS weight,
               c.cluster_id IN (SELECT cluster_id FROM rep_clusters) AS rep, any_value(cd.desil) AS desil
        FROM weak_pairs wp JOIN cl0 c ON c.record_id = wp.s LEFT JOIN cluster_desil cd ON cd.cluster_id = c.cluster_id
        GROUP BY wp.w, c.cluster_id
    ),
    -- addresses as token lists. How well a candidate's address fits the row's: 3 = the same address and
    -- the same RT, 2 = the same address, 1 = one holds the other's tokens ('Dusun 4' in 'Dusun 4 Gg
    -- Melati'); RT numbers, when both give one, must agree; 0 = no fit
    addresses AS (
        SELECT unique_id, string_split(address_key, ' ') AS tokens, address_rt FROM person_records
        WHERE address_key IS NOT NULL
    ),
    -- each weak row's address against each address of a candidate's records
    address_pairs AS (
        SELECT wc.w, wc.cluster_id, a_w.tokens = a_c.tokens AS same_tokens,
               list_has_all(a_w.tokens, a_c.tokens) OR list_has_all(a_c.tokens, a_w.tokens) AS tokens_fit,
               a_w.address_rt IS NULL OR a_c.address_rt IS NULL OR a_w.address_rt = a_c.address_rt AS rt_agree,
               a_w.address_rt = a_c.address_rt AS same_rt
        FROM weak_candidates wc
        JOIN addresses a_w ON a_w.unique_id = wc.w
        JOIN cl0 c ON c.cluster_id = wc.cluster_id
        JOIN addresses a_c ON a_c.unique_id = c.record_id
    ),
    weak_addressed AS (
        SELECT w, cluster_id,
               max(CASE WHEN NOT rt_agree THEN 0
                        WHEN same_tokens AND same_rt THEN 3
                        WHEN same_tokens THEN 2
                        WHEN tokens_fit THEN 1
                        ELSE 0 END) AS addr,
               -- the candidate lives elsewhere: none of its addresses holds the row's tokens or is held in
               -- them (RT aside: RT numbers are often mistyped)
               NOT bool_or(tokens_fit) AS elsewhere
        FROM address_pairs
        GROUP BY w, cluster_id
    ),
    -- the contenders: every candidate not living elsewhere within the margin of the best one (a name-only
    -- row naming a family at another address is another family, not the registry's namesake)
    weak_contenders AS (
        SELECT *, count(*) OVER (PARTITION BY w) AS n, count(*) FILTER (WHERE rep) OVER (PARTITION BY w) AS n_rep,
               max(addr) OVER (PARTITION BY w) AS top_addr,
               max(addr) FILTER (WHERE rep) OVER (PARTITION BY w) AS rep_top_addr,
               min(desil) FILTER (WHERE rep) OVER (PARTITION BY w) AS rep_min_desil
        FROM (SELECT wc.*, coalesce(wa.addr, 0) AS addr, max(wc.weight) OVER (PARTITION BY wc.w) AS top
              FROM weak_candidates wc LEFT JOIN weak_addressed wa USING (w, cluster_id)
              WHERE NOT coalesce(wa.elsewhere, FALSE))
        WHERE weight > top - {WEAK_MARGIN}
    ),
    weak_ranked AS (
        SELECT *, count(*) FILTER (WHERE rep AND desil = rep_min_desil) OVER (PARTITION BY w) AS n_poorest,
               count(*) FILTER (WHERE addr > 0 AND addr = top_addr) OVER (PARTITION BY w) AS n_addr,
               count(*) FILTER (WHERE rep AND addr > 0 AND addr = rep_top_addr) OVER (PARTITION BY w) AS n_rep_addr
        FROM weak_contenders
    ),
    -- one contender: it; several: the only family head or spouse among them (family lists name the
    -- family's representative); several heads or spouses: the only one whose address fits the row's
    -- best; no head or spouse: the only contender whose address fits best; for a list whose program
    -- targets the poorest first (BLT-DD: P3KE desil 1 first), the only head or spouse of the poorest
    -- family among them when the address decides nothing; otherwise ambiguous, left unlinked. At most
    -- one per row.
    weak_best AS (
        SELECT w, s FROM weak_ranked
        WHERE n = 1 OR (n_rep = 1 AND rep)
           OR (n_rep > 1 AND rep AND addr > 0 AND addr = rep_top_addr AND n_rep_addr = 1)
           OR (n_rep = 0 AND addr > 0 AND addr = top_addr AND n_addr = 1)
           OR (n_rep > 1 AND n_rep_addr <> 1 AND rep AND desil = rep_min_desil AND n_poorest = 1
               AND w IN (SELECT unique_id FROM person_records WHERE source IN ({_sql_list(poorest_first_sources)})))
    ),
    attached AS (
        SELECT w, s FROM weak_best
    ),
    cl1 AS (
        SELECT cl0.record_id, coalesce(cs.cluster_id, cl0.cluster_id) AS cluster_id
        FROM cl0 LEFT JOIN attached wb ON wb.w = cl0.record_id LEFT JOIN cl0 cs ON cs.record_id = wb.s
    ),
    cl AS (
        SELECT record_id, min(record_id) OVER (PARTITION BY cluster_id) AS cluster_id,
               count(*) OVER (PARTITION BY cluster_id) AS n
        FROM cl1
    ),
    edges AS (
        SELECT e.unique_id_l AS a, e.unique_id_r AS b, e.match_probability FROM {p} e
        JOIN cl ca ON ca.record_id = e.unique_id_l JOIN cl cb ON cb.record_id = e.unique_id_r
        WHERE e.match_probability >= {float(threshold)} AND ca.cluster_id = cb.cluster_id
    ),
    ends AS (SELECT a AS record_id, b AS other, match_probability FROM edges
             UNION ALL SELECT b, a, match_probability FROM edges),
    best AS (
        SELECT e.record_id, max(e.match_probability) AS match_probability
        FROM ends e GROUP BY e.record_id
    ),
    -- records sharing their trusted NIK with another record of their cluster
    trusted AS (
        SELECT cl.record_id, cl.cluster_id, r.nik FROM cl JOIN person_records r ON r.unique_id = cl.record_id
        WHERE cl.n > 1 AND r.nik IS NOT NULL AND NOT r.nik_suspect
    ),
    nik_shared AS (
        SELECT t.record_id FROM trusted t
        JOIN (SELECT cluster_id, nik FROM trusted GROUP BY 1, 2 HAVING count(*) > 1) g USING (cluster_id, nik)
    )
    SELECT cl.record_id, cl.cluster_id,
           CASE WHEN cl.n > 1 THEN best.match_probability END AS match_probability,
           CASE WHEN cl.n = 1 THEN 'singleton'
                WHEN ns.record_id IS NOT NULL THEN 'nik_exact'
                ELSE 'probabilistic' END AS match_method
    FROM cl LEFT JOIN best USING (record_id) LEFT JOIN nik_shared ns USING (record_id)
    """).fetch_arrow_table()
    n_pairs = scon.execute(f"SELECT count(*) FROM {p}").fetchall()[0][0]
    scon.close()
    con.register("__linkage_out_arrow", out)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {out_table} AS SELECT * FROM __linkage_out_arrow")
    con.unregister("__linkage_out_arrow")
    del out
    if timings is not None:
        timings.update(prepare_s=t1 - t0, predict_s=t2 - t1, cluster_s=t3 - t2, refine_s=t_refined - t3,
                       finish_s=time.perf_counter() - t3, pairs=n_pairs)
    return con.table(out_table)


def _sql_list(values) -> str:
    """SQL IN-list of string literals (NULL when empty: matches nothing)."""
    items = [str(v).replace("'", "''") for v in values or ()]
    return ", ".join(f"'{v}'" for v in items) if items else "NULL"


# A weak record joins its best candidate person only when that pair's match weight beats the
# runner-up person's by this much (log2: twice as likely).
WEAK_MARGIN = 1.0

# A "person" holding two different rows of one delivery cannot be one person (a source lists a person
# once per period; rows equal in NIK, name, birth date and No KK are the same row delivered twice): it is
# re-clustered at stricter thresholds until it falls apart into people. The bridge is usually one
# wrong-person NIK (a typo landing on a neighbour's NIK, a NIK copied from the row above) or a chain of
# namesakes of one village. (The earlier trigger "more than 3 trusted NIKs" was pruned: no effect on the
# held-out profile once this one exists.)
REFINE_THRESHOLDS = (0.99, 0.999, 0.9999, 0.99999, 0.999999)


def _refine_oversized(scon: duckdb.DuckDBPyConnection, clusters_table: str) -> str:
    """Split clusters holding two different rows of one delivery; returns the table name of
    (unique_id, cluster_id) after the split."""
    from splink import DuckDBAPI
    from splink.clustering import cluster_pairwise_predictions_at_threshold

    scon.execute(f"CREATE OR REPLACE TABLE __cl_refined AS SELECT unique_id, CAST(cluster_id AS VARCHAR) AS cluster_id "
                 f"FROM {clusters_table}")
    for i, strict in enumerate(REFINE_THRESHOLDS):
        n = scon.execute(f"""
        CREATE OR REPLACE TABLE __oversized AS
            SELECT c.unique_id, c.cluster_id FROM __cl_refined c
            WHERE c.cluster_id IN (
                SELECT c2.cluster_id FROM __cl_refined c2 JOIN person_records r USING (unique_id)
                WHERE r.period IS NOT NULL
                GROUP BY c2.cluster_id, r.source, r.period
                HAVING count(DISTINCT concat_ws('|', coalesce(r.nik, ''), coalesce(r.name_key, ''),
                                                coalesce(CAST(r.dob AS VARCHAR), ''), coalesce(r.no_kk, ''))) > 1);
        SELECT count(DISTINCT cluster_id) FROM __oversized;
        """).fetchall()[0][0]
        if n == 0:
            break
        # Splink's connected components over the oversized clusters' records and their strict edges
        scon.execute(f"""
        CREATE OR REPLACE TABLE __ov_nodes AS SELECT DISTINCT unique_id FROM __oversized;
        CREATE OR REPLACE TABLE __ov_edges AS
            SELECT e.unique_id_l, e.unique_id_r, e.match_probability FROM __cc_edges e
            JOIN __oversized x ON x.unique_id = e.unique_id_l JOIN __oversized y ON y.unique_id = e.unique_id_r
            WHERE x.cluster_id = y.cluster_id;
        """)
        db_api = DuckDBAPI(scon)
        parts = cluster_pairwise_predictions_at_threshold(
            db_api.register("__ov_nodes", table_name=f"ov_nodes_{i}"),
            db_api.register("__ov_edges", table_name=f"ov_edges_{i}"),
            db_api, node_id_column_name="unique_id", threshold_match_probability=strict,
        )
        scon.execute(f"""
        UPDATE __cl_refined SET cluster_id = __cl_refined.cluster_id || '~' || p.cluster_id
            FROM {parts.physical_name} p WHERE p.unique_id = __cl_refined.unique_id;
        """)
    return "__cl_refined"


def _predict_with_cache(scon, db_api, linker, model_path, predict_threshold, cache, timings) -> str:
    """Score only the pairs that touch a record the cache has not seen; return the table of all kept
    pairs (unique_id_l, unique_id_r, match_weight, match_probability) in ``scon``."""
    import json

    from splink import Linker

    from orchestration.linkage.features import FEATURE_COLUMNS
    from orchestration.linkage.pair_cache import rkey_sql

    t_start = time.perf_counter()
    scon.register("__seen", cache.seen())
    scon.register("__cached", cache.pairs())
    scon.execute(f"""
    CREATE OR REPLACE TABLE __rkeys AS
        SELECT unique_id, {rkey_sql(FEATURE_COLUMNS)} AS rkey FROM person_records;
    ALTER TABLE person_records ADD COLUMN is_new BOOLEAN;
    UPDATE person_records SET is_new = k.rkey NOT IN (SELECT rkey FROM __seen)
        FROM __rkeys k WHERE k.unique_id = person_records.unique_id;
    """)
    n_new, n_all = scon.execute("SELECT count(*) FILTER (WHERE is_new), count(*) FROM person_records").fetchall()[0]
    t_keys = time.perf_counter()
    if n_new == n_all:
        scored = linker.inference.predict(threshold_match_probability=predict_threshold, warning_mode="never")
    elif n_new:
        # the same model, every blocking rule restricted to pairs with a new record on one side
        settings = json.loads(Path(model_path).read_text())
        for br in settings["blocking_rules_to_generate_predictions"]:
            br["blocking_rule"] = f"({br['blocking_rule']}) AND (l.is_new OR r.is_new)"
        partial = Linker(db_api.register("person_records", table_name="person_records_new"), settings, log_level=None)
        scored = partial.inference.predict(threshold_match_probability=predict_threshold, warning_mode="never")
    scored_sql = (f"SELECT unique_id_l, unique_id_r, match_weight, match_probability FROM {scored.physical_name}"
                  if n_new else
                  "SELECT NULL::VARCHAR AS unique_id_l, NULL::VARCHAR AS unique_id_r, NULL::DOUBLE AS match_weight, "
                  "NULL::DOUBLE AS match_probability WHERE false")
    scon.execute(f"""
    CREATE OR REPLACE TABLE __pairs AS
        SELECT kl.unique_id AS unique_id_l, kr.unique_id AS unique_id_r, c.match_weight, c.match_probability
        FROM __cached c JOIN __rkeys kl ON kl.rkey = c.l JOIN __rkeys kr ON kr.rkey = c.r
        UNION ALL
        {scored_sql};
    """)
    t_scored = time.perf_counter()
    n_seen = scon.execute("SELECT count(*) FROM __seen").fetchall()[0][0]
    if n_new or n_seen != n_all:  # unchanged records and none gone: the cache already holds exactly this
        cache.replace(
            scon.sql("SELECT rkey FROM __rkeys").fetch_arrow_table(),
            scon.sql("""SELECT kl.rkey AS l, kr.rkey AS r, p.match_weight, p.match_probability FROM __pairs p
                        JOIN __rkeys kl ON kl.unique_id = p.unique_id_l
                        JOIN __rkeys kr ON kr.unique_id = p.unique_id_r""").fetch_arrow_table())
    if timings is not None:
        timings.update(cache_keys_s=t_keys - t_start, cache_write_s=time.perf_counter() - t_scored)
        timings.update(new_records=int(n_new), cached_pairs=int(scon.execute(
            "SELECT count(*) FROM __cached").fetchall()[0][0]))
    return "__pairs"


def run_linkage(
    build_con: duckdb.DuckDBPyConnection,
    state_db_path: str | Path,
    records_table: str = "intermediate.int_person_records",
    model_path: str | Path = MODEL_PATH,
    *,
    threshold: float = CLUSTER_THRESHOLD,
    predict_threshold: float = PREDICT_THRESHOLD,
    run_id: str | None = None,
    use_cache: bool = True,
    memory_limit: str | None = None,
    temp_dir: str | Path | None = None,
    poorest_first_sources: tuple[str, ...] | list[str] | None = None,
    require_registry: bool = False,
    threads: int | None = None,
) -> dict:
    """The nightly linkage stage.

    Links every row of ``records_table`` (scoring only the pairs that touch a new or changed record when
    the pair cache in the state DB holds the others), assigns stable person_ids and household_ids from the ID
    registry in ``state_db_path`` (ATTACHed for the duration), and (re)creates in the build DB:

    - ``linkage.record_person(record_id, person_id, match_method, match_probability)``
    - ``linkage.person_household(person_id, household_id, deceased, is_head, present, family_known)``
    - ``linkage.record_quarantine(record_id, rule)``: rows quarantined after linkage (linkage/quarantine.py);
      every record is in exactly one of record_person and record_quarantine

    ``require_registry`` (the warehouse has published before): a missing, unreadable or empty ID registry
    raises :class:`~orchestration.linkage.ids.IdRegistryError` instead of numbering everybody anew.

    Returns a summary dict (counts, timings, ID registry statistics).
    """
    from orchestration.linkage.households import form_households
    from orchestration.linkage.ids import RECORD_KEY_SQL, assign_stable_ids, attach_state, detach_state
    from orchestration.linkage.quarantine import split_unplaced

    t0 = time.perf_counter()
    run_id = run_id or time.strftime("%Y%m%dT%H%M%S")
    from orchestration.linkage.pair_cache import PairCache, signature

    timings: dict = {}
    # before anything is scored: a registry that should exist and does not stops the run (IdRegistryError)
    attach_state(build_con, state_db_path, require_registry=require_registry)
    try:
        cache = PairCache(build_con, signature(model_path, predict_threshold)) if use_cache else None
        if poorest_first_sources is None:
            from orchestration.ingest.contracts import default_contracts
            poorest_first_sources = sorted(c.source for c in default_contracts().values()
                                           if c.namesake_ties == "poorest")
        link_records(build_con, records_table, model_path, threshold, predict_threshold=predict_threshold,
                     out_table="__linkage_clusters", timings=timings, cache=cache,
                     memory_limit=memory_limit, temp_dir=temp_dir, poorest_first_sources=poorest_first_sources,
                     threads=threads)
        t_link = time.perf_counter()
        unplaced = split_unplaced(build_con, "__linkage_clusters", records_table, "__linkage_unplaced")
        build_con.execute("""
        CREATE SCHEMA IF NOT EXISTS linkage;
        CREATE OR REPLACE TABLE linkage.record_quarantine AS
            SELECT record_id, rule FROM __linkage_unplaced ORDER BY record_id;
        """)
        build_con.execute(f"""
        CREATE OR REPLACE TEMP TABLE __linkage_keys AS
            SELECT c.cluster_id, {RECORD_KEY_SQL} AS member_key
            FROM __linkage_clusters c JOIN {records_table} r ON CAST(r.record_id AS VARCHAR) = c.record_id
        """)
        person_stats = assign_stable_ids(
            build_con, "person", "SELECT cluster_id, member_key FROM __linkage_keys", run_id, "__person_ids")
        build_con.execute("""
        CREATE SCHEMA IF NOT EXISTS linkage;
        CREATE OR REPLACE TABLE linkage.record_person AS
            SELECT c.record_id, i.stable_id AS person_id, c.match_method, c.match_probability
            FROM __linkage_clusters c JOIN __person_ids i USING (cluster_id)
            ORDER BY c.record_id;
        """)
        t_persons = time.perf_counter()
        form_households(build_con, f"SELECT * FROM {records_table}",
                        "SELECT record_id, person_id FROM linkage.record_person", out_table="__households")
        t_households = time.perf_counter()
        hh_stats = assign_stable_ids(
            build_con, "household",
            "SELECT household_key AS cluster_id, person_id AS member_key FROM __households WHERE household_key IS NOT NULL",
            run_id, "__household_ids")
        build_con.execute("""
        CREATE OR REPLACE TABLE linkage.person_household AS
            SELECT h.person_id, i.stable_id AS household_id, h.deceased, h.is_head, h.present, h.family_known
            FROM __households h LEFT JOIN __household_ids i ON i.cluster_id = h.household_key
            ORDER BY h.person_id;
        """)
        build_con.execute("CHECKPOINT state")
    finally:
        detach_state(build_con)
    counts = build_con.execute("""
        SELECT (SELECT count(*) FROM linkage.record_person),
               (SELECT count(DISTINCT person_id) FROM linkage.record_person),
               (SELECT count(DISTINCT household_id) FROM linkage.person_household),
               (SELECT count(*) FILTER (WHERE deceased) FROM linkage.person_household),
               (SELECT count(*) FILTER (WHERE household_id IS NULL) FROM linkage.person_household)
    """).fetchall()[0]
    methods = dict(build_con.execute(
        "SELECT match_method, count(*) FROM linkage.record_person GROUP BY 1 ORDER BY 1").fetchall())
    for t in ("__linkage_clusters", "__linkage_unplaced", "__linkage_keys", "__person_ids", "__households", "__household_ids"):
        build_con.execute(f"DROP TABLE IF EXISTS {t}")
    return dict(
        run_id=run_id, records=counts[0], quarantined_after_linkage=unplaced, persons=counts[1], households=counts[2],
        deceased=counts[3], persons_without_household=counts[4], match_methods=methods,
        candidate_pairs=timings.get("pairs"), threshold=threshold, predict_threshold=predict_threshold,
        new_records=timings.get("new_records"), cached_pairs=timings.get("cached_pairs"),
        splink_threads=timings.get("splink_threads"), splink_memory_limit=timings.get("splink_memory_limit"),
        person_ids=person_stats, household_ids=hh_stats,
        seconds=dict(link=round(t_link - t0, 2), person_ids=round(t_persons - t_link, 2),
                     households=round(t_households - t_persons, 2), total=round(time.perf_counter() - t0, 2),
                     prepare=round(timings.get("prepare_s", 0), 2), predict=round(timings.get("predict_s", 0), 2),
                     cluster=round(timings.get("cluster_s", 0), 2), refine=round(timings.get("refine_s", 0), 2),
                     finish=round(timings.get("finish_s", 0), 2),
                     cache_keys=round(timings.get("cache_keys_s", 0), 2),
                     cache_write=round(timings.get("cache_write_s", 0), 2)),
    )
