"""The one-click forecast links from notifications: GET shows what the link would do and a
button, POST forecasts (a chat app's link preview fetches with GET, so GET never writes).
The signed link is the credential; no token is needed. Answers are small HTML pages."""

from html import escape

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from tracker.api.app import STATUS
from tracker.api.deps import DB
from tracker.errors import TrackerError
from tracker.services import forecast_links
from tracker.services.notify_messages import question_url

router = APIRouter(prefix="/api/v1/links", include_in_schema=False)


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (
        "<!doctype html><meta charset='utf-8'><meta name='viewport' "
        "content='width=device-width'><title>forecast-tracker</title>"
        f"<main style='font-family:sans-serif;max-width:36em;margin:3em auto'><h1>{title}</h1>"
        f"{body}</main>"
    )
    return HTMLResponse(html, status_code=status)


def _refused(exc: TrackerError) -> HTMLResponse:
    status = next((code for kind, code in STATUS if isinstance(exc, kind)), 400)
    return _page("Not recorded", f"<p>{escape(str(exc))}</p>", status)


@router.get("/{token}")
def confirm(db: DB, token: str) -> HTMLResponse:
    try:
        offer = forecast_links.peek(db, token)
    except TrackerError as exc:
        return _refused(exc)
    percent = f"{100 * offer.probability:.0f}%"
    return _page(
        f"Forecast {percent}?",
        f"<p>{escape(offer.user)}, record <b>{percent}</b> on "
        f"“{escape(offer.question_title)}”?</p>"
        f"<form method='post'><button type='submit'>Record {percent}</button></form>"
        f"<p><a href='{escape(question_url(offer.question_id))}'>Open the question</a></p>",
    )


@router.post("/{token}")
def record(db: DB, token: str) -> HTMLResponse:
    try:
        made = forecast_links.redeem(db, token)
    except TrackerError as exc:
        return _refused(exc)
    percent = f"{100 * made.probabilities['Yes']:.0f}%"
    return _page(
        f"Recorded {percent}",
        f"<p>Your forecast is in. <a href='{escape(question_url(made.question_id))}'>"
        "See the question and the team</a>.</p>",
        201,
    )
