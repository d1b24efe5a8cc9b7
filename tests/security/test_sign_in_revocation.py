"""Sign-out and account changes revoke every session and saved sign-in of the user; a hostile
cookie is refused with one clear error."""

import pytest
from itsdangerous import URLSafeTimedSerializer
from typer.testing import CliRunner

from tracker.cli import app
from tracker.db import Database
from tracker.errors import PermissionDenied
from tracker.services import auth, users

SECRET = b"test-secret"
PASSWORD = "correct horse"


def test_a_copied_cookie_is_refused_after_sign_out(db, alice):
    login = auth.sign_in(db, "alice", PASSWORD)
    copied = auth.session_token(db, login, SECRET)
    other_device = auth.sign_in(db, "alice", PASSWORD)
    auth.sign_out(db, login)
    with pytest.raises(PermissionDenied, match="no longer valid"):
        auth.resume_session(db, copied, SECRET)
    with pytest.raises(PermissionDenied, match="signed out"):
        auth.check_session(db, other_device, timeout_minutes=60)
    fresh = auth.sign_in(db, "alice", PASSWORD)  # signing in again works
    assert auth.resume_session(db, auth.session_token(db, fresh, SECRET), SECRET).user_id


def test_an_open_tab_ends_after_set_password_at_the_command_line(env_db):
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    added = runner.invoke(app, ["users", "add", "alice"], env={"TRACKER_PASSWORD": PASSWORD})
    assert added.exit_code == 0, added.output
    db = Database(env_db)
    try:
        tab = auth.sign_in(db, "alice", PASSWORD)
        cookie = auth.session_token(db, tab, SECRET)
        changed = runner.invoke(
            app, ["users", "set-password", "alice"], env={"TRACKER_PASSWORD": "a brand new one"}
        )
        assert changed.exit_code == 0, changed.output
        with pytest.raises(PermissionDenied, match="signed out"):
            auth.check_session(db, tab, timeout_minutes=60)
        with pytest.raises(PermissionDenied, match="no longer valid"):
            auth.resume_session(db, cookie, SECRET)
    finally:
        db.dispose()


@pytest.mark.parametrize("change", ["role", "deactivate"])
def test_a_role_or_active_change_revokes_saved_sign_ins(db, admin, alice, change):
    login = auth.sign_in(db, "alice", PASSWORD)
    cookie = auth.session_token(db, login, SECRET)
    if change == "role":
        users.set_role(db, admin, "alice", "viewer")
    else:
        users.set_active(db, admin, "alice", False)
        users.set_active(db, admin, "alice", True)
    with pytest.raises(PermissionDenied):
        auth.check_session(db, login, timeout_minutes=60)
    with pytest.raises(PermissionDenied, match="no longer valid"):
        auth.resume_session(db, cookie, SECRET)


def test_the_overflow_cookie_and_signed_nonsense_are_refused_cleanly(db, alice):
    login = auth.sign_in(db, "alice", PASSWORD)
    signature = auth.session_token(db, login, SECRET).rsplit(".", 1)[1]
    signer = URLSafeTimedSerializer(SECRET, salt="tracker.keep-signed-in")
    hostile = [
        f"99999999999999999999.1700000000.password.{signature}",
        "9" * 5000,
        signer.dumps([10**30, 1, "password", 0]),  # validly signed, absurd values
        signer.dumps([login.user_id, 10**30, "password", 0]),
        signer.dumps({"user": 1}),
        signer.dumps([login.user_id, 1, "password"]),
        signer.dumps([True, 1, "password", 0]),
        signer.dumps([login.user_id, 1, "telepathy", 0]),
    ]
    for cookie in hostile:
        with pytest.raises(PermissionDenied, match="no longer valid"):
            auth.resume_session(db, cookie, SECRET)


def test_the_token_is_an_itsdangerous_timed_token(db, alice):
    login = auth.sign_in(db, "alice", PASSWORD)
    token = auth.session_token(db, login, SECRET)
    signer = URLSafeTimedSerializer(SECRET, salt="tracker.keep-signed-in")
    assert signer.loads(token, max_age=60)[0] == login.user_id
