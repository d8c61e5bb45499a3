"""The PostgreSQL publication against a real PostgreSQL server (Debian's, started here in a temporary
folder by orchestration/publish/pg_local.py; skipped, saying so, only when no server can be started).

Publications come from a real dbt build of the marts and indicators (test_marts_build)."""
from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import duckdb
import pytest

from test_marts_build import built_db  # noqa: F401 - the real dbt build of marts and indicators (fixture)
from orchestration.publish import PUBLIC_TABLES, PublishBlocked, PublishError, publish
from orchestration.publish import pg_local
from orchestration.publish.postgres import PUBLIC_READER, RESTRICTED_READER

psycopg = pytest.importorskip("psycopg")
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def pg_url(tmp_path_factory):
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="sikkep-pgtest-"))
    try:
        url = pg_local.start(folder, _free_port())
    except pg_local.NoPostgres as exc:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"no PostgreSQL server could be started here: {exc}")
    yield url
    pg_local.stop(folder)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def env(tmp_path, built_db, pg_url):
    build = tmp_path / "build.duckdb"
    shutil.copy(built_db, build)
    with psycopg.connect(pg_url, autocommit=True) as con:  # each test starts from an empty database
        for (schema,) in con.execute("select nspname from pg_namespace where nspname like 'sikkep%'").fetchall():
            con.execute(f'drop schema "{schema}" cascade')
    return {"build": build, "published": tmp_path / "published", "exports": tmp_path / "exports", "url": pg_url}


def info(run_id: str, period: str, gates_pass: bool = True) -> dict:
    return {"run_id": run_id, "started_at": "2024-10-01T01:00:00",
            "extract_files": [{"path": f"dtks/{period}/dtks.csv", "sha256": "c" * 64, "period": period}],
            "gates": {"staging": True, "marts": gates_pass}}


def _pub(env, run_id, period, **kw):
    return publish(env["build"], env["published"], info(run_id, period, kw.pop("gates_pass", True)),
                   exports_dir=env["exports"], postgres_url=env["url"], **kw)


def _pg(url, sql, params=()):
    with psycopg.connect(url, autocommit=True) as con:
        return con.execute(sql, params or None).fetchall()


def _norm(v):
    return round(v, 9) if isinstance(v, float) else v


def test_postgres_holds_the_same_tables_types_and_descriptions(env):
    paths = _pub(env, "r1", "2024-09")
    duck = duckdb.connect(str(paths["public"]), read_only=True)
    try:
        tables = [t for (t,) in duck.execute("show tables").fetchall()]
        pg_tables = {t for (t,) in _pg(env["url"], "select tablename from pg_tables where schemaname = 'sikkep_public'")}
        assert pg_tables == set(tables) and set(PUBLIC_TABLES) <= pg_tables
        for table in tables:
            cols = [c for (c,) in duck.execute(
                "select column_name from duckdb_columns() where table_name = ? order by column_index", [table]).fetchall()]
            order = ", ".join(f'"{c}"' for c in cols)
            want = sorted((tuple(map(_norm, r)) for r in duck.execute(f'select {order} from "{table}"').fetchall()),
                          key=repr)
            got = sorted((tuple(map(_norm, r)) for r in _pg(env["url"], f'select {order} from sikkep_public."{table}"')),
                         key=repr)
            assert got == want, table
        duck_comments = dict(((t, c), d) for t, c, d in duck.execute(
            "select table_name, column_name, comment from duckdb_columns() where database_name = current_database()"
        ).fetchall())
    finally:
        duck.close()
    pg_comments = dict(((t, c), d) for t, c, d in _pg(env["url"], """
        select c.relname, a.attname, col_description(c.oid, a.attnum) from pg_class c
        join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'sikkep_public'
        join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped where c.relkind = 'r'"""))
    assert pg_comments == duck_comments and all(pg_comments.values())
    assert _pg(env["url"], "select obj_description('sikkep_public.ind_poverty_by_area'::regclass)")[0][0].startswith(
        "Kemiskinan per wilayah")
    types = {t for (t,) in _pg(env["url"], "select distinct data_type from information_schema.columns "
                                            "where table_schema = 'sikkep_public'")}
    assert "numeric" not in types and "bigint" in types
    restricted = {t for (t,) in _pg(env["url"], "select tablename from pg_tables where schemaname = 'sikkep_restricted'")}
    assert {"fct_household", "fct_person", "xref_source_record", "quarantine", "priority_list", "publication"} == restricted
    assert _pg(env["url"], "select count(*) from sikkep_restricted.fct_person where nik is not null")[0][0] > 0


def test_restricted_schema_is_readable_only_by_its_role(env):
    _pub(env, "r1", "2024-09")
    url = env["url"]
    with psycopg.connect(url, autocommit=True) as con:
        for login, role in (("bi_analis", PUBLIC_READER), ("tim_kemiskinan", RESTRICTED_READER), ("orang_lain", None)):
            con.execute(f"drop role if exists {login}")
            con.execute(f"create role {login} login")
            if role:
                con.execute(f"grant {role} to {login}")
    as_user = lambda login: url.replace("postgresql://postgres@", f"postgresql://{login}@")  # noqa: E731
    assert _pg(as_user("bi_analis"), "select count(*) from sikkep_public.ind_poverty_by_area")[0][0] == 6
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _pg(as_user("bi_analis"), "select count(*) from sikkep_restricted.fct_person")
    assert _pg(as_user("tim_kemiskinan"), "select count(*) from sikkep_restricted.fct_person")[0][0] > 0
    assert _pg(as_user("tim_kemiskinan"), "select count(*) from sikkep_public.ind_priority_gap")[0][0] == 6
    for schema, table in (("sikkep_public", "ind_priority_gap"), ("sikkep_restricted", "fct_person")):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _pg(as_user("orang_lain"), f"select count(*) from {schema}.{table}")
    # the grants hold for the next publication's fresh tables too
    _pub(env, "r2", "2024-10")
    assert _pg(as_user("bi_analis"), "select count(*) from sikkep_public.ind_poverty_by_area_history")[0][0] == 12
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _pg(as_user("bi_analis"), "select count(*) from sikkep_restricted.quarantine")


