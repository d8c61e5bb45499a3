"""The PostgreSQL publication (SIKKEP_PUBLISH_POSTGRES): the same write-audit-publish, in schemas.

write    every table of the audited public.duckdb goes to a fresh staging schema (`sikkep_public__stage_*`),
         every table of restricted.duckdb to another (`sikkep_restricted__stage_*`), with the same columns,
         types (BIGINT counts) and COMMENT ON texts as the DuckDB file, and the grants of the reader roles;
         this happens before the DuckDB swap, so a PostgreSQL that cannot take the publication holds the
         whole publication back like a failed export.
publish  one transaction renames the live schemas aside, the staged ones into place (`sikkep_public`,
         `sikkep_restricted`) and drops the old ones. Readers see the previous publication or the new one,
         never a mix: each statement resolves the schema when it runs, DDL is transactional, and a reader's
         running statement only delays the swap. A failed gate or audit never reaches this module.
roles    `sikkep_public_reader` may read sikkep_public; `sikkep_restricted_reader` may read both. Grant a
         BI login the first, the poverty team's logins the second (docs/bi.md). Nobody else (PUBLIC) may.
Staging schemas that a killed publish left are dropped by the next publish.
"""
from __future__ import annotations

import re
import tempfile
import time
import uuid
from pathlib import Path

import duckdb

from .core import PublishError

PUBLIC_SCHEMA = "sikkep_public"
RESTRICTED_SCHEMA = "sikkep_restricted"
PUBLIC_READER = "sikkep_public_reader"
RESTRICTED_READER = "sikkep_restricted_reader"
_STAGE = "__stage_"
_OLD = "__old_"
# the one transaction of a swap waits at most this long for readers' statements on the old tables
SWAP_LOCK_TIMEOUT = "120s"

_TYPES = {
    "VARCHAR": "text", "BIGINT": "bigint", "INTEGER": "integer", "SMALLINT": "smallint",
    "TINYINT": "smallint", "UTINYINT": "smallint", "USMALLINT": "integer", "UINTEGER": "bigint",
    "UBIGINT": "numeric(20)", "HUGEINT": "numeric(39)", "UHUGEINT": "numeric(39)", "DOUBLE": "double precision",
    "FLOAT": "real", "BOOLEAN": "boolean", "DATE": "date", "TIME": "time", "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz", "UUID": "uuid",
}


class PostgresPublishError(PublishError):
    """The PostgreSQL publication could not be staged or swapped (its previous state stays)."""


def _reason(exc: BaseException) -> str:
    """The error's type and first line (the rest of a server's message can quote the statement)."""
    text = str(exc)
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"


def _pg_type(duck_type: str) -> str | None:
    """PostgreSQL type of a DuckDB column type; None = published as text."""
    t = duck_type.upper()
    if t in _TYPES:
        return _TYPES[t]
    if m := re.fullmatch(r"DECIMAL\((\d+),\s*(\d+)\)", t):
        return f"numeric({m.group(1)},{m.group(2)})"
    return None


def _connect(url: str):
    import psycopg

    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=30, application_name="sikkep publish")
    except psycopg.Error as exc:  # the URL holds a password: say only what failed
        raise PostgresPublishError(f"PostgreSQL publication unreachable ({_reason(exc)})") from None


def _ensure_roles(cur) -> None:
    from psycopg import sql

    for role in (PUBLIC_READER, RESTRICTED_READER):
        cur.execute("select 1 from pg_roles where rolname = %s", [role])
        if cur.fetchone() is None:
            try:
                cur.execute(sql.SQL("create role {} nologin").format(sql.Identifier(role)))
            except Exception as exc:
                raise PostgresPublishError(
                    f"role {role} does not exist and the publishing user may not create it "
                    f"({type(exc).__name__}); an administrator creates it once: CREATE ROLE {role} NOLOGIN"
                ) from None
    cur.execute(sql.SQL("grant {} to {}").format(sql.Identifier(PUBLIC_READER), sql.Identifier(RESTRICTED_READER)))


