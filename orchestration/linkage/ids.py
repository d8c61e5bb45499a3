"""Stable, pseudonymous IDs across runs: the ID registry in the state DuckDB.

The state DB (``warehouse/state/state.duckdb``) is never dropped by a rebuild. It is ATTACHed to
the build connection as ``state`` for the duration of an assignment.

Tables (state DB, schema main):

- ``id_registry(kind, member_key, stable_id, first_seen_run, last_seen_run)``: for persons
  (kind 'person') a member_key is a content-based RECORD KEY, md5 of source | nik | name_key |
  birth date | sex | village: no period, file or row number, so the same person's row in the next
  period of a source has the same key (the village tells name-only namesakes of one list apart). For households (kind 'household') the member_key is a person_id.
  Keys no longer seen are kept (a record may come back).
- ``id_sequence(kind, next_value)``: the next sequence number per kind.
- ``id_events(run_id, kind, event, stable_id, other_id, n_keys, logged_at)``: 'merge' (other_id
  retired into stable_id) and 'split' (stable_id newly issued for part of other_id).
- ``id_runs(run_id, kind, started_at, clusters, reused, issued, merges, splits)``.

Assignment: every new cluster overlaps old IDs through its member keys. An old ID goes to the
cluster holding most of its keys (ties: smallest cluster key, then cluster id); a cluster takes, among the old IDs
it won, the one with most overlap (ties: smallest ID). Clusters left without an ID get new ones
in the order of their smallest member key. Same input twice gives identical IDs; adding a period
keeps the IDs of unchanged people. IDs are 'P'/'H' + a zero-padded sequence: nothing of the NIK.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import duckdb

PREFIX = {"person": "P", "household": "H"}
ID_DIGITS = 10

RECORD_KEY_SQL = (
    "md5(concat_ws('|', coalesce(CAST(source AS VARCHAR), ''), coalesce(CAST(nik AS VARCHAR), ''),"
    " coalesce(CAST(name_key AS VARCHAR), ''), coalesce(CAST(tanggal_lahir AS VARCHAR), ''),"
    " coalesce(CAST(jenis_kelamin AS VARCHAR), ''), coalesce(CAST(kode_desa AS VARCHAR), '')))"
)

STATE_DDL = """
CREATE TABLE IF NOT EXISTS state.id_registry (
    kind VARCHAR NOT NULL, member_key VARCHAR NOT NULL, stable_id VARCHAR NOT NULL,
    first_seen_run VARCHAR, last_seen_run VARCHAR);
