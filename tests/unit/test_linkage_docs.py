"""docs/linkage.md shows the committed model: its prior and every level's weight."""
from __future__ import annotations

import json
from pathlib import Path

from orchestration.linkage.describe import level_table
from orchestration.linkage.engine import MODEL_PATH

DOC = Path(__file__).resolve().parents[2] / "docs" / "linkage.md"


def test_the_documented_levels_and_weights_are_the_committed_model():
    table = level_table(json.loads(MODEL_PATH.read_text()))
    assert table.count("\n| ") > 30
    assert table in DOC.read_text(), "docs/linkage.md: paste `python -m orchestration.linkage.describe` after training"
