"""Authorization rules, as a spec. The services enforce every one of them, so no edge (page,
CLI, importer, script) can forget one.

1. Who may do what — the role table below: admins manage questions, resolutions, forecasts'
   visibility, accounts and imports; forecasters forecast; viewers only read; the operator
   at the command line (`Actor.system()`) acts as an admin but is nobody to forecast as.
2. Identity: a forecast is always the acting user's own, stamped by the server's clock; a
   submission cannot name another user or a time.
3. The account as stored decides, not the Actor a page holds: a deactivated, demoted or
   renamed account loses its rights on its next write.
4. Sign-in: argon2id hashes with the library's recommended parameters, upgraded on login
   when those change; a per-user lockout after repeated failures; no way to tell a wrong
   password from an unknown or password-less account.
5. Sessions expire after the timeout; a saved sign-in token is signed, bound to the user,
   the login time and the current password, and refused when any part is tampered with.
"""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from types import SimpleNamespace

import argon2
import pytest
from sqlmodel import select

from tests.reliability.helpers import snapshot
from tests.support import make_user, question_data
from tracker import interchange
from tracker.config import get_settings
from tracker.errors import InvalidInput, PermissionDenied, parse
from tracker.models import User
from tracker.schemas import (
    Actor,
    ForecastCreate,
    QuestionEdit,
    Resolution,
    UserCreate,
)
from tracker.services import audit, auth, forecasts, questions, users

SECRET = b"test-signing-key"
PASSWORD = "correct horse"  # what tests.support.make_user gives everyone


def yes(p: float, qid: str = "us-strike") -> ForecastCreate:
    return ForecastCreate(question_id=qid, probabilities={"Yes": p, "No": 1 - p})


@pytest.fixture
def w(world, admin, alice, bob, viewer):  # type: ignore[no-untyped-def]
    saved = forecasts.log_forecast(world, bob, yes(0.6))
    return SimpleNamespace(
        db=world,
        admin=admin,
        alice=alice,
        bob=bob,
        viewer=viewer,
        system=Actor.system(),
        forecast_id=saved.id,
    )


# --------------------------------------------------------------- 1. who may do what

ACTIONS: dict[str, Callable] = {
    "create a question": lambda w, a: questions.create_question(
        w.db, a, question_data(id="new-q", title="A new question")
    ),
    "edit a question's wording": lambda w, a: questions.edit_question(
        w.db, a, "us-strike", QuestionEdit(title="Reworded")
    ),
    "resolve a question": lambda w, a: questions.resolve_question(
        w.db, a, "us-strike", Resolution(option="No")
    ),
    "annul a question": lambda w, a: questions.resolve_question(
        w.db, a, "us-strike", Resolution(annul=True)
    ),
    "hide a forecast": lambda w, a: forecasts.set_hidden(w.db, a, w.forecast_id, True, "typo"),
    "add an account": lambda w, a: users.create_user(w.db, a, UserCreate(name="newcomer")),
    "change a role": lambda w, a: users.set_role(w.db, a, "bob", "viewer"),
    "deactivate an account": lambda w, a: users.set_active(w.db, a, "bob", False),
    "set another's password": lambda w, a: users.set_password(w.db, a, "bob", "a new secret"),
    "import a file": lambda w, a: interchange.import_document(
        w.db, a, {"format": "forecast-tracker/1", "questions": [], "forecasts": []}
    ),
    "forecast": lambda w, a: forecasts.log_forecast(w.db, a, yes(0.2)),
}

ALLOWED = {
    "admin": set(ACTIONS),
    "system": set(ACTIONS) - {"forecast"},  # the operator is not a forecaster
    "forecaster": {"forecast"},
    "viewer": set(),
}


