"""The engine reproduces the worked examples published by the platforms whose conventions
DESIGN §3 adopts. Where a page prints a rounded (or wrong) figure, the exact value is tested
and the comment says what the page prints.

Good Judgment's Accuracy Score is checked on the two-forecaster 2016-election example that
python-prediction-scorer's README works through by GJ Open's FAQ rules (the stored copies of
https://www.gjopen.com/faq end before the FAQ's own scoring walk-through). Cultivate's relative
Brier score ("Net Brier Points"), checked through Fatebook's test of three forecasters, is the
same daily-median computation.
"""

import math

import numpy as np
import pytest

from tests.scoring.scoring_cases import at, by_user, history
from tracker.scoring import rules
from tracker.scoring.calibration import brier_decomposition, calibration_curve
from tracker.scoring.timeline import daily_scores

YES = [1.0, 0.0]


def yes(p: float) -> list[float]:
    return [p, 1.0 - p]


# --- Good Judgment Open: Brier, daily medians and the Accuracy Score ------------------------


def test_good_judgment_brier_examples() -> None:
    """GJ Open's FAQ: 70% on a yes/no question that happened scores (1 − 0.7)² + (0 − 0.3)² =
    0.18; A = 60%, B = 10%, C = 30% with A happening scores 0.26; the range is 0 to 2. Source:
    https://www.gjopen.com/faq (quoted in github.com/magoo/forecast-documentation)."""
    assert rules.brier([[0.7, 0.3]], 0)[0] == pytest.approx(0.18)
    assert rules.brier([[0.6, 0.1, 0.3]], 0)[0] == pytest.approx(0.26)
    assert rules.brier([[1.0, 0.0], [0.0, 1.0]], 0).tolist() == [0.0, 2.0]


def election_2016() -> tuple[list[tuple[str, str, float, list[float]]], dict]:
    """Options (Clinton, Trump), resolved Trump; open Nov 1 00:00 to Nov 8 00:00 (7 days,
    day 0 = Nov 1). Forecast times are day + hh:mm."""

    def t(day: int, hh: int, mm: int) -> float:
        return day + hh / 24 + mm / 1440

    forecasts = [
        ("q", "George", t(0, 16, 5), [0.7, 0.3]),
        ("q", "Kramer", t(1, 11, 37), [0.4, 0.6]),
        ("q", "George", t(2, 9, 9), [0.5, 0.5]),
        ("q", "George", t(2, 21, 42), [0.6, 0.4]),
        ("q", "Kramer", t(4, 11, 45), [0.3, 0.7]),
    ]
    return forecasts, {"id": "q", "close": 7, "outcome": 1}


def test_good_judgment_election_example_of_two_forecasters() -> None:
    """George and Kramer on the 2016 US election, scored by GJ Open's rules (daily Brier of
    the forecast standing at the end of each day, daily Median score, Accuracy Score).
    Printed: Brier 0.98, 0.32, 0.50, 0.72, 0.18 per forecast; daily medians 0.98, 0.65, 0.52,
    0.52, 0.45, 0.45, 0.45 (George's 09:09 forecast is overwritten at 21:42 the same day);
    participation 7/7 and 6/7; average daily Brier 0.794 (George, exactly 5.56/7) and 0.25
    (Kramer); crowd's average daily median 0.574 (exactly 4.02/7); George's Accuracy Score
    0.22. Source: https://github.com/yhoiseth/python-prediction-scorer (README, "Example"),
    quoting https://www.gjopen.com/faq#faq4.
    """
    forecasts, question = election_2016()
    data = history([question], forecasts)
    scores = by_user(data)
    george, kramer = scores["George"], scores["Kramer"]

    per_forecast = rules.brier([f[3] for f in forecasts], 1)
    np.testing.assert_allclose(per_forecast, [0.98, 0.32, 0.50, 0.72, 0.18])

    # The daily medians, from the engine's own timeline (forecasts in pair-then-time order).
    order = [0, 2, 3, 1, 4]  # George's three, then Kramer's two
    daily = daily_scores(
        q=np.zeros(5, dtype=np.int64),
        time=np.array([at(forecasts[i][2]) for i in order]),
        brier=per_forecast[order],
        pair_start=np.array([0, 3]),
        open_time=np.array([at(0)]),
        end_time=np.array([at(7)]),
    )
    medians = [0.98, 0.65, 0.52, 0.52, 0.45, 0.45, 0.45]
    np.testing.assert_allclose(daily.day_medians, medians)
    crowd = sum(medians) / 7
    assert crowd == pytest.approx(4.02 / 7) and round(crowd, 3) == 0.574

    assert (george["active_days"], george["scored_days"]) == (7, 7)
    assert (kramer["active_days"], kramer["scored_days"]) == (6, 7)
    assert george["participation"] == 1.0
    assert kramer["participation"] == pytest.approx(6 / 7)
    assert george["mean_daily_brier"] == pytest.approx(5.56 / 7)
    assert round(george["mean_daily_brier"], 3) == 0.794
    assert kramer["mean_daily_brier"] == pytest.approx(0.25)
    assert george["brier"] == pytest.approx(0.72) and kramer["brier"] == pytest.approx(0.18)

    # George forecast every day, so every reading of the Accuracy Score gives 0.22.
    assert george["median_daily_brier"] == pytest.approx(crowd)
    assert george["relative_brier"] == pytest.approx(0.22)


