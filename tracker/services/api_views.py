"""What the HTTP API returns, shaped from the same views the pages use (no rule of its own).

Every function takes the acting user and goes through `views` (the anchoring and blind-session
rules), `session_views` and the permission checks, so a token sees exactly what its user (at
its scope) would see on the matching page.
"""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tracker.db import Database
from tracker.errors import InvalidInput, parse
from tracker.schemas import (
    Actor,
    ComponentSpec,
    ForecastCreate,
    ForecastRead,
    Probability,
    QuestionRead,
)
from tracker.services import (
    comments,
    evidence,
    forecasts,
    questions,
    scores,
    session_views,
    users,
    views,
)

STATES = ("upcoming", "open", "closed", "resolved", "annulled")
MAX_PAGE = 200


class QuestionSummary(BaseModel):
    id: str
    title: str
    type: str
    options: list[str]
    state: str
    tags: list[str]
    close_time: datetime
    resolution: str | None
    my_latest: dict[str, float] | None
    forecasters: int | None
    team_visible: bool
    team_median: dict[str, float] | None
    """Only where the questions list would show it (null while hidden)."""


class QuestionPage(BaseModel):
    items: list[QuestionSummary]
    page: int
    per_page: int
    total: int


class QuestionDetail(BaseModel):
    question: QuestionRead
    mine: list[ForecastRead]
    team_visible: bool
    hidden_reason: str | None
    forecasters: int
    team_pools: dict[str, dict[str, float]]
    """Median, mean, geometric mean of odds...: empty while the team's numbers are hidden."""
    others: list[ForecastRead]
    team_cdf: list[float] | None = None
    """Numeric and date questions: the mean of the members' CDFs (None while hidden)."""


class ForecastBody(BaseModel):
    """`probability` (binary: P(Yes)) or `probabilities` (one per option); a numeric or date
    question takes `percentiles` ({"10": 62, "50": 75, "90": 95}), `components` or `cdf`."""

    model_config = ConfigDict(extra="forbid")

    probability: Probability | None = None
    probabilities: dict[str, Probability] | None = None
    percentiles: dict[float, float | str] | None = Field(default=None, max_length=20)
    components: list[ComponentSpec] | None = Field(default=None, max_length=3)
    cdf: list[float] | None = Field(default=None, max_length=1000)
    rationale: str = ""
    session_id: int | None = None

    @model_validator(mode="after")
    def _one_of(self) -> "ForecastBody":
        given = (self.probability, self.probabilities, self.percentiles, self.components, self.cdf)
        if sum(x is not None for x in given) != 1:
            raise ValueError(
                "give one of probability or probabilities (numeric and date questions: "
                "percentiles, components or cdf)"
            )
        return self


class EvidenceBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = None
    text: str | None = None
    title: str | None = None
    outlet: str = ""

    @model_validator(mode="after")
    def _one_of(self) -> "EvidenceBody":
        if (self.url is None) == (self.text is None):
            raise ValueError("give either url or text")
        return self


class CommentLinks(BaseModel):
    question: str
    """The question in the API."""
    page: str
    """The question's page in the app (its Discussion tab)."""
    parent: int | None
    forecast: int | None
    evidence: int | None


class CommentOut(BaseModel):
    """One comment as the thread shows it; a deleted one is a tombstone (`text` null)."""

    id: int
    parent_id: int | None
    depth: int
    author: str
    author_display: str
    created_at: datetime
    edited_at: datetime | None
    deleted: bool
    tombstone: str | None
    """Null, or who deleted it ("deleted by its author" / "deleted by an admin")."""
    text: str | None
    mentions: list[str]
    forecast_label: str
    evidence_title: str
    links: CommentLinks


class CommentThread(BaseModel):
    """A question's discussion, or while it is closed to the caller no comments and the
    reason (the same convention as the team's numbers: `visible` false, `hidden_reason`)."""

    question_id: str
    visible: bool
    hidden_reason: str | None
    can_post: bool
    count: int
    comments: list[CommentOut]


class CommentBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str
    parent_id: int | None = None
    forecast_id: int | None = None
    evidence_id: int | None = None


class QuestionFilter(BaseModel):
    status: Literal["upcoming", "open", "closed", "resolved", "annulled"] | None = None
    tag: str | None = None
    page: int = Field(default=1, ge=1)
    per_page: int = Field(default=50, ge=1, le=MAX_PAGE)


def question_page(db: Database, actor: Actor, filters: dict[str, Any]) -> QuestionPage:
    """The questions list (filters: status, tag; paged), team figures only where visible."""
    f = parse(QuestionFilter, filters)
    rows = views.question_rows(db, actor, states={f.status} if f.status else None, tag=f.tag)
    start = (f.page - 1) * f.per_page
    shown = views.with_team(db, actor, rows[start : start + f.per_page])
    items = [
        QuestionSummary(
            id=r.question.id,
            title=r.question.title,
            type=r.question.type,
            options=r.question.options,
            state=r.question.state,
            tags=r.question.tags,
            close_time=r.question.close_time,
            resolution=r.question.resolution,
            my_latest=r.my_latest,
            forecasters=r.forecasters,
            team_visible=r.team_visible,
            team_median=r.team_median if r.team_visible else None,
        )
        for r in shown
    ]
    return QuestionPage(items=items, page=f.page, per_page=f.per_page, total=len(rows))


