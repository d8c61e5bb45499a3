"""Pairwise precision / recall of a clustering against an answer key, in DuckDB SQL.

A pair of records is predicted when both are in one cluster, true when both have one true
person. precision = TP / predicted pairs, recall = TP / true pairs (n·(n-1)/2 counting).
"""
from __future__ import annotations

import duckdb


def pairwise_scores(con: duckdb.DuckDBPyConnection, pred_sql: str, truth_sql: str) -> dict:
    """``pred_sql``: relation (record_id, cluster_id); ``truth_sql``: relation (record_id, truth).
    Only records present in both are scored."""
    row = con.execute(f"""
    WITH j AS (
        SELECT p.record_id, CAST(p.cluster_id AS VARCHAR) AS c, CAST(t.truth AS VARCHAR) AS t
        FROM ({pred_sql}) p JOIN ({truth_sql}) t USING (record_id)
    ),
    pc AS (SELECT count(*) AS n FROM j GROUP BY c),
    tc AS (SELECT count(*) AS n FROM j GROUP BY t),
    bc AS (SELECT count(*) AS n FROM j GROUP BY c, t)
    SELECT (SELECT sum(n * (n - 1) / 2) FROM pc)::HUGEINT,
           (SELECT sum(n * (n - 1) / 2) FROM tc)::HUGEINT,
           (SELECT sum(n * (n - 1) / 2) FROM bc)::HUGEINT,
           (SELECT count(*) FROM j),
           (SELECT count(DISTINCT c) FROM j),
           (SELECT count(DISTINCT t) FROM j)
    """).fetchall()[0]
    pred_pairs, true_pairs, tp, n, n_clusters, n_true = (int(x or 0) for x in row)
    precision = tp / pred_pairs if pred_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return dict(records=n, clusters=n_clusters, true_persons=n_true, predicted_pairs=pred_pairs,
                true_pairs=true_pairs, true_positive_pairs=tp, precision=precision, recall=recall, f1=f1)


def exact_nik_baseline_sql(records_sql: str) -> str:
    """The naive baseline: records sharing a NIK are one person; records without NIK alone."""
    return f"""SELECT record_id, coalesce('nik:' || nik, 'rec:' || record_id) AS cluster_id
               FROM {records_sql}"""
