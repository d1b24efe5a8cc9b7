"""Forecasts: append-only probability vectors, stamped by the server, accepted only while open."""

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Select, func
from sqlmodel import Session, col, select

from tracker.db import Database
from tracker.errors import InvalidInput, NotFound, PermissionDenied
from tracker.models import (
    EvidenceSummary,
    Forecast,
    ForecastCdf,
    ForecastProbability,
    ForecastSession,
    Question,
    SessionParticipant,
    SessionQuestion,
    User,
)
from tracker.quantities import forecast_cdf
from tracker.schemas import CONTINUOUS, Actor, ForecastCreate, ForecastRead
from tracker.services import audit
from tracker.services.permissions import require_admin, require_forecaster
from tracker.services.questions import get_row, question_state, to_read
from tracker.services.users import verified_actor

SUM_TOLERANCE = 1e-6
FORECASTING_PHASES = ("blind", "update")


def _some(items: Sequence[str], limit: int = 5) -> str:
    """A list for an error message, kept short whatever the input."""
    shown = ", ".join(repr(i[:40] + "…" if len(i) > 40 else i) for i in items[:limit])
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return f"[{shown}]{more}"


def normalise_probabilities(
    options: Sequence[str], probabilities: Mapping[str, float]
) -> list[float]:
    """The full vector in option order, checked and rescaled to sum exactly to 1."""
    unknown = [k for k in probabilities if k not in options]
    if unknown:
        raise InvalidInput(
            f"unknown option(s) {_some(unknown)}; the options are {_some(list(options), 10)}"
        )
    missing = [o for o in options if o not in probabilities]
    if missing:
        raise InvalidInput(
            f"missing probability for option(s) {_some(missing)}; give the full vector"
        )
    values = []
    for option in options:
        p = probabilities[option]
        if isinstance(p, bool) or not isinstance(p, int | float) or not math.isfinite(p):
            raise InvalidInput(f"probability for '{option}' must be a finite number (got {p!r})")
        if not 0.0 <= p <= 1.0:
            raise InvalidInput(f"probability for '{option}' must be between 0 and 1 (got {p})")
        values.append(float(p) + 0.0)  # -0.0 + 0.0 is 0.0: never store or print "-0.000"
    total = math.fsum(values)
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise InvalidInput(f"probabilities must sum to 1 (they sum to {total:.6g})")
    return [v / total for v in values]


def binary_vector(p_yes: float) -> dict[str, float]:
    if isinstance(p_yes, bool) or not isinstance(p_yes, int | float) or not math.isfinite(p_yes):
        raise InvalidInput(f"probability must be a finite number (got {p_yes!r})")
    if not 0.0 <= p_yes <= 1.0:
        raise InvalidInput(f"probability must be between 0 and 1 (got {p_yes})")
    return {"Yes": float(p_yes) + 0.0, "No": 1.0 - float(p_yes)}  # + 0.0: no -0.0


def add_forecast(
    session: Session,
    *,
    question: Question,
    user_id: int,
    at: datetime,
    vector: list[float],
    rationale: str,
    origin: str,
    session_id: int | None = None,
    session_phase: str | None = None,
    summary_id: int | None = None,
    cdf: list[float] | None = None,
) -> Forecast:
    """Insert a checked forecast inside the caller's transaction (service and importer share it):
    its option probabilities, or a numeric or date question's CDF."""
    forecast = Forecast(
        question_id=question.id,
        user_id=user_id,
        created_at=at,
        rationale=rationale,
        question_revision=question.revision,
        origin=origin,
        session_id=session_id,
        session_phase=session_phase,
        summary_id=summary_id,
    )
    session.add(forecast)
    session.flush()
    assert forecast.id is not None
    session.add_all(
        ForecastProbability(forecast_id=forecast.id, option_index=i, probability=p)
        for i, p in enumerate(vector)
    )
    if cdf is not None:
        session.add(ForecastCdf(forecast_id=forecast.id, cdf=cdf))
    return forecast


