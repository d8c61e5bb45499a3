"""The kabupaten publications a province roll-up reads: found, snapshotted, checked.

Only public.duckdb is ever opened: `--from DIR` names a kabupaten warehouse (DIR/published/public.duckdb),
its published folder (DIR/public.duckdb) or the file itself; a path to anything else is refused, so the
by-name restricted.duckdb is never read. Each input is first copied (one read of one inode: a kabupaten
publishing meanwhile swaps a new file in beside it) and every check and the roll-up read that snapshot.

An input is refused (the whole roll-up stops, the last province publication stays) when it is not a
SIKKEP public publication, holds a table that is not public, is not audit-clean (a failed gate in its
publication, a personal column or a 16-digit number, a count of a 128-bit type, an undescribed column),
is incomplete (a public table of this SIKKEP version missing, or a table with another row count than its
publication lists), names not
exactly one kabupaten, or names a kabupaten outside the province's reference or one given twice.
"""
from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from ..publish.comments import HISTORY_SUFFIX
from ..publish.core import PUBLIC_DB, RESTRICTED_DB, check_public_shape, scan_for_personal_data
from ..publish.metadata import PUBLIC_TABLES


class ProvinceError(RuntimeError):
    """The province roll-up did not publish; the last province publication is untouched."""


@dataclass
class KabupatenInput:
    given: str                    # the --from argument as given
    path: Path                    # the kabupaten's public.duckdb
    snapshot: Path                # the copy every check and the roll-up read
    kode: str = ""
    run_id: str | None = None
    period: str | None = None
    published_at: datetime | None = None
    sha256: str = ""
    tables: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # ind_* -> [(column, type)]


def public_db_of(given: str) -> Path:
    """The public.duckdb a --from argument names (never another file)."""
    p = Path(given).expanduser().resolve()
    for candidate in (p / "published" / PUBLIC_DB, p / PUBLIC_DB, p):
        if candidate.name == PUBLIC_DB and candidate.is_file():
            return candidate
    if p.name == RESTRICTED_DB or (p / RESTRICTED_DB).exists() and not (p / PUBLIC_DB).exists():
        raise ProvinceError(f"{given}: only a kabupaten's public.duckdb is read (aggregates), never restricted.duckdb")
    raise ProvinceError(f"{given}: no kabupaten publication there (looked for published/{PUBLIC_DB} and {PUBLIC_DB}); "
                        "give a kabupaten warehouse folder, its published/ folder or its public.duckdb")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def snapshot(given: str, target: Path) -> KabupatenInput:
    path = public_db_of(given)
    shutil.copyfile(path, target)
    return KabupatenInput(given=given, path=path, snapshot=target, sha256=_sha256(target))


def is_indicator(table: str) -> bool:
    return table.startswith("ind_") and not table.endswith(HISTORY_SUFFIX)


def _allowed(table: str) -> bool:
    return table == "publication" or table.startswith("ind_")