def test_good_judgment_accuracy_score_of_a_late_starter() -> None:
    """Kramer started on day 2. DESIGN §3 reads the Accuracy Score "same days" (Fatebook's
    relative Brier): Σ over his active days (own − median) / all 7 days = (1.5 − 3.04) / 7 =
    −0.22, his days' median averaging 3.04 / 6. The README instead subtracts the crowd's
    median averaged over all 7 days (4.02 / 7, including Nov 1's 0.98 when only George stood)
    and multiplies by participation: (0.25 − 0.574) × 6/7 = −0.27796, printed −0.278 in its
    text and −0.378 in its code comment (a misprint). Both are computed from the engine's
    outputs here; the engine reports the first. Source: as above.
    """
    forecasts, question = election_2016()
    kramer = by_user(history([question], forecasts))["Kramer"]
    assert kramer["median_daily_brier"] == pytest.approx(3.04 / 6)
    assert kramer["relative_brier"] == pytest.approx(-0.22)

    all_days_reading = (kramer["mean_daily_brier"] - 4.02 / 7) * kramer["participation"]
    assert all_days_reading == pytest.approx((0.25 - 4.02 / 7) * 6 / 7)
    assert round(all_days_reading, 3) == -0.278


# --- Fatebook / Cultivate Labs: relative Brier over carried-forward days ----------------------


def cubs_question(*forecasts: tuple[str, float, float]) -> dict:
    """'Will the Cubs win?': open 7 days from midnight, resolves Yes at the end."""
    data = history(
        [{"id": "q", "close": 7}],
        [("q", user, day, yes(p)) for user, day, p in forecasts],
    )
    return by_user(data)


def test_fatebook_relative_brier_of_three_forecasters() -> None:
    """Fatebook's scoring test (relativeBrierScoring on a 7-day question resolved YES):
    user 1: 90% on day 0, 95% on day 3; user 2: 25% on day 0, 20% on day 2; user 3: 99% on
    day 5. Source: https://github.com/Sage-Future/fatebook/blob/main/pages/api/debug_scoring_test.ts
    """
    scores = cubs_question(("1", 0, 0.9), ("1", 3, 0.95), ("2", 0, 0.25), ("2", 2, 0.2),
                           ("3", 5, 0.99))  # fmt: skip
    assert scores["1"]["relative_brier"] == pytest.approx(-0.43)
    # Fatebook asserts 0.7943 and -0.00137 (rounded; its floatEquality tolerates that).
    assert scores["2"]["relative_brier"] == pytest.approx(5.56 / 7)  # 0.794285…
    assert scores["3"]["relative_brier"] == pytest.approx(-0.0096 / 7)  # -0.0013714…
    assert scores["3"]["active_days"] == 2 and scores["3"]["participation"] == pytest.approx(2 / 7)


