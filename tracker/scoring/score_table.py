"""The score tables as plain numpy columns: the engine behind `report.score_input`, without
pandas, so that `tracker score FILE` need not import it.

`score_columns` turns a `ScoringInput` into one row per scored (question, user) pair and
`user_columns` averages them per user exactly as pandas' grouped mean does (Kahan-compensated
sums, NaN skipped), so the DataFrames of `report.score_input` and these columns agree bit for
bit.
"""

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from tracker.scoring import rules
from tracker.scoring._arrays import order_by_rank, rank_of, with_next
from tracker.scoring.inputs import ScoringInput
from tracker.scoring.timeline import daily_scores, time_averaged

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

SCORE_COLUMNS = (
    "question_id", "user", "brier", "mean_daily_brier", "median_daily_brier", "relative_brier",
    "participation", "active_days", "scored_days", "log_score", "baseline_score", "peer_score",
)  # fmt: skip
#: Columns averaged per user; each mean skips the questions where the score is undefined.
AVERAGED = ("mean_daily_brier", "relative_brier", "baseline_score", "peer_score")
USER_COLUMNS = ("user", "questions", *AVERAGED)
_INT_COLUMNS = ("active_days", "scored_days")


@dataclass(frozen=True)
class Columns:
    """A table: ``labels[name]`` (category names) with ``codes[name]`` per row for the text
    columns, ``values[name]`` for the numbers; ``names`` in output order. Rows of numeric and
    date questions are flagged in ``continuous`` and carry an extra `crps` value."""

    names: tuple[str, ...]
    labels: dict[str, npt.NDArray[np.object_]]
    codes: dict[str, IntArray]
    values: dict[str, npt.NDArray]
    continuous: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))

    @property
    def size(self) -> int:
        first = self.names[0]
        return int((self.codes.get(first, self.values.get(first))).size)


def score_columns(data: ScoringInput) -> Columns:
    """Score every resolved, non-annulled question; forecasts made at or after a question's
    end (the earlier of close and resolution) are ignored. Rows sorted by question, user."""
    names = data.question_ids.astype(str)
    scored_q = np.flatnonzero(data.outcome >= 0)
    scored_q = scored_q[np.argsort(names[scored_q], kind="stable")]  # output order
    compact = np.full(data.outcome.size, -1, dtype=np.int64)
    compact[scored_q] = np.arange(scored_q.size)
    user_names, user_rank = np.unique(data.users.astype(str), return_inverse=True)

    end = data.end_time
    fq = data.forecast_question
    keep = np.flatnonzero((compact[fq] >= 0) & (data.forecast_time < end[fq]))
    outcome = np.maximum(data.outcome[fq[keep]], 0)
    probs = data.probs[keep]
    brier = rules.brier(probs, outcome, data.n_options[fq[keep]], data.ordered[fq[keep]])
    log_p = rules.log_score(probs, outcome)

    q, ft = compact[fq[keep]], data.forecast_time[keep]
    n_users = max(user_names.size, 1)
    pair = q * n_users + user_rank[data.forecast_user[keep]]
    order, pair, time_rank = pair_time_order(pair, ft, probs)
    q, ft = pair // n_users, ft[order]
    brier, log_p = brier[order], log_p[order]
    baseline = rules.baseline_from_log(log_p, data.n_options[scored_q][q])
    pair_start = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]]) if pair.size else pair
    last = np.append(pair_start[1:], pair.size) - 1 if pair.size else pair

    open_t, close_t, end_t = data.open_time[scored_q], data.close_time[scored_q], end[scored_q]
    daily = daily_scores(q, ft, brier, pair_start, open_t, end_t)
    timed = time_averaged(q, ft, log_p, baseline, pair_start, open_t, end_t, close_t, time_rank)

    pair_q = q[pair_start]
    values = {
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
    }
    return Columns(
        SCORE_COLUMNS,
        {"question_id": names[scored_q].astype(object), "user": user_names.astype(object)},
        {"question_id": pair_q, "user": pair[pair_start] - pair_q * n_users},
        values,
        np.zeros(pair_q.size, dtype=bool),
    )


def pair_time_order(
    pair: IntArray, time: IntArray, probs: FloatArray
) -> tuple[IntArray, IntArray, IntArray]:
    """Order by pair then time, plus the sorted pairs and a time ranking in that order.

    Forecasts tied on pair and time are ordered by their probability vectors (``probs[i]``
    is forecast i's), so the input order never matters.
    """
    order, pair_sorted, time_rank = order_by_rank(pair, rank_of(time)[0])
    t = time[order]
    tied = np.flatnonzero((pair_sorted[1:] == pair_sorted[:-1]) & (t[1:] == t[:-1]))
    if tied.size:
        at = with_next(tied)
        members, ranks = order[at], time_rank[at]
        vectors = np.nan_to_num(probs[members])
        keys = (*(vectors[:, j] for j in reversed(range(vectors.shape[1]))), t[at], pair_sorted[at])
        again = np.lexsort(keys)
        order[at], time_rank[at] = members[again], ranks[again]
    return order, pair_sorted, time_rank


def user_columns(scores: Columns, min_questions: int = 1) -> Columns:
    """One row per user (sorted by name): questions scored and the mean of each score."""
    users = scores.codes["user"]
    n_users = scores.labels["user"].size
    counts = np.bincount(users, minlength=n_users)
    means = grouped_means(users, np.column_stack([scores.values[c] for c in AVERAGED]), n_users)
    shown = np.flatnonzero((counts >= min_questions) & (counts > 0))
    values: dict[str, npt.NDArray] = {"questions": counts[shown].astype(np.int64)}
    for j, name in enumerate(AVERAGED):
        values[name] = means[shown, j]
    names = scores.labels["user"][shown]
    return Columns(
        USER_COLUMNS, {"user": names}, {"user": np.arange(shown.size, dtype=np.int64)}, values
    )


def grouped_means(groups: IntArray, values: FloatArray, n_groups: int) -> FloatArray:
    """Per group and column, the mean of the non-NaN values, summed in row order with Kahan's
    compensation exactly as pandas' `groupby().mean()` does (so both give the same bits).
    Vectorised across groups: step k adds every group's k-th row."""
    width = values.shape[1]
    sums = np.zeros((n_groups, width))
    comp = np.zeros((n_groups, width))
    seen = np.zeros((n_groups, width), dtype=np.int64)
    if groups.size:
        order = np.argsort(groups, kind="stable")
        g = groups[order]
        counts = np.bincount(g, minlength=n_groups)
        position = np.arange(g.size) - (np.cumsum(counts) - counts)[g]
        by_step = np.argsort(position, kind="stable")
        steps = np.bincount(position)
        bounds = np.concatenate([[0], np.cumsum(steps)])
        with np.errstate(invalid="ignore"):
            for k in range(steps.size):
                rows = by_step[bounds[k] : bounds[k + 1]]
                at, x = g[rows], values[order[rows]]
                ok = ~np.isnan(x)
                y = x - comp[at]
                t = sums[at] + y
                c = t - sums[at] - y
                comp[at] = np.where(ok, np.where(c != c, 0.0, c), comp[at])
                sums[at] = np.where(ok, t, sums[at])
                seen[at] += ok
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(seen > 0, sums / np.maximum(seen, 1), np.nan)