CREATE TABLE IF NOT EXISTS state.id_sequence (kind VARCHAR PRIMARY KEY, next_value BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS state.id_events (
    run_id VARCHAR, kind VARCHAR, event VARCHAR, stable_id VARCHAR, other_id VARCHAR,
    n_keys BIGINT, logged_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS state.id_runs (
    run_id VARCHAR, kind VARCHAR, started_at TIMESTAMP, clusters BIGINT, reused BIGINT,
    issued BIGINT, merges BIGINT, splits BIGINT);
"""


class IdRegistryError(RuntimeError):
    """The ID registry cannot be trusted: going on would give every person and household a new ID."""


BACKUP_DIR = "backups"
BACKUPS_KEPT = 5


def _restore_hint(path: Path) -> str:
    backups = sorted((path.parent / BACKUP_DIR).glob("state-*.duckdb"), key=lambda p: p.stat().st_mtime)
    newest = f" (newest: {backups[-1]})" if backups else ""
    return (f"Restore the copy kept with the last publication from {path.parent / BACKUP_DIR}{newest} to "
            f"{path} and run again. To number everybody anew on purpose, delete the publication first.")


def attach_state(con: duckdb.DuckDBPyConnection, state_db_path: str | Path, *,
                 require_registry: bool = False) -> None:
    """ATTACH the state DB as ``state`` (creating file and tables when missing). With ``require_registry``
    (the warehouse has published before) a state DB that cannot be opened, or whose registry is missing or
    empty, raises :class:`IdRegistryError` instead of issuing new IDs to everybody."""
    path = Path(state_db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if require_registry and not path.exists():
        raise IdRegistryError(f"The ID registry {path} is missing, but this warehouse has published before: "
                              "every person and household would get a new ID. " + _restore_hint(path))
    attached = {r[0] for r in con.execute("SELECT database_name FROM duckdb_databases()").fetchall()}
    if "state" not in attached:
        try:
            con.execute(f"ATTACH '{path.as_posix()}' AS state")
        except duckdb.Error as exc:
            raise IdRegistryError(f"The ID registry {path} cannot be opened ({type(exc).__name__}). "
                                  + _restore_hint(path)) from exc
    con.execute(STATE_DDL)
    if require_registry:
        _read_whole(con, path)
    if require_registry and con.execute(
            "SELECT count(*) FROM state.id_registry WHERE kind = 'person'").fetchall()[0][0] == 0:
        con.execute("DETACH state")
        raise IdRegistryError(f"The ID registry in {path} is empty, but this warehouse has published before: "
                              "every person and household would get a new ID. " + _restore_hint(path))


def _read_whole(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Reads every value of the registry and the sequence once (DuckDB checks each block's checksum as it
    reads it): a damaged file stops the run here, saying so, not halfway through the assignment with
    DuckDB's "Corrupt database file". About a second for the registry of 400,000 households."""
    try:
        con.execute("SELECT count(*), sum(length(kind) + length(member_key) + length(stable_id) "
                    "+ coalesce(length(first_seen_run), 0) + coalesce(length(last_seen_run), 0)) "
                    "FROM state.id_registry").fetchall()
        con.execute("SELECT count(*), sum(length(kind) + next_value) FROM state.id_sequence").fetchall()
    except duckdb.Error as exc:
        con.execute("DETACH state")
        raise IdRegistryError(f"The ID registry in {path} is damaged: it cannot be read whole "
                              f"({type(exc).__name__}). " + _restore_hint(path)) from exc


def backup_state(state_db_path: str | Path, run_id: str, keep: int = BACKUPS_KEPT) -> Path | None:
    """Copy the state DB beside it (``backups/state-<run_id>.duckdb``) after a publication, keeping the
    ``keep`` newest copies. Called when nobody writes the state DB (after the publish)."""
    path = Path(state_db_path)
    if not path.exists():
        return None
    folder = path.parent / BACKUP_DIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"state-{re.sub(r'[^A-Za-z0-9_-]', '_', run_id)[:60]}.duckdb"
    tmp = target.with_suffix(".tmp")
    shutil.copyfile(path, tmp)
    tmp.replace(target)
    for old in sorted(folder.glob("state-*.duckdb"), key=lambda p: p.stat().st_mtime)[:-keep]:
        old.unlink()
    return target


def detach_state(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DETACH state")


def assign_stable_ids(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    members_sql: str,
    run_id: str,
    out_table: str,
) -> dict:
    """Map clusters to stable IDs. ``members_sql``: relation (cluster_id, member_key), many rows
    per cluster. State must be attached (:func:`attach_state`). Creates TEMP table
    ``out_table(cluster_id, stable_id)`` in ``con`` and updates the registry."""
    prefix = PREFIX[kind]
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE __ids_members AS
        SELECT DISTINCT CAST(cluster_id AS VARCHAR) AS cluster_id, CAST(member_key AS VARCHAR) AS member_key
        FROM ({members_sql}) WHERE member_key IS NOT NULL;
    CREATE OR REPLACE TEMP TABLE __ids_ck AS
        SELECT cluster_id, min(member_key) AS ck, count(*) AS n_keys FROM __ids_members GROUP BY 1;
    CREATE OR REPLACE TEMP TABLE __ids_overlap AS
        SELECT m.cluster_id, k.stable_id, count(*) AS n
        FROM __ids_members m JOIN state.id_registry k ON k.kind = '{kind}' AND k.member_key = m.member_key
        GROUP BY 1, 2;
    CREATE OR REPLACE TEMP TABLE __ids_assigned AS
        WITH id_best AS (
            SELECT o.*, row_number() OVER (PARTITION BY o.stable_id ORDER BY o.n DESC, c.ck, CAST(o.cluster_id AS VARCHAR)) AS rk
            FROM __ids_overlap o JOIN __ids_ck c USING (cluster_id)
        ),
        cl_best AS (
            SELECT cluster_id, stable_id,
                   row_number() OVER (PARTITION BY cluster_id ORDER BY n DESC, stable_id) AS rk
            FROM id_best WHERE rk = 1
        )
        SELECT cluster_id, stable_id FROM cl_best WHERE rk = 1;
    """)
    next_value = con.execute(
        f"SELECT coalesce(max(next_value), 1) FROM state.id_sequence WHERE kind = '{kind}'"
    ).fetchall()[0][0]
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE {out_table} AS
        SELECT c.cluster_id, a.stable_id FROM __ids_ck c JOIN __ids_assigned a USING (cluster_id)
        UNION ALL
        SELECT c.cluster_id,
               '{prefix}' || lpad(CAST({int(next_value)} - 1 + row_number() OVER (ORDER BY c.ck, c.cluster_id) AS VARCHAR), {ID_DIGITS}, '0')
        FROM __ids_ck c ANTI JOIN __ids_assigned a USING (cluster_id);
    """)
    issued = con.execute(
        f"SELECT count(*) FROM __ids_ck c ANTI JOIN __ids_assigned a USING (cluster_id)"
    ).fetchall()[0][0]
    # merges: a cluster overlapping old IDs that were given to nobody
    # splits: an old ID whose keys also went to other clusters (those got other IDs)
    con.execute(f"""
    INSERT INTO state.id_events
        SELECT '{run_id}', '{kind}', 'merge', o2.stable_id, o.stable_id, o.n, TIMESTAMP '{now}'
        FROM __ids_overlap o JOIN {out_table} o2 USING (cluster_id)
        WHERE o.stable_id <> o2.stable_id
          AND o.stable_id NOT IN (SELECT stable_id FROM {out_table})
        UNION ALL
        SELECT '{run_id}', '{kind}', 'split', o2.stable_id, o.stable_id, o.n, TIMESTAMP '{now}'
        FROM __ids_overlap o JOIN {out_table} o2 USING (cluster_id)
        WHERE o.stable_id <> o2.stable_id
          AND o.stable_id IN (SELECT stable_id FROM {out_table});
    """)
    merges, splits = con.execute(
        f"SELECT count(*) FILTER (WHERE event = 'merge'), count(*) FILTER (WHERE event = 'split') "
        f"FROM state.id_events WHERE run_id = '{run_id}' AND kind = '{kind}'"
    ).fetchall()[0]
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE __ids_newkeys AS
        SELECT m.member_key, min(o.stable_id) AS stable_id
        FROM __ids_members m JOIN {out_table} o USING (cluster_id) GROUP BY 1;
    -- the registry is rewritten in one pass: an UPDATE of most keys of an indexed table took 2 minutes
    -- at 100,000 households, the rewrite a second
    CREATE OR REPLACE TEMP TABLE __ids_registry AS
        SELECT k.kind, k.member_key, coalesce(n.stable_id, k.stable_id) AS stable_id, k.first_seen_run,
               CASE WHEN n.member_key IS NULL THEN k.last_seen_run ELSE '{run_id}' END AS last_seen_run
        FROM state.id_registry k
        LEFT JOIN __ids_newkeys n ON k.kind = '{kind}' AND k.member_key = n.member_key
        UNION ALL
        SELECT '{kind}', n.member_key, n.stable_id, '{run_id}', '{run_id}'
        FROM __ids_newkeys n
        ANTI JOIN (SELECT member_key FROM state.id_registry WHERE kind = '{kind}') k USING (member_key);
    CREATE OR REPLACE TABLE state.id_registry_next AS SELECT * FROM __ids_registry ORDER BY kind, member_key;
    DROP TABLE __ids_registry;
    """)
    # the registry and its sequence are replaced in one transaction of the state DB: a crash leaves the
    # old registry (and at most a stale id_registry_next, replaced by the next run), never none
    con.execute(f"""
    BEGIN TRANSACTION;
    DROP TABLE state.id_registry;
    ALTER TABLE state.id_registry_next RENAME TO id_registry;
    DELETE FROM state.id_sequence WHERE kind = '{kind}';
    INSERT INTO state.id_sequence VALUES ('{kind}', {int(next_value) + int(issued)});
    COMMIT;
    """)
    clusters = con.execute(f"SELECT count(*) FROM {out_table}").fetchall()[0][0]
    stats = dict(clusters=int(clusters), reused=int(clusters - issued), issued=int(issued),
                 merges=int(merges), splits=int(splits))
    con.execute(
        "INSERT INTO state.id_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [run_id, kind, now, stats["clusters"], stats["reused"], issued, merges, splits],
    )
    for t in ("__ids_members", "__ids_ck", "__ids_overlap", "__ids_assigned", "__ids_newkeys"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    return stats
