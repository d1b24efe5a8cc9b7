"""The HTTP API takes a numeric forecast as percentiles and shows the pooled CDF only where
the question page would."""

import pytest
from fastapi.testclient import TestClient

from tests.numeric.conftest import brent_data
from tracker.db import Database
from tracker.schemas import Actor, QuestionRead
from tracker.services import questions


@pytest.fixture
def brent(db: Database, admin: Actor) -> QuestionRead:
    return questions.create_question(db, admin, brent_data())


def test_a_numeric_forecast_through_the_api(
    api: TestClient, token_for, alice: Actor, bob: Actor, brent: QuestionRead
) -> None:
    url = f"/api/v1/questions/{brent.id}"
    made = api.post(
        f"{url}/forecasts",
        json={"percentiles": {"10": 62, "50": 75, "90": 95}, "rationale": "supply is tight"},
        headers=token_for(alice),
    )
    assert made.status_code == 201, made.text
    assert len(made.json()["cdf"]) == 201 and made.json()["probabilities"] == {}
    hidden = api.get(url, headers=token_for(bob)).json()
    assert hidden["team_visible"] is False and hidden["team_cdf"] is None  # bob has not forecast
    shown = api.get(url, headers=token_for(alice)).json()
    assert shown["team_cdf"] == made.json()["cdf"]


def test_a_bad_numeric_body_gets_a_clear_422(
    api: TestClient, token_for, alice: Actor, brent: QuestionRead
) -> None:
    bad = api.post(
        f"/api/v1/questions/{brent.id}/forecasts",
        json={"percentiles": {"10": 90, "90": 60}},
        headers=token_for(alice),
    )
    assert bad.status_code in (400, 422) and "must rise" in bad.text
    both = api.post(
        f"/api/v1/questions/{brent.id}/forecasts",
        json={"probability": 0.3, "percentiles": {"10": 60, "90": 90}},
        headers=token_for(alice),
    )
    assert both.status_code == 422 and "give one of" in both.text
