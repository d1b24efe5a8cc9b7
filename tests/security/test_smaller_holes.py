"""Issue 12.9: OIDC needs a verified email, a private feed is refused when added, one engine
per process and URL. (Audit and export masking: tests/security/test_session_visibility.py.)"""

import pytest
from typer.testing import CliRunner

from tracker.cli import app
from tracker.cli.common import open_db
from tracker.errors import InvalidInput, PermissionDenied
from tracker.services import auth, evidence

runner = CliRunner()


@pytest.mark.parametrize("claim", [None, False, "false", "yes please"])
def test_oidc_refuses_an_email_the_provider_has_not_verified(db, alice, claim):
    with pytest.raises(PermissionDenied, match="verified"):
        auth.sign_in_oidc(
            db, "alice@example.org", allowed_domains=["example.org"], email_verified=claim
        )


def test_oidc_accepts_a_verified_email(db, alice):
    login = auth.sign_in_oidc(
        db, "alice@example.org", allowed_domains=["example.org"], email_verified=True
    )
    assert login.name == "alice" and login.method == "oidc"


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1/feed.xml", "http://169.254.169.254/latest/", "https://10.1.2.3/rss"],
)
def test_a_feed_on_a_private_address_is_refused_when_added(db, alice, url):
    with pytest.raises(InvalidInput, match="refusing to fetch"):
        evidence.add_feed(db, alice, url)
    assert evidence.list_feeds(db) == []


def test_feeds_add_on_the_command_line_refuses_a_private_address_at_once(env_db):
    assert runner.invoke(app, ["init"]).exit_code == 0
    result = runner.invoke(app, ["feeds", "add", "http://127.0.0.1:8080/rss"])
    assert result.exit_code == 1 and "loopback" in result.output
    assert evidence.list_feeds(open_db()) == []


def test_open_db_keeps_one_engine_per_process_and_url(env_db):
    assert runner.invoke(app, ["init"]).exit_code == 0
    engines = {id(open_db().engine) for _ in range(50)}
    assert len(engines) == 1
