"""Who may call what: tokens, scopes, 401 against 403, the rate limit."""

import pytest
from fastapi.testclient import TestClient

from tracker.api import create_app
from tracker.config import Settings
from tracker.errors import PermissionDenied
from tracker.schemas import Resolution
from tracker.services import forecasts, questions, tokens

Q = "us-strike"


def test_no_token_or_a_wrong_one_gets_401_json(api, binary_question):
    for headers in ({}, {"Authorization": "Bearer ft_nope"}, {"Authorization": "Basic eDp5"}):
        response = api.get("/api/v1/questions", headers=headers)
        assert response.status_code == 401
        assert "token" in response.json()["error"]
        assert response.headers["www-authenticate"] == "Bearer"


def test_revoked_and_expired_tokens_get_401(api, db, clock, alice, binary_question):
    secret = tokens.create_token(db, alice, {"name": "t", "expires_days": 1})
    headers = {"Authorization": f"Bearer {secret.secret}"}
    assert api.get("/api/v1/questions", headers=headers).status_code == 200
    clock.advance(days=1, seconds=1)
    assert api.get("/api/v1/questions", headers=headers).status_code == 401
    other = tokens.create_token(db, alice, {"name": "u"})
    tokens.revoke_token(db, alice, other.token.id)
    assert (
        api.get("/api/v1/questions", headers={"Authorization": f"Bearer {other.secret}"})
    ).status_code == 401


def test_read_token_cannot_forecast(api, db, alice, token_for, binary_question):
    response = api.post(
        f"/api/v1/questions/{Q}/forecasts",
        json={"probability": 0.3},
        headers=token_for(alice, "read"),
    )
    assert response.status_code == 403 and "viewers cannot forecast" in response.json()["error"]
    assert forecasts.forecast_history(db, question_id=Q) == []


def test_forecaster_token_cannot_export_even_for_an_admin(api, admin, token_for, binary_question):
    response = api.get("/api/v1/export", headers=token_for(admin, "forecast"))
    assert response.status_code == 403 and "admin" in response.json()["error"]
    assert api.get("/api/v1/export", headers=token_for(admin, "admin")).status_code == 200


def test_forecaster_token_cannot_resolve(db, admin, token_for, binary_question):
    """No route resolves; and the narrowed actor a forecast-scoped admin token yields is
    refused by the resolve service itself, so no future edge can resolve with it either."""
    secret = token_for(admin, "forecast")["Authorization"].removeprefix("Bearer ")
    actor, _ = tokens.authenticate(db, secret)
    with pytest.raises(PermissionDenied):
        questions.resolve_question(db, actor, Q, Resolution(option="Yes"))
    assert questions.get_question(db, Q).status == "open"


def test_rate_limit_per_token(db, alice, token_for, binary_question):
    settings = Settings(api_rate_limit=3, api_rate_window_s=3600)
    with TestClient(create_app(db, settings)) as client:
        first, second = token_for(alice, "read"), token_for(alice, "read")
        codes = [client.get("/api/v1/questions", headers=first).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = client.get("/api/v1/questions", headers=first)
        assert "too many requests" in limited.json()["error"] and limited.headers["retry-after"]
        assert client.get("/api/v1/questions", headers=second).status_code == 200


def test_openapi_docs_are_served(api):
    assert api.get("/docs").status_code == 200
    paths = api.get("/openapi.json").json()["paths"]
    assert {"/api/v1/questions", "/api/v1/questions/{question_id}/forecasts",
            "/api/v1/forecasts", "/api/v1/evidence", "/api/v1/scores",
            "/api/v1/export"} <= set(paths)  # fmt: skip
