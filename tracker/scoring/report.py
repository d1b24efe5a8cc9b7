"""`tracker score`: from questions and forecasts to the score tables (DESIGN §4).

`score_input` is the engine's entry point (arrays in, DataFrames out); `score_document` scores a
parsed interchange document; `format_table` renders a report for people.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tracker.scoring.document import read_document
from tracker.scoring.inputs import ScoringInput
from tracker.scoring.leaderboard import USER_COLUMNS, leaderboard, rank
from tracker.scoring.score_table import SCORE_COLUMNS, Columns, score_columns

__all__ = ["ScoreReport", "ScoringInput", "format_table", "score_document", "score_input"]


@dataclass(frozen=True)
class ScoreReport:
    """`scores`: one row per (question, user) of every resolved, non-annulled question the
    user forecast before its end, sorted by question_id then user; `users`: their averages."""

    scores: pd.DataFrame
    users: pd.DataFrame

    def to_dict(self) -> dict[str, list[dict[str, Any]]]:
        """The `tracker score --format json` document: plain Python values, NaN as None."""
        return {"scores": _records(self.scores), "users": _records(self.users)}


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    columns = []
    for name in frame.columns:
        values = frame[name].to_numpy()
        if values.dtype.kind == "f":
            cells = values.astype(object)
            cells[np.isnan(values)] = None
            values = cells
        columns.append(values.tolist())
    names = list(frame.columns)
    records = [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
    if "crps" in names:  # only the rows of numeric and date questions carry it
        for record in records:
            if record["crps"] is None:
                del record["crps"]
    return records


def score_input(data: ScoringInput) -> ScoreReport:
    """Score every resolved, non-annulled question (`score_table.score_columns`); forecasts
    made at or after a question's end (the earlier of close and resolution) are ignored."""
    return report_of(score_columns(data))


def report_of(table: Columns) -> ScoreReport:
    """The DataFrames of a score table (text columns as categoricals)."""
    frame: dict[str, Any] = {}
    for name in table.names:
        if name in table.codes:
            frame[name] = pd.Categorical.from_codes(
                table.codes[name], categories=table.labels[name]
            )
        else:
            frame[name] = table.values[name]
    if table.continuous.any():
        frame["crps"] = table.values["crps"]
    scores = pd.DataFrame(frame)
    return ScoreReport(scores, leaderboard(scores))


def score_document(doc: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Score a parsed interchange document (`{"format": "forecast-tracker/1", ...}`).

    Numeric and date questions included. Raises `tracker.scoring.document.DocumentError` (a
    ValueError) naming the offending row.
    """
    data, numeric = read_document(doc)
    table = score_columns(data)
    if numeric is not None:
        from tracker.scoring.continuous_table import continuous_columns, merge_tables

        table = merge_tables(table, continuous_columns(numeric))
    return report_of(table).to_dict()


#: The numeric and date section of the table: CRPS first, lower is better.
NUMERIC_COLUMNS = (
    "question_id", "user", "crps", "log_score", "baseline_score", "peer_score",
    "participation", "active_days", "scored_days",
)  # fmt: skip
_TABLES = {
    "users": ("Users", USER_COLUMNS),
    "scores": ("Scores by question", SCORE_COLUMNS),
}


def format_table(report: Mapping[str, list[dict[str, Any]]]) -> str:
    """Aligned plain-text tables of a `score_document` result, best relative Brier first
    (the per-question rows grouped by question)."""
    users = rank(pd.DataFrame(report.get("users", []), columns=list(USER_COLUMNS)))
    scores = pd.DataFrame(report.get("scores", []), columns=list(SCORE_COLUMNS))
    scores = scores.sort_values(
        ["question_id", "relative_brier", "user"], na_position="last", kind="stable"
    )
    rows = report.get("scores", [])
    numeric = [r for r in rows if "crps" in r]
    if numeric:
        scores = pd.DataFrame([r for r in rows if "crps" not in r], columns=list(SCORE_COLUMNS))
        scores = scores.sort_values(
            ["question_id", "relative_brier", "user"], na_position="last", kind="stable"
        )
    parts = []
    for frame, (title, columns) in ((users, _TABLES["users"]), (scores, _TABLES["scores"])):
        parts.append(f"{title}\n" + _align(frame, columns))
    if numeric:
        table = pd.DataFrame(numeric, columns=list(NUMERIC_COLUMNS)).sort_values(
            ["question_id", "crps", "user"], kind="stable"
        )
        parts.append(
            "Numeric and date questions (CRPS in the question's unit, days for dates)\n"
            + _align(table, NUMERIC_COLUMNS)
        )
    return "\n\n".join(parts) + "\n"


def _cell(column: str, value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if column in ("baseline_score", "peer_score"):
        return f"{value:.1f}"
    if column == "participation":
        return f"{100 * value:.0f}%"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def _align(frame: pd.DataFrame, columns: tuple[str, ...]) -> str:
    rows = [
        [_cell(c, v) for c, v in zip(columns, rec, strict=True)]
        for rec in frame[list(columns)].itertuples(index=False)
    ]
    if not rows:
        return "(none)"
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    text = [c for c in columns if c in ("question_id", "user")]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.ljust(w) if col in text else cell.rjust(w)
            for col, cell, w in zip(columns, cells, widths, strict=True)
        ).rstrip()

    return "\n".join([line(list(columns)), *(line(r) for r in rows)])
