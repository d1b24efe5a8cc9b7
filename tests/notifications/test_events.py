"""Each event reaches the right people on their channels, saying only what they may see."""

from tests.notifications.conftest import Mailbox, deliver
from tests.support import make_user, question_data
from tracker.schemas import ForecastCreate, Resolution
from tracker.services import evidence, forecasts, notifications, questions, sessions

Q = "us-strike"


def _emails(db, *actors) -> None:
    for actor in actors:
        notifications.set_email(db, actor, f"{actor.name}@example.org")


def _forecast(db, actor, p: float) -> None:
    forecasts.log_forecast(
        db, actor, ForecastCreate(question_id=Q, probabilities={"Yes": p, "No": 1 - p})
    )


def test_new_question_reaches_every_member_and_the_team_channel(
    db, admin, alice, viewer, mailbox: Mailbox, team_hook
):
    _emails(db, alice, viewer)
    questions.create_question(db, admin, question_data())
    report = deliver(db)
    assert report.sent == 3 and report.failed == report.retrying == 0
    [mail] = mailbox.to("alice@example.org")
    assert "New question: Will the US strike Iran" in mail and "/question?q=us-strike" in mail
    assert mailbox.to("vera@example.org")
    [post] = team_hook.texts()
    assert "Will the US strike Iran" in post
    assert deliver(db).sent == 0  # delivered once


def test_session_start_and_reveal_reach_its_participants_only(
    db, admin, alice, bob, mailbox: Mailbox, binary_question
):
    carol = make_user(db, "carol")
    _emails(db, alice, bob, carol)
    record = sessions.create_session(
        db, admin, sessions.SessionCreate(title="Iran", question_ids=[Q], participants=["alice"])
    )
    sessions.advance_phase(db, admin, record.id, "reveal")
    deliver(db)
    subjects = [m.split("\n")[0] for m in mailbox.to("alice@example.org")]
    assert subjects == ["Session started: Iran", "Session revealed: Iran"]
    assert mailbox.to("bob@example.org") == [] and mailbox.to("carol@example.org") == []


def test_resolution_tells_each_forecaster_their_own_score_only(
    db, admin, alice, bob, clock, mailbox: Mailbox, team_hook, binary_question
):
    _emails(db, alice, bob)
    deliver(db)
    _forecast(db, alice, 0.9)
    _forecast(db, bob, 0.2)
    clock.advance(days=2)
    questions.resolve_question(db, admin, Q, Resolution(option="Yes"))
    deliver(db)
    [alice_mail] = [m for m in mailbox.to("alice@example.org") if m.startswith("Resolved")]
    [bob_mail] = [m for m in mailbox.to("bob@example.org") if m.startswith("Resolved")]
    assert "Your Brier score: 0.020" in alice_mail and "1.280" not in alice_mail
    assert "Your Brier score: 1.280" in bob_mail and "0.020" not in bob_mail
    [team_post] = [t for t in team_hook.texts() if t.startswith("Resolved")]
    assert "Resolved: Yes" in team_post and "Brier" not in team_post


def _evidence(db, actor) -> None:
    item = evidence.add_text(
        db, actor, title="Carrier group moves", text="A carrier group moved toward the Gulf."
    )
    evidence.link(db, actor, Q, item.item.id or 0)


def test_new_evidence_tells_forecasters_with_the_team_median_where_visible(
    db, admin, alice, bob, viewer, mailbox: Mailbox, binary_question
):
    _emails(db, alice, bob, viewer)
    _forecast(db, alice, 0.4)
    _forecast(db, bob, 0.8)
    _evidence(db, admin)
    deliver(db)
    [mail] = [m for m in mailbox.to("alice@example.org") if m.startswith("New evidence")]
    assert "Carrier group moves" in mail
    assert "Your latest forecast: 40%" in mail and "Team median: 60%" in mail
    assert not [m for m in mailbox.to("vera@example.org") if m.startswith("New evidence")]


def test_new_evidence_in_a_blind_session_carries_no_team_number(
    db, admin, alice, bob, mailbox: Mailbox, binary_question
):
    _emails(db, alice)
    sessions.create_session(
        db, admin,
        sessions.SessionCreate(title="Blind", question_ids=[Q], participants=["alice", "bob"]),
    )  # fmt: skip
    _forecast(db, alice, 0.4)
    _forecast(db, bob, 0.8)
    _evidence(db, admin)
    deliver(db)
    [mail] = [m for m in mailbox.to("alice@example.org") if m.startswith("New evidence")]
    assert "Your latest forecast: 40%" in mail
    assert "Team" not in mail and "80%" not in mail and "60%" not in mail


def test_preferences_are_respected_per_event_and_channel(db, admin, alice, hook, mailbox: Mailbox):
    _emails(db, alice)
    notifications.add_webhook(db, alice, hook.url, label="my slack")
    notifications.set_preference(db, alice, "question_new", "email", False)
    assert notifications.preferences(db, alice)["question_new"] == {"email": False,
                                                                    "webhook": True}  # fmt: skip
    questions.create_question(db, admin, question_data())
    deliver(db)
    assert mailbox.to("alice@example.org") == []
    assert [t.split("\n")[0] for t in hook.texts()] == [
        "New question: Will the US strike Iran before 2027-07-01?"
    ]


def test_weekly_digest_once_per_week_from_the_command_line(
    db, database_url, monkeypatch, alice, bob, mailbox: Mailbox, binary_question
):
    from typer.testing import CliRunner

    from tracker import migrate
    from tracker.cli import app
    from tracker.config import get_settings

    _emails(db, alice)
    deliver(db)
    _forecast(db, bob, 0.8)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setattr(migrate, "current_revision", lambda _db: "head")
    get_settings.cache_clear()
    runner = CliRunner()
    first = runner.invoke(app, ["notify", "--digest"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["notify", "--digest"])
    assert "sent 0" in second.stdout
    [digest] = [m for m in mailbox.to("alice@example.org") if m.startswith("Your forecasting")]
    assert "Will the US strike Iran" in digest and "no forecast yet" in digest
    assert "80%" not in digest  # bob's number: alice has not forecast, the team stays hidden