@pytest.mark.parametrize("role", list(ALLOWED))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_role_table(w, role, action):
    actor = w.admin if role == "admin" else w.system if role == "system" else None
    actor = actor or (w.alice if role == "forecaster" else w.viewer)
    if action in ALLOWED[role]:
        ACTIONS[action](w, actor)
        return
    before = snapshot(w.db)
    with pytest.raises(PermissionDenied):
        ACTIONS[action](w, actor)
    assert snapshot(w.db) == before


# --------------------------------------------------------------- 2. identity


def test_a_forecast_is_always_the_acting_users_own_at_the_server_time(w, clock):
    clock.advance(minutes=5)
    saved = forecasts.log_forecast(w.db, w.alice, yes(0.4))
    assert (saved.user, saved.user_id, saved.created_at) == ("alice", w.alice.user_id, clock.now)


@pytest.mark.parametrize(
    "extra",
    [
        {"user": "bob"},
        {"user_id": 2},
        {"time": "2026-03-01T00:00:00Z"},
        {"created_at": "2026-03-01T00:00:00Z"},
        {"origin": "import"},
    ],
)
def test_a_submission_cannot_name_a_user_or_a_time(w, extra):
    data = {"question_id": "us-strike", "probabilities": {"Yes": 0.5, "No": 0.5}} | extra
    with pytest.raises(InvalidInput, match="Extra inputs are not permitted"):
        parse(ForecastCreate, data)


def test_an_actor_claiming_someone_elses_id_is_refused(w):
    forged = Actor(user_id=w.bob.user_id, name="alice", role="forecaster")
    before = snapshot(w.db)
    with pytest.raises(PermissionDenied, match="does not exist"):
        forecasts.log_forecast(w.db, forged, yes(0.9))
    with pytest.raises(PermissionDenied):
        questions.resolve_question(
            w.db,
            Actor(user_id=w.alice.user_id, name="admin", role="admin"),
            "us-strike",
            Resolution(option="Yes"),
        )
    assert snapshot(w.db) == before


def test_an_unknown_account_id_is_refused(w):
    with pytest.raises(PermissionDenied):
        forecasts.log_forecast(w.db, Actor(user_id=9999, name="ghost", role="forecaster"), yes(0.5))


def test_users_change_only_their_own_password_admins_anyones(w):
    with pytest.raises(PermissionDenied, match="your own password"):
        users.set_password(w.db, w.alice, "bob", "taken over")
    users.set_password(w.db, w.alice, "alice", "my new secret")
    users.set_password(w.db, w.admin, "bob", "reset by admin")
    assert users.authenticate(w.db, "bob", "reset by admin").name == "bob"


# --------------------------------------------------------------- 3. the stored account decides


def test_a_deactivated_user_cannot_act_with_an_actor_made_before(w):
    users.set_active(w.db, w.admin, "alice", False)
    before = snapshot(w.db)
    with pytest.raises(PermissionDenied, match="not active"):
        forecasts.log_forecast(w.db, w.alice, yes(0.5))
    with pytest.raises(PermissionDenied, match="not active"):
        users.set_password(w.db, w.alice, "alice", "still me, honest")
    assert snapshot(w.db) == before


def test_a_deactivated_admin_cannot_manage_anything(w):
    second = make_user(w.db, "root2", "admin")
    users.set_active(w.db, w.admin, "root2", False)
    before = snapshot(w.db)
    for action in ACTIONS.values():
        with pytest.raises(PermissionDenied):
            action(w, second)
    assert snapshot(w.db) == before


def test_a_demoted_admin_loses_admin_rights_at_once(w):
    second = make_user(w.db, "root2", "admin")
    users.set_role(w.db, w.admin, "root2", "forecaster")
    with pytest.raises(PermissionDenied, match="only an admin"):
        questions.resolve_question(w.db, second, "us-strike", Resolution(option="Yes"))
    with pytest.raises(PermissionDenied, match="only an admin"):
        users.set_role(w.db, second, "root2", "admin")
    forecasts.log_forecast(w.db, second, yes(0.5))  # what a forecaster may do still works


