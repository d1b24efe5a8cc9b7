"""Whole-database backups: the optional sections of the interchange document (DESIGN §4),
written by the export and merged by the import (their rows are described in `format.py`).

Next to `questions` and `forecasts`, `tracker export` writes the sections below, and
`tracker import` reads them with the same rules: all or nothing, idempotent, and export →
import into an empty database → export is byte-identical. Rows refer to each other by natural
keys, never by database ids: users by name, feeds by URL, evidence by content hash, sessions by
a number local to the document (`ref`).

- `users`: name, display_name, role, active. Password hashes only with `--with-credentials`
  (`password_hash`, argon2 only); without them restored accounts have no password and an admin
  sets new ones (`tracker users set-password NAME`). A hash is used only when the import
  creates the account; an existing account keeps its own.
- `feeds` and `evidence`, each item with its `links` to questions (automatic or manual, linked
  or unlinked, so a restored database re-matches exactly as the old one would).
- `comments`: each question's discussion (`comments_section.py`): author, time, body, the
  parent's `ref`, the linked forecast (its time) and evidence (its hash), edits' earlier
  wordings, and tombstones of deleted comments.
- `sessions`: title, facilitator, phase and its timestamps, questions, participants; forecasts
  made in a session carry `session` (the ref) and `phase`.
- A question whose wording was edited carries its `revisions`; a forecast made on an earlier
  wording carries `revision`.
- A forecast made before an admin moved the close time, or the resolution time, back over it
  carries `"late": true` (kept for the record; scoring never reaches it). Without the flag
  the importer refuses forecasts after the close or resolution, as DESIGN §4 says.

Not in the document: the audit trail, stored LLM summaries (a cache, made again on demand, so
forecasts lose their link to the summary that was shown), feed polling state and sign-in state
(failed logins, lockouts). A database-level backup (pg_dump, SQLite `.backup`) keeps all of it.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from tracker.errors import InvalidInput
from tracker.interchange.comments_section import export_comments
from tracker.interchange.format import (
    EvidenceRecord,
    FeedRecord,
    RevisionRecord,
    SessionRecord,
    UserRecord,
    format_time,
)
from tracker.models import (
    EvidenceItem,
    Feed,
    Forecast,
    ForecastSession,
    Question,
    QuestionEvidence,
    QuestionRevision,
    SessionParticipant,
    SessionQuestion,
    User,
)
from tracker.schemas import Actor
from tracker.services import audit

if TYPE_CHECKING:
    from tracker.interchange.reading import ImportSummary


def _time(value: datetime | None) -> str | None:
    return format_time(value) if value is not None else None


# ---------------------------------------------------------------- export


@dataclass
class Extras:
    """What the backup adds to the plain document: sections and per-row fields."""

    sections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    revisions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    forecast_fields: dict[int, dict[str, Any]] = field(default_factory=dict)
    refs: dict[int, int] = field(default_factory=dict)  # session id → its ref in the file


def export_extras(
    session: Session,
    questions: Sequence[Question],
    forecasts: Iterable[Forecast],
    *,
    credentials: bool = False,
) -> Extras:
    names = {u.id: u.name for u in session.exec(select(User))}
    extras = Extras()
    users = [_user_json(u, credentials) for u in session.exec(select(User).order_by(User.name))]
    feeds = session.exec(select(Feed).order_by(Feed.added_at, Feed.id)).all()
    feed_urls = {f.id: f.url for f in feeds}
    evidence = _evidence_json(session, names, feed_urls)
    sessions, refs = _sessions_json(session, names)
    extras.sections = {
        key: rows
        for key, rows in (
            ("users", users),
            ("feeds", [_feed_json(f, names) for f in feeds]),
            ("evidence", evidence),
            ("sessions", sessions),
            ("comments", export_comments(session, names)),
        )
        if rows
    }
    revised = [q for q in questions if q.revision > 1]
    if revised:
        rows = session.exec(
            select(QuestionRevision)
            .where(col(QuestionRevision.question_id).in_([q.id for q in revised]))
            .order_by(QuestionRevision.question_id, QuestionRevision.revision)
        )
        for r in rows:
            extras.revisions.setdefault(r.question_id, []).append(
                {
                    "revision": r.revision,
                    "title": r.title,
                    "description": r.description,
                    "resolution_criteria": r.resolution_criteria,
                    "edited_by": names.get(r.edited_by),
                    "edited_at": format_time(r.edited_at),
                }
            )
    extras.refs = refs
    by_id = {q.id: q for q in questions}
    for f in forecasts:
        fields = forecast_fields(f, by_id[f.question_id], refs)
        if fields:
            extras.forecast_fields[f.id or 0] = fields
    return extras


def forecast_fields(f: Any, question: Question, refs: dict[int, int]) -> dict[str, Any]:
    """A forecast row's backup fields: its revision, session and phase, and `late`."""
    fields: dict[str, Any] = {}
    if f.question_revision != question.revision:
        fields["revision"] = f.question_revision
    if f.session_id is not None:
        fields["session"] = refs[f.session_id]
        fields["phase"] = f.session_phase
    if f.created_at >= min(question.close_time, question.resolved_time or question.close_time):
        fields["late"] = True
    return fields