def test_fatebook_single_forecaster_brier() -> None:
    """Same test, one forecaster: 0.9 for three days then 0.95 for four. Fatebook asserts
    0.0114 (rounded from 0.08 / 7) as this user's "relativeBrierScore": alone, Fatebook reports
    the plain time-averaged Brier, which is our mean daily Brier (our relative Brier is 0 when
    one is one's own median). Fatebook's third case, one forecast on a question open 0.8 days,
    has no counterpart: DESIGN §3 scores whole UTC days only. Source: as above."""
    scores = cubs_question(("1", 0, 0.9), ("1", 3, 0.95))
    assert scores["1"]["mean_daily_brier"] == pytest.approx(0.08 / 7)
    assert scores["1"]["relative_brier"] == 0.0  # alone, the median is oneself


def test_cultivate_brier_of_a_standing_forecast() -> None:
    """Cultivate's Cubs example: 90% Yes standing all 7 days scores (0.9−1)² + (0.1−0)² = 0.02
    each day, so 0.02 overall. Source:
    https://www.cultivatelabs.com/crowdsourced-forecasting-guide/what-is-a-brier-score-and-how-is-it-calculated
    """
    scores = cubs_question(("1", 0, 0.9))
    assert scores["1"]["mean_daily_brier"] == pytest.approx(0.02)
    assert scores["1"]["brier"] == pytest.approx(0.02)


def test_cultivate_updated_forecast_averages_its_days() -> None:
    """Cultivate's 'Forecaster #1' (0.9 for days 1–3, 0.95 for days 4–7; daily 0.02 then
    0.005): the page prints an overall Brier score of 0.0114, rounded from 0.08 / 7. Source:
    https://cultivatelabs.com/crowdsourced-forecasting-guide/what-are-net-brier-points-and-how-are-they-calculated
    """
    scores = cubs_question(("1", 0, 0.9), ("1", 3, 0.95))
    assert scores["1"]["mean_daily_brier"] == pytest.approx(0.0114, abs=5e-5)
    assert scores["1"]["brier"] == pytest.approx(0.005)  # the forecast standing at the end


def test_cultivate_only_full_days_are_scored() -> None:
    """Cultivate: a question open from April 1 at midnight and resolved April 12 at 6am is
    scored for full days only, April 1–11; a first forecast at 5am on April 12 gets no daily
    score. Source:
    https://www.cultivatelabs.com/support/forecasts/user-experience/forecasted-no-score
    """
    april_1, april_12_6am, april_12_5am = 90, 101.25, 101 + 5 / 24  # days after 2026-01-01
    data = history(
        [{"id": "q", "open": april_1, "close": 120, "resolved": april_12_6am}],
        [("q", "early", april_1, yes(0.6)), ("q", "late", april_12_5am, yes(0.99))],
    )
    scores = by_user(data)
    assert scores["early"]["scored_days"] == scores["early"]["active_days"] == 11
    assert scores["late"]["active_days"] == 0
    assert scores["late"]["mean_daily_brier"] is None
    assert scores["late"]["relative_brier"] == 0.0


def test_cultivate_ordered_question_scores_cumulative_splits() -> None:
    """Cultivate's ordinal example: 'How many games will the Cubs win?' with bins <50, 50–75,
    76–100, >100, forecast 15/45/25/15 %, outcome 76–100. The plain Brier is 0.81 (printed);
    the ordered score averages the splits {<50 | rest} 0.045, {≤75 | rest} 0.72 and
    {≤100 | >100} 0.045, giving 0.27 (the stored copy of the page ends before its total).
    Source: https://cultivatelabs.com/prediction-markets-guide/what-is-ordinal-scoring-and-how-is-it-calculated
    """
    forecast = [[0.15, 0.45, 0.25, 0.15]]
    assert rules.brier(forecast, 2)[0] == pytest.approx(0.81)
    assert rules.brier(forecast, 2, ordered=True)[0] == pytest.approx(0.27)


