"""Evidence: store articles, notes and feed entries once, link them to the questions they bear on.

Text is cleaned once at ingest (invisible and bidi characters removed, length capped); an exact
copy (same normalised hash) is not stored twice, a near copy is stored and marked. Matching runs
BM25 over the open questions; a manual unlink is remembered so re-matching never undoes it.
"""

import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import PurePath

import numpy as np
from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import Session, col, select

from tracker.config import get_settings
from tracker.db import Database
from tracker.errors import InvalidInput, NotFound
from tracker.evidence.dedup import NearDuplicateIndex
from tracker.models import EvidenceItem, Feed, QuestionEvidence, User
from tracker.schemas import Actor
from tracker.services import audit, notifications
from tracker.services.permissions import require_contributor
from tracker.services.questions import get_row
from tracker.text import check_text

ProgressCallback = Callable[[int, int], None]


class EvidenceRead(BaseModel):
    id: int
    title: str
    outlet: str
    url: str | None
    published_at: datetime | None
    added_at: datetime
    added_by: str | None
    kind: str
    content_hash: str
    near_duplicate_of: int | None
    text: str


class LinkRead(BaseModel):
    question_id: str
    evidence_id: int
    title: str
    outlet: str
    url: str | None
    published_at: datetime | None
    added_at: datetime
    score: float
    method: str
    state: str
    passage: str = ""
    """The stretch of the item that made an automatic link."""
    reason: str = ""
    """A model's one-line reason, for links it judged."""


class IngestResult(BaseModel):
    item: EvidenceRead
    duplicate: bool
    links: list[LinkRead]


class FeedRead(BaseModel):
    id: int
    url: str
    title: str
    added_at: datetime
    last_polled_at: datetime | None
    last_error: str


class PollSummary(BaseModel):
    feeds: int = 0
    entries_added: int = 0
    duplicates: int = 0
    errors: list[str] = []
    questions_linked: list[str] = []
    """Questions the new entries were linked to (their summaries need refreshing)."""


# ------------------------------------------------------------------ reading


def _read(item: EvidenceItem, added_by: str | None) -> EvidenceRead:
    return EvidenceRead.model_validate(item.model_dump() | {"added_by": added_by})


def _link_read(link: QuestionEvidence, item: EvidenceItem) -> LinkRead:
    return LinkRead(
        question_id=link.question_id,
        evidence_id=link.evidence_id,
        title=item.title,
        outlet=item.outlet,
        url=item.url,
        published_at=item.published_at,
        added_at=item.added_at,
        score=link.score,
        method=link.method,
        state=link.state,
        passage=link.passage,
        reason=link.reason,
    )


def get_evidence(db: Database, evidence_id: int) -> EvidenceRead:
    with db.read() as session:
        item = session.get(EvidenceItem, evidence_id)
        if item is None:
            raise NotFound(f"no evidence item with id {evidence_id}")
        user = session.get(User, item.added_by) if item.added_by else None
        return _read(item, user.name if user else None)


def list_evidence(db: Database, limit: int = 200) -> list[EvidenceRead]:
    query = (
        select(EvidenceItem, User.name)
        .join(User, col(EvidenceItem.added_by) == User.id, isouter=True)
        .order_by(col(EvidenceItem.added_at).desc(), col(EvidenceItem.id).desc())
        .limit(limit)
    )
    with db.read() as session:
        return [_read(item, name) for item, name in session.exec(query)]


def linked_evidence(
    db: Database, question_id: str, *, include_unlinked: bool = False
) -> list[LinkRead]:
    """Evidence linked to a question, newest first."""
    query = (
        select(QuestionEvidence, EvidenceItem)
        .join(EvidenceItem, col(QuestionEvidence.evidence_id) == EvidenceItem.id)
        .where(QuestionEvidence.question_id == question_id)
        .order_by(col(EvidenceItem.added_at).desc(), col(EvidenceItem.id).desc())
    )
    if not include_unlinked:
        query = query.where(QuestionEvidence.state == "linked")
    with db.read() as session:
        return [_link_read(link, item) for link, item in session.exec(query)]


