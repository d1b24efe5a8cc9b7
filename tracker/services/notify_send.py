"""Sending one message through apprise, which speaks SMTP, Slack, Discord, Teams, Matrix and
many more by URL: a team adds a channel by pasting its URL, with no client code of ours.

E-mail goes through the SMTP settings (SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD,
SMTP_FROM, SMTP_SECURITY); webhooks are their own URL. Each send is bounded by
NOTIFY_TIMEOUT_S and reports its failure as text instead of raising.
"""

import re
from collections.abc import Callable
from urllib.parse import quote, urlencode, urlsplit

import apprise

from tracker.config import Settings
from tracker.errors import InvalidInput
from tracker.models import NotifyChannel

_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,}$")
_SECURITY = {"starttls": ("mailtos", "starttls"), "ssl": ("mailtos", "ssl"), "none": ("mailto", "")}


def check_email(address: str) -> str:
    address = address.strip()
    if not _EMAIL.match(address):
        raise InvalidInput(f"'{address[:80]}' is not an e-mail address")
    return address


def check_url(url: str) -> str:
    """A URL apprise can deliver to (a Slack or Discord webhook, json://, mailto://...)."""
    url = url.strip()
    if len(url) > 2000 or not apprise.Apprise().add(url):
        raise InvalidInput(
            "not a webhook or apprise URL (paste the Slack or Discord incoming-webhook URL, "
            "or an apprise URL such as msteams://... or json://host/path)"
        )
    return url


def describe(url: str) -> str:
    """A short label for a channel: which service, never the secret part."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if "slack.com" in host or parts.scheme == "slack":
        return "Slack"
    if "discord" in host or parts.scheme == "discord":
        return "Discord"
    return f"{parts.scheme}://{host}"


def email_url(settings: Settings, to: str) -> str:
    if not settings.smtp_host:
        raise InvalidInput("e-mail is not configured (set SMTP_HOST and SMTP_FROM)")
    scheme, mode = _SECURITY.get(settings.smtp_security, _SECURITY["starttls"])
    auth = ""
    if settings.smtp_user:
        password = quote(settings.smtp_password or "", safe="")
        auth = f"{quote(settings.smtp_user, safe='')}:{password}@"
    query = {"from": settings.smtp_from, "to": to, "smtp": settings.smtp_host}
    if mode:
        query["mode"] = mode
    return f"{scheme}://{auth}{settings.smtp_host}:{settings.smtp_port}?{urlencode(query)}"


def url_for(channel: NotifyChannel, settings: Settings) -> str:
    return email_url(settings, channel.target) if channel.kind == "email" else channel.target


def sender(settings: Settings) -> Callable[[str, str, str], str | None]:
    """send(url, title, body) → None when delivered, else what went wrong (one line)."""
    timeout = settings.notify_timeout_s

    def send(url: str, title: str, body: str) -> str | None:
        target = apprise.Apprise()
        instance = apprise.Apprise.instantiate(url)
        if instance is None:
            return "the channel's URL is no longer understood by apprise"
        instance.socket_connect_timeout = instance.socket_read_timeout = timeout
        target.add(instance)
        with apprise.LogCapture(level=apprise.logging.WARNING, fmt="%(message)s") as captured:
            delivered = target.notify(title=title, body=body)
        if delivered:
            return None
        lines = [line for line in captured.getvalue().splitlines() if line.strip()]
        return lines[-1] if lines else "the channel refused the message"

    return send