# --- Metaculus scores FAQ ------------------------------------------------------------------


def test_metaculus_five_day_baseline_example() -> None:
    """A binary question open 5 days resolves Yes; predictions 40% on day 2, 70% on day 3
    (still standing on day 4) and 80% on day 5 score 0, −32, +49, +49, +68 by day, average
    +27 as printed (exactly 26.54). Source: https://www.metaculus.com/help/scores-faq/
    ("Do all my predictions on a question count toward my score?")"""
    data = history(
        [{"id": "q", "close": 5}],
        [("q", "you", 1, yes(0.4)), ("q", "you", 2, yes(0.7)), ("q", "you", 4, yes(0.8))],
    )
    daily = [0.0, 100 * math.log2(0.8), 100 * math.log2(1.4), 100 * math.log2(1.4),
             100 * math.log2(1.6)]  # fmt: skip
    assert [round(x) for x in daily] == [0, -32, 49, 49, 68]
    score = by_user(data)["you"]["baseline_score"]
    assert score == pytest.approx(sum(daily) / 5)
    assert round(score) == 27


@pytest.mark.parametrize(
    ("p", "if_yes", "if_no", "expected"),
    [(0.7, 49, -74, 24), (0.8, 68, -132, 28), (0.9, 85, -232, 21), (0.99, 99, -564, -34)],
)
def test_metaculus_expected_baseline_table(
    p: float, if_yes: int, if_no: int, expected: int
) -> None:
    """Believing 80%, predicting p: baseline score if Yes, if No, and expected. Printed values
    are rounded; the FAQ prints +48 for 70% if Yes where 100·log2(1.4) = 48.54 rounds to 49
    (its own 5-day example prints +49 for the same prediction); the parameters hold the
    correctly rounded values. Source: https://www.metaculus.com/help/scores-faq/"""
    on_yes, on_no = rules.baseline_score([yes(p), yes(p)], [0, 1])
    assert round(on_yes) == if_yes
    assert round(on_no) == if_no
    assert round(0.8 * on_yes + 0.2 * on_no) == expected


def test_metaculus_notable_baseline_values() -> None:
    """Best/worst baseline with predictions bounded to 0.1%..99.9%: binary +99.9 / −897,
    8-option multiple choice +99.9 / −232. The multiple-choice best is 99.95, which rounds to
    100.0; the page prints it truncated. Source: https://www.metaculus.com/help/scores-faq/"""
    best, worst = rules.baseline_score([yes(0.999), yes(0.999)], [0, 1])
    assert (round(best, 1), round(worst)) == (99.9, -897)
    eight = [[0.999] + [0.001 / 7] * 7]
    assert rules.baseline_score(eight, 0)[0] == pytest.approx(100 * math.log(7.992) / math.log(8))
    assert math.floor(10 * rules.baseline_score(eight, 0)[0]) / 10 == 99.9
    assert round(rules.baseline_score([[0.001] + [0.999 / 7] * 7], 0)[0]) == -232


def test_metaculus_peer_example_of_three_forecasters() -> None:
    """Alex, Bailey and Cory with log scores −1, 1 and 2 get Peer scores −2.5, 0.5 and 2, which
    sum to 0. The table leaves out the ×100 that the same section says the Peer score carries,
    so the engine gives −250, 50 and 200. Source: https://www.metaculus.com/help/scores-faq/"""
    peer = rules.peer_from_logs([-1.0, 1.0, 2.0])
    np.testing.assert_allclose(peer, [-250.0, 50.0, 200.0])
    assert peer.sum() == pytest.approx(0.0)


def test_metaculus_best_peer_score_is_bounded_by_the_log_floor() -> None:
    """With predictions in 0.1%..99.9%, the best peer score is 100·ln(0.999/0.001) ≈ 690.8.
    The FAQ's table prints ±996, which is 100·log2(999): base-2 logs, unlike the natural-log
    formula printed next to it. Source: https://www.metaculus.com/help/scores-faq/"""
    best = rules.peer_score([yes(0.999), yes(0.001)], 0)
    assert best[0] == pytest.approx(100 * math.log(999))
    assert round(100 * math.log2(999)) == 996


