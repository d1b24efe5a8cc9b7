"""What a queued notification says, written at delivery for its recipient.

A message never carries a number its recipient could not see in the app at that moment: their
own forecasts and scores, and the team's figures only where `views` says the team is visible
to them (never during a blind session, never before their own forecast on a hidden question).
A team channel is read by everyone, so its messages carry no forecast or score at all.
"""

from dataclasses import dataclass

from tracker.config import get_settings
from tracker.db import Database
from tracker.errors import NotFound
from tracker.models import OutboxMessage
from tracker.schemas import Actor
from tracker.services import (
    evidence,
    forecast_links,
    questions,
    scores,
    sessions,
    users,
    views,
)


@dataclass(frozen=True)
class Message:
    title: str
    body: str


def pct(p: float) -> str:
    return f"{100 * p:.0f}%"


def _vector(vector: dict[str, float], options: list[str]) -> str:
    if options == ["Yes", "No"]:
        return pct(vector["Yes"])
    return ", ".join(f"{o} {pct(vector[o])}" for o in options)


def question_url(question_id: str) -> str:
    return f"{get_settings().app_base_url.rstrip('/')}/question?q={question_id}"


def session_url(session_id: int | str) -> str:
    return f"{get_settings().app_base_url.rstrip('/')}/session?s={session_id}"


def _recipient(db: Database, message: OutboxMessage) -> Actor | None:
    if message.user_id is None:
        return None
    return users.actor_for(users.get_user_by_id(db, message.user_id))


def render(db: Database, message: OutboxMessage) -> Message | None:
    """The message, or None when there is nothing left to tell (e.g. the recipient left)."""
    try:
        recipient = _recipient(db, message)
    except NotFound:
        return None
    if message.user_id is not None and (recipient is None or not _active(db, recipient)):
        return None
    return _RENDERERS[message.event](db, message, recipient)


def _active(db: Database, actor: Actor) -> bool:
    return users.get_user(db, actor.name).is_active


def _question_new(db: Database, m: OutboxMessage, who: Actor | None) -> Message:
    q = questions.get_question(db, m.subject_id)
    body = [
        q.title,
        f"Closes {q.close_time:%d %b %Y %H:%M} UTC. Options: {', '.join(q.options)}.",
        f"Open it: {question_url(q.id)}",
    ]
    if who is not None and who.role != "viewer" and q.type == "binary" and q.state == "open":
        links = forecast_links.links_for(db, who.user_id or 0, q.id)
        body.append("Forecast in one click (yours only; each link works once):")
        body.extend(f"  {pct(p)}: {url}" for p, url in links)
    return Message(f"New question: {q.title}", "\n".join(body))


def _session(db: Database, m: OutboxMessage, _who: Actor | None) -> Message:
    record = sessions.get_session(db, int(m.subject_id))
    n = len(record.question_ids)
    if m.event == "session_started":
        title = f"Session started: {record.title}"
        text = (
            f"{record.facilitator} started a team session on {n} question(s). Make your blind "
            "forecasts before the reveal; nobody sees anyone else's until then."
        )
    else:
        title = f"Session revealed: {record.title}"
        text = "The blind forecasts are revealed: compare, discuss and update."
    return Message(title, f"{text}\n{session_url(record.id)}")


def _resolved(db: Database, m: OutboxMessage, who: Actor | None) -> Message:
    q = questions.get_question(db, m.subject_id)
    outcome = q.resolution or "annulled"
    body = [f"{q.title}", f"Resolved: {outcome}."]
    if who is not None:
        mine = [s for s in scores.question_scores(db, q.id) if s.user == who.name]
        if mine and mine[0].brier is not None:
            body.append(f"Your Brier score: {mine[0].brier:.3f} (0 is perfect).")
    body.append(question_url(q.id))
    return Message(f"Resolved: {q.title}", "\n".join(body))


def _evidence(db: Database, m: OutboxMessage, who: Actor | None) -> Message:
    item = evidence.get_evidence(db, int(m.payload["evidence_id"]))
    view = views.question_view(db, who, m.subject_id) if who else None
    q = view.question if view else questions.get_question(db, m.subject_id)
    source = f" ({item.outlet})" if item.outlet else ""
    body = [f"New evidence on “{q.title}”:", f"{item.title}{source}"]
    if view is not None and view.my_latest is not None:
        body.append(f"Your latest forecast: {_vector(view.my_latest.probabilities, q.options)}.")
    if view is not None and view.team_visible and view.team_now is not None:
        body.append(f"Team median: {_vector(view.team_now.vector, q.options)}.")
    body.append(f"Needs your update? {question_url(q.id)}")
    return Message(f"New evidence: {q.title}", "\n".join(body))


def _digest(db: Database, m: OutboxMessage, who: Actor | None) -> Message:
    assert who is not None  # digests are personal
    rows = views.question_rows(db, who, states={"open"}, needs_update_only=True)
    shown = views.with_team(db, who, rows[:15])
    lines = [f"Your week ({m.subject_id}):"]
    if not shown:
        lines.append("Nothing needs your update.")
    for r in shown:
        parts = [f"- {r.question.title}: {r.update_reason}"]
        if r.my_latest is not None:
            parts.append(f"yours {_vector(r.my_latest, r.question.options)}")
        if r.team_visible and r.team_median is not None:
            parts.append(f"team {_vector(r.team_median, r.question.options)}")
        lines.append("; ".join(parts) + f" {question_url(r.question.id)}")
    if len(rows) > len(shown):
        lines.append(f"…and {len(rows) - len(shown)} more.")
    return Message("Your forecasting week", "\n".join(lines))


_RENDERERS = {
    "question_new": _question_new,
    "session_started": _session,
    "session_revealed": _session,
    "question_resolved": _resolved,
    "evidence_new": _evidence,
    "digest": _digest,
}