def test_readers_see_one_whole_publication_at_every_moment(env):
    """A reader queries both schemas in a loop while three publications are swapped in; every answer is
    one publication's: the same run in public and restricted and that run's history rows."""
    _pub(env, "r0", "2024-06")
    expected = {"r0": 6}
    seen, errors, stop = [], [], threading.Event()
    query = ("select (select run_id from sikkep_public.publication where kind = 'run'), "
             "(select run_id from sikkep_restricted.publication where kind = 'run'), "
             "(select count(*) from sikkep_public.ind_poverty_by_area_history), "
             "(select count(distinct run_id) from sikkep_public.ind_program_coverage_history)")

    def reader():
        with psycopg.connect(env["url"], autocommit=True) as con:
            while not stop.is_set():
                try:
                    seen.append(con.execute(query).fetchone())
                except psycopg.Error as exc:  # noqa: PERF203
                    errors.append(repr(exc))

    t = threading.Thread(target=reader)
    t.start()
    try:
        for i, period in enumerate(("2024-07", "2024-08", "2024-09"), start=1):
            time.sleep(0.3)
            _pub(env, f"r{i}", period)
            expected[f"r{i}"] = 6 * (i + 1)
        time.sleep(0.3)
    finally:
        stop.set()
        t.join(timeout=60)
    assert not errors, errors[:3]
    runs = {s[0] for s in seen}
    assert len(seen) > 20 and {"r0", "r3"} <= runs
    for public_run, restricted_run, history_rows, history_runs in seen:
        assert public_run == restricted_run
        assert history_rows == expected[public_run]
        assert history_runs == int(public_run[1:]) + 1
    assert not _pg(env["url"], "select nspname from pg_namespace where nspname like 'sikkep%\\_\\_%'")


def test_a_failed_gate_or_a_failure_before_the_swap_never_touches_postgres(env):
    _pub(env, "r1", "2024-09")
    snapshot = _pg(env["url"], "select * from sikkep_public.publication order by kind, name")
    with pytest.raises(PublishBlocked):
        _pub(env, "r2", "2024-10", gates_pass=False)

    def boom(_):
        raise RuntimeError("killed before the swap")

    with pytest.raises(RuntimeError):
        _pub(env, "r3", "2024-10", _before_swap=boom)
    assert _pg(env["url"], "select * from sikkep_public.publication order by kind, name") == snapshot
    assert not _pg(env["url"], "select nspname from pg_namespace where nspname like 'sikkep%\\_\\_%'")
    # a staging schema a killed publish left behind is dropped by the next publish
    with psycopg.connect(env["url"], autocommit=True) as con:
        con.execute("create schema sikkep_public__stage_deadbeef")
    lines = []
    publish(env["build"], env["published"], info("r4", "2024-10"), exports_dir=env["exports"],
            postgres_url=env["url"], report=lines.append)
    assert any("sikkep_public__stage_deadbeef" in line for line in lines)
    assert _pg(env["url"], "select run_id from sikkep_public.publication where kind = 'run'") == [("r4",)]


def test_an_unreachable_postgres_holds_the_whole_publication_back(env, tmp_path):
    first = publish(env["build"], env["published"], info("r1", "2024-09"), exports_dir=env["exports"])
    before = first["public"].read_bytes()
    bad = f"postgresql://postgres@/sikkep?host={tmp_path}&port=1"
    with pytest.raises(PublishError, match="PostgreSQL publication unreachable"):
        publish(env["build"], env["published"], info("r2", "2024-10"), exports_dir=env["exports"], postgres_url=bad)
    assert first["public"].read_bytes() == before


def test_the_dagster_publication_asset_publishes_to_postgres_when_configured(env, sikkep_env, monkeypatch):
    """SIKKEP_PUBLISH_POSTGRES goes from the environment through settings.py and the warehouse resource
    to the publication asset of a real Dagster run."""
    import dagster as dg

    from orchestration.defs.publish.assets import publication
    from orchestration.instance import ensure_dagster_home
    from orchestration.resources import WarehouseResource
    from orchestration.settings import get_settings

    _, wh = sikkep_env
    (wh / "build").mkdir(parents=True)
    shutil.copy(env["build"], wh / "build" / "sikkep.duckdb")
    monkeypatch.setenv("SIKKEP_PUBLISH_POSTGRES", env["url"])
    ensure_dagster_home(get_settings())
    with dg.DagsterInstance.get() as instance:
        result = dg.materialize([publication], instance=instance, resources={"warehouse": WarehouseResource()},
                                raise_on_error=False)
    assert result.success
    run_id = result.run_id
    assert _pg(env["url"], "select run_id from sikkep_public.publication where kind = 'run'") == [(run_id,)]
    assert _pg(env["url"], "select run_id from sikkep_restricted.publication where kind = 'run'") == [(run_id,)]
    # the public publication table names the run's extract files (raw.file_manifest of the build)
    assert _pg(env["url"], "select count(*) from sikkep_public.publication where kind = 'extract_file'")[0][0] > 0
    meta = result.asset_materializations_for_node("published__publication")[0].metadata
    assert meta["postgres"].value == "sikkep_public, sikkep_restricted" and env["url"] not in str(meta)