def _drop_leftovers(cur) -> list[str]:
    from psycopg import sql

    cur.execute(
        "select nspname from pg_namespace where nspname like any(%s) order by 1",
        [[f"{base}{mark}%".replace("_", r"\_") for base in (PUBLIC_SCHEMA, RESTRICTED_SCHEMA)
          for mark in (_STAGE, _OLD)]])
    names = [r[0] for r in cur.fetchall()]
    for name in names:
        cur.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(name)))
    return names


def _copy_file(duck, pg_cur, duck_table: str, schema: str, tmpdir: Path) -> int:
    """One DuckDB table into schema.<table> of PostgreSQL: CREATE TABLE, COPY of a CSV DuckDB writes
    (NULL unquoted empty, an empty string "": what PostgreSQL's CSV format reads back the same)."""
    from psycopg import sql

    cols = duck.execute(
        "select column_name, data_type, comment from duckdb_columns() where database_name = current_database() "
        "and schema_name = 'main' and table_name = ? order by column_index", [duck_table]).fetchall()
    defs, selects = [], []
    for name, dtype, _ in cols:
        pg = _pg_type(dtype)
        defs.append(sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(pg or "text")))
        q = '"' + name.replace('"', '""') + '"'
        selects.append(q if pg else f"cast({q} as varchar) as {q}")
    target = sql.Identifier(schema, duck_table)
    pg_cur.execute(sql.SQL("create table {} ({})").format(target, sql.SQL(", ").join(defs)))
    csv = tmpdir / f"{duck_table}.csv"
    duck.execute(f"copy (select {', '.join(selects)} from \"{duck_table}\") to '{csv}' "
                 "(format csv, header false)")
    with pg_cur.copy(sql.SQL("copy {} from stdin (format csv)").format(target)) as copy, open(csv, "rb") as f:
        while chunk := f.read(1 << 20):
            copy.write(chunk)
    csv.unlink()
    table_comment = duck.execute(
        "select comment from duckdb_tables() where database_name = current_database() and table_name = ?",
        [duck_table]).fetchone()[0]
    if table_comment:
        pg_cur.execute(sql.SQL("comment on table {} is {}").format(target, sql.Literal(table_comment)))
    for name, _, comment in cols:
        if comment:
            pg_cur.execute(sql.SQL("comment on column {}.{} is {}").format(
                target, sql.Identifier(name), sql.Literal(comment)))
    pg_cur.execute(sql.SQL("select count(*) from {}").format(target))
    return pg_cur.fetchone()[0]


def stage(url: str, public_db: Path, restricted_db: Path) -> dict:
    """Build both staging schemas from the audited DuckDB files. Returns the handle swap() takes."""
    from psycopg import sql

    token = uuid.uuid4().hex[:12]
    handle = {"url": url, "schemas": {PUBLIC_SCHEMA: f"{PUBLIC_SCHEMA}{_STAGE}{token}",
                                      RESTRICTED_SCHEMA: f"{RESTRICTED_SCHEMA}{_STAGE}{token}"},
              "token": token, "counts": {}, "cleaned": []}
    conn = _connect(url)
    try:
        with conn.cursor() as cur, tempfile.TemporaryDirectory(prefix="sikkep-pg-") as tmp:
            handle["cleaned"] = _drop_leftovers(cur)
            _ensure_roles(cur)
            for live, db, readers in ((PUBLIC_SCHEMA, public_db, (PUBLIC_READER, RESTRICTED_READER)),
                                      (RESTRICTED_SCHEMA, restricted_db, (RESTRICTED_READER,))):
                schema = handle["schemas"][live]
                cur.execute(sql.SQL("create schema {}").format(sql.Identifier(schema)))
                duck = duckdb.connect(str(db), read_only=True)
                try:
                    for (table,) in duck.execute("show tables").fetchall():
                        n = _copy_file(duck, cur, table, schema, Path(tmp))
                        expected = duck.execute(f'select count(*) from "{table}"').fetchone()[0]
                        if n != expected:
                            raise PostgresPublishError(f"{live}.{table}: {n} rows staged, {expected} published")
                        handle["counts"][f"{live}.{table}"] = n
                finally:
                    duck.close()
                if live == PUBLIC_SCHEMA:
                    cur.execute(sql.SQL("comment on schema {} is {}").format(sql.Identifier(schema), sql.Literal(
                        "Publikasi SIKKEP: tabel agregat (tanpa data pribadi), sama dengan public.duckdb.")))
                else:
                    cur.execute(sql.SQL("comment on schema {} is {}").format(sql.Identifier(schema), sql.Literal(
                        "Publikasi SIKKEP terbatas: data by-name untuk tim kemiskinan (UU 27/2022), sama "
                        "dengan restricted.duckdb.")))
                for role in readers:
                    cur.execute(sql.SQL("grant usage on schema {} to {}").format(
                        sql.Identifier(schema), sql.Identifier(role)))
                    cur.execute(sql.SQL("grant select on all tables in schema {} to {}").format(
                        sql.Identifier(schema), sql.Identifier(role)))
    except PostgresPublishError:
        drop(handle, conn)
        raise
    except Exception as exc:
        drop(handle, conn)
        raise PostgresPublishError(f"PostgreSQL staging failed ({_reason(exc)})") from None
    finally:
        conn.close()
    return handle


