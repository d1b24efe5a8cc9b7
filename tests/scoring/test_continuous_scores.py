"""Scores of numeric and date forecasts (DESIGN §3, §4): CRPS by hand, Metaculus's continuous
log, baseline and peer scores against the statements of its scores FAQ, and their time
averages through the binary machinery."""

import math

import numpy as np
import pytest

from tracker.scoring import rules, timeline
from tracker.scoring.continuous import (
    MAX_STEP,
    MIN_STEP,
    N_POINTS,
    ContinuousRange,
    uniform_cdf,
    validate_cdf,
)
from tracker.scoring.continuous_scores import (
    baseline_score,
    crps,
    log_score,
    peer_score,
    time_averaged,
)

U = np.linspace(0.0, 1.0, N_POINTS)
TEN = ContinuousRange(0.0, 10.0)
HUNDRED = ContinuousRange(0.0, 100.0)
OPEN = ContinuousRange(0.0, 100.0, open_lower=True, open_upper=True)


def spike(rng: ContinuousRange, bucket: int, mass: float, below: float = 0.0, above: float = 0.0):
    """A valid CDF with ``mass`` in bin ``bucket`` (1..200), the given masses beyond the
    bounds, and the rest spread evenly over the other 199 bins."""
    bins = np.full(200, (1.0 - mass - below - above) / 199)
    bins[bucket - 1] = mass
    f = below + np.concatenate([[0.0], np.cumsum(bins)])
    return validate_cdf(rng, f)


class TestCrps:
    def test_uniform_forecast_outcome_in_the_middle(self) -> None:
        # F(x) = x/10 on [0, 10], outcome 5: ∫₀⁵ (x/10)² dx + ∫₅¹⁰ (1 − x/10)² dx
        # = 2 · 10 · 0.5³ / 3 = 0.8333…
        assert crps(TEN, U, 5.0) == pytest.approx(2.5 / 3)

    def test_uniform_forecast_outcome_between_grid_points(self) -> None:
        # Outcome 2.5: (2.5³ + 7.5³) / (3 · 10²) = 437.5 / 300 = 1.458333…
        assert crps(TEN, U, 2.5) == pytest.approx(437.5 / 300)

    def test_outcome_at_a_bound(self) -> None:
        # Outcome 0: ∫₀¹⁰ (1 − x/10)² dx = 10/3; outcome 10: ∫₀¹⁰ (x/10)² dx = 10/3.
        np.testing.assert_allclose(crps(TEN, [U, U], [0.0, 10.0]), [10 / 3, 10 / 3])

    def test_forecast_off_the_outcome(self) -> None:
        # Uniform on [0, 5] (F = min(2u, 1), kinked at a grid point, so exact):
        # outcome 2.5: 2 · 5 · 0.5³ / 3 = 0.41667; outcome 7.5: ∫₀⁵ (x/5)² + ∫₅⁷·⁵ 1 = 5/3 + 2.5.
        f = np.minimum(2 * U, 1.0)
        np.testing.assert_allclose(crps(TEN, [f, f], [2.5, 7.5]), [1.25 / 3, 5 / 3 + 2.5])

    def test_open_bounds_and_outcomes_outside_the_range(self) -> None:
        # F = 0.1 + 0.8u on an open [0, 100]: 10 % below, 10 % above.
        # below: ∫(1 − F)², 1 − F from 0.9 to 0.1: 100 (0.81 + 0.09 + 0.01) / 3 = 30.333…
        # above: ∫F², F from 0.1 to 0.9: the same by symmetry.
        # 50: ∫₀⁵⁰ F² (F 0.1 → 0.5) + ∫₅₀¹⁰⁰ (1 − F)² (0.5 → 0.1) = 2 · 50 (0.01 + 0.05 + 0.25) / 3.
        f = 0.1 + 0.8 * U
        got = crps(OPEN, [f, f, f, f], ["below", -20.0, "above", 50.0])
        np.testing.assert_allclose(got, [91 / 3, 91 / 3, 91 / 3, 31 / 3])

    def test_point_mass_at_the_outcome_costs_a_third_of_a_bin(self) -> None:
        # F jumps 0 → 1 over the bin ending at the outcome: ∫ of (x/h)² over one bin = h/3.
        # It is the least a fixed grid allows, and it vanishes as the bins shrink.
        step = (U >= 0.5).astype(float)
        for upper in (100.0, 10.0, 0.1):
            rng = ContinuousRange(0.0, upper)
            assert crps(rng, step, upper / 2) == pytest.approx(upper / 200 / 3)

    def test_is_in_the_units_of_the_range(self) -> None:
        # The same forecast on a date range in days and in seconds: 86 400 times larger.
        days = ContinuousRange(20_000.0, 20_100.0)
        seconds = ContinuousRange(20_000.0 * 86_400, 20_100.0 * 86_400)
        f = 0.3 * U + 0.7 * U**2
        assert crps(seconds, f, 20_030.5 * 86_400) == pytest.approx(
            86_400 * crps(days, f, 20_030.5)
        )

    def test_log_scale_integrates_in_the_units(self) -> None:
        # Uniform in position on log [1, 100]: F(x) = ln x / ln 100. With the outcome at the
        # upper bound CRPS = ∫₁¹⁰⁰ F² dx = (100 ((ln 100)² − 2 ln 100 + 2) − 2) / (ln 100)²
        # = 65.907 for the smooth curve; the 201-point reading is within 0.01 % of it.
        rng = ContinuousRange(1.0, 100.0, scale="log")
        ln = math.log(100)
        exact = (100 * (ln**2 - 2 * ln + 2) - 2) / ln**2
        assert crps(rng, U, 100.0) == pytest.approx(exact, rel=1e-4)

    def test_vectorised_rows_match_one_at_a_time(self) -> None:
        rng = np.random.default_rng(1)
        f = np.sort(rng.random((50, N_POINTS)), axis=1)
        f[:, 0], f[:, -1] = 0.0, 1.0
        y = rng.uniform(0, 100, 50)
        together = crps(HUNDRED, f, y)
        one_by_one = [float(crps(HUNDRED, f[i], y[i])) for i in range(50)]
        np.testing.assert_allclose(together, one_by_one)

    def test_matches_numerical_integration(self) -> None:
        f = 0.05 + 0.9 * U**1.5
        xs = np.linspace(0, 100, 400_001)
        mid = (xs[1:] + xs[:-1]) / 2
        fx = np.interp(mid, OPEN.grid, f)
        for y in (0.0, 33.3, 71.25, 100.0):
            numeric = np.sum((fx - (mid >= y)) ** 2) * (xs[1] - xs[0])
            assert crps(OPEN, f, y) == pytest.approx(numeric, rel=1e-5)


