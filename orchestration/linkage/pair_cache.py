"""Scored pairs kept between runs, so that a refresh only scores the pairs a changed file touches.

A pair's match probability depends only on the two records and the model (the model uses no
term-frequency adjustments), so pairs of two unchanged records need not be scored again. Records are
keyed by content: ``rkey = hash(record_id, features)``; a corrected or replaced file gives its rows
new keys, a removed file's keys disappear and so do their pairs. Keys are 64-bit hashes (UBIGINT): at
kabupaten scale (3.3 million records, 7.5 million pairs) string keys cost gigabytes of Arrow on the way
in and out; the chance of any collision among 3.3 million keys is about one in three million. The cache is valid for
one signature (model JSON, feature SQL, predict threshold, Splink and DuckDB versions, key format); any
change drops it and the next run scores everything, exactly as without a cache.

Tables in the state database (ATTACHed as ``state``):
``linkage_pair_cache(l, r, match_weight, match_probability)`` pairs kept from predict (rkeys),
``linkage_seen(rkey)`` records whose every candidate pair is in the cache,
``linkage_cache_meta(signature)``.
"""
from __future__ import annotations

import hashlib
from importlib.metadata import version
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.linkage.features import feature_select_sql

KEY_FORMAT = "ubigint-hash-1"
DDL = """
CREATE TABLE IF NOT EXISTS state.linkage_pair_cache (
    l UBIGINT, r UBIGINT, match_weight DOUBLE, match_probability DOUBLE);
CREATE TABLE IF NOT EXISTS state.linkage_seen (rkey UBIGINT);
CREATE TABLE IF NOT EXISTS state.linkage_cache_meta (signature VARCHAR);
"""


def signature(model_path: str | Path, predict_threshold: float) -> str:
    h = hashlib.sha256()
    h.update(Path(model_path).read_bytes())
    h.update(feature_select_sql("__records__").encode())
    h.update(f"{predict_threshold!r}|splink {version('splink')}|duckdb {version('duckdb')}|{KEY_FORMAT}".encode())
    return h.hexdigest()


def rkey_sql(feature_columns: list[str]) -> str:
    """SQL (over the Splink input table) of a record's content key."""
    cols = [c for c in feature_columns if c != "unique_id"]
    parts = ", ".join(f"coalesce(CAST({c} AS VARCHAR), '\u0001')" for c in cols)
    return f"hash(concat_ws('|', unique_id, {parts}))"


class PairCache:
    """Reads and replaces the cached pairs in the state database attached to ``con`` as ``state``."""

    def __init__(self, con: duckdb.DuckDBPyConnection, signature: str):
        self.con = con
        self.signature = signature
        con.execute("CREATE TABLE IF NOT EXISTS state.linkage_cache_meta (signature VARCHAR)")
        stored = con.execute("SELECT signature FROM state.linkage_cache_meta").fetchall()
        self.valid = bool(stored) and stored[0][0] == signature
        if not self.valid:  # another model, feature set or key format: start empty (and in today's layout)
            for t in ("linkage_pair_cache", "linkage_seen", "linkage_cache_meta"):
                con.execute(f"DROP TABLE IF EXISTS state.{t}")
        con.execute(DDL)

    def seen(self) -> pa.Table:
        if not self.valid:
            return pa.table({"rkey": pa.array([], pa.uint64())})
        return self.con.sql("SELECT rkey FROM state.linkage_seen").fetch_arrow_table()

    def pairs(self) -> pa.Table:
        sql = "SELECT l, r, match_weight, match_probability FROM state.linkage_pair_cache"
        return self.con.sql(sql + ("" if self.valid else " LIMIT 0")).fetch_arrow_table()

    def replace(self, rkeys: pa.Table, pairs: pa.Table) -> None:
        """The cache becomes exactly the current records and all their kept pairs."""
        self.con.register("__cache_rkeys", rkeys)
        self.con.register("__cache_pairs", pairs)
        try:
            self.con.execute("BEGIN")
            self.con.execute("DELETE FROM state.linkage_pair_cache")
            self.con.execute("DELETE FROM state.linkage_seen")
            self.con.execute("DELETE FROM state.linkage_cache_meta")
            self.con.execute("INSERT INTO state.linkage_pair_cache SELECT l, r, match_weight, match_probability "
                             "FROM __cache_pairs")
            self.con.execute("INSERT INTO state.linkage_seen SELECT rkey FROM __cache_rkeys")
            self.con.execute("INSERT INTO state.linkage_cache_meta VALUES (?)", [self.signature])
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        finally:
            self.con.unregister("__cache_rkeys")
            self.con.unregister("__cache_pairs")
