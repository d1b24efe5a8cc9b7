"""Notifications: who hears of what, on which channel, and the outbox that carries it.

The services call the `on_*` hooks inside their own write transaction, so a message is queued
if and only if the change is stored; the hooks run in a savepoint and swallow their own
failures, so a notification can never undo or block a write. Delivery (`deliver_due`) happens
later, outside any write: from `tracker notify` (cron) or the API process's background loop.
Messages are rendered at delivery, for their recipient, through the app's visibility rules
(`tracker.services.notify_messages`).
"""

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import update
from sqlmodel import Session, col, select

from tracker.config import get_settings
from tracker.db import Database
from tracker.errors import InvalidInput, NotFound
from tracker.models import (
    Forecast,
    NotifyChannel,
    NotifyPreference,
    OutboxMessage,
    SessionParticipant,
    User,
)
from tracker.models_integrations import CHANNEL_KINDS, NOTIFY_EVENTS
from tracker.schemas import Actor
from tracker.services import audit, notify_send
from tracker.services.permissions import require_admin, require_self

log = logging.getLogger(__name__)

Event = Literal[
    "question_new",
    "session_started",
    "session_revealed",
    "question_resolved",
    "evidence_new",
    "digest",
]
Kind = Literal["email", "webhook"]
EVENT_LABELS: dict[str, str] = {
    "question_new": "A new question",
    "session_started": "A session I take part in starts",
    "session_revealed": "A session I take part in is revealed",
    "question_resolved": "A question I forecast resolves (with my score)",
    "evidence_new": "New evidence on a question I forecast",
    "digest": "The weekly digest",
}
TEAM_EVENTS = ("question_new", "session_started", "session_revealed", "question_resolved")
"""Events also posted to the team's channels (with no member's numbers)."""
CLAIM_LEASE = timedelta(minutes=5)


class ChannelRead(BaseModel):
    id: int
    user: str | None
    kind: Kind
    label: str
    target: str
    """An e-mail address, or a webhook URL shortened so its secret part is not shown."""


class DeliveryRead(BaseModel):
    id: int
    event: str
    recipient: str | None
    channel: str
    state: str
    attempts: int
    last_error: str
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None


class DeliveryReport(BaseModel):
    sent: int = 0
    retrying: int = 0
    failed: int = 0


# ------------------------------------------------------------------ channels and preferences


def _masked(target: str) -> str:
    return target if "@" in target and "://" not in target else target[:28] + "…"


def _channel_read(row: NotifyChannel, user: str | None) -> ChannelRead:
    assert row.id is not None
    shown = row.target if row.kind == "email" else _masked(row.target)
    return ChannelRead(id=row.id, user=user, kind=row.kind, label=row.label, target=shown)  # type: ignore[arg-type]


def list_channels(db: Database, actor: Actor, *, team: bool = False) -> list[ChannelRead]:
    """The member's own channels, or (admins) the team's."""
    if team:
        require_admin(actor, "see the team's channels")
    with db.read() as session:
        query = select(NotifyChannel).where(
            col(NotifyChannel.user_id).is_(None) if team else NotifyChannel.user_id == actor.user_id
        )
        query = query.where(NotifyChannel.target != "")  # removed ones keep only their record
        rows = session.exec(query.order_by(NotifyChannel.id)).all()
    return [_channel_read(r, None if team else actor.name) for r in rows]


def set_email(db: Database, actor: Actor, address: str | None) -> ChannelRead | None:
    """The member's e-mail address for notifications (None removes it)."""
    if actor.user_id is None:
        raise InvalidInput("the operator has no e-mail address; add a team channel instead")
    if address is not None:
        address = notify_send.check_email(address)
    now = db.now()
    with db.write() as session:
        existing = session.exec(
            select(NotifyChannel).where(
                NotifyChannel.user_id == actor.user_id, NotifyChannel.kind == "email"
            )
        ).first()
        if address is None:
            if existing is not None:
                _drop(session, existing)
            return None
        row = existing or NotifyChannel(
            user_id=actor.user_id, kind="email", label="e-mail", target="", created_at=now
        )
        row.target = address
        session.add(row)
        session.flush()
        return _channel_read(row, actor.name)