def question_detail(db: Database, actor: Actor, question_id: str) -> QuestionDetail:
    view = views.question_view(db, actor, question_id)
    return QuestionDetail(
        question=view.question,
        mine=view.mine,
        team_visible=view.team_visible,
        hidden_reason=None if view.team_visible else views.HIDDEN_REASON,
        forecasters=view.forecasters,
        team_pools=view.pools if view.team_visible else {},
        others=view.others if view.team_visible else [],
        team_cdf=view.team_cdf if view.team_visible else None,
    )


def submit_forecast(
    db: Database, actor: Actor, question_id: str, body: dict[str, Any]
) -> ForecastRead:
    """Parse the API body into the service's ForecastCreate and log it (the one write path)."""
    parsed = parse(ForecastBody, body)
    if parsed.probability is not None:
        question = questions.get_question(db, question_id)
        if question.type != "binary":
            raise InvalidInput(
                f"'{question_id}' is a {question.type} question: give probabilities per option"
            )
        vector = forecasts.binary_vector(parsed.probability)
    else:
        vector = dict(parsed.probabilities or {})
    kinds = {"percentiles", "components", "cdf"}
    distribution = parsed.model_dump(include=kinds, exclude_none=True)
    data = parse(
        ForecastCreate,
        {
            "question_id": question_id,
            "probabilities": vector,
            **distribution,
            "rationale": parsed.rationale,
            "session_id": parsed.session_id,
        },
    )
    return forecasts.log_forecast(db, actor, data)


def _comment_out(c: comments.CommentRead) -> CommentOut:
    from tracker.services.notify_messages import question_url

    tombstone = None
    if c.deleted:
        tombstone = "deleted by an admin" if c.deleted_by_admin else "deleted by its author"
    return CommentOut(
        id=c.id,
        parent_id=c.parent_id,
        depth=c.depth,
        author=c.author,
        author_display=c.author_display,
        created_at=c.created_at,
        edited_at=c.edited_at,
        deleted=c.deleted,
        tombstone=tombstone,
        text=None if c.deleted else c.body,
        mentions=c.mentions,
        forecast_label=c.forecast_label,
        evidence_title=c.evidence_title,
        links=CommentLinks(
            question=f"/api/v1/questions/{c.question_id}",
            page=question_url(c.question_id),
            parent=c.parent_id,
            forecast=c.forecast_id,
            evidence=c.evidence_id,
        ),
    )


def comment_thread(db: Database, actor: Actor, question_id: str) -> CommentThread:
    """The discussion as the question page's tab would show it to this caller: nothing while
    the anchoring rule hides it or a team session forecasts the question blind."""
    thread = comments.discussion(db, actor, question_id)
    shown = [_comment_out(c) for c in thread.comments]
    return CommentThread(
        question_id=question_id,
        visible=thread.visible,
        hidden_reason=None if thread.visible else thread.notice,
        can_post=thread.can_post,
        count=len(shown),
        comments=shown,
    )


def post_comment(db: Database, actor: Actor, question_id: str, body: dict[str, Any]) -> CommentOut:
    """Add a comment or a reply through the comment service (its guard: a `read` token acts
    as a viewer and may not post; nobody posts where they may not read)."""
    parsed = parse(CommentBody, body)
    made = comments.add_comment(
        db, actor, question_id, comments.CommentCreate(**parsed.model_dump())
    )
    return _comment_out(made)


def forecasts_of(db: Database, actor: Actor, user: str) -> list[ForecastRead]:
    """`me`: the caller's own forecasts. Another member's: only on the questions where the
    caller may see the others' forecasts now (the question page's rule, question by question)."""
    if user == "me":
        if actor.user_id is None:
            raise InvalidInput("the operator has no forecasts of its own")
        return forecasts.forecast_history(db, user_id=actor.user_id)
    member = users.get_user(db, user)
    theirs = forecasts.forecast_history(db, user_id=member.id)
    shown: dict[str, bool] = {}
    for qid in {f.question_id for f in theirs}:
        _, history = views.all_paths(db, actor, qid)
        shown[qid] = any(f.user_id == member.id for f in history)
    return [f for f in theirs if shown[f.question_id]]


def add_evidence(db: Database, actor: Actor, body: dict[str, Any]) -> evidence.IngestResult:
    """Text or a URL, through the evidence service (its size limits and SSRF rules)."""
    parsed = parse(EvidenceBody, body)
    if parsed.url is not None:
        return evidence.add_url(
            db, actor, parsed.url, title=parsed.title, outlet=parsed.outlet or None
        )
    return evidence.add_text(
        db, actor, title=parsed.title, text=parsed.text or "", outlet=parsed.outlet
    )


def score_rows(db: Database, actor: Actor, user: str | None = None) -> list[scores.ScoreRow]:
    """Scores on resolved questions (what the Review page shows: nothing there is hidden once
    a question stops taking forecasts)."""
    rows = scores.all_scores(db) if views.any_forecasts(db) else []
    if user == "me":
        user = actor.name
    return [r for r in rows if user is None or r.user == user]


def export_json(db: Database, actor: Actor) -> str:
    """The interchange document an admin downloads in the app: without the forecasts they
    could not see on the question pages (a blind session's, the AI baseline's...)."""
    return session_views.export_for(db, actor)