def checked_distribution(
    question: Question, data: ForecastCreate
) -> tuple[list[float], list[float] | None]:
    """The option vector, or for a numeric or date question ([] and) the CDF, checked."""
    if question.type in CONTINUOUS:
        if data.probabilities:
            raise InvalidInput(
                f"'{question.id}' is a {question.type} question: give a distribution "
                "(percentiles, components or a CDF), not option probabilities"
            )
        spec = to_read(question, question.created_at).range
        assert spec is not None
        try:
            cdf = forecast_cdf(
                question.type,
                spec,
                cdf=data.cdf,
                percentiles=data.percentiles,
                components=data.components,
            )
        except ValueError as exc:
            raise InvalidInput(f"forecast on '{question.id}': {exc}") from None
        return [], cdf
    if data.cdf or data.percentiles or data.components:
        raise InvalidInput(
            f"'{question.id}' is a {question.type.replace('_', ' ')} question: give a "
            "probability for each option, not a distribution"
        )
    return normalise_probabilities(question.options, data.probabilities), None


def log_forecast(db: Database, actor: Actor, data: ForecastCreate) -> ForecastRead:
    """Record the acting user's forecast now; the client never chooses the time or the user."""
    require_forecaster(actor)
    assert actor.user_id is not None
    now = db.now()
    with db.write() as session:
        # Checks the account as stored now (active, same role) and locks its row, which
        # serialises one user's submissions on PostgreSQL (SQLite's BEGIN IMMEDIATE already
        # does), so `_after_latest` sees the previous one.
        require_forecaster(verified_actor(session, actor))
        question = get_row(session, data.question_id)
        state = question_state(question, now)
        if state != "open":
            raise InvalidInput(f"question '{question.id}' is {state}; forecasts are not accepted")
        vector, cdf = checked_distribution(question, data)
        session_id, phase = _session_of(session, data, actor.user_id)
        if data.summary_id is not None:
            summary = session.get(EvidenceSummary, data.summary_id)
            if summary is None or summary.question_id != question.id:
                raise InvalidInput("the evidence summary does not belong to this question")
        forecast = add_forecast(
            session,
            question=question,
            user_id=actor.user_id,
            at=_after_latest(session, question.id, actor.user_id, now),
            vector=vector,
            rationale=data.rationale,
            origin="live",
            session_id=session_id,
            session_phase=phase,
            summary_id=data.summary_id,
            cdf=cdf,
        )
        audit.record(
            session,
            actor,
            "forecast.create",
            "question",
            question.id,
            at=now,
            after={
                "forecast_id": forecast.id,
                "vector": vector,
                **({"cdf_median": _median_of(question, cdf)} if cdf else {}),
                "session_id": session_id,
                "phase": phase,
            },
        )
        return _read(forecast, actor.name, question.options, vector, cdf)


def _median_of(question: Question, cdf: list[float]) -> float:
    """What the audit trail says of a distribution (the CDF itself is in its own table)."""
    from tracker.scoring.continuous_build import summary

    spec = to_read(question, question.created_at).range
    assert spec is not None
    return summary(spec.scoring_range(), cdf).median


def _after_latest(session: Session, question_id: str, user_id: int, now: datetime) -> datetime:
    """The server time, nudged past the user's previous forecast so each user's history is
    strictly ordered even when two submissions land in the same clock tick."""
    latest = session.exec(
        select(func.max(Forecast.created_at)).where(
            Forecast.question_id == question_id, Forecast.user_id == user_id
        )
    ).one()
    return max(now, latest + timedelta(microseconds=1)) if latest else now


def _session_of(
    session: Session, data: ForecastCreate, user_id: int
) -> tuple[int | None, str | None]:
    """The team session and phase this forecast is made in. Without an explicit session it is
    the participant's active session on the question, if any: a forecast made on the question
    page, the CLI or any other edge during a session is recorded with it all the same."""
    if data.session_id is None:
        active = session.exec(
            select(ForecastSession.id, ForecastSession.phase)
            .join(SessionQuestion, col(SessionQuestion.session_id) == ForecastSession.id)
            .join(SessionParticipant, col(SessionParticipant.session_id) == ForecastSession.id)
            .where(
                SessionQuestion.question_id == data.question_id,
                SessionParticipant.user_id == user_id,
                col(ForecastSession.phase).in_(FORECASTING_PHASES),
            )
            .order_by(col(ForecastSession.id).desc())
        ).first()
        return (active[0], active[1]) if active else (None, None)
    team_session = session.get(ForecastSession, data.session_id)
    if team_session is None:
        raise NotFound(f"no session with id {data.session_id}")
    if team_session.phase not in FORECASTING_PHASES:
        raise InvalidInput(
            f"session '{team_session.title}' is in its {team_session.phase} phase; "
            "forecasts are taken in the blind and update phases"
        )
    if session.get(SessionParticipant, (data.session_id, user_id)) is None:
        raise PermissionDenied("you are not a participant of this session")
    if session.get(SessionQuestion, (data.session_id, data.question_id)) is None:
        raise InvalidInput("this question is not part of the session")
    return data.session_id, team_session.phase


