"""The Account page's API tokens and notification panels, and the Admin page's deliveries."""

from sqlmodel import select

from tests.ui.conftest import ACCOUNT, ADMIN, World, no_exceptions, texts
from tracker.models import OutboxMessage
from tracker.services import notifications, tokens


def _button(at, label: str):
    [found] = [b for b in at.button if b.label == label]
    return found


def _text(at, label: str):
    [found] = [t for t in at.text_input if t.label == label]
    return found


def test_token_created_on_the_account_page_is_shown_once_and_works(open_app, world: World):
    at = open_app("alice", ACCOUNT)
    no_exceptions(at)
    _text(at, "Token name").input("sheet-sync")
    [scope] = [s for s in at.selectbox if s.label == "Scope"]
    scope.set_value("forecast")
    _button(at, "Create token").click().run()
    no_exceptions(at)
    [shown] = [c.value for c in at.code]
    actor, _ = tokens.authenticate(world.db, shown)
    assert (actor.name, actor.role) == ("alice", "forecaster")
    at.run()
    assert [c.value for c in at.code] == []  # shown once
    assert "sheet-sync" in at.dataframe[0].value["Name"].tolist()
    _button(at, "Revoke").click().run()
    no_exceptions(at)
    assert tokens.list_tokens(world.db, actor)[0].revoked_at is not None
    assert at.dataframe[0].value["Status"].tolist() == ["revoked"]


def test_notification_address_webhook_and_preferences_are_saved(open_app, world: World):
    alice = world.actors["alice"]
    at = open_app("alice", ACCOUNT)
    _text(at, "E-mail address").input("alice@example.org")
    _button(at, "Save e-mail address").click().run()
    no_exceptions(at)
    _text(at, "Add a personal webhook").input("json://127.0.0.1:9/alice")
    _button(at, "Add webhook").click().run()
    no_exceptions(at)
    kinds = {c.kind: c.target for c in notifications.list_channels(world.db, alice)}
    assert kinds["email"] == "alice@example.org" and kinds["webhook"].startswith("json://")
    [digest_mail] = [c for c in at.checkbox if c.key == "acct_pref_digest_email"]
    digest_mail.uncheck()
    _button(at, "Save preferences").click().run()
    no_exceptions(at)
    assert notifications.preferences(world.db, alice)["digest"] == {"email": False, "webhook": True}
    _text(at, "E-mail address").input("not-an-address")
    _button(at, "Save e-mail address").click().run()
    assert at.error and "not an e-mail address" in texts(at)


def test_admin_page_lists_failed_deliveries(open_app, world: World, monkeypatch):
    from tracker.config import get_settings

    monkeypatch.setenv("NOTIFY_MAX_ATTEMPTS", "1")
    get_settings.cache_clear()
    admin = world.actors["admin"]
    notifications.add_webhook(world.db, admin, "json://127.0.0.1:9/dead", label="ops", team=True)
    notifications.enqueue_digests(world.db)  # personal only: nothing for the team channel
    with world.db.write() as session:
        channel = notifications.list_channels(world.db, admin, team=True)[0]
        now = world.db.now()
        session.add(OutboxMessage(event="question_new", channel_id=channel.id,
                                  subject_id="ui-binary", created_at=now,
                                  next_attempt_at=now))  # fmt: skip
    assert notifications.deliver_due(world.db).failed == 1
    at = open_app("admin", ADMIN)
    no_exceptions(at)
    [table] = [d.value for d in at.dataframe if "Error" in d.value.columns]
    assert table["State"].tolist() == ["failed"] and "ops" in table["Channel"].iloc[0]
    with world.db.read() as session:
        assert session.exec(select(OutboxMessage)).first().last_error