def add_webhook(
    db: Database, actor: Actor, url: str, *, label: str = "", team: bool = False
) -> ChannelRead:
    """A Slack or Discord incoming webhook, or any apprise URL; `team`: the team's (admins)."""
    if team:
        require_admin(actor, "add team channels")
    elif actor.user_id is None:
        raise InvalidInput("the operator's channels are the team's: add it with team=True")
    url = notify_send.check_url(url)
    now = db.now()
    with db.write() as session:
        row = NotifyChannel(
            user_id=None if team else actor.user_id,
            kind="webhook",
            label=label.strip()[:100] or notify_send.describe(url),
            target=url,
            created_at=now,
        )
        session.add(row)
        session.flush()
        audit.record(
            session, actor, "notify.channel_add", "notify_channel", str(row.id), at=now,
            after={"label": row.label, "team": team},
        )  # fmt: skip
        return _channel_read(row, None if team else actor.name)


def remove_channel(db: Database, actor: Actor, channel_id: int) -> None:
    with db.write() as session:
        row = session.get(NotifyChannel, channel_id)
        if row is None:
            raise NotFound(f"no notification channel with id {channel_id}")
        if row.user_id is None:
            require_admin(actor, "remove team channels")
        elif not actor.is_admin:
            require_self(actor, row.user_id, "remove channels")
        _drop(session, row)


def _drop(session: Session, row: NotifyChannel) -> None:
    """A channel goes with its undelivered messages; delivered ones keep their record."""
    session.exec(  # type: ignore[call-overload]
        update(OutboxMessage)
        .where(col(OutboxMessage.channel_id) == row.id, col(OutboxMessage.state) == "pending")
        .values(state="failed", last_error="the channel was removed")
    )
    row.target, row.label = "", f"{row.label} (removed)"
    session.add(row)  # kept (emptied) so the delivery record still says where it went


def preferences(db: Database, actor: Actor) -> dict[str, dict[str, bool]]:
    """event → channel kind → on/off for the member (no stored choice means on)."""
    with db.read() as session:
        stored = session.exec(
            select(NotifyPreference).where(NotifyPreference.user_id == actor.user_id)
        ).all()
    chosen = {(p.event, p.kind): p.enabled for p in stored}
    return {e: {k: chosen.get((e, k), True) for k in CHANNEL_KINDS} for e in NOTIFY_EVENTS}


def set_preference(db: Database, actor: Actor, event: str, kind: str, enabled: bool) -> None:
    if event not in NOTIFY_EVENTS or kind not in CHANNEL_KINDS:
        raise InvalidInput(f"unknown event or channel ({event}, {kind})")
    if actor.user_id is None:
        raise InvalidInput("preferences belong to a member")
    with db.write() as session:
        row = session.get(NotifyPreference, (actor.user_id, event, kind))
        row = row or NotifyPreference(user_id=actor.user_id, event=event, kind=kind)
        row.enabled = enabled
        session.add(row)


# ------------------------------------------------------------------ the hooks (in a write)


def _safely(hook: Callable[..., None]) -> Callable[..., None]:
    """Run a hook in a savepoint; a failure is logged and the caller's write goes on."""

    def guarded(session: Session, *args: object, **kwargs: object) -> None:
        try:
            with session.begin_nested():
                hook(session, *args, **kwargs)
        except Exception:  # whatever went wrong, the caller's change must go through
            log.exception("could not queue a notification (the change itself is kept)")

    guarded.__doc__ = hook.__doc__
    return guarded


