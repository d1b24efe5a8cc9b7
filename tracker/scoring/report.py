"""`tracker score`: from questions and forecasts to the score tables (DESIGN §4).

`score_input` is the engine's entry point (arrays in, DataFrames out); `score_document` scores a
parsed interchange document; `format_table` renders a report for people.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from tracker.scoring import rules
from tracker.scoring._arrays import order_by_rank, rank_of
from tracker.scoring.document import scoring_input_from_document
from tracker.scoring.inputs import ScoringInput
from tracker.scoring.leaderboard import USER_COLUMNS, leaderboard, rank
from tracker.scoring.timeline import daily_scores, time_averaged

SCORE_COLUMNS = (
    "question_id", "user", "brier", "mean_daily_brier", "median_daily_brier", "relative_brier",
    "participation", "active_days", "scored_days", "log_score", "baseline_score", "peer_score",
)  # fmt: skip

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
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def score_input(data: ScoringInput) -> ScoreReport:
    """Score every resolved, non-annulled question; forecasts made at or after a question's
    end (the earlier of close and resolution) are ignored."""
    names = data.question_ids.astype(str)
    scored_q = np.flatnonzero(data.outcome >= 0)
    scored_q = scored_q[np.argsort(names[scored_q], kind="stable")]  # output order
    compact = np.full(data.outcome.size, -1, dtype=np.int64)
    compact[scored_q] = np.arange(scored_q.size)
    user_names, user_rank = np.unique(data.users.astype(str), return_inverse=True)

    end = data.end_time
    fq = data.forecast_question
    outcome = np.maximum(data.outcome[fq], 0)  # rows of unscored questions are dropped below
    n_opt = data.n_options[fq]
    brier = rules.brier(data.probs, outcome, n_opt, data.ordered[fq])
    log_p = rules.log_score(data.probs, outcome)
    keep = np.flatnonzero((compact[fq] >= 0) & (data.forecast_time < end[fq]))

    q, ft = compact[fq[keep]], data.forecast_time[keep]
    n_users = max(user_names.size, 1)
    pair = q * n_users + user_rank[data.forecast_user[keep]]
    order, pair, time_rank = _pair_time_order(pair, ft, data.probs, keep)
    rows = keep[order]
    q, ft = pair // n_users, ft[order]
    brier, log_p = brier[rows], log_p[rows]
    baseline = rules.baseline_from_log(log_p, data.n_options[scored_q][q])
    pair_start = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]]) if pair.size else pair
    last = np.append(pair_start[1:], pair.size) - 1 if pair.size else pair

    open_t, close_t, end_t = data.open_time[scored_q], data.close_time[scored_q], end[scored_q]
    daily = daily_scores(q, ft, brier, pair_start, open_t, end_t)
    timed = time_averaged(q, ft, log_p, baseline, pair_start, open_t, end_t, close_t, time_rank)

    pair_q = q[pair_start]
    scores = pd.DataFrame({
        "question_id": pd.Categorical.from_codes(pair_q, categories=names[scored_q]),
        "user": pd.Categorical.from_codes(pair[pair_start] - pair_q * n_users,
                                          categories=user_names),
        "brier": brier[last],
        "mean_daily_brier": daily.mean_daily_brier,
        "median_daily_brier": daily.median_daily_brier,
        "relative_brier": daily.relative_brier,
        "participation": daily.participation,
        "active_days": daily.active_days,
        "scored_days": daily.scored_days,
        "log_score": log_p[last],
        "baseline_score": timed.baseline,
        "peer_score": timed.peer,
    })  # fmt: skip
    return ScoreReport(scores, leaderboard(scores))


def _pair_time_order(
    pair: npt.NDArray[np.int64],
    time: npt.NDArray[np.int64],
    probs: npt.NDArray[np.float64],
    rows: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Order by pair then time, plus the sorted pairs and a time ranking in that order.

    Forecasts tied on pair and time are ordered by their probability vectors
    (``probs[rows[i]]`` is forecast i's), so the input order never matters.
    """
    order, pair_sorted, time_rank = order_by_rank(pair, rank_of(time)[0])
    t = time[order]
    tied = np.flatnonzero((pair_sorted[1:] == pair_sorted[:-1]) & (t[1:] == t[:-1]))
    if tied.size:
        at = np.union1d(tied, tied + 1)
        members, ranks = order[at], time_rank[at]
        vectors = np.nan_to_num(probs[rows[members]])
        keys = (*(vectors[:, j] for j in reversed(range(vectors.shape[1]))), t[at], pair_sorted[at])
        again = np.lexsort(keys)
        order[at], time_rank[at] = members[again], ranks[again]
    return order, pair_sorted, time_rank


def score_document(doc: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Score a parsed interchange document (`{"format": "forecast-tracker/1", ...}`).

    Raises `tracker.scoring.document.DocumentError` (a ValueError) naming the offending row.
    """
    return score_input(scoring_input_from_document(doc)).to_dict()


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
    parts = []
    for frame, (title, columns) in ((users, _TABLES["users"]), (scores, _TABLES["scores"])):
        parts.append(f"{title}\n" + _align(frame, columns))
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
