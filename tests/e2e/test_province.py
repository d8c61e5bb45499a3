"""#16 item 2: the province roll-up (`sikkep province --from DIR ...`) of the real publications of two whole
refreshes (Lampung Barat 18.04 and Bandar Lampung 18.71, shared with test_other_kabupaten.py through
tests/e2e/conftest.py): province figures read back equal the sums and recomputed percentages of the inputs
read back, every kabupaten row is carried, the 13 kabupaten/kota of Lampung that did not deliver are named,
no by-name data is in the output, refusals and failed gates keep the last province publication."""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.province import ProvinceBlocked, ProvinceError, publish_province
from orchestration.publish.core import check_public_shape
from test_other_kabupaten import CASES

pytestmark = pytest.mark.slow
SIKKEP = Path(sys.executable).parent / "sikkep"
# the contract's percentages (design.md, the dbt models): numerator and denominator, 4 decimals
PERCENTAGES = {
    "ind_poverty_by_area": {"extreme_poverty_pct": (lambda r: r["persons_desil_1"], "penduduk")},
    "ind_program_coverage": {
        "coverage_desil_1_pct": (lambda r: r["recipient_households_desil_1"], "households_desil_1"),
        "exclusion_error_desil_1_pct": (lambda r: r["households_desil_1"] - r["recipient_households_desil_1"],
                                        "households_desil_1"),
        "inclusion_error_desil_1_4_pct": (lambda r: r["recipient_households"] - r["recipient_households_desil_1_4"],
                                          "recipient_households"),
        "coverage_eligible_pct": (lambda r: r["recipient_households_eligible"], "households_eligible"),
        "exclusion_error_eligible_pct": (lambda r: r["households_eligible"] - r["recipient_households_eligible"],
                                         "households_eligible"),
        "inclusion_error_eligible_pct": (lambda r: r["recipient_households"] - r["recipient_households_eligible"],
                                         "recipient_households"),
    },
    "ind_program_budget": {"share_desil_1_pct": (lambda r: r["rupiah_desil_1"], "rupiah_total")},
    # rows_linked is NULL for an aggregate source (no person rows): so is linked_pct
    "ind_data_quality": {"linked_pct": (lambda r: r["rows_linked"], "rows_received")},
}
NOT_RECOMPUTABLE = {("ind_data_quality", "nik_valid_pct")}  # its numerator and denominator are not published


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rows(path: Path, table: str) -> list[dict]:
    with duckdb.connect(str(path), read_only=True) as con:
        cur = con.execute(f'select * from "{table}"')
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]


