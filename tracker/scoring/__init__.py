"""Scoring engine: pure functions over numpy arrays (no database access here).

Entry points: `score_document` (interchange JSON → `tracker score` JSON), `score_input`
(`ScoringInput` arrays → DataFrames), `format_table`; the rules, timeline, calibration,
aggregate and leaderboard modules hold the pieces. Numeric and date questions (201-point
CDFs): `continuous` (range, validation), `continuous_build` (entering and reading forecasts),
`continuous_scores`, `continuous_pools`.
"""

from tracker.scoring.document import DocumentError, scoring_input_from_document
from tracker.scoring.inputs import ANNULLED, MISSING_TIME, UNRESOLVED, ScoringInput
from tracker.scoring.report import ScoreReport, format_table, score_document, score_input

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
