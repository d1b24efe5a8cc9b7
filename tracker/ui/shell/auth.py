"""The login gate: password sign-in, first-run admin creation, optional OIDC, timeout, sign-out.

A sign-in lives in this tab's session state; with "keep me signed in" the browser also holds a
signed token (a cookie) so a reload resumes the session until the timeout. The account is
re-checked against the database on every run, so deactivating someone locks them out at their
next click, and sign-out or a password or role change revokes every session and saved token
(the account's token version moves on). The cookie is written by a script, so it cannot be
HttpOnly: see the README's security section for what limits the damage.
"""

import os
from typing import Any

import streamlit as st

from tracker.config import DATA_DIR
from tracker.errors import TrackerError, parse
from tracker.schemas import UserCreate, UserRead
from tracker.services import auth, users
from tracker.ui.shell.context import get_db, set_current_user, settings
from tracker.ui.widgets.render import show_error

LOGIN_KEY = "_tracker_login"
NOTICE_KEY = "_tracker_login_notice"
COOKIE = "tracker_session"
_COOKIE_OP = "_tracker_cookie_op"
_IGNORE_COOKIE = "_tracker_ignore_cookie"


def gate() -> UserRead | None:
    """The signed-in user for this run, or None when the sign-in page must be shown."""
    db = get_db()
    login = st.session_state.get(LOGIN_KEY)
    if login is None:
        login = _from_cookie()
    if login is None and oidc_signed_in():
        login = _oidc_login()
    if login is None:
        set_current_user(None)
        _flush_cookie()
        return None
    try:
        user = auth.check_session(db, login, timeout_minutes=settings().session_timeout_minutes)
    except TrackerError as exc:
        sign_out(notice=str(exc), revoke=False)
        _flush_cookie()
        return None
    set_current_user(user)
    _flush_cookie()
    return user


def sign_out(notice: str | None = None, *, revoke: bool = True) -> None:
    """`revoke`: the user asked to sign out, so every session and cookie of theirs ends (a copy
    of the cookie replayed later is refused); not when the gate ends an already dead session."""
    login = st.session_state.get(LOGIN_KEY)
    if revoke and login is not None:
        auth.sign_out(get_db(), login)
    for key in (LOGIN_KEY, "_tracker_user"):
        st.session_state.pop(key, None)
    if notice:
        st.session_state[NOTICE_KEY] = notice
    # The browser still sent the old cookie with this connection: ignore it from now on.
    st.session_state[_IGNORE_COOKIE] = True
    st.session_state[_COOKIE_OP] = ("clear", "")
    if oidc_signed_in():
        st.logout()


# ------------------------------------------------------------------ "keep me signed in"


def _secret() -> bytes:
    """Signing key: [tracker] session_secret in secrets.toml, TRACKER_SESSION_SECRET, or a key
    generated once in the data directory (replicas must share one: configure it)."""
    try:
        configured = st.secrets.get("tracker", {}).get("session_secret")
    except Exception:  # no secrets file
        configured = None
    configured = configured or os.environ.get("TRACKER_SESSION_SECRET")
    if configured:
        return str(configured).encode()
    return auth.load_or_create_secret(DATA_DIR / ".session_secret")


def _from_cookie() -> auth.LoginSession | None:
    if st.session_state.get(_IGNORE_COOKIE):
        return None
    try:
        token = st.context.cookies.get(COOKIE)
    except Exception:  # no browser context (bare runs)
        token = None
    if not token:
        return None
    try:
        login = auth.resume_session(get_db(), token, _secret())
    except TrackerError:
        st.session_state[_COOKIE_OP] = ("clear", "")
        return None
    st.session_state[LOGIN_KEY] = login
    return login


def has_saved_sign_in() -> bool:
    """True when this browser holds a "keep me signed in" cookie."""
    try:
        return bool(st.context.cookies.get(COOKIE)) and not st.session_state.get(_IGNORE_COOKIE)
    except Exception:  # no browser context (bare runs)
        return False