def column_types(path: Path, table: str) -> dict[str, str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return dict(con.execute("select column_name, data_type from duckdb_columns() where table_name = ?",
                                [table]).fetchall())


@pytest.fixture(scope="module")
def kabupaten(kabupaten_warehouse):
    out = {}
    for kode, _, households in CASES:
        base, refresh = kabupaten_warehouse(kode, households)
        assert refresh.returncode == 0, refresh.stdout[-3000:] + refresh.stderr[-3000:]
        out[kode] = base / "warehouse"
    return out


@pytest.fixture(scope="module")
def province(kabupaten, tmp_path_factory):
    out = tmp_path_factory.mktemp("province")
    done = subprocess.run([str(SIKKEP), "province", "--from", *map(str, kabupaten.values()), "--provinsi", "18",
                           "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return out, done.stdout


def test_province_figures_are_the_sums_and_recomputed_percentages_of_the_kabupaten(kabupaten, province):
    out, _ = province
    prov = out / "published" / "public.duckdb"
    inputs = {k: w / "published" / "public.duckdb" for k, w in kabupaten.items()}
    with duckdb.connect(str(inputs["18.04"]), read_only=True) as con:
        tables = [r[0] for r in con.execute("select table_name from duckdb_tables() where table_name like 'ind_%' "
                                            "and table_name not like '%_history'").fetchall()]
    assert {"ind_poverty_by_area", "ind_program_coverage", "ind_program_overlap", "ind_priority_gap",
            "ind_graduation", "ind_data_quality"} <= set(tables)
    for table in tables:
        types = column_types(inputs["18.04"], table)
        has_area = "level" in types
        pct = PERCENTAGES.get(table, {})
        counts = [c for c, t in types.items() if t == "BIGINT"]
        keys = [c for c, t in types.items() if t == "VARCHAR" and c not in ("level", "kode_wilayah", "nama_wilayah")]
        expected: dict[tuple, dict] = {}
        carried = []
        for kode, path in inputs.items():
            for r in rows(path, table):
                carried.append({**({} if has_area else {"level": "kabupaten", "kode_wilayah": kode}), **r})
                if has_area and r["level"] != "kabupaten":
                    continue
                e = expected.setdefault(tuple(r[k] for k in keys), {c: None for c in counts})
                for c in counts:
                    if r[c] is not None:
                        e[c] = (e[c] or 0) + r[c]
        got = rows(prov, table)
        provinsi = {tuple(r[k] for k in keys): r for r in got if r["level"] == "provinsi"}
        assert set(provinsi) == set(expected), table
        for key, e in expected.items():
            p = provinsi[key]
            assert p["kode_wilayah"] == "18" and p.get("nama_wilayah", "Lampung") == "Lampung"
            assert {c: p[c] for c in counts} == e, (table, key)
            for column, (numerator, denominator) in pct.items():
                try:
                    den, num = p[denominator], numerator(p)
                except TypeError:  # a NULL count (no eligibility rule, no benefit value): a NULL percentage
                    den, num = p[denominator], None
                want = None if not den or num is None else 100.0 * num / den
                if want is None:
                    assert p[column] is None, (table, column, key)
                else:  # published rounded to 4 decimals
                    assert p[column] == pytest.approx(want, abs=5.1e-5), (table, column, key)
            for t, column in NOT_RECOMPUTABLE:
                if t == table:
                    assert p[column] is None
        # every kabupaten row is there unchanged, nothing else but the provinsi rows
        others = sorted((r for r in got if r["level"] != "provinsi"), key=repr)
        assert others == sorted(carried, key=repr), table
        # every column of the kabupaten table, with the same type (counts BIGINT)
        assert {c: t for c, t in column_types(prov, table).items() if c in types} == types
    # something real was rolled up: two kabupaten's households in the province row
    area = {r["kode_wilayah"]: r for r in rows(prov, "ind_poverty_by_area") if r["level"] in ("provinsi", "kabupaten")}
    assert area["18"]["households"] == area["18.04"]["households"] + area["18.71"]["households"] > 0


def test_publication_lists_every_kabupaten_run_and_period_and_names_the_missing(kabupaten, province):
    out, stdout = province
    prov = out / "published" / "public.duckdb"
    pub = rows(prov, "publication")
    delivered = {r["kode_wilayah"]: r for r in pub if r["kind"] == "kabupaten" and r["status"] == "delivered"}
    missing = {r["kode_wilayah"]: r["name"] for r in pub if r["kind"] == "kabupaten" and r["status"] == "missing"}
    for kode, warehouse in kabupaten.items():
        run = [r for r in rows(warehouse / "published" / "public.duckdb", "publication") if r["kind"] == "run"][0]
        assert (delivered[kode]["source_run_id"], delivered[kode]["period"]) == (run["run_id"], run["period"])
    # Lampung has 13 kabupaten and 2 kota (the Kemendagri reference): the 13 not given are named
    assert len(missing) == 13 and "18.02" in missing and missing["18.72"] == "Kota Metro"
    assert "Kabupaten Lampung Tengah" in stdout and "Not delivered (13" in stdout
    check = [r for r in pub if r["kind"] == "check"][0]
    assert check["status"] == "same"
    assert {r["name"] for r in pub if r["kind"] == "gate" and r["status"] == "passed"} >= {
        "levels_add_up", "rules_reproduce_inputs", "inputs_audit_clean"}
    with duckdb.connect(str(prov), read_only=True) as con:
        assert check_public_shape(con) == []  # BIGINT counts, every table and column described
    meta = json.loads((out / "exports" / "public" / "ind_poverty_by_area.json").read_text(encoding="utf-8"))
    assert meta["description"].startswith("Publikasi provinsi") and meta["area_level"][0] == "provinsi"
    assert [k["kode_wilayah"] for k in meta["kabupaten_missing"]][:2] == ["18.01", "18.02"]
    assert (out / "exports" / "public" / "ind_program_coverage.parquet").exists()


def test_no_by_name_data_in_the_province_publication(kabupaten, province):
    out, _ = province
    names, niks = set(), set()
    for warehouse in kabupaten.values():  # the test reads the by-name files; the roll-up never does
        with duckdb.connect(str(warehouse / "published" / "restricted.duckdb"), read_only=True) as con:
            names |= {r[0].upper() for r in con.execute("select distinct nama from fct_person where nama is not null "
                                                         "and length(nama) >= 6").fetchall()}
            niks |= {r[0] for r in con.execute("select distinct nik from fct_person where nik is not null").fetchall()}
    prov = out / "published" / "public.duckdb"
    with duckdb.connect(str(prov), read_only=True) as con:
        tables = [r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()]
        assert all(t == "publication" or t.startswith("ind_") for t in tables), tables
        values = {str(v).upper() for t in tables for r in con.execute(f'select * from "{t}"').fetchall()
                  for v in r if v is not None}
    exported = "\n".join(p.read_text(encoding="utf-8") for p in (out / "exports" / "public").glob("*.csv"))
    assert names and not (values & names)
    assert not any(re.search(r"(?<!\d)\d{16}(?!\d)", v) for v in values if not re.fullmatch(r"[0-9A-F]{64}", v))
    assert not any(nik in exported for nik in niks)
    assert not (out / "exports" / "restricted").exists()


def _altered(warehouse: Path, tmp: Path, name: str, *statements: str) -> Path:
    """A copy of a kabupaten's real public.duckdb with `statements` run on it (a malformed input)."""
    target = tmp / name / "published"
    target.mkdir(parents=True)
    shutil.copy(warehouse / "published" / "public.duckdb", target / "public.duckdb")
    with duckdb.connect(str(target / "public.duckdb")) as con:
        for statement in statements:
            con.execute(statement)
    return target / "public.duckdb"


def test_refusals_and_failed_gates_keep_the_last_province_publication(kabupaten, tmp_path):
    out = tmp_path / "province"
    first = publish_province([str(w) for w in kabupaten.values()], out, "18")
    published = out / "published" / "public.duckdb"
    before = digest(published)
    w04, w71 = kabupaten["18.04"], kabupaten["18.71"]

    refused = {
        "given 2 times": [str(w04), str(w04 / "published"), str(w71)],
        "not a kabupaten or kota of province 17": None,
        "never restricted.duckdb": [str(w04 / "published" / "restricted.duckdb")],
    }
    for message, sources in refused.items():
        with pytest.raises(ProvinceError, match=message):
            publish_province(sources or [str(w04)], out, "17" if sources is None else "18")
    # an input that holds a by-name table is refused before anything of it is read on (a malformed input)
    bad = _altered(w04, tmp_path, "byname", "create table fct_person as select 'SITI AMINAH' as nama")
    with pytest.raises(ProvinceError, match="not public indicators"):
        publish_province([str(bad), str(w71)], out, "18")
    # an input of another SIKKEP version (a public table missing) is refused by name
    older = _altered(w04, tmp_path, "older", "drop table ind_graduation",
                     "delete from publication where kind = 'table' and name = 'ind_graduation'")
    with pytest.raises(ProvinceError, match="lacks public tables ind_graduation"):
        publish_province([str(older), str(w71)], out, "18")
    # a province gate fails: an input whose published percentage its own counts do not give
    tampered = _altered(w04, tmp_path, "tampered",
                        "update ind_program_coverage set coverage_desil_1_pct = 99.9 where level = 'kabupaten'")
    with pytest.raises(ProvinceBlocked, match="rules_reproduce_inputs"):
        publish_province([str(tampered), str(w71)], out, "18")
    # a crash just before the swap (after write, gates, audit and exports)
    def crash(_):
        raise RuntimeError("killed before the swap")
    with pytest.raises(RuntimeError, match="killed"):
        publish_province([str(w04), str(w71)], out, "18", _before_swap=crash)
    assert digest(published) == before
    assert [p.name for p in (out / "published").iterdir() if p.name.startswith(".") and ".tmp-" in p.name] == []
    meta = json.loads((out / "exports" / "public" / "ind_poverty_by_area.json").read_text(encoding="utf-8"))
    assert meta["run_id"] == first["run_id"]

    # mixed periods are published and reported (a copy whose publication names an earlier period)
    earlier = _altered(w04, tmp_path, "earlier", "update publication set period = '2024-12' where kind = 'run'")
    second = publish_province([str(earlier), str(w71)], out, "18")
    assert second["mixed_periods"] and digest(published) != before
    check = [r for r in rows(published, "publication") if r["kind"] == "check"][0]
    assert check["status"] == "mixed" and "18.04 2024-12" in check["detail"]
    # the history keeps one set per province period (carried from the last province publication)
    hist = {r["period"] for r in rows(published, "ind_poverty_by_area_history")}
    assert hist == {first["period"]} | {second["period"]}


def test_a_roll_up_killed_before_its_swap_is_cleaned_by_the_next(kabupaten, tmp_path):
    out = tmp_path / "province"
    sources = [str(w) for w in kabupaten.values()]
    publish_province(sources, out, "18")
    before = digest(out / "published" / "public.duckdb")
    killed = subprocess.run([sys.executable, "-c", (
        "import os, signal, sys\n"
        "from orchestration.province import publish_province\n"
        "publish_province(sys.argv[2:], sys.argv[1], '18', _before_swap=lambda _: os.kill(os.getpid(), signal.SIGKILL))\n"),
        str(out), *sources], capture_output=True, text=True, timeout=300)
    assert killed.returncode == -9, killed.stderr[-2000:]
    left = [p.name for p in (out / "published").iterdir() if ".tmp-" in p.name]
    assert any(n.startswith(".public.duckdb") for n in left) and any(n.startswith(".input-") for n in left), left
    assert digest(out / "published" / "public.duckdb") == before
    cleaned = []
    publish_province(sources, out, "18", report=cleaned.append)
    assert len(cleaned) >= len(left) and not [p for p in (out / "published").iterdir() if ".tmp-" in p.name]
    assert not list(tmp_path.glob(".exports.tmp-*")) and not list(out.glob(".exports.tmp-*"))