def _user_json(user: User, credentials: bool) -> dict[str, Any]:
    row: dict[str, Any] = {
        "name": user.name,
        "display_name": user.display_name,
        "role": user.role,
        "active": user.is_active,
    }
    if credentials and user.password_hash:
        row["password_hash"] = user.password_hash
    return row


def _feed_json(feed: Feed, names: dict[int | None, str]) -> dict[str, Any]:
    return {
        "url": feed.url,
        "title": feed.title,
        "added_at": format_time(feed.added_at),
        "added_by": names.get(feed.added_by),
    }


def _evidence_json(
    session: Session, names: dict[int | None, str], feed_urls: dict[int | None, str]
) -> list[dict[str, Any]]:
    items = session.exec(select(EvidenceItem).order_by(EvidenceItem.added_at, EvidenceItem.id))
    links: dict[int, list[dict[str, Any]]] = {}
    for link in session.exec(select(QuestionEvidence).order_by(QuestionEvidence.question_id)):
        row = {
            "question_id": link.question_id,
            "score": link.score,
            "method": link.method,
            "state": link.state,
            "updated_by": names.get(link.updated_by),
            "updated_at": format_time(link.updated_at),
        }
        row |= {k: v for k, v in (("passage", link.passage), ("reason", link.reason)) if v}
        links.setdefault(link.evidence_id, []).append(row)
    hashes = dict(session.exec(select(EvidenceItem.id, EvidenceItem.content_hash)).all())
    return [
        {
            "hash": item.content_hash,
            "title": item.title,
            "outlet": item.outlet,
            "url": item.url,
            "published_at": _time(item.published_at),
            "added_at": format_time(item.added_at),
            "added_by": names.get(item.added_by),
            "kind": item.kind,
            "external_id": item.external_id,
            "feed": feed_urls.get(item.feed_id),
            "near_duplicate_of": hashes.get(item.near_duplicate_of),
            "text": item.text,
            "links": links.get(item.id or 0, []),
        }
        for item in items
    ]


def _sessions_json(
    session: Session, names: dict[int | None, str]
) -> tuple[list[dict[str, Any]], dict[int, int]]:
    rows = session.exec(
        select(ForecastSession).order_by(ForecastSession.created_at, ForecastSession.id)
    ).all()
    questions: dict[int, list[str]] = {}
    for link in session.exec(select(SessionQuestion)):
        questions.setdefault(link.session_id, []).append(link.question_id)
    people: dict[int, list[str]] = {}
    for part in session.exec(select(SessionParticipant)):
        people.setdefault(part.session_id, []).append(names[part.user_id])
    refs = {row.id or 0: ref for ref, row in enumerate(rows, start=1)}
    return [
        {
            "ref": refs[row.id or 0],
            "title": row.title,
            "facilitator": names[row.facilitator_id],
            "phase": row.phase,
            "created_at": format_time(row.created_at),
            "phase_changed_at": format_time(row.phase_changed_at),
            "questions": sorted(questions.get(row.id or 0, [])),
            "participants": sorted(people.get(row.id or 0, [])),
        }
        for row in rows
    ], refs


# ---------------------------------------------------------------- import


@dataclass
class _SessionRef:
    id: int
    questions: set[str]
    participants: set[str]


