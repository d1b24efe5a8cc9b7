"""Whole-database backups: the optional sections of the interchange document (DESIGN §4).

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
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar

import argon2
import pydantic
from pydantic import AfterValidator, ConfigDict, Field
from sqlmodel import Session, col, select

from tracker.config import get_settings
from tracker.errors import InvalidInput, describe_validation_error
from tracker.evidence.dedup import NearDuplicateIndex
from tracker.evidence.text import MAX_CHARS, clean_text, content_hash
from tracker.models import (
    EVIDENCE_KINDS,
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
from tracker.schemas import Actor, LongText, Role, SessionPhase, ShortText, Title, UtcDatetime
from tracker.services import audit
from tracker.text import check_text

R = TypeVar("R", bound=pydantic.BaseModel)
SECTIONS = ("users", "feeds", "evidence", "sessions")
USER_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"

UserName = Annotated[str, Field(pattern=USER_NAME)]
QuestionId = Annotated[str, Field(max_length=100)]
Hash = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


def _url(value: str) -> str:
    value = check_text(value, max_length=2000, required=True)
    if not value.startswith(("http://", "https://")):
        raise ValueError("must be an http(s) URL")
    return value


Url = Annotated[str, AfterValidator(_url)]
Line500 = Annotated[str, AfterValidator(lambda v: check_text(v, max_length=500))]
Line128 = Annotated[str, AfterValidator(lambda v: check_text(v, max_length=128))]


def format_time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _time(value: datetime | None) -> str | None:
    return format_time(value) if value is not None else None


class _Record(pydantic.BaseModel):
    model_config = ConfigDict(extra="forbid")


class UserRecord(_Record):
    name: UserName
    display_name: Line128 = ""
    role: Role = "forecaster"
    active: bool = True
    password_hash: str | None = Field(default=None, max_length=255)

    @pydantic.field_validator("password_hash")
    @classmethod
    def _argon2(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            argon2.extract_parameters(value)
        except (argon2.exceptions.InvalidHashError, ValueError):
            raise ValueError("is not an argon2 hash") from None
        return value


class FeedRecord(_Record):
    url: Url
    title: Line500 = ""
    added_at: UtcDatetime
    added_by: UserName | None = None


class LinkRecord(_Record):
    question_id: QuestionId
    score: Annotated[float, Field(allow_inf_nan=False)] = 0.0
    method: Literal["auto", "manual"] = "auto"
    state: Literal["linked", "unlinked"] = "linked"
    updated_by: UserName | None = None
    updated_at: UtcDatetime


class EvidenceRecord(_Record):
    hash: Hash
    title: Title
    outlet: ShortText = ""
    url: Url | None = None
    published_at: UtcDatetime | None = None
    added_at: UtcDatetime
    added_by: UserName | None = None
    kind: Literal[EVIDENCE_KINDS]  # type: ignore[valid-type]
    external_id: str | None = Field(default=None, max_length=500)
    feed: Url | None = None
    near_duplicate_of: Hash | None = None
    text: str = Field(min_length=1)
    links: list[LinkRecord] = Field(default_factory=list, max_length=1000)

    @pydantic.model_validator(mode="after")
    def _text(self) -> "EvidenceRecord":
        limit = max(MAX_CHARS, get_settings().evidence_max_chars)
        if len(self.text) > limit or clean_text(self.text, max_chars=limit) != self.text:
            raise ValueError(
                "text is not as ingest stores it (control or invisible characters, untrimmed "
                f"space, or longer than {limit:,} characters)"
            )
        if content_hash(self.text) != self.hash:
            raise ValueError("hash does not match the text (the file was altered or damaged)")
        if self.near_duplicate_of == self.hash:
            raise ValueError("an item cannot be a near duplicate of itself")
        if len({link.question_id for link in self.links}) != len(self.links):
            raise ValueError("a question is linked twice")
        return self


class SessionRecord(_Record):
    ref: int = Field(ge=1)
    title: Title
    facilitator: UserName
    phase: SessionPhase
    created_at: UtcDatetime
    phase_changed_at: UtcDatetime
    questions: list[QuestionId] = Field(min_length=1, max_length=50)
    participants: list[UserName] = Field(min_length=1, max_length=100)

    @pydantic.model_validator(mode="after")
    def _consistent(self) -> "SessionRecord":
        if self.phase_changed_at < self.created_at:
            raise ValueError("phase_changed_at is before created_at")
        if len(set(self.questions)) != len(self.questions):
            raise ValueError("a question is listed twice")
        if len(set(self.participants)) != len(self.participants):
            raise ValueError("a participant is listed twice")
        return self


class RevisionRecord(_Record):
    revision: int = Field(ge=1)
    title: Title
    description: LongText = ""
    resolution_criteria: LongText = ""
    edited_by: UserName | None = None
    edited_at: UtcDatetime


class Sections(pydantic.BaseModel):
    users: list[UserRecord] = []
    feeds: list[FeedRecord] = []
    evidence: list[EvidenceRecord] = []
    sessions: list[SessionRecord] = []


# ---------------------------------------------------------------- parsing


def parse_rows(rows: Any, key: str, model: type[R]) -> list[R]:
    """Validate a list of rows; the error names the row (`key[index] (its id)`) and the reason."""
    if not isinstance(rows, list):
        raise InvalidInput(f"'{key}' must be a list")
    parsed = []
    for index, row in enumerate(rows):
        try:
            parsed.append(model.model_validate(row))
        except pydantic.ValidationError as exc:
            raise InvalidInput(f"{where(key, index, row)}: {_problems(exc)}") from None
    return parsed


def _problems(exc: pydantic.ValidationError, limit: int = 3) -> str:
    """Pydantic's report, cut to the first few problems, each short and printable."""
    parts = [short(part, 100) for part in describe_validation_error(exc).split("; ")]
    more = f"; and {len(parts) - limit} more problem(s)" if len(parts) > limit else ""
    return "; ".join(parts[:limit]) + more


