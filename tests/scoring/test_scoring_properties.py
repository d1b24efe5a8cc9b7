"""Properties of the scoring engine that hold for any history (hypothesis): a perfect
forecaster scores 0, row order never matters, the decomposition adds up, pools stay within
the forecasts they pool, and the vectorised engine agrees with the plain reference."""

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.scoring import (
    ANNULLED,
    MISSING_TIME,
    UNRESOLVED,
    ScoringInput,
    aggregate,
    rules,
    score_input,
)
from tracker.scoring.calibration import brier_decomposition
from tracker.testing.reference_scoring import reference_scores, reference_users

DAY = 86_400
T0 = 1_767_225_600  # 2026-01-01T00:00:00Z
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

probability = st.floats(0.0, 1.0, allow_nan=False)


@st.composite
def histories(draw: st.DrawFn, *, max_forecasts: int = 24) -> ScoringInput:
    """A few questions of every type (some resolved early, unresolved, annulled or with no
    known resolution time), a few users, forecasts before, during and after each question,
    including same-second ties."""
    n_q = draw(st.integers(1, 3))
    users = [f"u{j}" for j in range(draw(st.integers(1, 4)))]
    n_options = [draw(st.integers(2, 4)) for _ in range(n_q)]
    ordered = [draw(st.booleans()) and k > 2 for k in n_options]
    open_t = [T0 + draw(st.integers(0, 3 * DAY)) for _ in range(n_q)]
    close_t = [o + draw(st.integers(0, 9 * DAY)) for o in open_t]
    resolved_t = []
    for o, c in zip(open_t, close_t, strict=True):
        kind = draw(st.sampled_from(["at close", "early", "late", "unknown"]))
        resolved_t.append(
            {"at close": c, "early": o + (c - o) // 2, "late": c + DAY, "unknown": MISSING_TIME}[
                kind
            ]
        )
    outcome = [
        draw(st.one_of(st.integers(0, k - 1), st.sampled_from([UNRESOLVED, ANNULLED])))
        for k in n_options
    ]
    n_f = draw(st.integers(0, max_forecasts))
    width = max(n_options)
    fq, fu, ft = [], [], []
    probs = np.zeros((n_f, width))
    for i in range(n_f):
        q = draw(st.integers(0, n_q - 1))
        fq.append(q)
        fu.append(draw(st.integers(0, len(users) - 1)))
        span = close_t[q] - open_t[q]
        # Coarse times make same-second ties between a user's forecasts likely.
        ft.append(open_t[q] - DAY + draw(st.integers(0, 6)) * (span + 2 * DAY) // 6)
        weights = [draw(st.integers(0, 10)) for _ in range(n_options[q])]
        if sum(weights) == 0:
            weights[0] = 1
        probs[i, : n_options[q]] = np.array(weights) / sum(weights)
    return ScoringInput(
        question_ids=[f"q{i}" for i in range(n_q)],
        n_options=n_options,
        ordered=ordered,
        open_time=np.array(open_t, dtype=np.int64),
        close_time=np.array(close_t, dtype=np.int64),
        resolved_time=np.array(resolved_t, dtype=np.int64),
        outcome=outcome,
        users=users,
        forecast_question=np.array(fq, dtype=np.int64),
        forecast_user=np.array(fu, dtype=np.int64),
        forecast_time=np.array(ft, dtype=np.int64),
        probs=probs,
    )


def subset(data: ScoringInput, rows: np.ndarray) -> ScoringInput:
    """The same questions and users with the forecasts ``rows`` (in that order)."""
    return replace(
        data,
        forecast_question=data.forecast_question[rows],
        forecast_user=data.forecast_user[rows],
        forecast_time=data.forecast_time[rows],
        probs=data.probs[rows],
    )


def assert_same_rows(got: list[dict[str, Any]], want: list[dict[str, Any]]) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g.keys() == w.keys()
        for key, expected in w.items():
            value = g[key]
            if value is None or expected is None or isinstance(expected, str):
                assert value == expected, (w.get("question_id"), w["user"], key)
            else:
                assert math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-9), (
                    w.get("question_id"),
                    w["user"],
                    key,
                    value,
                    expected,
                )


# --- a perfect forecaster ------------------------------------------------------------------


@PROPERTY
@given(
    n=st.integers(2, 6),
    outcome=st.integers(0, 5),
    ordered=st.booleans(),
)
def test_certainty_on_what_happened_scores_zero_brier(n: int, outcome: int, ordered: bool) -> None:
    outcome %= n
    p = np.eye(n)[outcome][None, :]
    assert rules.brier(p, outcome, ordered=ordered)[0] == 0.0
    assert rules.log_score(p, outcome)[0] == 0.0
    assert rules.baseline_score(p, outcome)[0] == pytest.approx(100.0)