def links_for_evidence(db: Database, evidence_id: int) -> list[LinkRead]:
    query = (
        select(QuestionEvidence, EvidenceItem)
        .join(EvidenceItem, col(QuestionEvidence.evidence_id) == EvidenceItem.id)
        .where(QuestionEvidence.evidence_id == evidence_id)
        .order_by(col(QuestionEvidence.score).desc())
    )
    with db.read() as session:
        return [_link_read(link, item) for link, item in session.exec(query)]


def evidence_texts(db: Database, evidence_ids: Sequence[int]) -> list[EvidenceItem]:
    """Rows for the summariser (detached copies, safe to use after the session closes)."""
    if not evidence_ids:
        return []
    with db.read() as session:
        query = select(EvidenceItem).where(col(EvidenceItem.id).in_(list(evidence_ids)))
        return list(session.exec(query))


def latest_evidence_time(db: Database) -> dict[str, datetime]:
    """When each question last got linked evidence (for 'new evidence' badges)."""
    query = (
        select(QuestionEvidence.question_id, func.max(EvidenceItem.added_at))
        .join(EvidenceItem, col(QuestionEvidence.evidence_id) == EvidenceItem.id)
        .where(QuestionEvidence.state == "linked")
        .group_by(QuestionEvidence.question_id)
    )
    with db.read() as session:
        return {qid: at for qid, at in session.exec(query)}


# ------------------------------------------------------------------ ingest


def check_url(url: str, what: str) -> str:
    """A stored URL is one printable line of bounded length with an http(s) scheme."""
    try:
        url = check_text(url, max_length=2000, required=True)
    except ValueError as exc:
        raise InvalidInput(f"{what} {exc}") from None
    if not url.lower().startswith(("http://", "https://")):
        raise InvalidInput(f"{what} must start with http:// or https://")
    return url


def _outlet(raw: str | None) -> str:
    """An outlet name, cleaned and checked like any text (ValueError if unusable)."""
    from tracker.evidence.text import clean_text

    return check_text(clean_text(raw or "", max_chars=300), max_length=300)


def _read_limit() -> int:
    """How much text extraction keeps: twice the stored limit, so an over-long text is seen
    as over-long (and refused) rather than silently cut to fit."""
    return 2 * get_settings().evidence_max_chars


def _clean(title: str | None, text: str, outlet: str, url: str | None) -> tuple[str, str, str]:
    """The one size rule for every way evidence arrives (paste, file, URL, feed entry): a
    cleaned text longer than EVIDENCE_MAX_CHARS is refused, with its size, and nothing is
    stored; what is stored is read in full by the matcher and the offline digest."""
    from tracker.evidence.text import TRUNCATION_MARKER, clean_text

    limit = get_settings().evidence_max_chars
    body = clean_text(text, max_chars=_read_limit())
    if len(body) > limit:
        cut = body.endswith(TRUNCATION_MARKER)
        size = f"more than {_read_limit():,}" if cut else f"{len(body):,}"
        raise InvalidInput(
            f"the evidence text is {size} characters long; an item holds at most {limit:,} "
            "(EVIDENCE_MAX_CHARS). Add the part that bears on your questions, or ask the "
            "administrator to raise the limit."
        )
    if not body.strip():
        raise InvalidInput("the evidence text is empty")
    first_line = body.strip().splitlines()[0]
    title = (title or "").strip() or first_line[:200]
    try:
        title = check_text(clean_text(title, max_chars=500), max_length=500, required=True)
        outlet = _outlet(outlet)
    except ValueError as exc:
        raise InvalidInput(f"title/outlet {exc}") from None
    if url is not None:
        url = check_url(url, "the URL")
    return title, body, outlet


def _store(
    session: Session,
    actor: Actor,
    *,
    title: str | None,
    text: str,
    outlet: str = "",
    url: str | None = None,
    published_at: datetime | None = None,
    kind: str,
    now: datetime,
    external_id: str | None = None,
    feed_id: int | None = None,
) -> tuple[EvidenceItem, bool]:
    from tracker.evidence.text import content_hash

    title, body, outlet = _clean(title, text, outlet, url)
    digest = content_hash(body)
    existing = session.exec(select(EvidenceItem).where(EvidenceItem.content_hash == digest)).first()
    if existing is not None:
        return existing, True
    signature, match = _near_duplicates(session, body)
    item = EvidenceItem(
        title=title,
        outlet=outlet,
        url=url,
        published_at=published_at,
        added_at=now,
        added_by=actor.user_id,
        kind=kind,
        external_id=external_id,
        text=body,
        content_hash=digest,
        minhash=signature.tobytes(),
        near_duplicate_of=int(match[0][0]) if match else None,
        feed_id=feed_id,
    )
    session.add(item)
    session.flush()
    audit.record(
        session,
        actor,
        "evidence.add",
        "evidence",
        item.id,
        at=now,
        after={"title": title, "kind": kind, "near_duplicate_of": item.near_duplicate_of},
    )
    return item, False


