"""One-click forecast links (10/30/50/70/90 %) for a member's own new-question message.

A link is a signed statement "member U forecasts P on question Q, until time E, once" (an
itsdangerous signature with its own salt over the app's session secret). It acts as its member
only, so it goes to personal channels, never to a team channel. Redeeming it claims its nonce
first (a primary key: two clicks cannot both win), then logs the forecast through the forecast
service like any other; if that refuses (question closed, account deactivated...) the claim is
released so nothing is half-done. Expiry is checked against the server's clock.
"""

import os
import secrets
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from pydantic import BaseModel

from tracker.config import DATA_DIR, get_settings
from tracker.db import Database
from tracker.errors import Conflict, PermissionDenied
from tracker.models import ForecastLinkUse
from tracker.schemas import ForecastCreate, ForecastRead
from tracker.services import auth, forecasts, questions, users

CHOICES = (0.1, 0.3, 0.5, 0.7, 0.9)
_SALT = "forecast-tracker/one-click-forecast/v1"


class LinkOffer(BaseModel):
    user: str
    question_id: str
    question_title: str
    probability: float
    expires_at: datetime


def _secret() -> bytes:
    configured = os.environ.get("TRACKER_SESSION_SECRET")
    if configured:
        return configured.encode()
    return auth.load_or_create_secret(DATA_DIR / ".session_secret")


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(_secret(), salt=_SALT)


def make_token(db: Database, user_id: int, question_id: str, probability: float) -> str:
    expires = db.now() + timedelta(hours=get_settings().forecast_link_hours)
    payload = {
        "u": user_id,
        "q": question_id,
        "p": probability,
        "e": int(expires.timestamp()),
        "n": secrets.token_urlsafe(16),
    }
    return str(_serializer().dumps(payload))


def links_for(db: Database, user_id: int, question_id: str) -> list[tuple[float, str]]:
    """(probability, URL) for each one-click choice, pointing at the API."""
    base = get_settings().api_base_url.rstrip("/")
    return [(p, f"{base}/api/v1/links/{make_token(db, user_id, question_id, p)}") for p in CHOICES]


def _load(db: Database, token: str) -> dict:
    invalid = PermissionDenied("this forecast link is not valid (it was altered or mistyped)")
    try:
        payload = _serializer().loads(token)
    except BadSignature:
        raise invalid from None
    if not isinstance(payload, dict) or set(payload) != {"u", "q", "p", "e", "n"}:
        raise invalid
    if db.now().timestamp() >= payload["e"]:
        raise PermissionDenied("this forecast link has expired; open the question to forecast")
    with db.read() as session:
        if session.get(ForecastLinkUse, payload["n"]) is not None:
            raise Conflict("this forecast link was already used; open the question to update")
    return payload


def peek(db: Database, token: str) -> LinkOffer:
    """What the link would do, for the confirmation page (a link preview must not forecast)."""
    payload = _load(db, token)
    user = users.get_user_by_id(db, payload["u"])
    question = questions.get_question(db, payload["q"])
    return LinkOffer(
        user=user.name,
        question_id=question.id,
        question_title=question.title,
        probability=payload["p"],
        expires_at=datetime.fromtimestamp(payload["e"], tz=db.now().tzinfo),
    )


def redeem(db: Database, token: str) -> ForecastRead:
    """Log the link's forecast once, as its member, through the forecast service."""
    payload = _load(db, token)
    actor = users.actor_for(users.get_user_by_id(db, payload["u"]))
    with db.write() as session:  # the claim: a second click fails on the primary key
        session.add(
            ForecastLinkUse(
                nonce=payload["n"], user_id=payload["u"], question_id=payload["q"], used_at=db.now()
            )
        )
    data = ForecastCreate(
        question_id=payload["q"],
        probabilities=forecasts.binary_vector(payload["p"]),
        rationale="(one-click forecast from a notification)",
    )
    try:
        return forecasts.log_forecast(db, actor, data)
    except BaseException:
        with db.write() as session:  # refused: the link stays usable while it is valid
            claim = session.get(ForecastLinkUse, payload["n"])
            if claim is not None:
                session.delete(claim)
        raise
