"""A deliberately plain re-implementation of the continuous scores, for checking them.

One forecast at a time, plain Python floats and loops, and its own reading of the rules:
CRPS by Simpson's rule on each grid segment (exact, since (F − 1[x ≥ y])² is a quadratic
in x wherever the indicator is constant, and the outcome's segment is split there), the
outcome's bucket by scanning the grid. `bench/continuous.py` and the property tests compare
the vectorised functions with it. Slow: small inputs only.
"""

import math

from tracker.scoring.continuous import ContinuousRange


def crps(rng: ContinuousRange, cdf: list[float], outcome: float) -> float:
    """∫ over the range of (F(x) − [x ≥ outcome])², F linear between grid points; an
    outcome of ±inf stands for below / above the range."""
    grid = [float(x) for x in rng.grid]
    total = 0.0
    for i in range(len(grid) - 1):
        x0, x1, f0, f1 = grid[i], grid[i + 1], cdf[i], cdf[i + 1]
        pieces = [(x0, x1)]
        if x0 < outcome < x1:
            pieces = [(x0, outcome), (outcome, x1)]
        for a, b in pieces:
            mid = (a + b) / 2
            step = 1.0 if mid >= outcome else 0.0
            g = [(f0 + (f1 - f0) * (x - x0) / (x1 - x0) - step) ** 2 for x in (a, mid, b)]
            total += (b - a) * (g[0] + 4 * g[1] + g[2]) / 6
    return total


def outcome_mass(rng: ContinuousRange, cdf: list[float], outcome: float) -> tuple[float, bool]:
    """The probability of the outcome's bucket and whether it is in range: the bins are
    (x[i−1], x[i]], the first one closed at the lower bound."""
    if outcome < rng.lower:
        return cdf[0], False
    if outcome > rng.upper:
        return 1.0 - cdf[-1], False
    steps = float(rng.position(outcome)) * 200  # how many bins up the range, 0..200
    for i in range(1, 201):
        if steps <= i + 1e-10:  # Metaculus's tolerance at a bin's upper edge
            return cdf[i] - cdf[i - 1], True
    return cdf[200] - cdf[199], True


def log_score(rng: ContinuousRange, cdf: list[float], outcome: float) -> float:
    mass, inside = outcome_mass(rng, cdf, outcome)
    if inside:
        return math.log(max(mass, 0.01 / 200) * 200)
    return math.log(max(mass, 0.001))


def baseline_score(rng: ContinuousRange, cdf: list[float], outcome: float) -> float:
    _, inside = outcome_mass(rng, cdf, outcome)
    base = (1 - 0.05 * (rng.open_lower + rng.open_upper)) if inside else 0.05
    return 100 * (log_score(rng, cdf, outcome) - math.log(base)) / 2
