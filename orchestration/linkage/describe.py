"""The committed model as docs/linkage.md shows it: prior and every comparison level with its weight.

model.json is the one source; `python -m orchestration.linkage.describe` prints the table to paste after a
retraining, and a test checks that the documentation shows the committed model."""
from __future__ import annotations

import json
import math
from pathlib import Path

from .engine import MODEL_PATH


def level_table(model: dict) -> str:
    """Markdown: the prior, then one row per comparison level (log2 Bayes factor; null levels are 0)."""
    lines = [f"Prior (share of matches among candidate pairs): {model['probability_two_random_records_match']:.3f}",
             "", "| comparison | level | weight (log2 BF) |", "|---|---|---|"]
    for comp in model["comparisons"]:
        for lv in comp["comparison_levels"]:
            if lv.get("is_null_level"):
                label, weight = f"{lv['label_for_charts']} (no evidence)", "0"
            else:
                label, weight = lv["label_for_charts"], f"{math.log2(lv['m_probability'] / lv['u_probability']):+.2f}"
            lines.append(f"| {comp['output_column_name']} | {label} | {weight} |")
    return "\n".join(lines)


def main(model_path: Path = MODEL_PATH) -> None:
    print(level_table(json.loads(Path(model_path).read_text())))


if __name__ == "__main__":
    main()
