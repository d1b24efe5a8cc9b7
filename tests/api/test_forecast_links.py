"""One-click forecast links: signed, single-use, expiring, and going through the forecast
service; opening one (as a chat app's preview does) never forecasts."""

import re

import pytest

from tests.notifications.conftest import Mailbox, deliver
from tests.support import question_data
from tracker.services import forecast_links, forecasts, notifications, questions

Q = "us-strike"


@pytest.fixture(autouse=True)
def _secret(monkeypatch):
    monkeypatch.setenv("TRACKER_SESSION_SECRET", "links-test-secret")


def _path(url: str) -> str:
    return url[url.index("/api/v1/links/") :]


def _link(db, actor, p: float = 0.3) -> str:
    return _path(dict(forecast_links.links_for(db, actor.user_id, Q))[p])


def test_a_link_forecasts_once_and_opening_it_does_not(api, db, alice, binary_question):
    link = _link(db, alice)
    shown = api.get(link)
    assert shown.status_code == 200 and "Record 30%" in shown.text and "alice" in shown.text
    assert forecasts.forecast_history(db, question_id=Q) == []
    made = api.post(link)
    assert made.status_code == 201 and "Recorded 30%" in made.text
    [stored] = forecasts.forecast_history(db, question_id=Q)
    assert (stored.user, stored.probabilities["Yes"]) == ("alice", 0.3)
    again = api.post(link)
    assert again.status_code == 409 and "already used" in again.text
    assert api.get(link).status_code == 409
    assert len(forecasts.forecast_history(db, question_id=Q)) == 1


def test_altered_and_expired_links_are_refused(api, db, alice, clock, binary_question):
    link = _link(db, alice)
    altered = link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb")
    assert api.post(altered).status_code == 403
    clock.advance(hours=72)
    expired = api.post(link)
    assert expired.status_code == 403 and "expired" in expired.text
    assert forecasts.forecast_history(db, question_id=Q) == []


def test_a_refused_forecast_leaves_nothing_and_the_link_unused(
    api, db, alice, admin, clock, binary_question
):
    from tracker.schemas import Resolution

    link = _link(db, alice)
    questions.resolve_question(db, admin, Q, Resolution(option="No"))
    refused = api.post(link)
    assert refused.status_code == 422 and "resolved" in refused.text
    assert forecasts.forecast_history(db, question_id=Q) == []
    assert "already used" not in api.get(link).text


def test_new_question_mail_has_links_for_forecasters_only(
    api, db, admin, alice, viewer, mailbox: Mailbox, team_hook
):
    for actor in (alice, viewer):
        notifications.set_email(db, actor, f"{actor.name}@example.org")
    questions.create_question(db, admin, question_data())
    deliver(db)
    [mail] = mailbox.to("alice@example.org")
    urls = re.findall(r"https?://\S+/api/v1/links/[\w.-]+", mail)
    assert len(urls) == 5 and "90%" in mail
    assert "/api/v1/links/" not in mailbox.to("vera@example.org")[0]
    assert "/api/v1/links/" not in team_hook.texts()[0]
    assert api.post(_path(urls[2])).status_code == 201  # the 50 % link
    assert forecasts.forecast_history(db, question_id=Q)[0].probabilities["Yes"] == 0.5