def set_hidden(db: Database, actor: Actor, forecast_id: int, hidden: bool, reason: str) -> None:
    """Hide a forecast from views and scores (e.g. a mis-click); it is never deleted."""
    require_admin(actor, "hide forecasts")
    now = db.now()
    with db.write() as session:
        require_admin(verified_actor(session, actor), "hide forecasts")
        forecast = session.get(Forecast, forecast_id)
        if forecast is None:
            raise NotFound(f"no forecast with id {forecast_id}")
        if forecast.hidden == hidden:
            return  # nothing changes, so nothing to audit
        forecast.hidden = hidden
        session.add(forecast)
        audit.record(
            session,
            actor,
            "forecast.hide" if hidden else "forecast.unhide",
            "forecast",
            forecast_id,
            at=now,
            before={"hidden": not hidden},
            after={"hidden": hidden, "reason": reason},
        )


def _read(
    forecast: Forecast,
    user_name: str,
    options: Sequence[str],
    vector: Sequence[float],
    cdf: list[float] | None = None,
) -> ForecastRead:
    data = forecast.model_dump(exclude={"id"})
    probabilities = dict(zip(options, vector, strict=True))
    return ForecastRead(
        id=forecast.id or 0, user=user_name, probabilities=probabilities, cdf=cdf, **data
    )


def _load(session: Session, query: Select) -> list[ForecastRead]:  # type: ignore[type-arg]
    """Run a query of (Forecast, user name, question options) rows and attach the vectors."""
    rows = session.exec(query).all()
    vectors: dict[int, list[float]] = defaultdict(list)
    ids = [f.id for f, _, _ in rows]
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        probs = session.exec(
            select(ForecastProbability)
            .where(col(ForecastProbability.forecast_id).in_(chunk))
            .order_by(ForecastProbability.forecast_id, ForecastProbability.option_index)
        )
        for p in probs:
            vectors[p.forecast_id].append(p.probability)
    cdfs = _cdfs(session, [i for i, (_, _, options) in zip(ids, rows, strict=True) if not options])
    return [
        _read(f, name, options, vectors[f.id or 0], cdfs.get(f.id or 0))
        for f, name, options in rows
    ]


def _cdfs(session: Session, forecast_ids: Sequence[int | None]) -> dict[int, list[float]]:
    """The CDFs of numeric and date forecasts (the questions without options)."""
    found: dict[int, list[float]] = {}
    for start in range(0, len(forecast_ids), 900):
        chunk = forecast_ids[start : start + 900]
        query = select(ForecastCdf).where(col(ForecastCdf.forecast_id).in_(chunk))
        found.update((row.forecast_id, list(row.cdf)) for row in session.exec(query))
    return found


def _base_query() -> Select:  # type: ignore[type-arg]
    return (
        select(Forecast, User.name, Question.options)
        .join(User, col(Forecast.user_id) == User.id)
        .join(Question, col(Forecast.question_id) == Question.id)
    )


def forecast_history(
    db: Database,
    *,
    question_id: str | None = None,
    user_id: int | None = None,
    session_id: int | None = None,
    include_hidden: bool = False,
) -> list[ForecastRead]:
    """Forecasts in time order, optionally for one question, one user and/or one session."""
    query = _base_query().order_by(Forecast.created_at, Forecast.id)
    if question_id is not None:
        query = query.where(Forecast.question_id == question_id)
    if user_id is not None:
        query = query.where(Forecast.user_id == user_id)
    if session_id is not None:
        query = query.where(Forecast.session_id == session_id)
    if not include_hidden:
        query = query.where(col(Forecast.hidden).is_(False))
    with db.read() as session:
        return _load(session, query)


def latest_by_user(history: Sequence[ForecastRead]) -> dict[str, ForecastRead]:
    """Each user's standing forecast, from a time-ordered history."""
    latest: dict[str, ForecastRead] = {}
    for forecast in history:
        latest[forecast.user] = forecast
    return latest


def get_forecast(db: Database, forecast_id: int) -> ForecastRead:
    with db.read() as session:
        found = _load(session, _base_query().where(Forecast.id == forecast_id))
    if not found:
        raise NotFound(f"no forecast with id {forecast_id}")
    return found[0]
