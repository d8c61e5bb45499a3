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
        timings: optional dict that receives ``predict_s`` / ``cluster_s`` / ``pairs``.

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
    scon = splink_connection()
    scon.register("__feats", feats)
    scon.execute("CREATE TABLE person_records AS SELECT * FROM __feats")
    scon.unregister("__feats")
    db_api = DuckDBAPI(scon)
    sdf = db_api.register("person_records", table_name="person_records_in")
    linker = Linker(sdf, str(model_path), log_level=None)
    t1 = time.perf_counter()
    pred = linker.inference.predict(threshold_match_probability=predict_threshold, warning_mode="never")
    t2 = time.perf_counter()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        pred, threshold_match_probability=threshold
    )
    t3 = time.perf_counter()
    p, c = pred.physical_name, clusters.physical_name
    out = scon.sql(f"""
    WITH cl AS (
        SELECT unique_id AS record_id, min(unique_id) OVER (PARTITION BY cluster_id) AS cluster_id,
               count(*) OVER (PARTITION BY cluster_id) AS n
        FROM {c}
    ),
    edges AS (
        SELECT unique_id_l AS a, unique_id_r AS b, match_probability FROM {p}
        WHERE match_probability >= {float(threshold)}
    ),
    ends AS (SELECT a AS record_id, b AS other, match_probability FROM edges
             UNION ALL SELECT b, a, match_probability FROM edges),
    best AS (
        SELECT e.record_id, max(e.match_probability) AS match_probability
        FROM ends e GROUP BY e.record_id
    ),
    nik_shared AS (
        SELECT DISTINCT r.unique_id AS record_id
        FROM person_records r
        JOIN cl ON cl.record_id = r.unique_id
        JOIN cl cl2 ON cl2.cluster_id = cl.cluster_id AND cl2.record_id <> cl.record_id
        JOIN person_records r2 ON r2.unique_id = cl2.record_id
        WHERE cl.n > 1 AND r.nik = r2.nik AND NOT r.nik_suspect AND NOT r2.nik_suspect
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
    if timings is not None:
        timings.update(prepare_s=t1 - t0, predict_s=t2 - t1, cluster_s=t3 - t2,
                       finish_s=time.perf_counter() - t3, pairs=n_pairs)
    return con.table(out_table)