def test_a_forecaster_demoted_to_viewer_can_no_longer_forecast(w):
    users.set_role(w.db, w.admin, "alice", "viewer")
    with pytest.raises(PermissionDenied, match="viewers cannot forecast"):
        forecasts.log_forecast(w.db, w.alice, yes(0.5))


def test_a_reactivated_account_can_act_again(w):
    users.set_active(w.db, w.admin, "alice", False)
    users.set_active(w.db, w.admin, "alice", True)
    assert forecasts.log_forecast(w.db, w.alice, yes(0.5)).user == "alice"


def test_the_last_active_admin_cannot_be_removed(w):
    from tracker.errors import Conflict

    with pytest.raises(Conflict, match="last admin"):
        users.set_active(w.db, w.system, "admin", False)
    with pytest.raises(Conflict, match="last admin"):
        users.set_role(w.db, w.admin, "admin", "viewer")


# --------------------------------------------------------------- 4. sign-in


def stored_hash(db, name: str) -> str:  # type: ignore[no-untyped-def]
    with db.read() as session:
        return session.exec(select(User.password_hash).where(User.name == name)).one()


def test_passwords_are_argon2id_with_the_librarys_recommended_parameters(w):
    stored = stored_hash(w.db, "alice")
    assert stored.startswith("$argon2id$v=19$")
    assert argon2.extract_parameters(stored) == argon2.profiles.get_default_parameters()
    assert argon2.profiles.get_default_parameters() == argon2.profiles.RFC_9106_LOW_MEMORY
    # the same password gives a different (salted) hash for another user
    assert stored != stored_hash(w.db, "bob")
    assert PASSWORD not in stored


def test_an_old_weaker_hash_is_upgraded_at_the_next_sign_in(w):
    weak = argon2.PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with w.db.write() as session:
        user = session.exec(select(User).where(User.name == "alice")).one()
        user.password_hash = weak
        session.add(user)
    users.authenticate(w.db, "alice", PASSWORD)
    upgraded = stored_hash(w.db, "alice")
    assert upgraded != weak
    assert argon2.extract_parameters(upgraded) == argon2.profiles.get_default_parameters()


def test_lockout_is_per_user_and_audited(w, clock):
    for _ in range(users.lockout_policy().max_failures):
        with pytest.raises(PermissionDenied, match="wrong user name or password"):
            users.authenticate(w.db, "alice", "guess")
    with pytest.raises(PermissionDenied, match="wrong user name or password"):  # 12.7: no tell
        users.authenticate(w.db, "alice", PASSWORD)  # even the right password, while locked
    assert users.authenticate(w.db, "bob", PASSWORD).name == "bob"  # others are unaffected
    assert "user.locked" in {e.action for e in audit.list_events(w.db, entity_id="alice")}
    clock.advance(minutes=14)
    with pytest.raises(PermissionDenied, match="wrong user name or password"):
        users.authenticate(w.db, "alice", PASSWORD)
    clock.advance(minutes=2)
    assert users.authenticate(w.db, "alice", PASSWORD).name == "alice"


def test_a_successful_sign_in_resets_the_failure_count(w):
    for _ in range(users.lockout_policy().max_failures - 1):
        with pytest.raises(PermissionDenied):
            users.authenticate(w.db, "alice", "guess")
    users.authenticate(w.db, "alice", PASSWORD)
    for _ in range(users.lockout_policy().max_failures - 1):
        with pytest.raises(PermissionDenied):
            users.authenticate(w.db, "alice", "guess")
    assert users.authenticate(w.db, "alice", PASSWORD).name == "alice"