def _swap_once(conn, handle: dict, wait: bool) -> None:
    from psycopg import sql

    with conn.transaction(), conn.cursor() as cur:
        cur.execute(f"set local lock_timeout = '{SWAP_LOCK_TIMEOUT}'")
        cur.execute("select pg_advisory_xact_lock(hashtext('sikkep publication swap'))")
        lives = list(handle["schemas"])
        cur.execute("select schemaname, tablename from pg_tables where schemaname = any(%s) order by 1, 2", [lives])
        old_tables = [sql.Identifier(s, n) for s, n in cur.fetchall()]
        if old_tables:
            # every live table at once, before any change: a reader's statement then sees all old or all new
            cur.execute(sql.SQL("lock table {} in access exclusive mode" + ("" if wait else " nowait")).format(
                sql.SQL(", ").join(old_tables)))
        for live, staged in handle["schemas"].items():
            old = f"{live}{_OLD}{handle['token']}"
            cur.execute("select 1 from pg_namespace where nspname = %s", [live])
            if cur.fetchone():
                cur.execute(sql.SQL("alter schema {} rename to {}").format(sql.Identifier(live), sql.Identifier(old)))
            cur.execute(sql.SQL("alter schema {} rename to {}").format(sql.Identifier(staged), sql.Identifier(live)))
            cur.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(old)))


def swap(handle: dict, patience_s: float = 60.0) -> None:
    """Put both staged schemas in place in one transaction (the previous ones are dropped in it).

    The swap takes the live tables' locks without waiting (NOWAIT) and tries again while a reader's
    statement holds one: waiting while holding some of them could deadlock with a reader that holds
    another. After `patience_s` it waits its turn (lock_timeout SWAP_LOCK_TIMEOUT)."""
    import psycopg

    conn = _connect(handle["url"])
    try:
        deadline = time.monotonic() + patience_s
        while True:
            try:
                _swap_once(conn, handle, wait=time.monotonic() > deadline)
                return
            except (psycopg.errors.LockNotAvailable, psycopg.errors.DeadlockDetected):
                if time.monotonic() > deadline + 1:
                    raise
                time.sleep(0.05)
    except Exception as exc:
        drop(handle, conn)
        raise PostgresPublishError(f"PostgreSQL swap failed, it keeps the previous publication ({_reason(exc)})"
                                   ) from None
    finally:
        conn.close()


def drop(handle: dict, conn=None) -> None:
    """Drop the staging schemas of `handle` (a publication held back, or a failed swap)."""
    from psycopg import sql

    own = conn is None or conn.closed
    try:
        conn = _connect(handle["url"]) if own else conn
        with conn.cursor() as cur:
            for staged in handle["schemas"].values():
                cur.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(staged)))
    except Exception:  # the next publish drops what is left (_drop_leftovers)
        pass
    finally:
        if own and conn is not None:
            conn.close()