def short(value: object, limit: int = 40) -> str:
    """A value from the file, safe to echo in a one-line message: printable and short."""
    text = value if isinstance(value, str) and value.isprintable() else repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def where(key: str, index: int, row: Any) -> str:
    label = f"{key}[{index}]"
    if not isinstance(row, dict):
        return label
    if key == "forecasts":
        parts = (short(row.get(k)) for k in ("question_id", "user", "time"))
        return f"{label} ({', '.join(parts)})"
    for name in ("id", "name", "ref", "url"):
        if isinstance(row.get(name), str | int) and not isinstance(row.get(name), bool):
            return f"{label} ({name} {short(row[name])!r})"
    if isinstance(row.get("hash"), str):
        return f"{label} (hash {short(row['hash'], 12)})"
    return label


def parse_sections(document: dict[str, Any]) -> Sections:
    sections = Sections(
        users=parse_rows(document.get("users", []), "users", UserRecord),
        feeds=parse_rows(document.get("feeds", []), "feeds", FeedRecord),
        evidence=parse_rows(document.get("evidence", []), "evidence", EvidenceRecord),
        sessions=parse_rows(document.get("sessions", []), "sessions", SessionRecord),
    )
    _unique([u.name for u in sections.users], "users", "name")
    _unique([f.url for f in sections.feeds], "feeds", "url")
    _unique([e.hash for e in sections.evidence], "evidence", "hash")
    _unique([e.external_id for e in sections.evidence if e.external_id], "evidence", "external_id")
    _unique([s.ref for s in sections.sessions], "sessions", "ref")
    return sections


def _unique(values: Sequence[object], key: str, name: str) -> None:
    seen: dict[object, int] = {}
    for index, value in enumerate(values):
        if value in seen:
            raise InvalidInput(f"{key}[{index}]: duplicate {name} (also {key}[{seen[value]}])")
        seen[value] = index


def check_revisions(revisions: list[RevisionRecord], current: dict[str, str], where: str) -> None:
    """Revisions are numbered 1..n and the last one is the question's current wording."""
    if [r.revision for r in revisions] != list(range(1, len(revisions) + 1)):
        raise InvalidInput(f"{where}: revisions must be numbered 1, 2, 3… in order")
    last = revisions[-1].model_dump(include=set(current))
    if last != current:
        raise InvalidInput(f"{where}: the last revision is not the question's current wording")


# ---------------------------------------------------------------- export


@dataclass
class Extras:
    """What the backup adds to the plain document: sections and per-row fields."""

    sections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    revisions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    forecast_fields: dict[int, dict[str, Any]] = field(default_factory=dict)


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
    by_id = {q.id: q for q in questions}
    for f in forecasts:
        fields: dict[str, Any] = {}
        question = by_id[f.question_id]
        if f.question_revision != question.revision:
            fields["revision"] = f.question_revision
        if f.session_id is not None:
            fields["session"] = refs[f.session_id]
            fields["phase"] = f.session_phase
        if f.created_at >= min(question.close_time, question.resolved_time or question.close_time):
            fields["late"] = True
        if fields:
            extras.forecast_fields[f.id or 0] = fields
    return extras


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
        links.setdefault(link.evidence_id, []).append(
            {
                "question_id": link.question_id,
                "score": link.score,
                "method": link.method,
                "state": link.state,
                "updated_by": names.get(link.updated_by),
                "updated_at": format_time(link.updated_at),
            }
        )
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


@dataclass
class Counts:
    users_added: int = 0
    feeds_added: int = 0
    evidence_added: int = 0
    links_added: int = 0
    sessions_added: int = 0


class Restorer:
    """Merges the sections inside the import's transaction, in dependency order."""

    def __init__(self, session: Session, actor: Actor, now: datetime) -> None:
        self.session = session
        self.actor = actor
        self.now = now
        self.counts = Counts()
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
            self.counts.users_added += 1
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
            self.counts.feeds_added += 1
        stored = dict(self.session.exec(select(EvidenceItem.content_hash, EvidenceItem.id)).all())
        external = dict(
            self.session.exec(
                select(EvidenceItem.external_id, EvidenceItem.content_hash).where(
                    col(EvidenceItem.external_id).is_not(None)
                )
            ).all()
        )
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
        self.counts.evidence_added = len(new)
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
                        updated_by=self._user_id(link.updated_by, where),
                        updated_at=link.updated_at,
                    )
                )
                self.counts.links_added += 1
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
                self.counts.sessions_added += 1
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
        where: str,
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