@pytest.fixture
def lockout_settings():  # type: ignore[no-untyped-def]
    """Set LOGIN_MAX_FAILURES / LOGIN_LOCKOUT_MINUTES for one test: `lockout_settings(2, 1)`.

    The environment is restored before the settings cache is cleared, so no later test sees them.
    """
    with pytest.MonkeyPatch.context() as monkeypatch:

        def configure(max_failures: int, minutes: int) -> None:
            monkeypatch.setenv("LOGIN_MAX_FAILURES", str(max_failures))
            monkeypatch.setenv("LOGIN_LOCKOUT_MINUTES", str(minutes))
            get_settings.cache_clear()

        yield configure
    get_settings.cache_clear()


def failure_state(db, name: str):  # type: ignore[no-untyped-def]
    with db.read() as session:
        user = session.exec(select(User).where(User.name == name)).one()
        return user.failed_logins, user.locked_until


def test_the_lockout_policy_comes_from_the_settings(w, clock, lockout_settings):
    lockout_settings(max_failures=2, minutes=1)
    assert users.lockout_policy() == users.LockoutPolicy(2, timedelta(minutes=1))
    with pytest.raises(PermissionDenied, match="wrong user name or password"):
        users.authenticate(w.db, "alice", "guess")
    assert users.authenticate(w.db, "alice", PASSWORD).name == "alice"  # 1 of 2: not locked
    for _ in range(2):
        with pytest.raises(PermissionDenied, match="wrong user name or password"):
            users.authenticate(w.db, "alice", "guess")
    with pytest.raises(PermissionDenied, match="wrong user name or password"):
        auth.sign_in(w.db, "alice", PASSWORD)
    clock.advance(seconds=59)
    with pytest.raises(PermissionDenied, match="wrong user name or password"):
        auth.sign_in(w.db, "alice", PASSWORD)
    clock.advance(seconds=2)
    assert auth.sign_in(w.db, "alice", PASSWORD).name == "alice"


def test_concurrent_wrong_passwords_cannot_get_past_the_limit(w, clock):
    limit = users.lockout_policy().max_failures
    attempts = 2 * limit
    start = threading.Barrier(attempts)

    def guess(i: int) -> str:
        start.wait()
        try:
            auth.sign_in(w.db, "alice", f"guess {i}")
        except PermissionDenied as error:
            return str(error)
        return "signed in"

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        outcomes = list(pool.map(guess, range(attempts)))

    failed_logins, locked_until = failure_state(w.db, "alice")
    assert set(outcomes) == {"wrong user name or password"}  # locked or not: one answer (12.7)
    assert failed_logins == 0  # reset when the lock was set, not bumped while locked
    assert locked_until == clock.now + users.lockout_policy().duration
    locks = [e for e in audit.list_events(w.db, entity_id="alice") if e.action == "user.locked"]
    assert len(locks) == 1
    with pytest.raises(PermissionDenied, match="wrong user name or password"):
        auth.sign_in(w.db, "alice", PASSWORD)


def test_failures_cannot_tell_unknown_inactive_or_password_less_accounts_apart(w):
    interchange.import_document(
        w.db,
        w.system,
        {
            "format": "forecast-tracker/1",
            "forecasts": [
                {
                    "question_id": "us-strike",
                    "user": "imported",
                    "time": "2026-03-01T00:00:00Z",
                    "probability": 0.5,
                }
            ],
        },
    )
    users.set_active(w.db, w.admin, "bob", False)
    messages = set()
    for name, password in [
        ("nobody", PASSWORD),
        ("bob", PASSWORD),  # deactivated
        ("imported", ""),  # created by an import, no password yet
        ("alice", "wrong"),
    ]:
        with pytest.raises(PermissionDenied) as error:
            auth.sign_in(w.db, name, password)
        messages.add(str(error.value))
    assert messages == {"wrong user name or password"}


# --------------------------------------------------------------- 5. sessions and tokens


def test_a_session_expires_after_the_timeout(w, clock):
    login = auth.sign_in(w.db, "alice", PASSWORD)
    clock.advance(minutes=59)
    assert auth.check_session(w.db, login, timeout_minutes=60).name == "alice"
    clock.advance(minutes=2)
    with pytest.raises(auth.SessionExpired, match="expired"):
        auth.check_session(w.db, login, timeout_minutes=60)