class TestLogAndBaseline:
    def test_hand_computed_spike(self) -> None:
        # 10 % in bin 101 = (50, 50.5] of [0, 100]: pdf there 0.1 · 200 = 20.
        # log score ln 20 = 2.9957; baseline 100 · ln 20 / 2 = 149.79.
        # Outcome 50 is in bin 100 (right-closed bins): pdf 0.9/199 · 200 = 0.90452.
        f = spike(HUNDRED, 101, 0.1)
        got = log_score(HUNDRED, [f, f], [50.25, 50.0])
        np.testing.assert_allclose(
            got, [math.log(20), math.log(180 / 199)], rtol=1e-6
        )  # cdf kept to 10 decimals
        assert baseline_score(HUNDRED, f, 50.25) == pytest.approx(50 * math.log(20))

    def test_the_lower_bound_itself_is_in_the_first_bin(self) -> None:
        f = spike(HUNDRED, 1, 0.2)
        assert log_score(HUNDRED, f, 0.0) == pytest.approx(math.log(0.2 * 200))

    def test_uniform_forecast_scores_a_baseline_of_zero(self) -> None:
        # FAQ: "Predicting the same probability on all outcomes gives a score of 0" (for
        # continuous questions the baseline is uniform in range plus 5 % per open bound).
        for rng in (HUNDRED, OPEN, ContinuousRange(0, 100, open_upper=True)):
            outcomes = (
                [0.0, 37.3, 100.0]
                + (["below"] if rng.open_lower else [])
                + (["above"] if rng.open_upper else [])
            )
            f = np.tile(uniform_cdf(rng), (len(outcomes), 1))
            np.testing.assert_allclose(baseline_score(rng, f, outcomes), 0.0, atol=1e-9)

    def test_open_bounds_lower_the_baseline_in_range(self) -> None:
        # Both open, F = 0.1 + 0.8u: pdf 0.8 against the baseline's 0.9: 50 ln(8/9) = −5.889.
        # Open above only, F = 0.8u (20 % above): the baseline is 0.95, 50 ln(0.8/0.95).
        f = 0.1 + 0.8 * U
        assert baseline_score(OPEN, f, 50.0) == pytest.approx(50 * math.log(0.8 / 0.9))
        one = ContinuousRange(0, 100, open_upper=True)
        g = 0.8 * U
        assert baseline_score(one, g, 50.0) == pytest.approx(50 * math.log(0.8 / 0.95))

    def test_outside_the_range_is_scored_like_a_binary_question(self) -> None:
        # FAQ: a resolution beyond a bound scores the mass out there. 30 % below:
        # log ln 0.3; baseline against 5 %: 100 · ln(0.3/0.05) / 2 = 50 ln 6 = 89.588.
        f = spike(OPEN, 100, 0.05, below=0.3, above=0.1)
        assert log_score(OPEN, f, "below") == pytest.approx(math.log(0.3))
        assert baseline_score(OPEN, f, "below") == pytest.approx(50 * math.log(6))
        assert baseline_score(OPEN, f, 150.0) == pytest.approx(50 * math.log(2))

    def test_worst_baseline_on_a_closed_question_is_minus_230(self) -> None:
        # FAQ table: worst continuous baseline −230, the pdf floor 0.01: 100 ln(0.01)/2.
        f = spike(HUNDRED, 120, MIN_STEP)
        assert baseline_score(HUNDRED, f, 59.8) == pytest.approx(50 * math.log(0.01))
        assert round(float(baseline_score(HUNDRED, f, 59.8))) == -230

    def test_the_floor_keeps_any_cdf_finite(self) -> None:
        # Not a valid CDF (no mass at all away from 50) but it is scored at the floor, not −inf.
        step = (U >= 0.5).astype(float)
        assert baseline_score(HUNDRED, step, 80.0) == pytest.approx(50 * math.log(0.01))
        open_step = np.clip(step, 0.0, 0.9995)
        assert log_score(OPEN, open_step, "above") == pytest.approx(math.log(0.001))

    def test_best_baseline_in_the_faq_is_a_pdf_of_35_open_at_both_ends(self) -> None:
        # FAQ table: best continuous baseline +183 with pdfs up to ~35: 50 ln(35/0.9) = 182.9.
        f = spike(OPEN, 101, 35 / 200, below=0.01, above=0.01)
        assert round(float(baseline_score(OPEN, f, 50.3))) == 183

    def test_our_ceiling_is_the_densest_bin_allowed(self) -> None:
        # A bin of MAX_STEP = 0.2 is a pdf of 40: 50 ln 40 = 184.4 on a closed question.
        f = spike(HUNDRED, 101, MAX_STEP)
        assert baseline_score(HUNDRED, f, 50.3) == pytest.approx(50 * math.log(40))

    def test_a_sharp_correct_forecast_beats_a_vague_one(self) -> None:
        sharp, vague = spike(HUNDRED, 101, 0.15), spike(HUNDRED, 101, 0.02)
        assert baseline_score(HUNDRED, sharp, 50.4) > baseline_score(HUNDRED, vague, 50.4) > 0
        assert crps(HUNDRED, sharp, 50.4) < crps(HUNDRED, vague, 50.4)


