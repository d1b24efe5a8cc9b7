"""Sessions are no way round the anchoring rule, and a blind forecast is sealed until reveal."""

import csv
import io
import json

import pytest

from tests.support import make_user
from tracker.errors import PermissionDenied
from tracker.schemas import ForecastCreate
from tracker.services import audit, forecasts, session_views, sessions, views


def forecast(db, actor, p, rationale=""):
    return forecasts.log_forecast(
        db,
        actor,
        ForecastCreate(
            question_id="us-strike", probabilities={"Yes": p, "No": 1 - p}, rationale=rationale
        ),
    )


def new_session(db, creator, participants):
    return sessions.create_session(
        db,
        creator,
        sessions.SessionCreate(title="Iran", question_ids=["us-strike"], participants=participants),
    )


def test_a_forecaster_cannot_create_a_session_of_colleagues_only(db, alice, bob, binary_question):
    with pytest.raises(PermissionDenied, match="take part"):
        new_session(db, alice, ["bob"])


def test_a_reveal_shows_no_forecast_the_question_page_would_hide(
    db, admin, alice, bob, binary_question
):
    """An admin may run a session they do not take part in, but reads its reveal only as the
    question page would show it: after forecasting the question themselves."""
    record = new_session(db, admin, ["bob"])
    forecast(db, bob, 0.44, "carrier groups")  # tagged into the session automatically
    sessions.advance_phase(db, admin, record.id, "reveal")
    assert not views.question_view(db, admin, "us-strike").team_visible
    [revealed] = sessions.reveal(db, admin, record.id)
    assert revealed.withheld and revealed.forecasts == [] and revealed.aggregates == {}
    exported = sessions.export_record(db, admin, record.id)
    assert "0.44" not in json.dumps(exported) and "carrier" not in json.dumps(exported)
    assert "carrier" not in sessions.export_csv(db, admin, record.id)
    view = session_views.session_view(db, admin, record.id)
    assert "carrier" not in str(view.revealed) and "carrier" not in str(view.updates)
    forecast(db, admin, 0.5)  # once they have their own estimate, the team's is theirs to see
    [revealed] = sessions.reveal(db, admin, record.id)
    assert [f.user for f in revealed.forecasts] == ["bob"] and not revealed.withheld


def test_a_participant_who_has_not_forecast_sees_no_reveal_of_a_hidden_question(
    db, alice, bob, binary_question
):
    record = new_session(db, alice, ["alice", "bob"])
    forecast(db, bob, 0.44)
    sessions.advance_phase(db, alice, record.id, "reveal")
    [revealed] = sessions.reveal(db, alice, record.id)
    assert revealed.withheld and revealed.forecasts == []


@pytest.fixture
def blind_session(db, admin, alice, bob, binary_question):
    carol = make_user(db, "carol")
    forecast(db, carol, 0.1, "before the session")  # an ordinary forecast: not sealed
    record = new_session(db, alice, ["alice", "bob"])
    forecast(db, bob, 0.44, "bob's blind reasons")
    return record, carol


def test_blind_forecasts_are_sealed_to_outsiders_on_the_question_page(
    db, admin, viewer, blind_session
):
    record, carol = blind_session
    dave = make_user(db, "dave")
    forecast(db, dave, 0.3)  # an outsider who forecast, so sees the team
    for reader in (viewer, dave, admin, carol):
        view = views.question_view(db, reader, "us-strike")
        assert "bob" not in {f.user for f in view.others}, reader.name
        assert all("bob's blind" not in f.rationale for f in view.rationales())
        _, paths = views.all_paths(db, reader, "us-strike")
        assert "bob" not in {f.user for f in paths}
    [row] = views.with_team(db, viewer, views.question_rows(db, viewer))
    assert row.team_median == pytest.approx({"Yes": 0.2, "No": 0.8})  # carol and dave only
    bob_view = views.question_view(db, make_user_actor(db, "bob"), "us-strike")
    assert [f.probabilities["Yes"] for f in bob_view.mine] == pytest.approx([0.44])
    sessions.advance_phase(db, make_user_actor(db, "alice"), record.id, "reveal")
    assert "bob" in {f.user for f in views.question_view(db, viewer, "us-strike").others}


def make_user_actor(db, name):
    from tracker.services import users

    return users.actor_for(next(u for u in users.list_users(db) if u.name == name))


def test_sealed_and_unforecast_vectors_are_masked_in_the_audit_unless_shown_on_purpose(
    db, admin, blind_session
):
    masked = [e for e in session_views.audit_events_for(db, admin) if e.action == "forecast.create"]
    notes = {e.actor: e.after for e in masked}
    assert notes["bob"] == {"note": session_views.BLIND_NOTE}
    assert notes["carol"] == {"note": session_views.HIDDEN_NOTE}  # admin has not forecast
    full = session_views.audit_events_for(db, admin, show_everything=True)
    vectors = {e.actor: e.after["vector"] for e in full if e.action == "forecast.create"}
    assert vectors["bob"] == pytest.approx([0.44, 0.56])
    assert [e.actor for e in audit.list_events(db) if e.action == "audit.show_everything"] == [
        "admin"
    ]


def test_the_admin_download_leaves_out_what_the_admin_may_not_see(db, admin, blind_session):
    document = json.loads(session_views.export_for(db, admin))
    assert document["forecasts"] == []  # bob's sealed, carol's on a question admin must forecast
    forecast(db, admin, 0.5)
    document = json.loads(session_views.export_for(db, admin))
    assert {f["user"] for f in document["forecasts"]} == {"admin", "carol"}
    rows = list(csv.DictReader(io.StringIO(session_views.export_csv_for(db, admin))))
    assert {r["user"] for r in rows} == {"admin", "carol"}
    everything = json.loads(session_views.export_for(db, admin, show_everything=True))
    assert {f["user"] for f in everything["forecasts"]} == {"admin", "bob", "carol"}
    assert any(e.action == "export.show_everything" for e in audit.list_events(db))