class _KeptIndex:
    """One near-duplicate index per database and process, topped up from the stored
    signatures added since it last looked (by any process), instead of rebuilt per ingest.

    Only committed rows are ever read into it, so a rolled-back insert never enters it. If
    what it holds no longer matches the table (as many rows up to its newest id, and that
    row's signature unchanged), the data was replaced, by a restore for instance, and the
    index is rebuilt from scratch."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self.index, self.last_id, self.last_blob = NearDuplicateIndex(), 0, b""

    def find(self, session: Session, body: str) -> tuple[np.ndarray, list[tuple[str, float]]]:
        """The text's signature and the stored items it nearly duplicates."""
        with self.lock:
            self._catch_up(session)
            signature = self.index.signature(body)
            found = self.index.query(body, signature=signature) if len(self.index) else []
            return signature, found

    def _catch_up(self, session: Session) -> None:
        if self.last_id:
            held = session.exec(
                select(func.count()).where(_HAS_SIGNATURE, col(EvidenceItem.id) <= self.last_id)
            ).one()
            blob = session.exec(
                select(EvidenceItem.minhash).where(EvidenceItem.id == self.last_id)
            ).first()
            if held != len(self.index) or blob != self.last_blob:
                self._reset()
        rows = session.exec(
            select(EvidenceItem.id, EvidenceItem.minhash)
            .where(_HAS_SIGNATURE, col(EvidenceItem.id) > self.last_id)
            .order_by(EvidenceItem.id)
        )
        dtype = self.index.signature("").dtype
        for item_id, blob in rows:
            self.index.add(str(item_id), signature=np.frombuffer(blob, dtype=dtype))
            self.last_id, self.last_blob = item_id or 0, blob


_HAS_SIGNATURE = col(EvidenceItem.minhash).is_not(None)
_KEPT: dict[str, _KeptIndex] = {}
_KEPT_LOCK = threading.Lock()


def _near_duplicates(session: Session, body: str) -> tuple[np.ndarray, list[tuple[str, float]]]:
    url = str(session.get_bind().url)
    with _KEPT_LOCK:
        kept = _KEPT.setdefault(url, _KeptIndex())
    return kept.find(session, body)


def _ingest(db: Database, actor: Actor, **fields) -> IngestResult:  # type: ignore[no-untyped-def]
    """Store the item (one short transaction), then match it (outside it: the model may be
    asked about borderline links)."""
    from tracker.services.evidence_links import match_items

    require_contributor(actor)
    now = db.now()
    with db.write() as session:
        item, duplicate = _store(session, actor, now=now, **fields)
        item_id = item.id or 0
    if not duplicate:
        match_items(db, actor, [item_id])
    return IngestResult(
        item=get_evidence(db, item_id), duplicate=duplicate, links=links_for_evidence(db, item_id)
    )


def add_text(
    db: Database,
    actor: Actor,
    *,
    title: str | None,
    text: str,
    outlet: str = "",
    url: str | None = None,
    published_at: datetime | None = None,
) -> IngestResult:
    """Pasted text (or any text the caller already has)."""
    return _ingest(
        db,
        actor,
        title=title,
        text=text,
        outlet=outlet,
        url=url,
        published_at=published_at,
        kind="text",
    )


def add_file(
    db: Database,
    actor: Actor,
    *,
    filename: str,
    data: bytes,
    title: str | None = None,
    outlet: str = "",
    published_at: datetime | None = None,
) -> IngestResult:
    """An uploaded .txt, .md or .html file."""
    from tracker.evidence.extract import text_from_file

    extracted = text_from_file(PurePath(filename).name, data, max_chars=_read_limit())
    return _ingest(
        db,
        actor,
        title=title or extracted.title,
        text=extracted.text,
        outlet=outlet,
        published_at=published_at or extracted.published_at,
        kind="file",
    )


