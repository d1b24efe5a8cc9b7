"""`ScoringInput`: the arrays the scoring engine reads, whatever they were loaded from.

Build one from the database (one row per question and per forecast, in any order) or from an
interchange document (`tracker.scoring.document`), then call
`tracker.scoring.report.score_input`.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

#: Outcome codes besides an option index.
UNRESOLVED = -1
ANNULLED = -2
#: A missing time (e.g. `resolved_time` unknown). It is NaT's integer value, so datetime64
#: arrays holding NaT convert to it unchanged.
MISSING_TIME = int(np.iinfo(np.int64).min)


def to_seconds(times: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Unix seconds (floored) from int64 seconds or any datetime64 unit; NaT → MISSING_TIME."""
    arr = np.asarray(times)
    if arr.dtype.kind == "M":
        return arr.astype("datetime64[s]").astype(np.int64)
    if arr.dtype.kind not in "iu":
        raise TypeError("times must be int64 Unix seconds or datetime64")
    return arr.astype(np.int64)


@dataclass(frozen=True, eq=False)
class ScoringInput:
    """Questions and forecasts as parallel arrays (Q questions, F forecasts, K = max options).

    Questions (length Q):
        question_ids: the ids reported in the output (str).
        n_options: number of options, ≥ 2 (binary questions have 2: Yes, No).
        ordered: True for ordered questions (scored with the ordered-categorical Brier).
        open_time, close_time: Unix seconds (int64) or datetime64; close is the *scheduled*
            close, which the Metaculus scores average over.
        resolved_time: when the outcome became known; MISSING_TIME / NaT when unknown, in
            which case scoring ends at close_time.
        outcome: index of the option that happened, UNRESOLVED (-1) or ANNULLED (-2).
            Only questions with an option index are scored.

    Users (length U):
        users: the names reported in the output (str).

    Forecasts (length F, any order):
        forecast_question, forecast_user: indexes into the question and user arrays.
        forecast_time: Unix seconds or datetime64 (sub-second parts are dropped).
        probs: (F, K) probabilities; row i uses its question's first n_options columns, which
            should sum to 1; further columns are padding (0 or NaN) and are ignored.

    Two forecasts by one user on one question in the same second are ordered by their
    probability vectors, so the result never depends on the order rows arrive in.
    """

    question_ids: Sequence[str]
    n_options: npt.NDArray[np.int64]
    ordered: npt.NDArray[np.bool_]
    open_time: npt.NDArray[np.int64]
    close_time: npt.NDArray[np.int64]
    resolved_time: npt.NDArray[np.int64]
    outcome: npt.NDArray[np.int64]
    users: Sequence[str]
    forecast_question: npt.NDArray[np.int64]
    forecast_user: npt.NDArray[np.int64]
    forecast_time: npt.NDArray[np.int64]
    probs: npt.NDArray[np.float64]

    def __post_init__(self) -> None:
        put = object.__setattr__
        n_q = len(self.question_ids)
        put(self, "question_ids", np.asarray(self.question_ids, dtype=object))
        put(self, "users", np.asarray(self.users, dtype=object))
        for name in ("n_options", "outcome", "forecast_question", "forecast_user"):
            put(self, name, np.asarray(getattr(self, name), dtype=np.int64))
        put(self, "ordered", np.asarray(self.ordered, dtype=bool))
        for name in ("open_time", "close_time", "resolved_time", "forecast_time"):
            put(self, name, to_seconds(getattr(self, name)))
        probs = np.asarray(self.probs, dtype=np.float64)
        put(self, "probs", probs.reshape(len(self.forecast_time), -1) if probs.ndim < 2 else probs)
        self._validate(n_q)

    def _validate(self, n_q: int) -> None:
        if len(set(self.question_ids)) != n_q or len(set(self.users)) != len(self.users):
            raise ValueError("question_ids and users must not repeat")
        for name in ("n_options", "ordered", "open_time", "close_time", "resolved_time", "outcome"):
            if getattr(self, name).shape != (n_q,):
                raise ValueError(f"{name} must have one entry per question ({n_q})")
        n_f = self.forecast_time.shape[0]
        for name in ("forecast_question", "forecast_user", "forecast_time"):
            if getattr(self, name).shape != (n_f,):
                raise ValueError(f"{name} must have one entry per forecast ({n_f})")
        if self.probs.shape[0] != n_f:
            raise ValueError("probs must have one row per forecast")
        width = self.probs.shape[1]
        if n_q and (self.n_options.min() < 2 or (n_f and self.n_options.max() > width)):
            raise ValueError("n_options must be ≥ 2 and fit in the width of probs")
        if n_q and np.any((self.outcome >= self.n_options) | (self.outcome < ANNULLED)):
            raise ValueError("outcome must be an option index, UNRESOLVED or ANNULLED")
        if n_f and (self.forecast_question.min() < 0 or self.forecast_question.max() >= n_q):
            raise ValueError("forecast_question must index the questions")
        if n_f and (self.forecast_user.min() < 0 or self.forecast_user.max() >= len(self.users)):
            raise ValueError("forecast_user must index the users")

    @property
    def end_time(self) -> npt.NDArray[np.int64]:
        """When scoring stops: the earlier of close and resolution (close if unknown)."""
        known = self.resolved_time != MISSING_TIME
        return np.where(known, np.minimum(self.close_time, self.resolved_time), self.close_time)
