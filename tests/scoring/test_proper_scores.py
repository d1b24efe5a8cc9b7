"""The scoring rules of DESIGN §3, one forecast at a time and vectorised over many."""

import math

import numpy as np
import pytest

from tracker.scoring import rules


class TestBrier:
    def test_sums_squared_errors_over_all_options(self) -> None:
        assert rules.brier([[0.7, 0.3]], 0)[0] == pytest.approx(0.18)  # (0.3)² + (0.3)²
        assert rules.brier([[0.6, 0.1, 0.3]], 0)[0] == pytest.approx(0.26)

    def test_ranges_from_zero_for_certainty_to_two_for_certain_and_wrong(self) -> None:
        scores = rules.brier([[1, 0, 0], [0, 1, 0]], [0, 0])
        assert scores.tolist() == [0.0, 2.0]

    def test_uniform_binary_forecast_scores_half(self) -> None:
        assert rules.brier([[0.5, 0.5]], 1)[0] == pytest.approx(0.5)

    def test_padding_columns_are_ignored_whether_zero_or_nan(self) -> None:
        padded = [[0.6, 0.4, 0.0, 0.0], [0.6, 0.4, np.nan, np.nan]]
        np.testing.assert_allclose(rules.brier(padded, 1, n_options=2), [0.72, 0.72])

    def test_ordered_rule_rewards_mass_near_the_true_bin(self) -> None:
        near = [0.0, 0.5, 0.5, 0.0]
        far = [0.5, 0.0, 0.5, 0.0]
        plain = rules.brier([near, far], 2)
        ordered = rules.brier([near, far], 2, ordered=True)
        assert plain[0] == pytest.approx(plain[1])  # the plain rule cannot tell them apart
        assert ordered[0] < ordered[1]

    def test_ordered_rule_with_two_options_is_the_plain_rule(self) -> None:
        p = [[0.3, 0.7], [0.9, 0.1]]
        np.testing.assert_allclose(rules.brier(p, [0, 1], ordered=True), rules.brier(p, [0, 1]))

    def test_ordered_flag_applies_row_by_row(self) -> None:
        p = [[0.15, 0.45, 0.25, 0.15]] * 2
        np.testing.assert_allclose(rules.brier(p, 2, ordered=[False, True]), [0.81, 0.27])

    def test_rejects_an_outcome_outside_the_options(self) -> None:
        with pytest.raises(ValueError, match="outcome"):
            rules.brier([[0.5, 0.5, 0.0]], 2, n_options=2)


class TestLogScore:
    def test_is_the_log_of_the_probability_given_to_the_outcome(self) -> None:
        assert rules.log_score([[0.25, 0.75]], 1)[0] == pytest.approx(math.log(0.75))

    def test_floors_probabilities_so_a_confident_miss_is_finite(self) -> None:
        assert rules.log_score([[1.0, 0.0]], 1)[0] == pytest.approx(math.log(rules.LOG_FLOOR))


class TestBaseline:
    def test_binary_is_100_log2_of_twice_p(self) -> None:
        assert rules.baseline_score([[0.8, 0.2]], 0)[0] == pytest.approx(100 * math.log2(1.6))

    def test_uniform_forecast_scores_zero_and_certainty_100(self) -> None:
        scores = rules.baseline_score([[1 / 3] * 3, [0.0, 0.0, 1.0]], [0, 2])
        np.testing.assert_allclose(scores, [0.0, 100.0], atol=1e-12)

    def test_uses_each_rows_own_number_of_options(self) -> None:
        p = [[0.5, 0.5, 0.0], [0.5, 0.25, 0.25]]
        scores = rules.baseline_score(p, 0, n_options=[2, 3])
        assert scores[0] == pytest.approx(0.0)
        assert scores[1] == pytest.approx(100 * math.log(1.5) / math.log(3))


class TestPeer:
    def test_compares_with_the_mean_log_score_of_the_others(self) -> None:
        peer = rules.peer_score([[0.8, 0.2], [0.5, 0.5], [0.2, 0.8]], 0)
        others = (math.log(0.5) + math.log(0.2)) / 2
        assert peer[0] == pytest.approx(100 * (math.log(0.8) - others))

    def test_scores_of_a_group_sum_to_zero(self) -> None:
        rng = np.random.default_rng(1)
        p = rng.dirichlet([1, 1, 1], size=7)
        assert rules.peer_score(p, 1).sum() == pytest.approx(0.0, abs=1e-9)

    def test_a_lone_forecaster_scores_zero(self) -> None:
        assert rules.peer_score([[0.9, 0.1]], 0).tolist() == [0.0]