@pytest.mark.parametrize(
    ("p", "printed_hit", "printed_miss", "printed_average"),
    [(0.05, -0.05, -3.0, -0.54), (0.17, -0.19, -1.77, -0.45), (0.30, -0.36, -1.2, -0.50)],
)
def test_metaculus_log_score_die_table(
    p: float, printed_hit: float, printed_miss: float, printed_average: float
) -> None:
    """'Will I roll a 6?': log scores of predicting p when the roll is 1–5 and when it is 6,
    and the average over a fair die. For p = 30% the FAQ prints −0.37 and −0.51; ln(0.7) =
    −0.357 and the average −0.498 round to −0.36 and −0.50 (tested here). Source: https://www.metaculus.com/help/scores-faq/"""
    hit, miss = rules.log_score([[p, 1 - p], [p, 1 - p]], [1, 0])
    assert (round(hit, 2), round(miss, 2)) == (printed_hit, printed_miss)
    assert round((5 * hit + miss) / 6, 2) == printed_average


def test_metaculus_extreme_log_scores() -> None:
    """99% vs 99.9%: −0.01 / −0.001 if right, −4.6 / −6.9 if wrong; going to 99.9% gains
    +0.009 when right and loses 2.3 when wrong. Source: https://www.metaculus.com/help/scores-faq/"""
    right = rules.log_score([yes(0.99), yes(0.999)], 0)
    wrong = rules.log_score([yes(0.99), yes(0.999)], 1)
    assert np.round(right, 3).tolist() == [-0.01, -0.001]
    assert np.round(wrong, 1).tolist() == [-4.6, -6.9]
    assert round(right[1] - right[0], 3) == 0.009
    assert round(wrong[0] - wrong[1], 1) == 2.3


# --- scikit-learn docstrings ------------------------------------------------------------------


def test_sklearn_brier_score_loss_docstring() -> None:
    """brier_score_loss([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3]) prints 0.037... (exactly 0.0375);
    the user guide's variant with 0.4 gives 0.055; thresholded forecasts score 0. sklearn's is
    the 0..1 binary score, half the 0..2 Brier of DESIGN §3. Sources:
    https://scikit-learn.org/stable/modules/generated/sklearn.metrics.brier_score_loss.html
    https://scikit-learn.org/stable/modules/model_evaluation.html#brier-score-loss"""
    y_true = np.array([0, 1, 1, 0])
    y_prob = np.array([0.1, 0.9, 0.8, 0.3])
    as_options = np.column_stack([y_prob, 1 - y_prob])
    outcome = 1 - y_true  # option 0 is "event happened"
    assert rules.brier(as_options, outcome).mean() / 2 == pytest.approx(0.0375)
    assert brier_decomposition(y_prob, y_true).brier == pytest.approx(0.0375)
    assert brier_decomposition([0.1, 0.9, 0.8, 0.4], y_true).brier == pytest.approx(0.055)
    assert brier_decomposition((y_prob > 0.5).astype(float), y_true).brier == 0.0


def test_sklearn_calibration_curve_docstring() -> None:
    """calibration_curve(y_true, y_pred, n_bins=3) gives prob_true [0, 0.5, 1] and prob_pred
    [0.2, 0.525, 0.85]. Source:
    https://scikit-learn.org/stable/modules/generated/sklearn.calibration.calibration_curve.html"""
    y_true = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1])
    y_pred = np.array([0.1, 0.2, 0.3, 0.4, 0.65, 0.7, 0.8, 0.9, 1.0])
    prob_true, prob_pred = calibration_curve(y_pred, y_true, n_bins=3).nonempty()
    np.testing.assert_allclose(prob_true, [0.0, 0.5, 1.0])
    np.testing.assert_allclose(prob_pred, [0.2, 0.525, 0.85])


def test_timestamps_are_whole_days_from_midnight() -> None:
    """The examples above rely on T0 being a UTC midnight."""
    assert at(0) % 86_400 == 0