def remember(login: auth.LoginSession) -> None:
    """Ask the browser to keep a signed token until the session would time out."""
    token = auth.session_token(get_db(), login, _secret())
    st.session_state[_COOKIE_OP] = ("set", token)


def _flush_cookie() -> None:
    """Write or clear the cookie with a tiny script (our own static text, no user data).

    The script is sent again on every run until the next change, not once: a run that a
    rerun superseded on a busy server may never reach the browser, and the cookie with it.
    Writing the same cookie again is harmless."""
    op = st.session_state.get(_COOKIE_OP)
    if op is None:
        return
    action, token = op
    secure = "; Secure" if str(getattr(st.context, "url", "")).startswith("https") else ""
    age = settings().session_timeout_minutes * 60 if action == "set" else 0
    value = token if action == "set" else ""
    if not all(c.isalnum() or c in "._-" for c in value):  # a URL-safe token, nothing else
        return
    st.html(
        f"<script>document.cookie = '{COOKIE}={value}; Path=/; Max-Age={age}; "
        f"SameSite=Strict{secure}';</script>",
        unsafe_allow_javascript=True,
    )


def password_form() -> None:
    """Name and password; on success the session starts and the app reruns into the pages."""
    with st.form("sign-in", border=True):
        name = st.text_input("User name", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        keep = st.checkbox("Keep me signed in on this device", value=True)
        submitted = st.form_submit_button("Sign in", type="primary", width="stretch")
    if submitted:
        try:
            login = auth.sign_in(get_db(), name, password)
        except TrackerError as exc:
            show_error(exc)
            return
        st.session_state[LOGIN_KEY] = login
        if keep:
            remember(login)
        st.session_state.pop(NOTICE_KEY, None)
        st.rerun()


def first_admin_form() -> None:
    """Shown once, on a database without any account: create the first admin."""
    st.info(
        "Welcome! This installation has no accounts yet. Create the first administrator; "
        "you can add your team from the Admin page afterwards."
    )
    with st.form("first-admin", border=True):
        name = st.text_input("User name", help="Letters, digits, '.', '_' or '-'.")
        display = st.text_input("Display name (optional)")
        password = st.text_input("Password (at least 8 characters)", type="password")
        again = st.text_input("Repeat the password", type="password")
        submitted = st.form_submit_button("Create administrator", type="primary")
    if not submitted:
        return
    if password != again:
        st.error("The two passwords differ.")
        return
    db = get_db()
    try:
        data = parse(
            UserCreate,
            {"name": name.strip(), "display_name": display, "role": "admin", "password": password},
        )
        users.create_user(db, None, data)
        login = auth.sign_in(db, data.name, password)
        st.session_state[LOGIN_KEY] = login
        remember(login)
    except TrackerError as exc:
        show_error(exc)
        return
    st.rerun()


# ------------------------------------------------------------------ single sign-on (OIDC)


def oidc_configured() -> bool:
    """True when `.streamlit/secrets.toml` has an [auth] section for st.login."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def oidc_signed_in() -> bool:
    return oidc_configured() and bool(st.user.get("is_logged_in"))


def oidc_button() -> None:
    if not oidc_configured():
        return
    st.caption("or")
    try:
        import authlib  # noqa: F401
    except ImportError:
        st.warning("Single sign-on is configured but the server lacks Authlib (`streamlit[auth]`).")
        return
    if st.button("Sign in with your organisation account", width="stretch"):
        st.login()


def _oidc_options() -> dict[str, Any]:
    try:
        section = st.secrets.get("tracker_oidc", {})
    except Exception:
        section = {}
    return {
        "mapping": dict(section.get("users", {})),
        "allowed_domains": list(section.get("allowed_domains", [])),
    }


def _oidc_login() -> auth.LoginSession | None:
    email = st.user.get("email")
    try:
        login = auth.sign_in_oidc(
            get_db(),
            str(email) if email else None,
            email_verified=st.user.get("email_verified"),
            **_oidc_options(),
        )
    except TrackerError as exc:
        st.session_state[NOTICE_KEY] = str(exc)
        return None
    st.session_state[LOGIN_KEY] = login
    return login
