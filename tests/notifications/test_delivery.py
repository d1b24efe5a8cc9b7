"""Delivery: retried with backoff, recorded, failures shown to admins, never blocking a write."""

import threading
from datetime import timedelta

import pytest
from sqlmodel import select

from tests.notifications.conftest import WAIT, Hook, Mailbox, deliver
from tests.support import question_data
from tracker.errors import InvalidInput, PermissionDenied
from tracker.models import OutboxMessage
from tracker.schemas import ForecastCreate
from tracker.services import forecasts, notifications, questions


def _outbox(db) -> list[OutboxMessage]:
    with db.read() as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_failing_webhook_is_retried_with_backoff_then_given_up(
    db, admin, clock, mailbox: Mailbox, team_hook: Hook
):
    team_hook.status = 500
    questions.create_question(db, admin, question_data())
    start = clock.now
    assert deliver(db).retrying == 1
    [row] = _outbox(db)
    assert (row.state, row.attempts) == ("pending", 1) and row.last_error
    assert row.next_attempt_at == start + timedelta(seconds=60)
    assert deliver(db).retrying == 0  # not due yet
    clock.advance(seconds=60)
    assert deliver(db).retrying == 1
    assert _outbox(db)[0].next_attempt_at == clock.now + timedelta(seconds=120)
    clock.advance(seconds=120)
    assert deliver(db).failed == 1  # NOTIFY_MAX_ATTEMPTS=3
    [failed] = notifications.deliveries(db, admin)
    assert (failed.state, failed.attempts, failed.recipient) == ("failed", 3, None)
    assert "team room" in failed.channel and failed.last_error
    clock.advance(days=1)
    assert deliver(db).failed == 0  # given up: not tried again


def test_a_retry_that_succeeds_is_recorded_as_sent(db, admin, clock, mailbox, team_hook):
    team_hook.status = 503
    questions.create_question(db, admin, question_data())
    deliver(db)
    team_hook.status = 200
    clock.advance(seconds=60)
    assert deliver(db).sent == 1
    [row] = _outbox(db)
    assert (row.state, row.attempts, row.last_error) == ("sent", 2, "")
    assert "Will the US strike Iran" in row.body and row.sent_at == clock.now
    assert notifications.deliveries(db, admin) == []


def test_only_admins_see_the_delivery_failures(db, alice):
    with pytest.raises(PermissionDenied):
        notifications.deliveries(db, alice)


def test_a_hanging_webhook_does_not_block_a_forecast(db, admin, alice, mailbox, team_hook: Hook):
    team_hook.hold = True
    questions.create_question(db, admin, question_data())
    delivering = threading.Thread(target=deliver, args=(db,))
    delivering.start()
    assert team_hook.arrived.wait(WAIT)  # the deliverer is now stuck inside the webhook call
    made = forecasts.log_forecast(
        db, alice, ForecastCreate(question_id="us-strike", probabilities={"Yes": 0.3, "No": 0.7})
    )
    assert delivering.is_alive()  # the forecast did not wait for it
    assert [f.id for f in forecasts.forecast_history(db, question_id="us-strike")] == [made.id]
    team_hook.release.set()
    delivering.join(WAIT)
    assert _outbox(db)[0].state == "sent"


def test_a_broken_notification_hook_never_undoes_the_write(db, admin, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def broken(*_args, **_kwargs):
        raise OperationalError("INSERT", {}, Exception("outbox unavailable"))

    monkeypatch.setattr(notifications, "_enqueue", broken)
    created = questions.create_question(db, admin, question_data())
    assert questions.get_question(db, created.id).title == created.title


def test_bad_channels_are_refused(db, alice, admin):
    with pytest.raises(InvalidInput):
        notifications.set_email(db, alice, "not an address")
    with pytest.raises(InvalidInput):
        notifications.add_webhook(db, alice, "nonsense")
    with pytest.raises(PermissionDenied):
        notifications.add_webhook(db, alice, "json://127.0.0.1:9/x", team=True)
    assert notifications.list_channels(db, alice) == []
    slack = notifications.add_webhook(
        db, alice, "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX"
    )
    assert slack.label == "Slack" and "XXXXXXXX" not in slack.target
    notifications.remove_channel(db, alice, slack.id)
    assert notifications.list_channels(db, alice) == []