def add_url(
    db: Database,
    actor: Actor,
    url: str,
    *,
    title: str | None = None,
    outlet: str | None = None,
    published_at: datetime | None = None,
    fetcher: Callable | None = None,
) -> IngestResult:
    """Fetch a page ourselves (address, size, time and type limits), then extract its text."""
    require_contributor(actor)
    extracted = _fetch_page(url, fetcher)
    return _ingest(
        db,
        actor,
        title=title or extracted.title,
        text=extracted.text,
        outlet=outlet if outlet is not None else (extracted.outlet or ""),
        url=url,
        published_at=published_at or extracted.published_at,
        kind="url",
    )


def _fetch_page(url: str, fetcher: Callable | None):  # type: ignore[no-untyped-def]
    from tracker.evidence.extract import text_from_html, text_from_plain
    from tracker.evidence.fetch import fetch_url

    settings = get_settings()
    result = (fetcher or fetch_url)(
        url,
        timeout_s=settings.fetch_timeout_s,
        max_bytes=settings.fetch_max_bytes,
        allow_private=settings.fetch_allow_private,
    )
    if result.content_type in ("text/html", "application/xhtml+xml"):
        return text_from_html(result.text(), url=result.final_url, max_chars=_read_limit())
    return text_from_plain(result.text(), max_chars=_read_limit())


# ------------------------------------------------------------------ links


def link(db: Database, actor: Actor, question_id: str, evidence_id: int) -> LinkRead:
    return _set_link(db, actor, question_id, evidence_id, "linked")


def unlink(db: Database, actor: Actor, question_id: str, evidence_id: int) -> LinkRead:
    return _set_link(db, actor, question_id, evidence_id, "unlinked")


def _set_link(
    db: Database, actor: Actor, question_id: str, evidence_id: int, state: str
) -> LinkRead:
    require_contributor(actor)
    now = db.now()
    with db.write() as session:
        get_row(session, question_id)
        item = session.get(EvidenceItem, evidence_id)
        if item is None:
            raise NotFound(f"no evidence item with id {evidence_id}")
        row = session.get(QuestionEvidence, (question_id, evidence_id))
        before = row.state if row else None
        if row is None:
            row = QuestionEvidence(question_id=question_id, evidence_id=evidence_id, updated_at=now)
        row.state, row.method, row.updated_by, row.updated_at = state, "manual", actor.user_id, now
        session.add(row)
        audit.record(
            session,
            actor,
            "evidence.link" if state == "linked" else "evidence.unlink",
            "question",
            question_id,
            at=now,
            before={"evidence_id": evidence_id, "state": before},
            after={"evidence_id": evidence_id, "state": state},
        )
        if state == "linked" and before != "linked":
            notifications.on_evidence_linked(session, question_id, evidence_id, at=now)
        return _link_read(row, item)


def rematch(db: Database, actor: Actor, batch: int = 200) -> int:
    """Match every stored item against the open questions (after new questions arrive);
    existing links and unlinks are kept. Returns how many links were added."""
    from tracker.services.evidence_links import match_items

    require_contributor(actor)
    with db.read() as session:
        before = session.exec(select(func.count()).select_from(QuestionEvidence)).one()
        ids = [i for i in session.exec(select(EvidenceItem.id).order_by(EvidenceItem.id)) if i]
    for start in range(0, len(ids), batch):
        match_items(db, actor, ids[start : start + batch])
    with db.read() as session:
        after = session.exec(select(func.count()).select_from(QuestionEvidence)).one()
    return after - before


# ------------------------------------------------------------------ feeds


def add_feed(db: Database, actor: Actor, url: str) -> FeedRead:
    require_contributor(actor)
    url = check_url(url, "a feed URL")
    _refuse_unreachable_by_policy(url)
    now = db.now()
    with db.write() as session:
        if session.exec(select(Feed).where(Feed.url == url)).first():
            raise InvalidInput(f"the feed {url} is already registered")
        feed = Feed(url=url, added_by=actor.user_id, added_at=now)
        session.add(feed)
        session.flush()
        audit.record(session, actor, "feed.add", "feed", feed.id, at=now, after={"url": url})
        return FeedRead.model_validate(feed.model_dump())


FEED_CHECK_S = 3.0


