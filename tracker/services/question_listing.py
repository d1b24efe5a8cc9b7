"""The questions list filtered, sorted and paged in the database: one query for the page's rows
(with the viewer's standing forecast) and one for the counts, so a page of 50 costs the same
with 100 questions or 10,000. Team figures come from `views.with_team` for the page's rows
only, so the anchoring rules are the ones every other view applies.

Text search matches every word, case-insensitively, in the title, the id (the question's slug)
or a tag. Case is folded by `tracker.text.fold` on SQLite (a registered function) and by the
same rules in SQL on PostgreSQL; they agree on every character as long as PostgreSQL's LC_CTYPE
is a UTF-8 locale (under the "C" locale its `lower()` leaves non-ASCII letters alone).
"""

import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import ColumnElement, and_, case, false, func, literal, or_, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String
from sqlmodel import col

from tracker.db import Database
from tracker.errors import InvalidInput
from tracker.models import EvidenceItem, Forecast, ForecastProbability, Question, QuestionEvidence
from tracker.schemas import Actor, QuestionType
from tracker.scoring import aggregate
from tracker.services import memo, questions, views
from tracker.services.views import QuestionRow

State = Literal["upcoming", "open", "closed", "resolved", "annulled"]
Sort = Literal["close", "needs_update", "opened", "created", "title", "activity"]
MAX_PAGE_SIZE = 500
MAX_WORDS = 20


class QuestionFilter(BaseModel):
    """What the list shows: `states` empty means every state; `forecast` "mine" keeps the
    questions the viewer has a standing forecast on, "not_mine" the others."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str = Field(default="", max_length=500)
    states: frozenset[State] = frozenset()
    question_type: QuestionType | None = None
    tag: str | None = None
    forecast: Literal["any", "mine", "not_mine"] = "any"
    needs_update_only: bool = False
    sort: Sort = "close"
    page: int = Field(default=1, ge=1)
    page_size: int = Field(default=50, ge=1, le=MAX_PAGE_SIZE)
    stale_days: int = Field(default=14, ge=0)

    @classmethod
    def parse(cls, **fields: Any) -> "QuestionFilter":
        """Build from untrusted input; a bad value is an InvalidInput naming the field."""
        try:
            return cls(**fields)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "filter"
            raise InvalidInput(f"question filter {where}: {first['msg']}") from None

    def words(self) -> list[str]:
        return unicodedata.normalize("NFC", self.text).split()[:MAX_WORDS]


@dataclass(frozen=True)
class ListingCounts:
    """Over every matching question, not just the page."""

    total: int
    needs_update: int
    with_new_evidence: int  # open questions with evidence linked since the viewer's forecast
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class QuestionListing:
    rows: list[QuestionRow]
    counts: ListingCounts
    page: int


def question_listing(
    db: Database,
    actor: Actor,
    f: QuestionFilter,
    *,
    pool: str = "median",
    factor: float = aggregate.EXTREMIZE,
) -> QuestionListing:
    """The counts, then the requested page (the last one if it asks past the end)."""
    counts = count_questions(db, actor, f)
    page = min(f.page, counts.pages)
    rows = page_rows(db, actor, f.model_copy(update={"page": page}), pool=pool, factor=factor)
    return QuestionListing(rows=rows, counts=counts, page=page)


def count_questions(db: Database, actor: Actor, f: QuestionFilter) -> ListingCounts:
    q = _Query(db, actor, f)
    needs = func.coalesce(func.sum(case((q.needs_update(), 1), else_=0)), 0)
    fresh = func.coalesce(func.sum(case((and_(q.is_open(), q.new_evidence() > 0), 1), else_=0)), 0)
    query = select(func.count(), needs, fresh) if q.member else select(func.count())
    with db.read() as session:
        row = session.connection().execute(q.filtered(query)).one()
    if not q.member:
        return ListingCounts(
            total=row[0], needs_update=0, with_new_evidence=0, page_size=f.page_size
        )
    return ListingCounts(*row, page_size=f.page_size)


def page_rows(
    db: Database,
    actor: Actor,
    f: QuestionFilter,
    *,
    pool: str = "median",
    factor: float = aggregate.EXTREMIZE,
) -> list[QuestionRow]:
    """The page's rows with the viewer's standing and (as visible to them) the team's."""
    q = _Query(db, actor, f)
    now = q.now  # one clock reading for the filter and the rows' states
    start = (f.page - 1) * f.page_size
    ranked = q.filtered(
        select(
            Question.id.label("qid"),
            q.mine.c.forecast_id,
            q.mine.c.at,
            func.row_number().over(order_by=q.order()).label("pos"),
        )
    ).subquery()
    evidence = q.new_evidence(at=ranked.c.at, question_id=ranked.c.qid)
    query = (
        select(Question, ranked.c.at, evidence, ForecastProbability.probability)
        .join(ranked, ranked.c.qid == Question.id)
        .outerjoin(ForecastProbability, ForecastProbability.forecast_id == ranked.c.forecast_id)
        .where(ranked.c.pos > start, ranked.c.pos <= start + f.page_size)
        .order_by(ranked.c.pos, ForecastProbability.option_index)
    )
    rows: dict[str, QuestionRow] = {}
    vectors: dict[str, list[float]] = {}
    with db.read() as session:
        for question, at, new_evidence, probability in session.execute(query):
            if question.id not in rows:
                read = questions.to_read(question, now)
                rows[question.id] = QuestionRow(
                    question=read, my_last_time=at, new_evidence=new_evidence
                )
            if probability is not None:
                vectors.setdefault(question.id, []).append(probability)
    shown = []
    for qid, row in rows.items():
        if qid in vectors:
            row.my_latest = dict(zip(row.question.options, vectors[qid], strict=False))
        row.days_left = views.days_until_close(row.question, now)
        row.needs_update, row.update_reason = views.update_due(actor, row, now, f.stale_days)
        shown.append(row)
    return views.with_team(db, actor, shown, pool=pool, factor=factor)


