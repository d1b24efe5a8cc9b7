"""Every read endpoint shows what the matching page would: the anchoring rule (the team's
numbers hidden until you forecast) and the blind phase of a team session hold here too."""

import pytest

from tests.support import make_user, question_data
from tracker.schemas import Actor, ForecastCreate, Resolution
from tracker.services import forecasts, questions, sessions

Q = "us-strike"


def _forecast(db, actor: Actor, p: float, question_id: str = Q) -> None:
    forecasts.log_forecast(
        db,
        actor,
        ForecastCreate(question_id=question_id, probabilities={"Yes": p, "No": 1 - p}),
    )


def _reads(api, headers, other: str) -> dict:
    """What each read endpoint tells this caller about the others' numbers on Q."""
    [row] = [r for r in api.get("/api/v1/questions", headers=headers).json()["items"]]
    detail = api.get(f"/api/v1/questions/{Q}", headers=headers).json()
    theirs = api.get("/api/v1/forecasts", params={"user": other}, headers=headers).json()
    return {
        "list_median": row["team_median"],
        "list_visible": row["team_visible"],
        "pools": detail["team_pools"],
        "others": detail["others"],
        "detail_visible": detail["team_visible"],
        "their_forecasts": theirs,
    }


def _hidden(seen: dict) -> bool:
    return (
        seen["list_median"] is None
        and not seen["list_visible"]
        and seen["pools"] == {}
        and seen["others"] == []
        and not seen["detail_visible"]
        and seen["their_forecasts"] == []
    )


def test_team_numbers_hidden_until_the_caller_forecasts(
    api, db, alice, bob, token_for, binary_question
):
    _forecast(db, bob, 0.8)
    headers = token_for(alice)
    before = _reads(api, headers, "bob")
    assert _hidden(before)
    detail = api.get(f"/api/v1/questions/{Q}", headers=headers).json()
    assert "hidden until you make your own" in detail["hidden_reason"]
    assert "0.8" not in api.get(f"/api/v1/questions/{Q}", headers=headers).text

    made = api.post(f"/api/v1/questions/{Q}/forecasts", json={"probability": 0.4}, headers=headers)
    assert made.status_code == 201
    after = _reads(api, headers, "bob")
    assert after["list_visible"] and after["detail_visible"]
    assert after["list_median"]["Yes"] == pytest.approx(0.6)
    assert after["pools"]["median"]["Yes"] == pytest.approx(0.6)
    assert [f["user"] for f in after["others"]] == ["bob"]
    assert [f["probabilities"]["Yes"] for f in after["their_forecasts"]] == [0.8]


def test_viewer_token_sees_the_team_and_a_read_scope_acts_as_a_viewer(
    api, db, alice, bob, viewer, token_for, binary_question
):
    _forecast(db, bob, 0.8)
    assert not _hidden(_reads(api, token_for(viewer, "read"), "bob"))
    # a forecaster's read token cannot be anchored (it cannot forecast), as for a viewer
    assert not _hidden(_reads(api, token_for(alice, "read"), "bob"))


def test_blind_session_hides_the_others_even_after_forecasting(
    api, db, admin, alice, bob, token_for, binary_question
):
    record = sessions.create_session(
        db,
        admin,
        sessions.SessionCreate(title="Blind", question_ids=[Q], participants=["alice", "bob"]),
    )
    _forecast(db, bob, 0.8)
    headers = token_for(alice)
    made = api.post(f"/api/v1/questions/{Q}/forecasts", json={"probability": 0.4}, headers=headers)
    assert made.status_code == 201 and made.json()["session_phase"] == "blind"
    assert _hidden(_reads(api, headers, "bob"))

    sessions.advance_phase(db, admin, record.id, "reveal")
    assert not _hidden(_reads(api, headers, "bob"))


def test_export_leaves_out_the_blind_forecasts_an_admin_could_not_see(
    api, db, admin, alice, token_for, binary_question
):
    record = sessions.create_session(
        db,
        alice,
        sessions.SessionCreate(title="Blind", question_ids=[Q], participants=["alice", "admin"]),
    )
    _forecast(db, alice, 0.7)
    headers = token_for(admin, "admin")
    during = api.get("/api/v1/export", headers=headers)
    assert during.status_code == 200
    assert [f["user"] for f in during.json()["forecasts"]] == []
    sessions.advance_phase(db, alice, record.id, "reveal")
    _forecast(db, admin, 0.5)  # the anchoring rule still holds for the admin after the reveal
    after = api.get("/api/v1/export", headers=headers).json()
    assert sorted(f["user"] for f in after["forecasts"]) == ["admin", "alice"]


def test_scores_after_resolution(api, db, admin, alice, bob, clock, token_for, binary_question):
    _forecast(db, alice, 0.9)
    _forecast(db, bob, 0.2)
    clock.advance(days=3)
    questions.resolve_question(db, admin, Q, Resolution(option="Yes"))
    headers = token_for(alice, "read")
    rows = api.get("/api/v1/scores", headers=headers).json()
    assert {r["user"] for r in rows} == {"alice", "bob"}
    mine = api.get("/api/v1/scores", params={"user": "me"}, headers=headers).json()
    assert [r["user"] for r in mine] == ["alice"] and mine[0]["brier"] is not None


def test_question_list_filters_and_pages(api, db, admin, alice, token_for, binary_question):
    for n in range(3):
        questions.create_question(db, admin, question_data(id=f"q-{n}", tags=["other"]))
    headers = token_for(alice, "read")
    page = api.get("/api/v1/questions", params={"tag": "other", "per_page": 2}, headers=headers)
    assert page.json()["total"] == 3 and len(page.json()["items"]) == 2
    last = api.get(
        "/api/v1/questions", params={"tag": "other", "per_page": 2, "page": 2}, headers=headers
    ).json()
    assert len(last["items"]) == 1
    assert (
        api.get("/api/v1/questions", params={"status": "resolved"}, headers=headers).json()["total"]
        == 0
    )
    bad = api.get("/api/v1/questions", params={"status": "sideways"}, headers=headers)
    assert bad.status_code == 422 and "error" in bad.json()
    missing = api.get("/api/v1/questions/nope", headers=headers)
    assert missing.status_code == 404 and "nope" in missing.json()["error"]


def test_unknown_member_in_forecasts_filter_is_404(api, db, alice, token_for):
    make_user(db, "carol")
    assert api.get("/api/v1/forecasts", params={"user": "carol"},
                   headers=token_for(alice)).json() == []  # fmt: skip
    response = api.get("/api/v1/forecasts", params={"user": "zed"}, headers=token_for(alice))
    assert response.status_code == 404
