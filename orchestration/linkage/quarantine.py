"""Quarantine decided after linkage: the place rule of the published contract, in one place.

design.md, "Definitions the contract relies on": a row is quarantined when "a place that cannot be
resolved [is] on a row that links to no person found elsewhere"; a row with a bad place "but a NIK of a
known person is linked, with the problem flagged". Staging only flags such rows (``place_unresolved``
in ``flags``); this module decides, once the persons are known:

- a person (cluster) with at least one row whose kecamatan resolved is "found elsewhere": all of its
  rows are linked, the place-less ones keep their flag;
- a person whose every row lacks a place is found nowhere usable: all of those rows are quarantined
  with rule ``place_unresolved`` (two place-less rows of one phantom do not vouch for each other).

The quarantined rows get no person ID and form no household; ``marts.quarantine`` publishes them
beside the rows staging quarantined, and every staged row is in exactly one of ``linkage.record_person``
and ``linkage.record_quarantine``.
"""
from __future__ import annotations

import duckdb

RULE = "place_unresolved"


def split_unplaced(con: duckdb.DuckDBPyConnection, clusters_table: str, records_table: str,
                   out_table: str = "__linkage_unplaced") -> int:
    """Move the records of place-less persons out of ``clusters_table`` (record_id, cluster_id, ...) into
    TEMP table ``out_table(record_id, rule)``; return how many were moved."""
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE {out_table} AS
        WITH placed AS (
            SELECT c.cluster_id, bool_or(r.kode_kecamatan IS NOT NULL) AS any_place
            FROM {clusters_table} c JOIN {records_table} r ON CAST(r.record_id AS VARCHAR) = c.record_id
            GROUP BY c.cluster_id)
        SELECT c.record_id, '{RULE}' AS rule
        FROM {clusters_table} c JOIN placed p USING (cluster_id)
        WHERE NOT p.any_place;
    DELETE FROM {clusters_table} WHERE record_id IN (SELECT record_id FROM {out_table});
    """)
    return con.execute(f"SELECT count(*) FROM {out_table}").fetchall()[0][0]
