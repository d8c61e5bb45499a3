"""The province's ind_* tables, written from the attached kabupaten snapshots (catalogs k0, k1, ...).

Every kabupaten row (kabupaten, kecamatan, desa) is carried as published; a table without area columns
(ind_program_overlap, ind_data_quality) gets `level` 'kabupaten' and the kabupaten's `kode_wilayah` in
front; then one 'provinsi' row per key (program, period pair, source and period ...) from the
kabupaten-level rows by the rule of each column (rules.py).
"""
from __future__ import annotations

from ..publish.metadata import PUBLIC_TABLES
from .inputs import KabupatenInput, ProvinceError
from .rules import AREA, KEY, NOT_ADDITIVE, SUM, Ratio, missing_rules, rule

PROVINSI = "provinsi"
LEVEL_ORDER = "case level when 'provinsi' then 0 when 'kabupaten' then 1 when 'kecamatan' then 2 " \
              "when 'desa' then 3 else 4 end"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def table_order(tables) -> list[str]:
    known = [t for t in PUBLIC_TABLES if t in tables]
    return known + sorted(t for t in tables if t not in known)


def output_columns(columns: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The province table's columns: the kabupaten table's, with level and kode_wilayah in front when it has none."""
    names = [c for c, _ in columns]
    if "level" in names:
        return list(columns)
    return [("level", "VARCHAR"), ("kode_wilayah", "VARCHAR"), *columns]


def inputs_union(table: str, inputs: list[KabupatenInput], catalogs: list[str]) -> str:
    """Every input's rows of `table` with the province table's columns."""
    parts = []
    for inp, cat in zip(inputs, catalogs):
        names = [c for c, _ in inp.tables[table]]
        added = "" if "level" in names else f"'kabupaten' as level, {literal(inp.kode)} as kode_wilayah, "
        parts.append(f"select {added}* from {cat}.main.{ident(table)}")
    return "\nunion all by name\n".join(parts)


def province_rows(table: str, columns: list[tuple[str, str]], source: str, provinsi: str, nama: str) -> str:
    """One 'provinsi' row per key value from the 'kabupaten' rows of `source` (a subquery)."""
    keys = [c for c, _ in columns if rule(table, c) == KEY]
    sums = [c for c, _ in columns if rule(table, c) == SUM]
    group = f"group by {', '.join(ident(k) for k in keys)}" if keys else ""
    inner = ", ".join([*(ident(k) for k in keys), *(f"sum({ident(c)}) as {ident(c)}" for c in sums)]) or "1 as one"
    select = []
    for c, dtype in columns:
        r = rule(table, c)
        if c == "level":
            value = literal(PROVINSI)
        elif c == "kode_wilayah":
            value = literal(provinsi)
        elif c == "nama_wilayah":
            value = literal(nama)
        elif r in (KEY, SUM):
            value = ident(c)
        elif isinstance(r, Ratio):
            value = r.sql()
        elif r == NOT_ADDITIVE:
            value = "null"
        else:
            raise ProvinceError(f"{table}.{c}: rule {r!r} unknown")
        select.append(f"cast({value} as {dtype}) as {ident(c)}")
    return (f"select {', '.join(select)} from (select {inner} from ({source}) "
            f"where level = 'kabupaten' {group})")


def build(con, target: str, inputs: list[KabupatenInput], catalogs: list[str], provinsi: str, nama: str) -> dict[str, int]:
    """Creates every ind_* table of the inputs in catalog `target`; returns their row counts."""
    first = inputs[0]
    missing = missing_rules({t: [c for c, _ in output_columns(cols)] for t, cols in first.tables.items()})
    if missing:
        raise ProvinceError("no roll-up rule for " + ", ".join(missing)
                            + " (declare one in orchestration/province/rules.py: sum, key or a ratio)")
    counts = {}
    for table in table_order(first.tables):
        columns = output_columns(first.tables[table])
        names = ", ".join(ident(c) for c, _ in columns)
        keys = [c for c, _ in columns if rule(table, c) == KEY]
        union = inputs_union(table, inputs, catalogs)
        order = ", ".join([LEVEL_ORDER, "kode_wilayah", *(ident(k) for k in keys)])
        con.execute(
            f"create table {target}.main.{ident(table)} as "
            f"with u as ({union}) "
            f"select {names} from ("
            f"{province_rows(table, columns, 'select * from u', provinsi, nama)} "
            f"union all by name select {names} from u) order by {order}")
        counts[table] = con.execute(f"select count(*) from {target}.main.{ident(table)}").fetchone()[0]
    return counts
