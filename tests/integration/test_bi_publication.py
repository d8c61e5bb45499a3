"""BI-ready publication (#15): BIGINT counts, a description on every public table and column (one source),
public.duckdb opened by a real DuckDB 1.x, ind_*_history over real publications, the reconnect rule.

Every publication here is made by publish() from a real dbt build of the marts and indicators."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from test_marts_build import built_db  # noqa: F401 - the real dbt build of marts and indicators (fixture)
from orchestration.publish import PUBLIC_TABLES, AuditFailed, PublishBlocked, publish
from orchestration.publish.comments import history_name, public_descriptions
from orchestration.publish.core import NEWEST_V1_STORAGE, storage_version_number

pytestmark = pytest.mark.slow
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DUCKDB1_PYTHON = PROJECT_ROOT / ".venv-duckdb1" / "bin" / "python"


def info(run_id: str, period: str, gates_pass: bool = True) -> dict:
    return {"run_id": run_id, "started_at": "2024-10-01T01:00:00",
            "extract_files": [{"path": f"dtks/{period}/dtks.csv", "sha256": "c" * 64, "period": period},
                              {"path": "pkh/2024-08/pkh.csv", "sha256": "d" * 64, "period": "2024-08"}],
            "gates": {"staging": True, "marts": gates_pass}}


@pytest.fixture
def env(tmp_path, built_db):
    build = tmp_path / "build.duckdb"
    shutil.copy(built_db, build)
    return {"build": build, "published": tmp_path / "published", "exports": tmp_path / "exports"}


def _pub(env, run_id, period, **kw):
    return publish(env["build"], env["published"], info(run_id, period, **kw), exports_dir=env["exports"])


def _rows(path: Path, sql: str, params=()):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_counts_are_bigint_in_the_file_and_the_exports(env):
    paths = _pub(env, "r1", "2024-09")
    types = _rows(paths["public"], "select table_name, column_name, data_type from duckdb_columns() "
                                   "where schema_name = 'main' and database_name = current_database()")
    tables = {t for t, _, _ in types}
    assert set(PUBLIC_TABLES) | {history_name(t) for t in PUBLIC_TABLES} | {"publication"} == tables
    assert not [r for r in types if r[2] in ("HUGEINT", "UHUGEINT") or r[2].startswith("DECIMAL")]
    assert ("ind_poverty_by_area", "households", "BIGINT") in types
    assert ("ind_program_overlap_history", "households_both", "BIGINT") in types
    for table in (*PUBLIC_TABLES, *(history_name(t) for t in PUBLIC_TABLES)):
        schema = pq.read_schema(env["exports"] / "public" / f"{table}.parquet")
        for field in schema:
            assert str(field.type) in ("string", "int64", "double", "bool", "int32"), (table, field)
    header, *lines = (env["exports"] / "public" / "ind_poverty_by_area.csv").read_text().splitlines()
    col = header.split(",").index("households")
    assert lines and all(line.split(",")[col].isdigit() for line in lines), lines[:3]


def test_every_public_table_and_column_is_described_from_one_source(env):
    paths = _pub(env, "r1", "2024-09")
    descriptions = public_descriptions()
    tables = dict(_rows(paths["public"], "select table_name, comment from duckdb_tables() "
                                         "where database_name = current_database()"))
    columns = _rows(paths["public"], "select table_name, column_name, comment from duckdb_columns() "
                                     "where schema_name = 'main' and database_name = current_database()")
    assert tables and columns
    for table, comment in tables.items():
        assert comment and comment == descriptions[table]["description"], table
    for table, column, comment in columns:
        assert comment and comment == descriptions[table]["columns"][column], (table, column)
    # the source: the dbt YAML of the model (Indonesian), the same text in the exports' metadata
    for table in (*PUBLIC_TABLES, *(history_name(t) for t in PUBLIC_TABLES)):
        meta = json.loads((env["exports"] / "public" / f"{table}.json").read_text(encoding="utf-8"))
        assert meta["description"] == tables[table]
        assert {c["name"]: c["description"] for c in meta["columns"]} == {
            c: d for t, c, d in columns if t == table}
    assert "Kemiskinan per wilayah" in tables["ind_poverty_by_area"]
    hist = {c: d for t, c, d in columns if t == "ind_data_quality_history"}
    assert hist["source_period"].startswith("Periode kiriman sumber") and hist["period"].startswith("Periode data")


def test_a_wide_count_or_an_undescribed_column_holds_the_publication_back(env):
    first = _pub(env, "r1", "2024-09")
    before = first["public"].read_bytes()
    con = duckdb.connect(str(env["build"]))
    con.execute("create or replace table indicators.ind_priority_gap as select * replace "
                "(cast(households_desil_1 as hugeint) as households_desil_1) from indicators.ind_priority_gap")
    con.close()
    with pytest.raises(AuditFailed, match=r"ind_priority_gap.households_desil_1: HUGEINT"):
        _pub(env, "r2", "2024-10")
    con = duckdb.connect(str(env["build"]))
    con.execute("create or replace table indicators.ind_priority_gap as select * replace "
                "(cast(households_desil_1 as bigint) as households_desil_1), 0::bigint as kolom_baru "
                "from indicators.ind_priority_gap")
    con.close()
    with pytest.raises(AuditFailed, match=r"without a description.*ind_priority_gap.kolom_baru"):
        _pub(env, "r3", "2024-10")
    assert first["public"].read_bytes() == before
    assert not [p for p in env["published"].iterdir() if p.name.startswith(".public")]


def test_duckdb_1x_reads_every_table(env):
    if not DUCKDB1_PYTHON.exists():  # CI (make test) always has it: there its absence is a failure
        (pytest.fail if os.environ.get("CI") else pytest.skip)(
            f"{DUCKDB1_PYTHON} missing: `make install` creates it from requirements-duckdb1.lock")
    paths = _pub(env, "r1", "2024-09")
    _pub(env, "r2", "2024-10")
    assert storage_version_number(paths["public"]) <= NEWEST_V1_STORAGE
    assert storage_version_number(paths["restricted"]) <= NEWEST_V1_STORAGE
    expected = {t: _rows(paths["public"], f'select (select count(*) from "{t}"), (select count(*) from (select distinct * from "{t}"))')[0]
                for (t,) in _rows(paths["public"], "show tables")}
    script = (
        "import duckdb, json, sys\n"
        "assert duckdb.__version__.startswith('1.'), duckdb.__version__\n"
        "out = {}\n"
        "for path in sys.argv[1:]:\n"
        "    con = duckdb.connect(path, read_only=True)\n"
        "    for (t,) in con.execute('show tables').fetchall():\n"
        "        rows = con.execute(f'select * from \"{t}\"').fetchall()\n"
        "        out[path + ':' + t] = [len(rows), len(set(rows))]\n"
        "    out[path + ':comments'] = con.execute(\"select count(*) from duckdb_columns() where comment is not null "
        "and database_name = current_database()\").fetchone()[0]\n"
        "    con.close()\n"
        "print(json.dumps(out))\n")
    done = subprocess.run([str(DUCKDB1_PYTHON), "-c", script, str(paths["public"]), str(paths["restricted"])],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout)
    pub = str(paths["public"])
    assert {k.split(":", 1)[1]: tuple(v) for k, v in got.items()
            if k.startswith(pub + ":") and not k.endswith(":comments")} == expected
    assert got[pub + ":comments"] > 100
    restricted = {k.split(":", 1)[1] for k in got if k.startswith(str(paths["restricted"]) + ":")}
    assert {"fct_household", "fct_person", "xref_source_record", "quarantine", "priority_list"} <= restricted


def test_the_superset_route_reflects_every_public_table_with_its_descriptions(env):
    """SQLAlchemy + duckdb-engine on DuckDB 1.x (what Superset uses) lists the tables, reflects their
    columns and comments, and queries them."""
    if not DUCKDB1_PYTHON.exists():
        (pytest.fail if os.environ.get("CI") else pytest.skip)(
            f"{DUCKDB1_PYTHON} missing: `make install` creates it from requirements-duckdb1.lock")
    paths = _pub(env, "r1", "2024-09")
    script = (
        "import json, sys, sqlalchemy as sa\n"
        "e = sa.create_engine('duckdb:///' + sys.argv[1], connect_args={'read_only': True})\n"
        "insp = sa.inspect(e)\n"
        "out = {}\n"
        "with e.connect() as con:\n"
        "    for t in insp.get_table_names():\n"
        "        cols = insp.get_columns(t)\n"
        "        n = con.execute(sa.text(f'select count(*) from \"{t}\"')).scalar()\n"
        "        out[t] = {'rows': n, 'comment': insp.get_table_comment(t)['text'],\n"
        "                  'columns': {c['name']: [str(c['type']), c.get('comment')] for c in cols}}\n"
        "print(json.dumps(out))\n")
    done = subprocess.run([str(DUCKDB1_PYTHON), "-c", script, str(paths["public"])],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout)
    descriptions = public_descriptions()
    assert set(got) == set(descriptions)
    for table, d in got.items():
        assert d["comment"] == descriptions[table]["description"]
        assert {c: v[1] for c, v in d["columns"].items()} == descriptions[table]["columns"], table
        assert d["rows"] == _rows(paths["public"], f'select count(*) from "{table}"')[0][0]
    assert got["ind_poverty_by_area"]["columns"]["households"][0] == "BIGINT"


def _history(path: Path, table: str):
    return _rows(path, f'select * exclude (run_id) from "{history_name(table)}" order by all')


def test_history_keeps_one_set_per_period_across_real_publications(env):
    first = _pub(env, "r1", "2024-09")
    rows_0924 = {t: _rows(first["public"], f'select * from "{t}" order by all') for t in PUBLIC_TABLES}
    # the next period's build differs (another refresh): the 2024-09 set must stay as it was published
    con = duckdb.connect(str(env["build"]))
    con.execute("update indicators.ind_poverty_by_area set households = households + 1000")
    con.close()
    second = _pub(env, "r2", "2024-10")
    for table in PUBLIC_TABLES:
        hist = _history(second["public"], table)
        current = _rows(second["public"], f'select * from "{table}" order by all')
        assert [r[1:] for r in hist if r[0] == "2024-09"] == rows_0924[table], table
        assert [r[1:] for r in hist if r[0] == "2024-10"] == current, table
        assert {r[0] for r in hist} == {"2024-09", "2024-10"}
    assert _rows(second["public"], "select distinct period, run_id from ind_priority_gap_history order by 1") == [
        ("2024-09", "r1"), ("2024-10", "r2")]
    trend = dict(_rows(second["public"], "select period, households from ind_poverty_by_area_history "
                                          "where level = 'kabupaten' order by 1"))
    assert trend["2024-10"] == trend["2024-09"] + 1000
    # the ind_* period column of data quality is the source's, kept as source_period
    assert _rows(second["public"], "select count(*) from ind_data_quality_history where source_period is null") == [(0,)]
    # a re-publication of 2024-10 replaces that period's set, the other stays
    con = duckdb.connect(str(env["build"]))
    con.execute("update indicators.ind_poverty_by_area set households = households + 1")
    con.close()
    third = _pub(env, "r3", "2024-10")
    assert _rows(third["public"], "select period, run_id, count(*) from ind_poverty_by_area_history "
                                  "group by all order by 1") == [("2024-09", "r1", 6), ("2024-10", "r3", 6)]
    trend = dict(_rows(third["public"], "select period, households from ind_poverty_by_area_history "
                                         "where level = 'kabupaten' order by 1"))
    assert trend["2024-10"] == trend["2024-09"] + 1001
    assert _rows(third["public"], "select period from publication where kind = 'run'") == [("2024-10",)]
    exported = json.loads((env["exports"] / "public" / "ind_poverty_by_area_history.json").read_text(encoding="utf-8"))
    assert exported["periods"] == ["2024-09", "2024-10"] and exported["rows"] == 12
    # a failed gate leaves the history (and everything else) as it was
    before = third["public"].read_bytes()
    with pytest.raises(PublishBlocked):
        _pub(env, "r4", "2024-11", gates_pass=False)
    assert third["public"].read_bytes() == before


def test_history_starts_from_a_publication_made_before_history_existed(env):
    first = _pub(env, "r1", "2024-09")
    con = duckdb.connect(str(first["public"]))  # make it look like a publication of the previous release
    for table in PUBLIC_TABLES:
        con.execute(f'drop table "{history_name(table)}"')
    con.execute("update publication set period = null where kind = 'run'")
    con.close()
    second = _pub(env, "r2", "2024-10")
    assert _rows(second["public"], "select period, run_id, count(*) from ind_priority_gap_history "
                                   "group by all order by 1") == [("2024-09", "r1", 6), ("2024-10", "r2", 6)]


def test_a_reader_keeping_its_connection_sees_the_new_publication_only_after_closing_it(env):
    """The rule docs/bi.md states: DuckDB caches a database per path in a process; after the swap a reader
    sees the new publication once every connection it holds to that path is closed."""
    first = _pub(env, "r1", "2024-09")
    old = duckdb.connect(str(first["public"]), read_only=True)
    try:
        _pub(env, "r2", "2024-10")
        assert old.execute("select run_id from publication where kind = 'run'").fetchone() == ("r1",)
        again = duckdb.connect(str(first["public"]), read_only=True)  # same process, old one still open
        assert again.execute("select run_id from publication where kind = 'run'").fetchone() == ("r1",)
        again.close()
    finally:
        old.close()
    fresh = duckdb.connect(str(first["public"]), read_only=True)
    try:
        assert fresh.execute("select run_id from publication where kind = 'run'").fetchone() == ("r2",)
    finally:
        fresh.close()


def test_history_carried_forward_is_audited_like_the_new_rows(env):
    """The history comes from the previous file: the audit of the new file covers it (no personal data
    enters the public zone through a carried row)."""
    first = _pub(env, "r1", "2024-09")
    con = duckdb.connect(str(first["public"]))
    con.execute("update ind_priority_gap_history set kode_wilayah = '1802210101800001' where level = 'desa'")
    con.close()
    before = first["public"].read_bytes()
    with pytest.raises(AuditFailed, match=r"ind_priority_gap_history.kode_wilayah: \d+ values holding a 16-digit"):
        _pub(env, "r2", "2024-10")
    assert first["public"].read_bytes() == before
