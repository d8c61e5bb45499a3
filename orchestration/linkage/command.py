"""`sikkep train-linkage`: re-train the Splink model on the staged rows of the build database.

Run rarely (a new source, a drift in quality), review the JSON diff and commit it: the nightly refresh
only predicts and clusters with the committed model. With `--labels` (the generator's answer key,
rows.parquet) m-probabilities are estimated from known truth instead of expectation maximisation."""
from __future__ import annotations

from pathlib import Path

import duckdb

from ..settings import LINKAGE_MODEL_PATH, Settings
from .train import train_model

RECORDS = "intermediate.int_person_records"


def train_linkage(settings: Settings, progress, out: Path | None = None, labels: Path | None = None) -> int:
    out = Path(out or LINKAGE_MODEL_PATH)
    if not settings.build_db.exists():
        print(f"No build database at {settings.build_db}: run `sikkep refresh` first (training reads the staged rows).")
        return 1
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        tables = {r[0] for r in con.execute(
            "select table_schema || '.' || table_name from information_schema.tables").fetchall()}
        if RECORDS not in tables:
            print(f"{RECORDS} is missing from {settings.build_db}: run `sikkep refresh` first.")
            return 1
        records, label_column = RECORDS, None
        if labels:
            progress(f"joining labels from {labels}")
            con.execute(f"""create temp view labelled as
                select r.*, k.person_key as true_person from {RECORDS} r
                join read_parquet('{Path(labels).as_posix()}') k
                  on k.source_file = r.source_file and coalesce(k.source_sheet, '') = coalesce(r.source_sheet, '')
                 and k.source_row = r.source_row""")
            records, label_column = "labelled", "true_person"
        progress(f"training on {RECORDS} ({'labelled' if labels else 'unsupervised'})")
        train_model(con, records, out, label_column=label_column)
    print(f"Model written to {out}. Review the diff and commit it; the nightly refresh uses it as is.")
    return 0