class TestPeer:
    def test_the_faqs_three_forecaster_example(self) -> None:
        # FAQ: log scores A = −1, B = 1, C = 2 give peer (before ×100) −2.5, 0.5 and 2;
        # continuous peer scores are ×100 and halved: −125, 25, 100.
        cdfs = [spike(HUNDRED, 101, math.exp(x) / 200) for x in (-1, 1, 2)]
        np.testing.assert_allclose(log_score(HUNDRED, cdfs, 50.3), [-1, 1, 2])
        np.testing.assert_allclose(peer_score(HUNDRED, cdfs, 50.3), [-125, 25, 100])

    def test_best_and_worst_peer_scores_are_plus_minus_408(self) -> None:
        # FAQ table: ±408, a pdf of 35 against the floor 0.01: 50 (ln 35 − ln 0.01) = 408.0.
        cdfs = [spike(HUNDRED, 101, 35 / 200), spike(HUNDRED, 101, MIN_STEP)]
        assert np.round(peer_score(HUNDRED, cdfs, 50.3)).tolist() == [408, -408]

    def test_a_lone_forecaster_has_no_peers(self) -> None:
        assert peer_score(HUNDRED, [spike(HUNDRED, 5, 0.1)], 2.0).tolist() == [0.0]


class TestTimeAveraged:
    """One question open 0..10: a forecasts at 0, b joins at 4 (rows in pair order)."""

    Q, TIME, PAIRS = np.array([0, 0]), np.array([0, 4]), np.array([0, 1])
    OPEN_T, CLOSE_T = np.array([0]), np.array([10])

    def scores(self, cdfs: list, outcome: float, end: int = 10) -> timeline.TimeAveraged:
        log = log_score(HUNDRED, cdfs, outcome)
        base = baseline_score(HUNDRED, cdfs, outcome)
        return time_averaged(
            self.Q, self.TIME, log, base, self.PAIRS, self.OPEN_T, np.array([end]), self.CLOSE_T
        )

    def test_baseline_and_peer_over_the_question_life(self) -> None:
        # a: pdf 20 throughout: baseline 50 ln 20 over the whole life. b: uniform from 4/10.
        # Peer: a alone for 4/10 (0), then 50 (ln 20 − ln 1) for 6/10; b the opposite.
        a, b = spike(HUNDRED, 101, 0.1), uniform_cdf(HUNDRED)
        got = self.scores([a, b], 50.3)
        np.testing.assert_allclose(got.baseline, [50 * math.log(20), 0.0], atol=1e-9)
        np.testing.assert_allclose(got.peer, [0.6 * 50 * math.log(20), -0.6 * 50 * math.log(20)])

    def test_early_resolution_counts_the_rest_as_zero(self) -> None:
        # Resolved at 5 of a scheduled 10: a's baseline is half; the peer covers 4..5 only.
        a, b = spike(HUNDRED, 101, 0.1), uniform_cdf(HUNDRED)
        got = self.scores([a, b], 50.3, end=5)
        np.testing.assert_allclose(got.baseline, [0.5 * 50 * math.log(20), 0.0], atol=1e-9)
        np.testing.assert_allclose(got.peer, [0.1 * 50 * math.log(20), -0.1 * 50 * math.log(20)])

    def test_binary_rows_in_the_same_call_score_as_before(self) -> None:
        # Question 1 is binary (a: 0.8, b: 0.5 on Yes, which happened). Scored alone and
        # together with the continuous question 0, its rows are unchanged.
        probs = np.array([[0.8, 0.2], [0.5, 0.5]])
        bin_log, bin_base = rules.log_score(probs, 0), rules.baseline_score(probs, 0)
        alone = timeline.time_averaged(
            np.array([0, 0]),
            self.TIME,
            bin_log,
            bin_base,
            self.PAIRS,
            self.OPEN_T,
            self.CLOSE_T,
            self.CLOSE_T,
        )
        cdfs = [spike(HUNDRED, 101, 0.1), uniform_cdf(HUNDRED)]
        cont_log, cont_base = log_score(HUNDRED, cdfs, 50.3), baseline_score(HUNDRED, cdfs, 50.3)
        both = timeline.time_averaged(
            np.array([0, 0, 1, 1]),
            np.tile(self.TIME, 2),
            np.concatenate([cont_log / 2, bin_log]),
            np.concatenate([cont_base, bin_base]),
            np.array([0, 1, 2, 3]),
            np.array([0, 0]),
            np.array([10, 10]),
            np.array([10, 10]),
        )
        np.testing.assert_allclose(both.baseline[2:], alone.baseline)
        np.testing.assert_allclose(both.peer[2:], alone.peer)
        cont = self.scores(cdfs, 50.3)
        np.testing.assert_allclose(both.peer[:2], cont.peer)
