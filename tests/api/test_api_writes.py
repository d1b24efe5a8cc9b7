"""Writes through the API go through the services: a forecast lands where the app and
`tracker export` read it; bad input gets a JSON error and changes nothing."""

import json

import pytest
from typer.testing import CliRunner

from tracker.cli import app
from tracker.config import get_settings
from tracker.services import evidence, forecasts, views

Q = "us-strike"


@pytest.fixture
def cli_db(database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_forecast_through_the_api_is_in_the_app_and_the_export(
    api, db, alice, token_for, binary_question, cli_db, monkeypatch
):
    from tracker import migrate

    monkeypatch.setattr(migrate, "current_revision", lambda _db: "head")  # schema by create_all
    response = api.post(
        f"/api/v1/questions/{Q}/forecasts",
        json={"probability": 0.3, "rationale": "Talks stalled."},
        headers=token_for(alice),
    )
    assert response.status_code == 201, response.text
    made = response.json()
    assert made["user"] == "alice" and made["probabilities"] == {"Yes": 0.3, "No": 0.7}
    view = views.question_view(db, alice, Q)
    assert [f.probabilities["Yes"] for f in view.mine] == [0.3]
    mine = api.get("/api/v1/forecasts", headers=token_for(alice, "read")).json()
    assert [f["id"] for f in mine] == [made["id"]]

    exported = CliRunner().invoke(app, ["export"])
    assert exported.exit_code == 0, exported.output
    [row] = json.loads(exported.stdout)["forecasts"]
    assert (row["user"], row["question_id"]) == ("alice", Q)
    assert row["probabilities"] == {"Yes": 0.3, "No": 0.7}
    assert row["rationale"] == "Talks stalled."


def test_multiple_choice_forecast_by_option(api, db, alice, token_for, mc_question):
    vector = {"Nuclear only": 0.5, "Nuclear and missiles": 0.3, "No agreement": 0.2}
    response = api.post(
        "/api/v1/questions/deal-scope/forecasts",
        json={"probabilities": vector},
        headers=token_for(alice),
    )
    assert response.status_code == 201
    assert forecasts.forecast_history(db, question_id="deal-scope")[0].probabilities == vector


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"probability": 1.5}, 422, "between 0 and 1"),
        ({"probability": "0.3"}, 422, "number"),
        ({"probabilities": {"Yes": 0.5, "Maybe": 0.5}}, 422, "unknown option"),
        ({"probability": 0.3, "probabilities": {"Yes": 0.3, "No": 0.7}}, 422, "give one of"),
        ({"probability": 0.3, "user": "bob"}, 422, "user"),
        ({}, 422, "give one of"),
    ],
)
def test_bad_forecast_gets_a_json_error_and_writes_nothing(
    api, db, alice, token_for, binary_question, body, status, says
):
    response = api.post(f"/api/v1/questions/{Q}/forecasts", json=body, headers=token_for(alice))
    assert response.status_code == status, response.text
    assert says in response.json()["error"]
    assert forecasts.forecast_history(db, question_id=Q) == []


def test_forecast_on_a_closed_question_is_refused(
    api, db, alice, clock, token_for, binary_question
):
    clock.now = binary_question.close_time
    response = api.post(
        f"/api/v1/questions/{Q}/forecasts", json={"probability": 0.3}, headers=token_for(alice)
    )
    assert response.status_code == 422 and "closed" in response.json()["error"]
    assert forecasts.forecast_history(db, question_id=Q) == []


def test_body_over_the_limit_is_413_and_writes_nothing(api, db, alice, token_for, binary_question):
    headers = token_for(alice) | {"Content-Type": "application/json"}
    huge = json.dumps({"probability": 0.3, "rationale": "x" * 1_000_001})
    response = api.post(f"/api/v1/questions/{Q}/forecasts", content=huge, headers=headers)
    assert response.status_code == 413 and "limit" in response.json()["error"]

    def chunks():  # no Content-Length: the limit is counted as the body arrives
        yield b'{"probability": 0.3, "rationale": "'
        for _ in range(11):
            yield b"x" * 100_000
        yield b'"}'

    response = api.post(f"/api/v1/questions/{Q}/forecasts", content=chunks(), headers=headers)
    assert response.status_code == 413
    assert forecasts.forecast_history(db, question_id=Q) == []


def test_malformed_json_is_400(api, db, alice, token_for, binary_question):
    response = api.post(
        f"/api/v1/questions/{Q}/forecasts",
        content=b"{not json",
        headers=token_for(alice) | {"Content-Type": "application/json"},
    )
    assert response.status_code == 400 and response.json() == {
        "error": "the request body is not valid JSON"
    }


def test_evidence_as_text_and_refused_urls(api, db, alice, viewer, token_for, binary_question):
    text = {"title": "Talks resume", "text": "Negotiators met again in Oman on Tuesday."}
    made = api.post("/api/v1/evidence", json=text, headers=token_for(alice))
    assert made.status_code == 201, made.text
    assert evidence.get_evidence(db, made.json()["item"]["id"]).title == "Talks resume"
    private = api.post(
        "/api/v1/evidence", json={"url": "http://127.0.0.1:1/x"}, headers=token_for(alice)
    )
    assert private.status_code == 400 and "refusing to fetch" in private.json()["error"]
    refused = api.post("/api/v1/evidence", json=text, headers=token_for(viewer, "read"))
    assert refused.status_code == 403
    assert len(evidence.list_evidence(db)) == 1