class Restorer:
    """Merges the sections inside the import's transaction, in dependency order."""

    def __init__(
        self, session: Session, actor: Actor, now: datetime, summary: "ImportSummary"
    ) -> None:
        self.session = session
        self.actor = actor
        self.now = now
        self.summary = summary  # the import's tally: the sections add to it
        self.users: dict[str, User] = {}
        self.sessions: dict[int, _SessionRef] = {}

    def _user_id(self, name: str | None, where: str) -> int | None:
        if name is None:
            return None
        user = self.users.get(name)
        if user is None:
            raise InvalidInput(f"{where}: no user named '{name}' (list it under 'users')")
        return user.id

    def merge_users(self, records: list[UserRecord]) -> None:
        self.users = {u.name: u for u in self.session.exec(select(User))}
        for index, record in enumerate(records):
            existing = self.users.get(record.name)
            if existing is not None:
                theirs = (record.display_name, record.role, record.active)
                if (existing.display_name, existing.role, existing.is_active) != theirs:
                    raise InvalidInput(
                        f"users[{index}] ('{record.name}'): already exists with a different "
                        "display name, role or active state"
                    )
                continue
            user = User(
                name=record.name,
                display_name=record.display_name,
                role=record.role,
                is_active=record.active,
                password_hash=record.password_hash,
                created_at=self.now,
            )
            self.session.add(user)
            self.session.flush()
            self.users[record.name] = user
            self.summary.users_added += 1
            audit.record(
                self.session,
                self.actor,
                "user.create",
                "user",
                record.name,
                at=self.now,
                after={
                    "role": record.role,
                    "has_password": record.password_hash is not None,
                    "via": "import",
                },
            )

    def revisions_differ(self, question: Question, records: list[RevisionRecord]) -> str | None:
        names = {u.id: name for name, u in self.users.items()}
        stored = self.session.exec(
            select(QuestionRevision)
            .where(QuestionRevision.question_id == question.id)
            .order_by(QuestionRevision.revision)
        ).all()
        ours = [
            (r.revision, r.title, r.description, r.resolution_criteria, names.get(r.edited_by))
            for r in stored
        ]
        ours_at = [r.edited_at for r in stored]
        theirs = [
            (r.revision, r.title, r.description, r.resolution_criteria, r.edited_by)
            for r in records
        ]
        same = ours == theirs and ours_at == [r.edited_at for r in records]
        return None if same else "wording history (revisions)"

    def restore_revisions(self, question: Question, records: list[RevisionRecord]) -> None:
        """Give a question the import just created its full wording history."""
        first = self.session.exec(
            select(QuestionRevision).where(
                QuestionRevision.question_id == question.id, QuestionRevision.revision == 1
            )
        ).one()
        for record in records:
            where = f"question '{question.id}' revision {record.revision}"
            row = first if record.revision == 1 else QuestionRevision(question_id=question.id)
            row.revision = record.revision
            row.title = record.title
            row.description = record.description
            row.resolution_criteria = record.resolution_criteria
            row.edited_by = self._user_id(record.edited_by, where)
            row.edited_at = record.edited_at
            self.session.add(row)
        question.revision = records[-1].revision
        self.session.add(question)

    def merge_evidence(
        self, feeds: list[FeedRecord], items: list[EvidenceRecord], questions: dict[str, Question]
    ) -> None:
        feed_ids = {url: fid for fid, url in self.session.exec(select(Feed.id, Feed.url))}
        for index, record in enumerate(feeds):
            if record.url in feed_ids:
                continue
            feed = Feed(
                url=record.url,
                title=record.title,
                added_at=record.added_at,
                added_by=self._user_id(record.added_by, f"feeds[{index}]"),
            )
            self.session.add(feed)
            self.session.flush()
            feed_ids[record.url] = feed.id
            self.summary.feeds_added += 1
        if not items:
            return
        stored = dict(self.session.exec(select(EvidenceItem.content_hash, EvidenceItem.id)).all())
        external = dict(
            self.session.exec(
                select(EvidenceItem.external_id, EvidenceItem.content_hash).where(
                    col(EvidenceItem.external_id).is_not(None)
                )
            ).all()
        )
        from tracker.evidence.dedup import NearDuplicateIndex  # datasketch loads scipy: 1 s

        index_ = NearDuplicateIndex()
        new: list[tuple[EvidenceItem, EvidenceRecord]] = []  # inserted in file order
        for index, record in enumerate(items):
            where = f"evidence[{index}] (hash {record.hash[:12]}…)"
            if record.feed is not None and record.feed not in feed_ids:
                raise InvalidInput(
                    f"{where}: no feed {record.feed[:100]!r} (list it under 'feeds')"
                )
            if record.external_id and external.get(record.external_id, record.hash) != record.hash:
                raise InvalidInput(f"{where}: another item already has this external_id")
            if record.hash not in stored:
                item = EvidenceItem(
                    title=record.title,
                    outlet=record.outlet,
                    url=record.url,
                    published_at=record.published_at,
                    added_at=record.added_at,
                    added_by=self._user_id(record.added_by, where),
                    kind=record.kind,
                    external_id=record.external_id,
                    text=record.text,
                    content_hash=record.hash,
                    minhash=index_.signature(record.text).tobytes(),
                    feed_id=feed_ids.get(record.feed) if record.feed else None,
                )
                self.session.add(item)
                new.append((item, record))
            for link in record.links:
                if link.question_id not in questions:
                    raise InvalidInput(f"{where}: linked to unknown question {link.question_id!r}")
        self.session.flush()
        added = {item.content_hash: item for item, _ in new}
        stored.update({h: item.id or 0 for h, item in added.items()})
        self.summary.evidence_added = len(new)
        for index, record in enumerate(items):
            where = f"evidence[{index}] (hash {record.hash[:12]}…)"
            evidence_id = stored[record.hash]
            if record.hash in added and record.near_duplicate_of is not None:
                if record.near_duplicate_of not in stored:
                    raise InvalidInput(f"{where}: near_duplicate_of names an unknown item")
                added[record.hash].near_duplicate_of = stored[record.near_duplicate_of]
                self.session.add(added[record.hash])
            for link in record.links:
                if self.session.get(QuestionEvidence, (link.question_id, evidence_id)):
                    continue
                self.session.add(
                    QuestionEvidence(
                        question_id=link.question_id,
                        evidence_id=evidence_id,
                        score=link.score,
                        method=link.method,
                        state=link.state,
                        passage=link.passage,
                        reason=link.reason,
                        updated_by=self._user_id(link.updated_by, where),
                        updated_at=link.updated_at,
                    )
                )
                self.summary.links_added += 1
        self.session.flush()

    def merge_sessions(self, records: list[SessionRecord], questions: dict[str, Question]) -> None:
        existing = {
            (row.title, name, row.created_at): row.id or 0
            for row, name in self.session.exec(
                select(ForecastSession, User.name).join(
                    User, col(ForecastSession.facilitator_id) == User.id
                )
            )
        }
        for index, record in enumerate(records):
            where = f"sessions[{index}] (ref {record.ref})"
            for qid in record.questions:
                if qid not in questions:
                    raise InvalidInput(f"{where}: no question with id {qid!r}")
            people = [self._user_id(name, where) or 0 for name in record.participants]
            facilitator = self._user_id(record.facilitator, where) or 0
            key = (record.title, record.facilitator, record.created_at)
            session_id = existing.get(key)
            if session_id is None:
                row = ForecastSession(
                    title=record.title,
                    facilitator_id=facilitator,
                    phase=record.phase,
                    created_at=record.created_at,
                    phase_changed_at=record.phase_changed_at,
                )
                self.session.add(row)
                self.session.flush()
                session_id = row.id or 0
                self.session.add_all(
                    SessionQuestion(session_id=session_id, question_id=q) for q in record.questions
                )
                self.session.add_all(
                    SessionParticipant(session_id=session_id, user_id=u) for u in people
                )
                self.summary.sessions_added += 1
            self.sessions[record.ref] = _SessionRef(
                session_id, set(record.questions), set(record.participants)
            )
        self.session.flush()

    def forecast_fields(
        self,
        *,
        session_ref: int | None,
        phase: str | None,
        revision: int | None,
        user: str,
        question: Question,
        where: object,
    ) -> dict[str, Any]:
        """The session, phase and question revision an imported forecast row points at."""
        fields: dict[str, Any] = {"question_revision": revision or question.revision}
        if revision is not None and revision > question.revision:
            raise InvalidInput(
                f"{where}: revision {revision} is newer than the question's ({question.revision})"
            )
        if (session_ref is None) != (phase is None):
            raise InvalidInput(f"{where}: give both 'session' and 'phase', or neither")
        if session_ref is not None:
            ref = self.sessions.get(session_ref)
            if ref is None:
                raise InvalidInput(f"{where}: no session with ref {session_ref} in 'sessions'")
            if question.id not in ref.questions:
                raise InvalidInput(f"{where}: the question is not part of session {session_ref}")
            if user not in ref.participants:
                raise InvalidInput(f"{where}: '{user}' is not a participant of that session")
            fields |= {"session_id": ref.id, "session_phase": phase}
        return fields
