"""Builders shared by the scoring tests: small histories written in days from a fixed start."""

from collections.abc import Sequence
from typing import Any

import numpy as np

from tracker.scoring import MISSING_TIME, ScoringInput, score_input

DAY = 86_400
T0 = 1_767_225_600  # 2026-01-01T00:00:00Z, a UTC midnight


def at(days: float) -> int:
    """Unix seconds ``days`` after T0."""
    return T0 + round(days * DAY)


def history(
    questions: Sequence[dict[str, Any]],
    forecasts: Sequence[tuple[str, str, float, Sequence[float]]],
) -> ScoringInput:
    """Questions as dicts (id, options=2, open=0, close, resolved=close|None, outcome=0,
    ordered=False; times in days from T0) and forecasts as (question id, user, day, probs)."""
    ids = [q["id"] for q in questions]
    users = sorted({f[1] for f in forecasts})
    width = max([q.get("options", 2) for q in questions] or [2])
    probs = np.zeros((len(forecasts), width))
    for i, f in enumerate(forecasts):
        probs[i, : len(f[3])] = f[3]

    def resolved(q: dict[str, Any]) -> int:
        when = q.get("resolved", q["close"])
        return MISSING_TIME if when is None else at(when)

    return ScoringInput(
        question_ids=ids,
        n_options=[q.get("options", 2) for q in questions],
        ordered=[q.get("ordered", False) for q in questions],
        open_time=np.array([at(q.get("open", 0)) for q in questions], dtype=np.int64),
        close_time=np.array([at(q["close"]) for q in questions], dtype=np.int64),
        resolved_time=np.array([resolved(q) for q in questions], dtype=np.int64),
        outcome=[q.get("outcome", 0) for q in questions],
        users=users,
        forecast_question=np.array([ids.index(f[0]) for f in forecasts], dtype=np.int64),
        forecast_user=np.array([users.index(f[1]) for f in forecasts], dtype=np.int64),
        forecast_time=np.array([at(f[2]) for f in forecasts], dtype=np.int64),
        probs=probs,
    )


def rows(data: ScoringInput) -> dict[tuple[str, str], dict[str, Any]]:
    """The `scores` rows of ``data`` keyed by (question_id, user)."""
    return {(r["question_id"], r["user"]): r for r in score_input(data).to_dict()["scores"]}


def by_user(data: ScoringInput, question: str = "q") -> dict[str, dict[str, Any]]:
    """The `scores` rows of one question keyed by user."""
    return {u: r for (q, u), r in rows(data).items() if q == question}