def _enqueue(
    session: Session,
    event: str,
    subject_id: str,
    recipients: Iterable[int],
    *,
    at: datetime,
    team: bool,
    payload: dict | None = None,
    dedupe: str | None = None,
) -> int:
    wanted = set(recipients)
    active = set(
        session.exec(select(User.id).where(col(User.id).in_(wanted), col(User.is_active))).all()
    )
    off = {
        (p.user_id, p.kind)
        for p in session.exec(
            select(NotifyPreference).where(
                NotifyPreference.event == event, col(NotifyPreference.enabled).is_(False)
            )
        )
    }
    channels = session.exec(select(NotifyChannel).where(NotifyChannel.target != "")).all()
    queued = 0
    for channel in channels:
        personal = channel.user_id is not None
        if personal and (channel.user_id not in active or (channel.user_id, channel.kind) in off):
            continue
        if not personal and not team:
            continue
        key = f"{dedupe}:{channel.id}" if dedupe else None
        if key and _queued(session, key):
            continue
        session.add(
            OutboxMessage(
                event=event,
                channel_id=channel.id or 0,
                user_id=channel.user_id,
                subject_id=subject_id,
                payload=payload or {},
                dedupe_key=key,
                created_at=at,
                next_attempt_at=at,
            )
        )
        queued += 1
    return queued


def _queued(session: Session, dedupe_key: str) -> bool:
    query = select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
    return session.exec(query).first() is not None


def _everyone(session: Session) -> list[int]:
    return [i for i in session.exec(select(User.id).where(col(User.is_active))).all() if i]


def _forecasters_of(session: Session, question_id: str) -> list[int]:
    return list(
        session.exec(select(Forecast.user_id).where(Forecast.question_id == question_id).distinct())
    )


def _participants(session: Session, session_id: int) -> list[int]:
    return list(
        session.exec(
            select(SessionParticipant.user_id).where(SessionParticipant.session_id == session_id)
        )
    )


@_safely
def on_question_created(session: Session, question_id: str, *, at: datetime) -> None:
    """Everyone hears of a new question (forecasters get their one-click forecast links)."""
    _enqueue(session, "question_new", question_id, _everyone(session), at=at, team=True)


@_safely
def on_session_phase(session: Session, session_id: int, phase: str, *, at: datetime) -> None:
    """A session's participants hear that it started (blind) or was revealed."""
    event = {"blind": "session_started", "reveal": "session_revealed"}.get(phase)
    if event:
        people = _participants(session, session_id)
        _enqueue(session, event, str(session_id), people, at=at, team=True)


@_safely
def on_question_resolved(session: Session, question_id: str, *, at: datetime) -> None:
    """Those who forecast the question hear its outcome and their own score."""
    people = _forecasters_of(session, question_id)
    _enqueue(session, "question_resolved", question_id, people, at=at, team=True)


@_safely
def on_evidence_linked(
    session: Session, question_id: str, evidence_id: int, *, at: datetime
) -> None:
    """New material evidence (not a near-duplicate of an item already stored) on a question:
    those who forecast it may need to update."""
    from tracker.models import EvidenceItem

    item = session.get(EvidenceItem, evidence_id)
    if item is None or item.near_duplicate_of is not None:
        return
    people = _forecasters_of(session, question_id)
    _enqueue(
        session, "evidence_new", question_id, people, at=at, team=False,
        payload={"evidence_id": evidence_id},
    )  # fmt: skip


def enqueue_digests(db: Database) -> int:
    """This ISO week's digest for every active member (once per week and channel)."""
    now = db.now()
    year, week, _ = now.isocalendar()
    queued = 0
    with db.write() as session:
        for user_id in _everyone(session):
            queued += _enqueue(
                session, "digest", f"{year}-W{week:02d}", [user_id], at=now, team=False,
                dedupe=f"digest:{year}-W{week:02d}:{user_id}",
            )  # fmt: skip
    return queued


# ------------------------------------------------------------------ delivery (outside writes)


