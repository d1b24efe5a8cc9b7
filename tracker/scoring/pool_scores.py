"""How each team pool would have scored: the pool of every member's last forecast before each
resolved question's end, scored with the question's Brier rule, averaged over questions."""

import numpy as np
import numpy.typing as npt

from tracker.scoring import aggregate, rules
from tracker.scoring.inputs import ScoringInput

FloatArray = npt.NDArray[np.float64]


def final_pool_briers(data: ScoringInput, factor: float = aggregate.EXTREMIZE) -> dict[str, list]:
    """pool name → Brier of that pool's final forecast on each resolved question (0..2)."""
    end = data.end_time
    result: dict[str, list[float]] = {}
    for q in np.flatnonzero(data.outcome >= 0):
        rows = np.flatnonzero((data.forecast_question == q) & (data.forecast_time < end[q]))
        if not rows.size:
            continue
        rows = rows[np.lexsort((rows, data.forecast_time[rows]))]
        users = data.forecast_user[rows]
        last = {int(u): int(r) for u, r in zip(users, rows, strict=True)}  # later rows win
        chosen = np.array(sorted(last.values()))
        k = int(data.n_options[q])
        pools = aggregate.team_aggregates(
            data.probs[chosen, :k], data.forecast_time[chosen], factor=factor
        )
        for name, pool in pools.items():
            score = rules.brier(pool[None, :], np.array([data.outcome[q]]), k, data.ordered[q])
            result.setdefault(name, []).append(float(score[0]))
    return result