def all_tags(db: Database) -> list[str]:
    """Every tag in use, sorted (what the Tag filter offers); kept until the next audited
    write, as the question list itself is (tags change only by audited writes)."""
    return list(memo.memoised(db, "tags", lambda: _read_tags(db)))


def _read_tags(db: Database) -> tuple[str, ...]:
    tags = _tag_values(db, Question.tags)
    query = select(tags.c.value).distinct().select_from(Question).join(tags, true())
    with db.read() as session:
        return tuple(sorted(t for (t,) in session.connection().execute(query)))


def any_questions(db: Database) -> bool:
    with db.read() as session:
        return session.execute(select(Question.id).limit(1)).first() is not None


# ------------------------------------------------------------------ the SQL


class folded(FunctionElement):
    """`tracker.text.fold` in SQL: the registered function on SQLite, built-ins elsewhere."""

    type = String()
    inherit_cache = True


@compiles(folded, "sqlite")
def _fold_sqlite(element: folded, compiler: Any, **kw: Any) -> str:
    return f"tracker_fold({compiler.process(element.clauses, **kw)})"


@compiles(folded)
def _fold_postgresql(element: folded, compiler: Any, **kw: Any) -> str:
    inner = compiler.process(element.clauses, **kw)
    return f"replace(replace(lower({inner}), 'ß', 'ss'), 'ς', 'σ')"


def _tag_values(db: Database, column: Any) -> Any:
    """The elements of a JSON list of strings as a table with one `value` column."""
    name = "json_each" if db.sqlite else "json_array_elements_text"
    return getattr(func, name)(column).table_valued("value").alias("tag")