def read_and_check(inp: KabupatenInput) -> list[str]:
    """Fills in the input's kabupaten, run, period and tables; returns its problems (empty: usable)."""
    problems: list[str] = []
    try:
        con = duckdb.connect(str(inp.snapshot), read_only=True)
    except duckdb.Error as exc:
        return [f"{inp.given}: {inp.path.name} cannot be opened ({type(exc).__name__})"]
    try:
        tables = [r[0] for r in con.execute(
            "select table_name from duckdb_tables() where database_name = current_database() "
            "and schema_name = 'main' order by 1").fetchall()]
        foreign = [t for t in tables if not _allowed(t)]
        if foreign:
            # never read on: a table that is not public may hold by-name data
            return [f"{inp.given}: holds tables that are not public indicators ({', '.join(foreign)}); "
                    "only a kabupaten's public publication is rolled up"]
        if "publication" not in tables or "ind_poverty_by_area" not in tables:
            return [f"{inp.given}: not a SIKKEP public publication (no publication or ind_poverty_by_area table)"]
        runs = con.execute("select run_id, period, published_at from publication where kind = 'run'").fetchall()
        if len(runs) != 1:
            return [f"{inp.given}: its publication has {len(runs)} run rows, expected 1"]
        inp.run_id, inp.period, inp.published_at = runs[0]
        if not inp.period:
            inp.period = con.execute("select max(period) from publication where kind = 'extract_file'").fetchone()[0]
        failed = [r[0] for r in con.execute(
            "select name from publication where kind = 'gate' and status <> 'passed' order by 1").fetchall()]
        if failed:
            problems.append(f"{inp.given}: its publication lists failed gates ({', '.join(failed)})")
        listed = dict(con.execute("select name, row_count from publication where kind = 'table'").fetchall())
        for name, n in sorted(listed.items()):
            if name not in tables:
                problems.append(f"{inp.given}: table {name} listed in its publication is missing")
            elif con.execute(f'select count(*) from "{name}"').fetchone()[0] != n:
                problems.append(f"{inp.given}: table {name} does not hold the {n} rows its publication lists")
        lacking = [t for t in PUBLIC_TABLES if t not in tables]
        if lacking:
            problems.append(f"{inp.given}: lacks public tables {', '.join(lacking)} (published by another SIKKEP "
                            "version? refresh it with this one)")
        unknown = [t for t in tables if is_indicator(t) and t not in PUBLIC_TABLES]
        if unknown:
            problems.append(f"{inp.given}: publishes tables this SIKKEP version does not know ({', '.join(unknown)}): "
                            "roll up with the kabupaten's version")
        unlisted = [t for t in tables if is_indicator(t) and t not in listed]
        if unlisted:
            problems.append(f"{inp.given}: tables not listed in its publication ({', '.join(unlisted)})")
        problems += [f"{inp.given}: {p}" for p in scan_for_personal_data(con)]
        problems += [f"{inp.given}: {p}" for p in check_public_shape(con)]
        kab = [r[0] for r in con.execute(
            "select distinct kode_wilayah from ind_poverty_by_area where level = 'kabupaten'").fetchall()]
        if len(kab) != 1:
            problems.append(f"{inp.given}: ind_poverty_by_area has {len(kab)} kabupaten rows, expected 1")
        else:
            inp.kode = kab[0]
        for t in tables:
            if is_indicator(t):
                inp.tables[t] = [tuple(r) for r in con.execute(
                    "select column_name, data_type from duckdb_columns() where database_name = current_database() "
                    "and schema_name = 'main' and table_name = ? order by column_index", [t]).fetchall()]
    finally:
        con.close()
    return problems


def check_set(inputs: list[KabupatenInput], provinsi: str, kabupaten_names: dict[str, str]) -> list[str]:
    """Problems of the set of inputs: a kabupaten twice, one outside the province, tables or columns that
    differ (a roll-up of publications of different contract versions would sum some columns partially)."""
    problems = []
    by_kode: dict[str, list[str]] = {}
    for inp in inputs:
        by_kode.setdefault(inp.kode, []).append(inp.given)
    for kode, given in sorted(by_kode.items()):
        if len(given) > 1:
            problems.append(f"kabupaten {kode} given {len(given)} times ({', '.join(given)}): give each once")
        if kode not in kabupaten_names:
            problems.append(f"{given[0]}: kabupaten {kode} is not a kabupaten or kota of province {provinsi} "
                            "(Kemendagri reference, dbt_project/seeds/dim_wilayah.csv)")
    first = inputs[0]
    for inp in inputs[1:]:
        if set(inp.tables) != set(first.tables):
            diff = sorted(set(inp.tables) ^ set(first.tables))
            problems.append(f"{inp.given} and {first.given} publish different tables ({', '.join(diff)}): "
                            "refresh both with the same SIKKEP version")
            continue
        for t in sorted(first.tables):
            a, b = dict(first.tables[t]), dict(inp.tables[t])
            if a != b:
                diff = sorted(set(a.items()) ^ set(b.items()))
                problems.append(f"{inp.given} and {first.given}: {t} has different columns "
                                f"({', '.join(f'{c} {ty}' for c, ty in diff)}): refresh both with the same SIKKEP version")
    return problems