def _refuse_unreachable_by_policy(url: str) -> None:
    """A feed on a private, loopback or metadata address is refused when it is added, by the
    fetcher's own address policy; a name that does not resolve yet is the poll's business."""
    from tracker.evidence.errors import FetchError, FetchRefused
    from tracker.evidence.fetch import check_url as vet

    try:
        vet(url, allow_private=get_settings().fetch_allow_private, timeout_s=FEED_CHECK_S)
    except FetchRefused as exc:
        raise InvalidInput(str(exc)) from None
    except FetchError:
        return


def list_feeds(db: Database) -> list[FeedRead]:
    with db.read() as session:
        return [FeedRead.model_validate(f.model_dump()) for f in session.exec(select(Feed))]


def poll_feeds(
    db: Database,
    actor: Actor,
    on_progress: ProgressCallback | None = None,
    fetcher: Callable | None = None,
) -> PollSummary:
    """Fetch every feed and store its new entries; one broken feed never stops the others.
    The feed's own title names the outlet of its items (and is kept on the feed)."""
    from tracker.evidence.feeds import read_feed
    from tracker.evidence.fetch import fetch_url

    settings = get_settings()
    feeds = list_feeds(db)
    summary = PollSummary(feeds=len(feeds))
    for done, feed in enumerate(feeds, start=1):
        error, title = "", feed.title
        try:
            result = (fetcher or fetch_url)(
                feed.url,
                timeout_s=settings.fetch_timeout_s,
                max_bytes=settings.fetch_max_bytes,
                allow_private=settings.fetch_allow_private,
            )
            parsed = read_feed(result.body, result.final_url)
            title = _feed_title(parsed.title) or feed.title
            for entry in parsed.entries:
                text = entry.summary_text or entry.title
                if not text.strip():
                    continue
                try:
                    outcome = _ingest(
                        db,
                        actor,
                        title=entry.title,
                        text=text,
                        outlet=title,
                        url=entry.url,
                        published_at=entry.published_at,
                        kind="feed",
                        external_id=f"feed:{feed.id}:{entry.guid or entry.url}"[:500],
                        feed_id=feed.id,
                    )
                except InvalidInput as exc:  # one bad entry must not stop the feed
                    summary.errors.append(f"{feed.url}: entry “{entry.title[:80]}”: {exc}")
                    continue
                summary.duplicates += outcome.duplicate
                summary.entries_added += not outcome.duplicate
                if not outcome.duplicate:
                    summary.questions_linked.extend(
                        link.question_id for link in outcome.links if link.state == "linked"
                    )
        except Exception as exc:  # one broken feed must not stop the others
            error = str(exc) or type(exc).__name__
            summary.errors.append(f"{feed.url}: {error}")
        with db.write() as session:
            row = session.get(Feed, feed.id)
            if row is not None:
                row.last_polled_at, row.last_error, row.title = db.now(), error, title
                session.add(row)
        if on_progress:
            on_progress(done, len(feeds))
    return summary


def _feed_title(raw: str) -> str:
    """The channel title as an outlet name, or "" if unusable."""
    try:
        return _outlet(raw)
    except ValueError:
        return ""


# ------------------------------------------------------------------ seed notes


def _citation(source: dict | None) -> str:
    """The article a seed note paraphrases, as a closing line of the note (notes have no URL)."""
    if not source:
        return ""
    parts = [source.get(k) for k in ("outlet", "author", "date") if source.get(k)]
    return f"\n\nSource: “{source.get('title', '')}” ({', '.join(parts)})."


def seed_notes(db: Database, document: dict) -> int:
    """Load the seed evidence notes (idempotent by their note id)."""
    actor = Actor.system()
    added = 0
    for note in document.get("evidence", []):
        external_id = f"seed:{note['id']}"
        with db.read() as session:
            if session.exec(
                select(EvidenceItem).where(EvidenceItem.external_id == external_id)
            ).first():
                continue
        published = datetime.fromisoformat(note["published"]) if note.get("published") else None
        outcome = _ingest(
            db,
            actor,
            title=note["title"],
            text=note["text"] + _citation(note.get("source")),
            outlet=note.get("outlet", ""),
            url=note.get("url"),
            published_at=published,
            kind="seed",
            external_id=external_id,
        )
        added += not outcome.duplicate
    return added
