"""A deliberately plain re-implementation of `score_input`, for checking it, not for use.

Loops over questions, days and users exactly as DESIGN §3 reads, with its own copies of the
scoring rules, so the tests and `bench/scoring.py` can compare the vectorised engine with it.
It is slow (a day × users loop per question), so run it on small inputs only.
"""

import itertools
import math
import statistics
from typing import Any

from tracker.scoring.inputs import MISSING_TIME, ScoringInput

DAY = 86_400
FLOOR = 1e-3


def brier(p: list[float], outcome: int, ordered: bool) -> float:
    """Σ(p_i − o_i)², or for ordered options the mean two-option Brier of each split."""
    if not ordered:
        return sum((pi - (1.0 if i == outcome else 0.0)) ** 2 for i, pi in enumerate(p))
    splits = []
    for k in range(1, len(p)):
        low = sum(p[:k])
        happened_low = 1.0 if outcome < k else 0.0
        splits.append((low - happened_low) ** 2 + ((1 - low) - (1 - happened_low)) ** 2)
    return sum(splits) / len(splits)


def _standing(history: list[tuple[int, tuple[float, ...]]], before: int) -> Any:
    """The latest forecast made strictly before ``before`` (history sorted by time)."""
    latest = None
    for t, p in history:
        if t < before:
            latest = p
    return latest


def _score_question(data: ScoringInput, q: int) -> list[dict[str, Any]]:
    outcome, k = int(data.outcome[q]), int(data.n_options[q])
    ordered = bool(data.ordered[q])
    open_t, close_t = int(data.open_time[q]), int(data.close_time[q])
    resolved = int(data.resolved_time[q])
    end = close_t if resolved == MISSING_TIME else min(close_t, resolved)

    histories: dict[str, list[tuple[int, tuple[float, ...]]]] = {}
    for f in range(len(data.forecast_time)):
        t = int(data.forecast_time[f])
        if int(data.forecast_question[f]) == q and t < end:
            name = str(data.users[int(data.forecast_user[f])])
            p = tuple(0.0 if math.isnan(x) else float(x) for x in data.probs[f][:k])
            histories.setdefault(name, []).append((t, p))
    for history in histories.values():
        history.sort()  # by time, then (on ties) by the probabilities

    def score(p: tuple[float, ...]) -> float:
        return brier(list(p), outcome, ordered)

    def log_p(p: tuple[float, ...]) -> float:
        return math.log(max(p[outcome], FLOOR))

    first_day = open_t // DAY
    days = range(first_day, max(end // DAY, first_day))
    daily: dict[str, list[tuple[float, float]]] = {u: [] for u in histories}
    for d in days:
        today = {u: _standing(h, (d + 1) * DAY) for u, h in histories.items()}
        scores = {u: score(p) for u, p in today.items() if p is not None}
        if scores:
            middle = statistics.median(scores.values())
            for u, s in scores.items():
                daily[u].append((s, middle))

    moments = sorted({min(max(t, open_t), end) for h in histories.values() for t, _ in h})
    cuts = [*moments, end]
    timed = {u: [0.0, 0.0] for u in histories}
    for a, b in itertools.pairwise(cuts):
        if b <= a:
            continue
        now = {u: _standing(h, a + 1) for u, h in histories.items()}
        logs = {u: log_p(p) for u, p in now.items() if p is not None}
        for u, lp in logs.items():
            timed[u][0] += 100 * (lp + math.log(k)) / math.log(k) * (b - a)
            others = [v for w, v in logs.items() if w != u]
            if others:
                timed[u][1] += 100 * (lp - sum(others) / len(others)) * (b - a)

    rows = []
    duration = close_t - open_t
    for u, history in histories.items():
        last = history[-1][1]
        active = len(daily[u])
        own = sum(s for s, _ in daily[u])
        middle = sum(m for _, m in daily[u])
        n = len(days)
        rows.append({
            "question_id": str(data.question_ids[q]),
            "user": u,
            "brier": score(last),
            "mean_daily_brier": own / active if active else None,
            "median_daily_brier": middle / active if active else None,
            "relative_brier": (own - middle) / n if n else None,
            "participation": active / n if n else None,
            "active_days": active,
            "scored_days": n,
            "log_score": log_p(last),
            "baseline_score": timed[u][0] / duration if duration > 0 else None,
            "peer_score": timed[u][1] / duration if duration > 0 else None,
        })  # fmt: skip
    return rows


def reference_scores(data: ScoringInput) -> list[dict[str, Any]]:
    """Rows of `score_input(data).scores`, as dicts sorted by question_id then user."""
    rows = []
    for q in range(len(data.question_ids)):
        if int(data.outcome[q]) >= 0:
            rows.extend(_score_question(data, q))
    return sorted(rows, key=lambda r: (r["question_id"], r["user"]))


def reference_users(rows: list[dict[str, Any]], min_questions: int = 1) -> list[dict[str, Any]]:
    """Per-user averages of ``rows``, skipping undefined values, sorted by user."""
    names = sorted({r["user"] for r in rows})
    out = []
    for name in names:
        mine = [r for r in rows if r["user"] == name]
        if len(mine) < min_questions:
            continue
        entry: dict[str, Any] = {"user": name, "questions": len(mine)}
        for col in ("mean_daily_brier", "relative_brier", "baseline_score", "peer_score"):
            values = [r[col] for r in mine if r[col] is not None]
            entry[col] = sum(values) / len(values) if values else None
        out.append(entry)
    return out
