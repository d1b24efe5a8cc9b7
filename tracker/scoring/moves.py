"""One update's effect: how far it moved the probability of what happened, and how much it
lowered the Brier score of the forecast it replaced (positive = it helped)."""

import numpy as np

from tracker.scoring import rules


def update_effect(
    before: list[float], after: list[float], outcome: int, ordered: bool = False
) -> tuple[float, float]:
    """(shift of P(outcome), Brier of `before` minus Brier of `after`), 0..2 Brier scale."""
    probs = np.array([before, after], dtype=np.float64)
    brier = rules.brier(probs, np.array([outcome, outcome]), probs.shape[1], ordered)
    return float(probs[1, outcome] - probs[0, outcome]), float(brier[0] - brier[1])