class _Query:
    """The pieces of the listing's SQL for one viewer and one filter."""

    def __init__(self, db: Database, actor: Actor, f: QuestionFilter) -> None:
        self.db, self.actor, self.f, self.now = db, actor, f, db.now()
        self.member = actor.role != "viewer"
        self.mine = self._standing()

    def _standing(self) -> Any:
        """The viewer's standing (latest visible) forecast on each question they forecast."""
        uid = self.actor.user_id
        ranked = (
            select(
                Forecast.question_id,
                col(Forecast.id).label("forecast_id"),
                col(Forecast.created_at).label("at"),
                func.row_number()
                .over(
                    partition_by=Forecast.question_id,
                    order_by=(col(Forecast.created_at).desc(), col(Forecast.id).desc()),
                )
                .label("newest"),
            )
            .where(
                Forecast.user_id == uid if uid is not None else false(),
                col(Forecast.hidden).is_(False),
            )
            .subquery()
        )
        return (
            select(ranked.c.question_id, ranked.c.forecast_id, ranked.c.at)
            .where(ranked.c.newest == 1)
            .subquery("mine")
        )

    def in_state(self, state: str) -> ColumnElement[bool]:
        """`questions.question_state(q, now) == state` in SQL, as index-friendly tests."""
        if state in ("resolved", "annulled"):
            return Question.status == state
        times = {
            "upcoming": [col(Question.open_time) > self.now],
            "open": [col(Question.open_time) <= self.now, col(Question.close_time) > self.now],
            "closed": [col(Question.open_time) <= self.now, col(Question.close_time) <= self.now],
        }
        return and_(Question.status == "open", *times[state])

    def is_open(self) -> ColumnElement[bool]:
        return self.in_state("open")

    def new_evidence(self, *, at: Any = None, question_id: Any = None) -> Any:
        """Items linked since the viewer's standing forecast (all of them without one)."""
        at = self.mine.c.at if at is None else at
        qid = Question.id if question_id is None else question_id
        return (
            select(func.count())
            .select_from(QuestionEvidence)
            .join(EvidenceItem, col(QuestionEvidence.evidence_id) == EvidenceItem.id)
            .where(
                QuestionEvidence.question_id == qid,
                QuestionEvidence.state == "linked",
                or_(
                    at.is_(None),
                    col(EvidenceItem.added_at) > at,
                    col(QuestionEvidence.updated_at) > at,
                ),
            )
            .scalar_subquery()
        )

    def needs_update(self) -> ColumnElement[bool]:
        """`views.update_due` in SQL (never for a viewer)."""
        if not self.member:
            return false()
        at = self.mine.c.at
        stale = self.now - timedelta(days=self.f.stale_days)
        return and_(
            self.is_open(),
            or_(at.is_(None), self.new_evidence() > 0, at <= stale),
        )

    def activity(self) -> Any:
        """The latest visible forecast on the question (NULL if none)."""
        return (
            select(func.max(Forecast.created_at))
            .where(
                Forecast.question_id == Question.id,
                col(Forecast.hidden).is_(False),
                views.not_sealed(),
            )
            .scalar_subquery()
        )

    def order(self) -> list[Any]:
        tie = [col(Question.close_time), col(Question.id)]  # the list's own order
        sort = self.f.sort
        if sort == "needs_update":
            return [case((self.needs_update(), 0), else_=1), *tie]
        if sort == "opened":
            return [col(Question.open_time).desc(), *tie]
        if sort == "created":
            return [col(Question.created_at).desc(), *tie]
        if sort == "title":
            title = folded(Question.title)
            return [title if self.db.sqlite else title.collate("C"), *tie]
        if sort == "activity":
            return [self.activity().desc().nulls_last(), *tie]
        return tie

    def filtered(self, query: Any) -> Any:
        """`query` over the questions (joined to the viewer's standing) that match."""
        f = self.f
        query = query.select_from(Question).outerjoin(
            self.mine, self.mine.c.question_id == Question.id
        )
        if f.states:
            query = query.where(or_(*(self.in_state(s) for s in sorted(f.states))))
        if f.question_type:
            query = query.where(Question.type == f.question_type)
        if f.tag:
            tags = _tag_values(self.db, Question.tags)
            query = query.where(select(tags.c.value).where(tags.c.value == f.tag).exists())
        if f.forecast == "mine":
            query = query.where(self.mine.c.forecast_id.is_not(None))
        elif f.forecast == "not_mine":
            query = query.where(self.mine.c.forecast_id.is_(None))
        if f.needs_update_only:
            query = query.where(self.needs_update())
        words = f.words()
        if words:
            haystack = folded(self._searchable())
            find = func.instr if self.db.sqlite else func.strpos
            query = query.where(*(find(haystack, folded(literal(w))) > 0 for w in words))
        return query

    def _searchable(self) -> Any:
        """Title, id and tags, a line each (a search word never contains a line break)."""
        tags = _tag_values(self.db, Question.tags)
        joined = func.group_concat if self.db.sqlite else func.string_agg
        tag_text = select(joined(tags.c.value, "\n")).scalar_subquery()
        return Question.title + "\n" + Question.id + "\n" + func.coalesce(tag_text, "")
