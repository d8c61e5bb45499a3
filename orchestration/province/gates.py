"""The province roll-up's own gates, run on the written tables before anything is published.

levels_add_up          every 'provinsi' value is the sum of the 'kabupaten' rows (per key) or its ratio
                       recomputed from the row's own sums; every kabupaten row of every input is in the
                       province table unchanged, and nothing else is
rules_reproduce_inputs every ratio rule gives back each input's own published percentages (a rule that
                       does not match the dbt model's formula would publish wrong province figures)
"""
from __future__ import annotations

from .inputs import KabupatenInput
from .rollup import ident, inputs_union, output_columns
from .rules import KEY, SUM, Ratio, rule

# percentages are published rounded to 4 decimals: a recomputation differs by float noise at most
TOLERANCE = 1e-6


def _differs(a: str, b: str) -> str:
    return f"(({a}) is null) <> (({b}) is null) or abs(({a}) - ({b})) > {TOLERANCE}"


def levels_add_up(con, target: str, inputs: list[KabupatenInput], catalogs: list[str]) -> list[str]:
    problems = []
    for table, cols in inputs[0].tables.items():
        columns = output_columns(cols)
        t = f"{target}.main.{ident(table)}"
        keys = [c for c, _ in columns if rule(table, c) == KEY]
        join = " and ".join(f"k.{ident(k)} is not distinct from p.{ident(k)}" for k in keys) or "true"
        kgroup = f"group by {', '.join(ident(k) for k in keys)}" if keys else ""
        kcols = ", ".join([*(ident(k) for k in keys), "count(*) as n_kab"]
                          + [f"sum({ident(c)}) as {ident(c)}" for c, _ in columns if rule(table, c) == SUM])
        provinsi = con.execute(f"select count(*) from {t} where level = 'provinsi'").fetchone()[0]
        groups = con.execute(f"select count(*) from (select 1 from {t} where level = 'kabupaten' {kgroup})").fetchone()[0]
        groups = groups if keys else min(groups, 1)  # no key: one provinsi row over every kabupaten row
        if provinsi != groups:
            problems.append(f"{table}: {provinsi} provinsi rows for {groups} key values of the kabupaten rows")
        for c, _ in columns:
            r = rule(table, c)
            if r == SUM:
                bad = f"k.{ident(c)} is distinct from p.{ident(c)}"
            elif isinstance(r, Ratio):
                bad = _differs(r.sql(lambda x: f"p.{ident(x)}"), f"p.{ident(c)}")
            else:
                continue
            n = con.execute(
                f"select count(*) from (select {kcols} from {t} where level = 'kabupaten' {kgroup}) as k "
                f"full join (select * from {t} where level = 'provinsi') as p on {join} where {bad}").fetchone()[0]
            if n:
                problems.append(f"{table}.{c}: {n} provinsi rows do not add up from the kabupaten rows")
        names = ", ".join(ident(c) for c, _ in columns)
        union = inputs_union(table, inputs, catalogs)
        for a, b, what in ((f"select {names} from ({union})", f"select {names} from {t} where level <> 'provinsi'",
                            "kabupaten rows missing or changed"),
                           (f"select {names} from {t} where level <> 'provinsi'", f"select {names} from ({union})",
                            "rows in no kabupaten publication")):
            n = con.execute(f"select count(*) from ({a} except all {b})").fetchone()[0]
            if n:
                problems.append(f"{table}: {n} {what}")
    return problems


def rules_reproduce_inputs(con, inputs: list[KabupatenInput], catalogs: list[str]) -> list[str]:
    problems = []
    for inp, cat in zip(inputs, catalogs):
        for table, cols in inp.tables.items():
            for c, _ in cols:
                r = rule(table, c)
                if not isinstance(r, Ratio):
                    continue
                n = con.execute(f"select count(*) from {cat}.main.{ident(table)} "
                                f"where {_differs(r.sql(), ident(c))}").fetchone()[0]
                if n:
                    problems.append(f"{inp.kode} {table}.{c}: {n} published values the roll-up formula "
                                    f"100 x ({r.numerator}) / ({r.denominator}) does not reproduce")
    return problems
