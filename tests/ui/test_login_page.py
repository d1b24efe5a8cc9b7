"""The login gate: password sign-in, the first-run admin form, timeouts and deactivation."""

from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import APP, PASSWORD, TIMEOUT, World, app_as, no_exceptions, texts
from tracker.db import Database
from tracker.services import auth, users
from tracker.ui.shell.auth import LOGIN_KEY


def _field(at, label: str):
    [found] = [t for t in at.text_input if t.label == label]
    return found


def _button(at, label: str):
    [found] = [b for b in at.button if b.label == label]
    return found


def _signed_in(at) -> bool:
    return any(t.value == "Questions" for t in at.title)


def _sign_in(at, name: str, password: str) -> None:
    _field(at, "User name").input(name)
    _field(at, "Password").input(password)
    _button(at, "Sign in").click().run()


def test_signed_out_visitors_see_only_the_sign_in_form(world: World):
    at = app_as(world.db, None)
    no_exceptions(at)
    assert not _signed_in(at)
    assert [t.label for t in at.text_input] == ["User name", "Password"]
    assert not at.dataframe  # nothing of the team's data


@pytest.mark.parametrize("name", ["admin", "alice", "victor"])
def test_every_role_signs_in_with_a_password(world: World, name: str):
    at = app_as(world.db, None)
    _sign_in(at, name, PASSWORD)
    no_exceptions(at)
    assert _signed_in(at)
    assert at.session_state[LOGIN_KEY].name == name


def test_wrong_password_is_refused_with_a_message(world: World):
    at = app_as(world.db, None)
    _sign_in(at, "alice", "not-her-password")
    assert not _signed_in(at)
    assert any("wrong user name or password" in e.value for e in at.error)


def test_first_visitor_of_an_empty_install_creates_the_admin(ui_db: Database):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert "This installation has no accounts yet" in texts(at)
    _field(at, "User name").input("root")
    _field(at, "Password (at least 8 characters)").input("first-admin-pass")
    _field(at, "Repeat the password").input("first-admin-pass")
    _button(at, "Create administrator").click().run()
    no_exceptions(at)
    assert _signed_in(at)
    assert users.get_user(ui_db, "root").role == "admin"


def test_an_expired_session_goes_back_to_sign_in(world: World):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    user = users.get_user(world.db, "alice")
    old = world.db.now() - timedelta(hours=9)  # the default timeout is 8 hours
    at.session_state[LOGIN_KEY] = auth.LoginSession(user_id=user.id, name="alice", login_at=old)
    at.run()
    no_exceptions(at)
    assert not _signed_in(at)
    assert "your session has expired" in texts(at)


def test_deactivated_member_is_signed_out_at_the_next_click(world: World):
    at = app_as(world.db, "alice")
    assert _signed_in(at)
    users.set_active(world.db, world.actors["admin"], "alice", False)
    at.run()
    assert not _signed_in(at)
    assert "deactivated" in texts(at)
