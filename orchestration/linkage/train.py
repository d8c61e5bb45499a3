"""Training the person-linkage model (run rarely; the nightly run only predicts and clusters).

``train_model(con, records_table, out_path)`` estimates

- the prior (probability two random records match) from deterministic rules,
- u probabilities by random sampling (seeded: reproducible),
- m probabilities from a truth column when the records carry one (``label_column``, e.g. the
  synthetic answer key's person), otherwise by expectation maximisation on two blocking passes
  (NIK exact: trains the non-NIK comparisons; birth date + first name: trains the NIK levels).

and writes the Splink model JSON (commit it at ``orchestration/linkage/model.json``).
"""
from __future__ import annotations

import json
from pathlib import Path

import duckdb

from orchestration.linkage.model_settings import BLOCKING_RULES, DETERMINISTIC_RULES, base_settings
from orchestration.linkage.splink_io import feature_table, records_sql, splink_connection


def train_model(
    con: duckdb.DuckDBPyConnection,
    records_table="intermediate.int_person_records",
    out_path: str | Path | None = None,
    *,
    label_column: str | None = None,
    seed: int = 42,
    max_pairs: float = 2e7,
    deterministic_recall: float = 0.85,
) -> dict:
    """Train on ``records_table`` (table name or relation in ``con``); return the model dict and
    write it to ``out_path`` when given."""
    from splink import DuckDBAPI, Linker

    feats = feature_table(con, records_table)
    if label_column:
        src = records_sql(con, records_table)
        labels = con.sql(
            f"SELECT CAST(record_id AS VARCHAR) AS unique_id, CAST({label_column} AS VARCHAR) AS __label FROM {src}"
        ).fetch_arrow_table()
    scon = splink_connection()
    scon.register("__feats", feats)
    if label_column:
        scon.register("__labels", labels)
        scon.execute(
            "CREATE TABLE person_records AS SELECT f.*, l.__label FROM __feats f JOIN __labels l USING (unique_id)"
        )
    else:
        scon.execute("CREATE TABLE person_records AS SELECT * FROM __feats")
    db_api = DuckDBAPI(scon)
    sdf = db_api.register("person_records", table_name="person_records_in")
    linker = Linker(sdf, base_settings(), log_level=None)
    if label_column:
        model = _calibrate_on_blocked_pairs(scon, base_settings())
        scon.close()
        return _write(_finalise(model), out_path)
    linker.training.estimate_probability_two_random_records_match(
        DETERMINISTIC_RULES, recall=deterministic_recall
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    if True:
        linker.training.estimate_parameters_using_expectation_maximisation(
            "l.nik = r.nik AND NOT l.nik_suspect AND NOT r.nik_suspect"
        )
        linker.training.estimate_parameters_using_expectation_maximisation(
            "l.dob = r.dob AND l.name_first = r.name_first"
        )
    model = _finalise(linker.misc.save_model_to_json())
    scon.close()
    return _write(model, out_path)


def _write(model: dict, out_path) -> dict:
    if out_path is not None:
        Path(out_path).write_text(json.dumps(model, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return model


def _calibrate_on_blocked_pairs(scon: duckdb.DuckDBPyConnection, settings: dict) -> dict:
    """m and u from labelled CANDIDATE pairs (the pairs the blocking rules generate), and the
    prior = share of true matches among candidate pairs.

    Random-pair u values make every NIK-equality level look strong (random pairs almost never
    share a NIK), although among candidate pairs copied NIKs, twins and family members sharing
    a No KK and village are common. Scoring only ever sees candidate pairs, so calibrating on
    them removes most of the correlation between the blocking keys and the comparisons.
    """
    from splink import DuckDBAPI, Linker

    from orchestration.linkage.features import FEATURE_COLUMNS

    settings = dict(settings)
    db_api = DuckDBAPI(scon)
    linker = Linker(db_api.register("person_records", table_name="calib_in"), settings, log_level=None)
    pairs = linker.inference.predict(warning_mode="never")
    # the model is estimated on the pairs of the main blocking rules; the recall rules for rows without a
    # trusted NIK (listed after them: match keys from len(BLOCKING_RULES) on) widen the search only
    # Comparison vectors computed here from the level SQL (Splink 5 does not keep gamma columns)
    cols = FEATURE_COLUMNS + ["__label"]
    sel = ", ".join(f"l.{c} AS {c}_l, r.{c} AS {c}_r" for c in cols)
    gammas = []
    for comp in settings["comparisons"]:
        levels = comp["comparison_levels"]
        k = sum(1 for lv in levels if not lv.get("is_null_level"))
        whens, g = [], k
        for lv in levels:
            if lv.get("is_null_level"):
                val = -1
            else:
                g -= 1
                val = g
            cond = "TRUE" if lv["sql_condition"].strip().upper() == "ELSE" else lv["sql_condition"]
            whens.append(f"WHEN {cond} THEN {val}")
        gammas.append(f"CASE {' '.join(whens)} END AS gamma_{comp['output_column_name']}")
    scon.execute(f"""CREATE OR REPLACE TABLE __calib_pairs AS
        WITH j AS (SELECT {sel} FROM {pairs.physical_name} pr
                   JOIN person_records l ON l.unique_id = pr.unique_id_l
                   JOIN person_records r ON r.unique_id = pr.unique_id_r
                   WHERE CAST(pr.match_key AS INTEGER) < {len(BLOCKING_RULES)})
        SELECT __label_l, __label_r, {", ".join(gammas)} FROM j""")
    p = "__calib_pairs"
    n_pairs, n_match = scon.execute(
        f"SELECT count(*), count(*) FILTER (WHERE __label_l = __label_r) FROM {p}"
    ).fetchall()[0]
    settings["probability_two_random_records_match"] = max(n_match, 1) / max(n_pairs, 1)
    for comp in settings["comparisons"]:
        name = comp["output_column_name"]
        levels = comp["comparison_levels"]
        non_null = [lv for lv in levels if not lv.get("is_null_level")]
        counts = {
            g: (m, u)
            for g, m, u in scon.execute(
                f"""SELECT gamma_{name}, count(*) FILTER (WHERE __label_l = __label_r),
                           count(*) FILTER (WHERE __label_l <> __label_r)
                    FROM {p} GROUP BY 1"""
            ).fetchall()
        }
        tot_m = sum(m for g, (m, u) in counts.items() if g != -1)
        tot_u = sum(u for g, (m, u) in counts.items() if g != -1)
        k = len(non_null)
        ms = []
        for i, lv in enumerate(non_null):
            g = k - 1 - i  # Splink numbers non-null levels from the top: first = k-1 ... ELSE = 0
            m, u = counts.get(g, (0, 0))
            # m floored at half the domain prior: a training set without moves, sex typos or
            # family splits must not make those disagreements impossible in real data
            ms.append(max((m + 0.5) / (tot_m + 0.5 * k), M_FLOOR_SHARE * lv.get("m_probability", 0.0)))
            lv["u_probability"] = (u + 0.5) / (tot_u + 0.5 * k)
        for lv, m in zip(non_null, ms):
            lv["m_probability"] = m / sum(ms)
    return settings


# Domain constraints applied after any training (Bayes factor caps, as log2):
# an identical NIK on rows whose names differ is a copied NIK, not evidence of one person; the
# same region+birth-date part with another serial is ANOTHER person (twins, neighbours); a NIK
# one digit off onto another real NIK is weak evidence at most.
M_FLOOR_SHARE = 0.5

LEVEL_WEIGHT_CAPS = {
    ("nik", "different, and one NIK contradicts its row's birth date (not evidence)"): (-3.0, -1.0),
    ("nik", "exact but names differ (copied NIK)"): (None, -1.0),
    ("nik", "exact (or suspect-equal), names alike, NIK/birth date conflict"): (None, 4.0),
    ("nik", "same region+date, serial one digit off, names alike (typo)"): (None, 3.0),
    ("nik", "same region+date, different serial (different person)"): (None, -10.0),
    ("nik", "serial equal, one digit off in region/date part"): (None, 3.0),
    ("no_kk", "exact"): (None, 4.0),
    # an agency reissues ids (a family split, a re-registration) and copies them like NIKs: strong, never
    # conclusive on its own
    ("source_id", "same source, same person id"): (None, 10.0),
    ("source_id", "same source, different person ids"): (-3.0, None),
}


def _finalise(model: dict) -> dict:
    """Apply the domain weight caps; keep the model portable (fixed uid, no helper columns)."""
    import math

    for comp in model["comparisons"]:
        for lv in comp["comparison_levels"]:
            cap = LEVEL_WEIGHT_CAPS.get((comp["output_column_name"], lv.get("label_for_charts")))
            if not cap or "m_probability" not in lv or "u_probability" not in lv:
                continue
            lo, hi = cap
            w = math.log2(lv["m_probability"] / lv["u_probability"])
            if hi is not None and w > hi:
                lv["u_probability"] = lv["m_probability"] / 2 ** hi
            if lo is not None and w < lo:
                lv["u_probability"] = lv["m_probability"] / 2 ** lo
    model["linker_uid"] = "sikkep_person_v1"
    model["retain_matching_columns"] = False
    model["retain_intermediate_calculation_columns"] = False
    return model
