"""The account page: change your password, see your standing forecasts, sign out."""

import pytest

from tests.ui.conftest import ACCOUNT, PASSWORD, World, no_exceptions, texts
from tracker.errors import PermissionDenied
from tracker.services import users


def _field(at, label: str):
    [found] = [t for t in at.text_input if t.label == label]
    return found


def _change(at, current: str, new: str, again: str) -> None:
    _field(at, "Current password").input(current)
    _field(at, "New password (at least 8 characters)").input(new)
    _field(at, "Repeat the new password").input(again)
    [button] = [b for b in at.button if b.label == "Change password"]
    button.click().run()


@pytest.mark.parametrize("name", ["admin", "alice", "bob", "victor"])
def test_account_page_renders_for_every_role(open_app, name):
    at = open_app(name, ACCOUNT)
    no_exceptions(at)
    assert f"`{name}`" in "\n".join(m.value for m in at.markdown)
    if name == "bob":  # bob's forecast on the open question is listed
        [table] = [d.value for d in at.dataframe]
        row = table.set_index("Question").loc["Will the harbour bridge reopen before the summer?"]
        assert row["Forecast"] == "70%"
    if name == "victor":
        assert "Viewers read questions" in texts(at)


def test_password_change_checks_the_current_one(open_app, world: World):
    at = open_app("alice", ACCOUNT)
    _change(at, "not my password", "brand-new-pass", "brand-new-pass")
    assert any("wrong user name or password" in e.value for e in at.error)
    _change(at, PASSWORD, "brand-new-pass", "different-pass")
    assert any("differ" in e.value for e in at.error)
    _change(at, PASSWORD, "short", "short")
    assert at.error  # too short: the service says why
    with pytest.raises(PermissionDenied):
        users.authenticate(world.db, "alice", "short")

    _change(at, PASSWORD, "brand-new-pass", "brand-new-pass")
    no_exceptions(at)
    assert any("Password changed" in t.value for t in at.toast)
    assert users.authenticate(world.db, "alice", "brand-new-pass").name == "alice"


def test_sign_out_returns_to_the_sign_in_page(open_app):
    at = open_app("alice", ACCOUNT)
    [button] = [b for b in at.button if b.key == "acct_sign_out"]
    button.click().run()
    no_exceptions(at)
    assert "You have signed out." in texts(at)
    assert [b.label for b in at.button if b.label == "Sign in"] == ["Sign in"]


def test_forecaster_without_forecasts_is_pointed_to_the_questions(open_empty_app):
    at = open_empty_app("alice", ACCOUNT)
    assert "You have not forecast yet" in texts(at)