@PROPERTY
@given(data=histories(max_forecasts=12), delay=st.integers(0, 5 * DAY))
def test_a_perfect_forecaster_scores_zero_brier_and_beats_or_ties_the_median(
    data: ScoringInput, delay: int
) -> None:
    """Add a user who, from ``delay`` after opening, puts 100% on what happened on every
    question: their Brier and mean daily Brier are 0 and their relative Brier ≤ 0."""
    oracle = len(data.users)
    scored = np.flatnonzero(data.outcome >= 0)
    width = data.probs.shape[1]
    certain = np.zeros((scored.size, width))
    certain[np.arange(scored.size), data.outcome[scored]] = 1.0
    with_oracle = replace(
        data,
        users=[*data.users, "oracle"],
        forecast_question=np.r_[data.forecast_question, scored],
        forecast_user=np.r_[data.forecast_user, np.full(scored.size, oracle)],
        forecast_time=np.r_[data.forecast_time, data.open_time[scored] + delay],
        probs=np.vstack([data.probs, certain]),
    )
    rows = [r for r in score_input(with_oracle).to_dict()["scores"] if r["user"] == "oracle"]
    for row in rows:
        assert row["brier"] == 0.0
        assert row["log_score"] == 0.0
        assert row["mean_daily_brier"] in (0.0, None)
        assert row["relative_brier"] is None or row["relative_brier"] <= 1e-12


# --- order invariance ----------------------------------------------------------------------


@PROPERTY
@given(data=histories(), seed=st.integers(0, 2**32 - 1))
def test_scores_do_not_depend_on_the_order_of_the_rows(data: ScoringInput, seed: int) -> None:
    shuffled = np.random.default_rng(seed).permutation(len(data.forecast_time))
    assert score_input(subset(data, shuffled)).to_dict() == score_input(data).to_dict()


# --- agreement with the plain reference ----------------------------------------------------


@PROPERTY
@given(data=histories())
def test_engine_agrees_with_the_plain_reference(data: ScoringInput) -> None:
    got = score_input(data).to_dict()
    want = reference_scores(data)
    assert_same_rows(got["scores"], want)
    assert_same_rows(got["users"], reference_users(want))


# --- the Brier decomposition ---------------------------------------------------------------


@PROPERTY
@given(
    pairs=st.lists(st.tuples(probability, st.sampled_from([0.0, 1.0])), min_size=1, max_size=60),
    n_bins=st.integers(1, 12),
)
def test_decomposition_parts_sum_to_the_brier_score(
    pairs: list[tuple[float, float]], n_bins: int
) -> None:
    p, o = (np.array(x) for x in zip(*pairs, strict=True))
    parts = brier_decomposition(p, o, n_bins=n_bins)
    assert parts.brier == pytest.approx(float(np.mean((p - o) ** 2)), abs=1e-12)
    assert parts.total == pytest.approx(parts.brier, abs=1e-12)
    assert parts.reliability >= 0 and parts.resolution >= 0 and parts.uncertainty >= 0


# --- team aggregates -----------------------------------------------------------------------

BOUNDED_POOLS = ("median", "mean", "geometric_mean_of_odds", "recency_weighted_median")


@PROPERTY
@given(
    ps=st.lists(probability, min_size=1, max_size=12),
    factor=st.floats(1.0, 3.0),
)
def test_binary_pools_lie_between_the_lowest_and_highest_forecast(
    ps: list[float], factor: float
) -> None:
    """Every pool but the extremized one (which is meant to leave the range) stays within
    [min, max] of the members' P(Yes); multi-option pools are renormalised and need not (see
    test_team_aggregates)."""
    team = np.array([[p, 1.0 - p] for p in ps])
    pools = aggregate.team_aggregates(team, times=list(range(len(ps))), factor=factor)
    assert set(BOUNDED_POOLS) < set(pools)
    low, high = min(ps), max(ps)
    for name in BOUNDED_POOLS:
        pooled = pools[name]
        assert pooled.sum() == pytest.approx(1.0), name
        assert low - 1e-9 <= pooled[0] <= high + 1e-9, (name, pooled[0], low, high)
    assert pools["extremized_log_odds"].sum() == pytest.approx(1.0)


def test_extremizing_can_leave_the_range() -> None:
    """The exception to the property above, by design."""
    pooled = aggregate.extremized_log_odds(np.array([[0.7, 0.3], [0.8, 0.2]]), factor=2.0)
    assert pooled[0] > 0.8


def test_same_second_forecasts_are_summed_in_a_fixed_order() -> None:
    """Hypothesis found this: nine same-second forecasts on a zero-length question left
    rounding residue in the running sums that depended on row order, so a peer score next door
    came out 0.0 or -1.1e-14 depending on how the rows were shuffled."""
    probs = np.array([[0.5, 0.5]] + [[1.0, 0.0]] * 7 + [[0.0, 1.0], [1.0, 0.0], [1.0, 0.0]])
    data = ScoringInput(
        question_ids=["q0", "q1", "q2"],
        n_options=[2, 2, 2],
        ordered=[False] * 3,
        open_time=np.array([T0, T0, T0]),
        close_time=np.array([T0, T0, T0 + 1]),
        resolved_time=np.array([T0, T0, T0 + 1]),
        outcome=[0, 0, 0],
        users=["u0", "u1"],
        forecast_question=np.array([0] * 9 + [2, 2]),
        forecast_user=np.array([0] * 10 + [1]),
        forecast_time=np.full(11, T0 - DAY),
        probs=probs,
    )
    expected = score_input(data).to_dict()
    rng = np.random.default_rng(0)
    for _ in range(20):
        assert score_input(subset(data, rng.permutation(11))).to_dict() == expected
