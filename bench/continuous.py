"""Benchmark of the numeric-question scores: vectorised against the plain-Python reference.

Builds N seeded forecasts (a logistic bump each, random centre and spread, conformed to the
bound rules in one vectorised call) on four ranges (closed, open below, open both, log
scale), draws an outcome per forecast (some beyond the open bounds), then times validation,
CRPS, log + baseline, PIT and the pools over all of them, and the reference loop
(`tracker.testing.reference_continuous`) on a slice, checking the two agree there.

    .venv/bin/python bench/continuous.py [--forecasts 100000] [--reference 2000]
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.scoring.continuous import N_POINTS, ContinuousRange, conform_cdf, validate_cdf
from tracker.scoring.continuous_pools import recency_weighted_pool
from tracker.scoring.continuous_scores import baseline_score, crps, log_score, pit
from tracker.testing import reference_continuous as reference

RANGES = [
    ContinuousRange(0.0, 200.0),
    ContinuousRange(0.0, 200.0, open_lower=True),
    ContinuousRange(20_000.0, 20_365.0, open_lower=True, open_upper=True),  # a date, in days
    ContinuousRange(1.0, 10_000.0, open_upper=True, scale="log"),
]


def synthetic(rng: ContinuousRange, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n conformed logistic forecasts on ``rng`` and one outcome each (in units, ±inf beyond)."""
    gen = np.random.default_rng(seed)
    u = np.linspace(0.0, 1.0, N_POINTS)
    centre = gen.uniform(-0.1, 1.1, n)[:, None]
    scale = gen.uniform(0.01, 0.3, n)[:, None]
    cdfs = conform_cdf(rng, 0.5 * (1 + np.tanh((u - centre) / (2 * scale))))
    position = gen.uniform(-0.1, 1.1, n)
    position = np.where(position < 0, -np.inf if rng.open_lower else 0.0, position)
    position = np.where(position > 1, np.inf if rng.open_upper else 1.0, position)
    outcomes = np.where(np.isfinite(position), rng.value(np.clip(position, 0, 1)), position)
    return cdfs, outcomes


def timed(fn, repeat: int = 3) -> float:
    """Best of ``repeat`` wall times (seconds)."""
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forecasts", type=int, default=100_000)
    parser.add_argument("--reference", type=int, default=2_000, help="rows for the loop")
    args = parser.parse_args()
    per_range = args.forecasts // len(RANGES)
    data = [(r, *synthetic(r, per_range, seed)) for seed, r in enumerate(RANGES)]
    total = per_range * len(RANGES)
    print(f"{total:,} forecasts on {len(RANGES)} ranges, {N_POINTS} CDF points each")

    steps = {
        "validate_cdf": lambda: [validate_cdf(r, f) for r, f, _ in data],
        "crps": lambda: [crps(r, f, y) for r, f, y in data],
        "log_score + baseline_score": lambda: [
            (log_score(r, f, y), baseline_score(r, f, y)) for r, f, y in data
        ],
        "pit": lambda: [pit(r, f, y) for r, f, y in data],
        "recency_weighted_pool": lambda: [recency_weighted_pool(f) for _, f, _ in data],
    }
    print(f"\n{'vectorised':<30}{'seconds':>10}{'forecasts/s':>16}")
    for name, fn in steps.items():
        seconds = timed(fn)
        print(f"{name:<30}{seconds:>10.3f}{total / seconds:>16,.0f}")

    k = max(1, args.reference // len(RANGES))
    rows = [(r, f[:k], y[:k]) for r, f, y in data]
    lists = [(r, f.tolist(), y.tolist()) for r, f, y in rows]

    def loop_crps() -> list:
        return [[reference.crps(r, c, o) for c, o in zip(f, y, strict=True)] for r, f, y in lists]

    def loop_log_baseline() -> list:
        out = []
        for r, f, y in lists:
            pairs = zip(f, y, strict=True)
            out.append(
                [
                    [reference.log_score(r, c, o), reference.baseline_score(r, c, o)]
                    for c, o in pairs
                ]
            )
        return out

    def fast_log_baseline() -> list:
        return [np.stack([log_score(r, f, y), baseline_score(r, f, y)], axis=1) for r, f, y in rows]

    loops = {
        "crps": (loop_crps, lambda: [crps(r, f, y) for r, f, y in rows]),
        "log_score + baseline_score": (loop_log_baseline, fast_log_baseline),
    }
    n_ref = k * len(RANGES)
    header = f"same rows, {n_ref:,} of them"
    print(f"\n{header:<30}{'loop /s':>12}{'vectorised /s':>16}{'speed-up':>10}")
    for name, (slow, fast) in loops.items():
        for got, want in zip(fast(), slow(), strict=True):
            assert np.allclose(got, want, rtol=1e-9, atol=1e-6), name
        t_slow, t_fast = timed(slow, 1), timed(fast)
        print(f"{name:<30}{n_ref / t_slow:>12,.0f}{n_ref / t_fast:>16,.0f}{t_slow / t_fast:>9.0f}x")
    print("\n(the reference agrees with the vectorised scores on every row it scored)")


if __name__ == "__main__":
    main()