def test_a_session_ends_when_the_account_is_deactivated_and_follows_role_changes(w):
    login = auth.sign_in(w.db, "alice", PASSWORD)
    users.set_role(w.db, w.admin, "alice", "viewer")
    with pytest.raises(PermissionDenied, match="signed out"):  # a role change signs out (12.6)
        auth.check_session(w.db, login, timeout_minutes=60)
    login = auth.sign_in(w.db, "alice", PASSWORD)
    assert auth.check_session(w.db, login, timeout_minutes=60).role == "viewer"
    users.set_active(w.db, w.admin, "alice", False)
    with pytest.raises(PermissionDenied, match="deactivated"):
        auth.check_session(w.db, login, timeout_minutes=60)


def test_a_saved_sign_in_token_resumes_the_same_session(w):
    login = auth.sign_in(w.db, "alice", PASSWORD)
    resumed = auth.resume_session(w.db, auth.session_token(w.db, login, SECRET), SECRET)
    assert resumed.user_id == login.user_id
    assert int(resumed.login_at.timestamp()) == int(login.login_at.timestamp())


def _tampered(token: str, bob_id: int) -> dict[str, str]:
    """Forgeries of an itsdangerous token `payload.timestamp.signature`."""
    import base64
    import json

    payload, stamp, signature = token.split(".")
    user_id, login_at, method, version = json.loads(base64.urlsafe_b64decode(payload + "=="))

    def encoded(*fields: object) -> str:
        raw = json.dumps(list(fields), separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    # flip the first character: the last one of base64 carries padding bits, and changing
    # only those decodes to the same signature (a false alarm, not a forgery)
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return {
        "other user": f"{encoded(bob_id, login_at, method, version)}.{stamp}.{signature}",
        "later login time": f"{encoded(user_id, login_at + 3600, method, version)}.{stamp}."
        f"{signature}",
        "other method": f"{encoded(user_id, login_at, 'oidc', version)}.{stamp}.{signature}",
        "flipped signature": f"{payload}.{stamp}.{flipped}",
        "no signature": f"{payload}.{stamp}.",
        "extra part": f"{token}.x",
        "empty": "",
        "garbage": "not-a-token",
        "not a number": f"alice.{stamp}.{method}.{signature}",
        "old format, huge user id": f"99999999999999999999.{login_at}.password.{signature}",
        "oversized": token * 20,
    }


def test_a_tampered_or_malformed_token_is_refused(w):
    login = auth.sign_in(w.db, "alice", PASSWORD)
    token = auth.session_token(w.db, login, SECRET)
    for what, forged in _tampered(token, w.bob.user_id).items():
        with pytest.raises(PermissionDenied, match="no longer valid"):
            auth.resume_session(w.db, forged, SECRET)
            pytest.fail(f"accepted a token with {what}")


def test_a_token_is_refused_with_another_key_or_after_a_password_change(w):
    login = auth.sign_in(w.db, "alice", PASSWORD)
    token = auth.session_token(w.db, login, SECRET)
    with pytest.raises(PermissionDenied):
        auth.resume_session(w.db, token, b"another-servers-key")
    users.set_password(w.db, w.alice, "alice", "a brand new one")
    with pytest.raises(PermissionDenied):
        auth.resume_session(w.db, token, SECRET)


def test_a_resumed_token_still_expires_with_its_session(w, clock):
    login = auth.sign_in(w.db, "alice", PASSWORD)
    token = auth.session_token(w.db, login, SECRET)
    clock.advance(hours=9)
    resumed = auth.resume_session(w.db, token, SECRET)
    with pytest.raises(auth.SessionExpired):
        auth.check_session(w.db, resumed, timeout_minutes=8 * 60)
