"""The /api/v1 endpoints. Each one parses, makes one service call and returns its result;
permissions and visibility are the services' (`tracker.services.api_views` and below)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from tracker.api.deps import DB, CurrentActor
from tracker.schemas import ForecastRead
from tracker.services import api_views
from tracker.services.api_views import (
    CommentBody,
    CommentOut,
    CommentThread,
    EvidenceBody,
    ForecastBody,
    QuestionDetail,
    QuestionPage,
)
from tracker.services.evidence import IngestResult
from tracker.services.scores import ScoreRow

router = APIRouter(prefix="/api/v1")
Status = Literal["upcoming", "open", "closed", "resolved", "annulled"]


@router.get("/health", include_in_schema=False)
def health() -> dict[str, str]:
    """For readiness checks (no token needed, reads nothing)."""
    return {"status": "ok"}


@router.get("/questions")
def list_questions(
    db: DB,
    actor: CurrentActor,
    status: Status | None = None,
    tag: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=api_views.MAX_PAGE)] = 50,
) -> QuestionPage:
    """Questions (filters: status, tag; paged), with the team median where it is visible."""
    filters = {"status": status, "tag": tag, "page": page, "per_page": per_page}
    return api_views.question_page(db, actor, filters)


@router.get("/questions/{question_id}")
def get_question(db: DB, actor: CurrentActor, question_id: str) -> QuestionDetail:
    """One question, your forecasts, and the team's pools only where the page would show them."""
    return api_views.question_detail(db, actor, question_id)


@router.post("/questions/{question_id}/forecasts", status_code=201)
def post_forecast(
    db: DB, actor: CurrentActor, question_id: str, body: ForecastBody
) -> ForecastRead:
    """Forecast now: `{"probability": 0.3}` on a binary question, else `{"probabilities": ...}`."""
    return api_views.submit_forecast(db, actor, question_id, body.model_dump(exclude_none=True))


@router.get("/questions/{question_id}/comments")
def list_comments(db: DB, actor: CurrentActor, question_id: str) -> CommentThread:
    """The question's discussion in thread order (deleted comments as tombstones); empty, with
    `hidden_reason`, until you forecast a hide-until-forecast question or while a team
    session forecasts it blind."""
    return api_views.comment_thread(db, actor, question_id)


@router.post("/questions/{question_id}/comments", status_code=201)
def post_comment(db: DB, actor: CurrentActor, question_id: str, body: CommentBody) -> CommentOut:
    """Comment (`{"body": "..."}`) or reply (`parent_id`); optionally about one of your
    forecasts (`forecast_id`) or a linked evidence item (`evidence_id`). Needs a `forecast` or
    `admin` token, and a thread you may read."""
    return api_views.post_comment(db, actor, question_id, body.model_dump(exclude_none=True))


@router.get("/forecasts")
def list_forecasts(db: DB, actor: CurrentActor, user: str = "me") -> list[ForecastRead]:
    """Your forecasts (`user=me`), or a member's where you may see the others' forecasts."""
    return api_views.forecasts_of(db, actor, user)


@router.post("/evidence", status_code=201)
def post_evidence(db: DB, actor: CurrentActor, body: EvidenceBody) -> IngestResult:
    """Add evidence as text or a URL (fetched with the app's size, time and address limits)."""
    return api_views.add_evidence(db, actor, body.model_dump(exclude_none=True))


@router.get("/scores")
def list_scores(db: DB, actor: CurrentActor, user: str | None = None) -> list[ScoreRow]:
    """Scores on resolved questions; `user=me` for your own."""
    return api_views.score_rows(db, actor, user)


@router.get("/export")
def export(db: DB, actor: CurrentActor) -> Response:
    """The whole database as the interchange document (admins, outside blind sessions)."""
    return Response(api_views.export_json(db, actor), media_type="application/json")
