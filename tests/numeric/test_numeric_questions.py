"""Numeric and date questions: a range instead of options, a distribution instead of a vector,
a value as the resolution; every bad input gets a clear error and changes nothing."""

import pytest
from pydantic import ValidationError

from tests.numeric.conftest import brent_data, next_round_data
from tracker.db import Database
from tracker.errors import InvalidInput
from tracker.schemas import Actor, ForecastCreate, QuestionRead, Resolution
from tracker.scoring.continuous import N_POINTS
from tracker.scoring.continuous_build import summary
from tracker.services import forecasts, questions


def test_a_numeric_question_keeps_its_range_and_has_no_options(brent: QuestionRead) -> None:
    assert brent.type == "numeric" and brent.options == [] and brent.is_continuous
    assert brent.range is not None
    assert (brent.range.lower, brent.range.upper) == (40.0, 120.0)
    assert brent.range.open_lower and brent.range.open_upper and brent.range.unit == "USD/bbl"


def test_a_date_question_takes_iso_dates_and_keeps_days(next_round: QuestionRead) -> None:
    assert next_round.range is not None
    assert next_round.range.lower == pytest.approx(20788.0)  # 2026-12-01 in days since 1970
    assert not next_round.range.open_lower and next_round.range.open_upper


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"range": None}, "need a range"),
        ({"range": {"lower": 5, "upper": 5}}, "lower < upper"),
        ({"range": {"lower": 0, "upper": 10, "scale": "log"}}, "positive lower bound"),
        ({"options": ["a", "b"]}, "not options"),
        ({"range": {"lower": "forty", "upper": 120}}, "must be a number"),
    ],
)
def test_a_bad_range_is_refused_with_a_reason(overrides: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        brent_data(**overrides)


def test_a_date_question_refuses_a_non_date_bound() -> None:
    with pytest.raises(ValidationError, match="not an ISO date"):
        next_round_data(range={"lower": "soon", "upper": "2027-06-30"})


def test_a_categorical_question_refuses_a_range() -> None:
    with pytest.raises(ValidationError, match="not a range"):
        brent_data(type="binary", range={"lower": 1, "upper": 2})


def test_percentile_handles_become_a_stored_cdf_with_that_median(
    db: Database, alice: Actor, brent: QuestionRead
) -> None:
    made = forecasts.log_forecast(
        db, alice, ForecastCreate(question_id=brent.id, percentiles={10: 62, 50: 75, 90: 95})
    )
    assert made.probabilities == {} and made.cdf is not None and len(made.cdf) == N_POINTS
    stored = forecasts.forecast_history(db, question_id=brent.id)[0]
    assert stored.cdf == made.cdf
    assert brent.range is not None
    said = summary(brent.range.scoring_range(), stored.cdf)
    assert said.median == pytest.approx(75, abs=0.5)
    assert said.low == pytest.approx(62, abs=1.0) and said.high == pytest.approx(95, abs=1.0)


def test_components_and_a_raw_cdf_are_accepted_too(
    db: Database, alice: Actor, bob: Actor, brent: QuestionRead
) -> None:
    one = forecasts.log_forecast(
        db,
        alice,
        ForecastCreate(question_id=brent.id, components=[{"centre": 80, "spread": 6}]),
    )
    again = forecasts.log_forecast(db, bob, ForecastCreate(question_id=brent.id, cdf=one.cdf))
    assert again.cdf == one.cdf


def test_date_percentiles_are_iso_dates(db: Database, alice: Actor, next_round) -> None:
    made = forecasts.log_forecast(
        db,
        alice,
        ForecastCreate(
            question_id=next_round.id,
            percentiles={10: "2027-01-10", 50: "2027-02-15", 90: "2027-04-30"},
        ),
    )
    said = summary(next_round.range.scoring_range(), made.cdf)
    assert said.median == pytest.approx(20864.0, abs=1.0)  # 2027-02-15


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"probabilities": {"Yes": 1.0}}, "not option probabilities"),
        ({}, "give one of a CDF, percentiles or components"),
        ({"percentiles": {50: 75}}, "at least two percentiles"),
        ({"percentiles": {10: 90, 90: 60}}, "must rise"),
        ({"cdf": [0.5] * 10}, "201"),
        ({"cdf": [0.001 + i * 0.998 / 200 for i in range(200, -1, -1)]}, "forecast on"),
        ({"percentiles": {10: 62, 90: "lots"}}, "not a number"),
    ],
)
def test_a_bad_distribution_is_refused_and_nothing_is_stored(
    db: Database, alice: Actor, brent: QuestionRead, payload: dict, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        forecasts.log_forecast(db, alice, ForecastCreate(question_id=brent.id, **payload))
    assert forecasts.forecast_history(db, question_id=brent.id) == []


def test_a_closed_bound_refuses_a_cdf_with_mass_beyond_it(
    db: Database, alice: Actor, next_round: QuestionRead
) -> None:
    cdf = [0.05 + 0.9 * i / 200 for i in range(N_POINTS)]  # 5 % below a closed lower bound
    with pytest.raises(InvalidInput, match="forecast on 'next-round-date'"):
        forecasts.log_forecast(db, alice, ForecastCreate(question_id=next_round.id, cdf=cdf))


def test_a_binary_question_refuses_a_distribution(
    db: Database, alice: Actor, binary_question: QuestionRead
) -> None:
    with pytest.raises(InvalidInput, match="not a distribution"):
        forecasts.log_forecast(
            db, alice, ForecastCreate(question_id=binary_question.id, percentiles={10: 1, 90: 2})
        )


def test_resolving_to_a_value_stores_it_canonically(
    db: Database, admin: Actor, brent: QuestionRead, next_round: QuestionRead
) -> None:
    done = questions.resolve_question(db, admin, brent.id, Resolution(value="81.25"))
    assert done.status == "resolved" and done.resolution == "81.25"
    dated = questions.resolve_question(db, admin, next_round.id, Resolution(value="2027-02-03"))
    assert dated.resolution == "2027-02-03"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-11-01", "below the closed lower bound"),
        ("below", "lower bound is closed"),
        ("next spring", "not an ISO date"),
    ],
)
def test_a_resolution_outside_a_closed_bound_is_refused(
    db: Database, admin: Actor, next_round: QuestionRead, value: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        questions.resolve_question(db, admin, next_round.id, Resolution(value=value))
    assert questions.get_question(db, next_round.id).status == "open"


def test_beyond_an_open_bound_resolves_as_above(
    db: Database, admin: Actor, brent: QuestionRead
) -> None:
    assert (
        questions.resolve_question(db, admin, brent.id, Resolution(value="above")).resolution
        == "above"
    )


def test_an_option_question_refuses_a_value(
    db: Database, admin: Actor, binary_question: QuestionRead
) -> None:
    with pytest.raises(InvalidInput, match="not a value"):
        questions.resolve_question(db, admin, binary_question.id, Resolution(value=3.0))


def test_a_team_session_refuses_a_numeric_question(
    db: Database, admin: Actor, alice: Actor, brent: QuestionRead
) -> None:
    from tracker.services import sessions

    with pytest.raises(InvalidInput, match="numeric question; team sessions take"):
        sessions.create_session(
            db,
            admin,
            sessions.SessionCreate(title="Oil", question_ids=[brent.id], participants=["alice"]),
        )
