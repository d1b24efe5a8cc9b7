"""Scoring engine: pure functions over numpy arrays (no database access here).

Entry points: `score_document` (interchange JSON → `tracker score` JSON), `score_input`
(`ScoringInput` arrays → DataFrames), `format_table`; the rules, timeline, calibration,
aggregate and leaderboard modules hold the pieces. Numeric and date questions (201-point
CDFs): `continuous` (range, validation), `continuous_build` (entering and reading forecasts),
`continuous_scores`, `continuous_pools`.
"""

import importlib
from typing import Any

#: Where each name lives; imported on first use, so that importing one engine module (as
#: `tracker score FILE` does) does not load pandas through `report`.
_HOMES = {
    "ANNULLED": "inputs",
    "MISSING_TIME": "inputs",
    "UNRESOLVED": "inputs",
    "ScoringInput": "inputs",
    "DocumentError": "document",
    "scoring_input_from_document": "document",
    "ScoreReport": "report",
    "format_table": "report",
    "score_document": "report",
    "score_input": "report",
}

__all__ = [
    "ANNULLED",
    "MISSING_TIME",
    "UNRESOLVED",
    "DocumentError",
    "ScoreReport",
    "ScoringInput",
    "format_table",
    "score_document",
    "score_input",
    "scoring_input_from_document",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'tracker.scoring' has no attribute {name!r}")
    return getattr(importlib.import_module(f"tracker.scoring.{_HOMES[name]}"), name)
