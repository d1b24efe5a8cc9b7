"""Calibration coaching sits on the member's own Account page."""

from tests.ui.conftest import ACCOUNT, no_exceptions, texts


def test_account_page_shows_my_coaching_section(open_app):
    at = open_app("alice", ACCOUNT)
    no_exceptions(at)
    shown = texts(at)
    assert "**Calibration coaching** — only you see this" in shown
    assert "From 1 resolved question(s), no band or tag shows you off calibration" in shown


def test_viewers_have_no_coaching(open_app):
    at = open_app("victor", ACCOUNT)
    no_exceptions(at)
    assert "Calibration coaching" not in texts(at)