def deliver_due(
    db: Database, *, limit: int = 200, send: Callable[[str, str, str], str | None] | None = None
) -> DeliveryReport:
    """Send every message that is due; each one is claimed, rendered, sent with no database
    transaction open, then recorded. A failure is retried with exponential backoff up to
    NOTIFY_MAX_ATTEMPTS, then kept as failed for the Admin page."""
    from tracker.services import notify_messages

    settings = get_settings()
    send = send or notify_send.sender(settings)
    report = DeliveryReport()
    now = db.now()
    with db.read() as session:
        due = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.state == "pending", OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.id)
            .limit(limit)
        ).all()
    for message in due:
        if not _claim(db, message, now):
            continue
        with db.read() as session:
            channel = session.get(NotifyChannel, message.channel_id)
        try:
            rendered = notify_messages.render(db, message)
            url = notify_send.url_for(channel, settings) if channel and channel.target else None
            error = "the channel was removed" if url is None else None
            if rendered is None:
                error = None
            elif url is not None:
                error = send(url, rendered.title, rendered.body)
        except Exception as exc:  # a bad channel or message must not stop the others
            log.exception("notification %s could not be delivered", message.id)
            error, rendered = f"{type(exc).__name__}: {exc}", None
        body = rendered.body if rendered else "(skipped: nothing left to tell this recipient)"
        state = _record(db, message, error, body, settings)
        setattr(report, state, getattr(report, state) + 1)
    return report


def _claim(db: Database, message: OutboxMessage, now: datetime) -> bool:
    """Take the message for this process (another deliverer skips it for CLAIM_LEASE)."""
    with db.write() as session:
        result = session.exec(  # type: ignore[call-overload]
            update(OutboxMessage)
            .where(
                col(OutboxMessage.id) == message.id,
                col(OutboxMessage.state) == "pending",
                col(OutboxMessage.next_attempt_at) == message.next_attempt_at,
            )
            .values(next_attempt_at=now + CLAIM_LEASE)
        )
        return result.rowcount == 1


def _record(db: Database, message: OutboxMessage, error: str | None, body: str, settings) -> str:  # type: ignore[no-untyped-def]
    now = db.now()
    with db.write() as session:
        row = session.get(OutboxMessage, message.id)
        assert row is not None
        row.attempts += 1
        row.body = body or row.body
        if error is None:
            row.state, row.sent_at, row.last_error = "sent", now, ""
            outcome = "sent"
        else:
            row.last_error = error[:2000]
            if row.attempts >= settings.notify_max_attempts:
                row.state, outcome = "failed", "failed"
            else:
                delay = settings.notify_backoff_s * 2 ** (row.attempts - 1)
                row.next_attempt_at, outcome = now + timedelta(seconds=delay), "retrying"
        session.add(row)
    return outcome


def deliveries(
    db: Database, actor: Actor, *, problems_only: bool = True, limit: int = 200
) -> list[DeliveryRead]:
    """For the Admin page: messages that failed or are being retried, newest first."""
    require_admin(actor, "see notification deliveries")
    query = (
        select(OutboxMessage, NotifyChannel, User.name)
        .join(NotifyChannel, col(NotifyChannel.id) == OutboxMessage.channel_id)
        .join(User, col(User.id) == OutboxMessage.user_id, isouter=True)
    )
    if problems_only:
        query = query.where(OutboxMessage.last_error != "")
    with db.read() as session:
        rows = session.exec(query.order_by(col(OutboxMessage.id).desc()).limit(limit)).all()
    return [
        DeliveryRead(
            id=m.id or 0,
            event=m.event,
            recipient=name,
            channel=f"{c.label} ({'team' if c.user_id is None else c.kind})",
            state=m.state,
            attempts=m.attempts,
            last_error=m.last_error,
            created_at=m.created_at,
            next_attempt_at=m.next_attempt_at,
            sent_at=m.sent_at,
        )
        for m, c, name in rows
    ]
