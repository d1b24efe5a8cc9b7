"""Benchmark of the scoring engine: `score_input` on a seeded synthetic history.

Times every field of `tracker score` (the per-question rows and the users table) starting from
`ScoringInput` arrays, then scores a slice of the questions with the plain reference
implementation, checks the two agree there and prints rows (forecasts) per second for both.

    .venv/bin/python bench/scoring.py [--questions 2000 --users 500 --forecasts 1000000]
"""

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.scoring import ANNULLED, MISSING_TIME, UNRESOLVED, ScoringInput, score_input
from tracker.testing.reference_scoring import reference_scores, reference_users

DAY = 86_400
START = 1_704_067_200  # 2024-01-01T00:00:00Z


def synthetic_history(
    n_questions: int, n_users: int, n_forecasts: int, seed: int = 0
) -> ScoringInput:
    """Mixed binary / multiple-choice / ordered questions open 2 weeks to 6 months; some
    resolve early, some are unresolved or annulled, a third of forecasters start late, a few
    forecasts arrive after the end and a tenth sit at the uniform forecast (tied scores)."""
    rng = np.random.default_rng(seed)
    kind = rng.choice(3, n_questions, p=[0.5, 0.3, 0.2])  # binary, multiple choice, ordered
    n_options = np.where(kind == 0, 2, rng.integers(3, 7, n_questions))
    open_t = START + rng.integers(0, 365 * DAY, n_questions)
    close_t = open_t + rng.integers(14 * DAY, 180 * DAY, n_questions)
    state = rng.random(n_questions)
    early = state < 0.2
    resolved_t = np.where(
        early,
        open_t + ((close_t - open_t) * rng.uniform(0.3, 0.95, n_questions)).astype(np.int64),
        close_t + rng.integers(0, 3 * DAY, n_questions),
    )
    resolved_t = np.where((state >= 0.2) & (state < 0.25), MISSING_TIME, resolved_t)
    outcome = (rng.random(n_questions) * n_options).astype(np.int64)
    outcome = np.where(state > 0.95, ANNULLED, np.where(state > 0.85, UNRESOLVED, outcome))
    end_t = np.where(resolved_t == MISSING_TIME, close_t, np.minimum(close_t, resolved_t))

    share = rng.lognormal(0.0, 0.5, n_questions)
    fq = rng.choice(n_questions, n_forecasts, p=share / share.sum())
    per_q = np.bincount(fq, minlength=n_questions)
    crowd = np.clip(per_q // 5, 2, n_users)  # about five forecasts per forecaster
    step = rng.choice([p for p in (3, 7, 11, 13, 17, 19, 23, 29, 31) if n_users % p], n_questions)
    first_user = rng.integers(0, n_users, n_questions)
    slot = (rng.random(n_forecasts) * crowd[fq]).astype(np.int64)
    fu = (first_user[fq] + slot * step[fq]) % n_users

    late = ((fq * 7919 + fu * 104_729) % 1000) / 1000.0
    join = np.where(late < 0.33, 0.3 + late * 1.8, 0.0)
    span = (end_t - open_t)[fq] * 1.02  # ~2% of forecasts land after the end: ignored
    ft = open_t[fq] + (span * (join + (1.0 - join) * rng.random(n_forecasts))).astype(np.int64)

    width = int(n_options.max())
    raw = rng.gamma(1.0, 1.0, (n_forecasts, width))
    raw[np.arange(n_forecasts), np.minimum(outcome[fq], width - 1).clip(0)] *= 2.0
    raw[rng.random(n_forecasts) < 0.1] = 1.0
    raw[np.arange(width) >= n_options[fq][:, None]] = 0.0
    probs = raw / raw.sum(axis=1, keepdims=True)
    return ScoringInput(
        question_ids=[f"q{i:05d}" for i in range(n_questions)],
        n_options=n_options,
        ordered=kind == 2,
        open_time=open_t,
        close_time=close_t,
        resolved_time=resolved_t,
        outcome=outcome,
        users=[f"user{j:04d}" for j in range(n_users)],
        forecast_question=fq,
        forecast_user=fu,
        forecast_time=ft,
        probs=probs,
    )


def take_questions(data: ScoringInput, questions: np.ndarray) -> ScoringInput:
    """The sub-history of the given questions (all their forecasts)."""
    new_index = np.full(len(data.question_ids), -1)
    new_index[questions] = np.arange(questions.size)
    rows = np.flatnonzero(new_index[data.forecast_question] >= 0)
    return ScoringInput(
        question_ids=data.question_ids[questions],
        n_options=data.n_options[questions],
        ordered=data.ordered[questions],
        open_time=data.open_time[questions],
        close_time=data.close_time[questions],
        resolved_time=data.resolved_time[questions],
        outcome=data.outcome[questions],
        users=data.users,
        forecast_question=new_index[data.forecast_question[rows]],
        forecast_user=data.forecast_user[rows],
        forecast_time=data.forecast_time[rows],
        probs=data.probs[rows],
    )


def disagreements(got: list[dict[str, Any]], want: list[dict[str, Any]]) -> list[str]:
    """Human-readable differences between two lists of score rows (1e-9 relative)."""
    if len(got) != len(want):
        return [f"{len(got)} rows vs {len(want)} in the reference"]
    problems = []
    for g, w in zip(got, want, strict=True):
        for key, expected in w.items():
            value = g[key]
            same = (
                value == expected
                if value is None or expected is None or isinstance(expected, str)
                else math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-9)
            )
            if not same:
                problems.append(f"{w.get('question_id')}/{w['user']} {key}: {value} != {expected}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=2000)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--forecasts", type=int, default=1_000_000)
    parser.add_argument("--slice", type=int, default=20, help="questions for the reference")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (best is reported)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    data = synthetic_history(args.questions, args.users, args.forecasts, args.seed)
    n = len(data.forecast_time)
    print(
        f"history: {len(data.question_ids):,} questions, {len(data.users):,} users, "
        f"{n:,} forecasts, {int((data.outcome >= 0).sum()):,} questions scored"
    )

    times = []
    for _ in range(max(args.repeat, 1)):
        t0 = time.perf_counter()
        report = score_input(data)
        times.append(time.perf_counter() - t0)
    best = min(times)
    t0 = time.perf_counter()
    report.to_dict()
    to_json = time.perf_counter() - t0
    print(
        f"engine:    {best:.3f} s for {n:,} forecasts -> {n / best:,.0f} rows/s "
        f"({len(report.scores):,} score rows, {len(report.users):,} users; "
        f"runs {', '.join(f'{t:.3f}' for t in times)} s; to_dict {to_json:.3f} s)"
    )

    scored = np.flatnonzero(data.outcome >= 0)[: args.slice]
    pick = np.union1d(scored, np.flatnonzero(data.outcome < 0)[:2])
    part = take_questions(data, pick)
    m = len(part.forecast_time)
    t0 = time.perf_counter()
    want = reference_scores(part)
    want_users = reference_users(want)
    ref_time = time.perf_counter() - t0
    t0 = time.perf_counter()
    got = score_input(part).to_dict()
    slice_time = time.perf_counter() - t0
    problems = disagreements(got["scores"], want) + disagreements(got["users"], want_users)
    print(
        f"reference: {ref_time:.3f} s for {m:,} forecasts ({pick.size} questions) -> "
        f"{m / ref_time:,.0f} rows/s; engine on the same slice {slice_time:.4f} s"
    )
    print(
        f"speed-up: {(n / best) / (m / ref_time):,.0f}x rows/s (full engine vs reference), "
        f"{ref_time / slice_time:,.0f}x on the slice"
    )
    if problems:
        print(f"DISAGREE on {len(problems)} values, e.g.:", *problems[:10], sep="\n  ")
        return 1
    print(
        f"agree: {len(got['scores'])} score rows and {len(got['users'])} user rows match "
        "the reference (rel/abs 1e-9)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
