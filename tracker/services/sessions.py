"""Team forecasting sessions: blind → reveal → update → closed.

In the blind phase nobody in the session sees anyone else's forecast on the session's questions
(pages and exports ask `blind_question_ids`), and a blind forecast is sealed to everyone but its
author, admins included (`sealed_session_ids`); the reveal shows the spread and the pools, so the
discussion starts from the disagreements; updates are ordinary forecasts tagged with the session
and phase; a closed session is frozen. Only the facilitator (or an admin) moves phases. The
reveal and the export never show a forecast that the question page would not show the reader
(`permissions.may_see_others`): running a session is no way round the anchoring rule.
"""

from collections import defaultdict
from datetime import datetime

import numpy as np
from pydantic import BaseModel, Field
from sqlalchemy import func
from sqlmodel import Session, col, select

from tracker.db import Database
from tracker.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tracker.interchange.spreadsheet import csv_text
from tracker.models import (
    CONTINUOUS_TYPES,
    Forecast,
    ForecastSession,
    Question,
    SessionParticipant,
    SessionQuestion,
    User,
)
from tracker.schemas import Actor, ForecastRead, SessionPhase, Title
from tracker.scoring.aggregate import EXTREMIZE, team_aggregates
from tracker.services import audit, notifications
from tracker.services.forecasts import forecast_history, latest_by_user
from tracker.services.permissions import (
    may_see_others,
    require_forecaster,
    require_session_creator,
)
from tracker.services.questions import question_state

PHASES: tuple[SessionPhase, ...] = ("blind", "reveal", "update", "closed")


class SessionCreate(BaseModel):
    title: Title
    question_ids: list[str] = Field(min_length=1, max_length=50)
    participants: list[str] = Field(min_length=1, max_length=100)


class SessionRead(BaseModel):
    id: int
    title: str
    facilitator: str
    phase: SessionPhase
    created_at: datetime
    phase_changed_at: datetime
    question_ids: list[str]
    participants: list[str]


class SubmissionStatus(BaseModel):
    question_id: str
    submitted: list[str]
    waiting: list[str]


class RevealedQuestion(BaseModel):
    """One question's blind forecasts, the most dissenting first, beside the team pools."""

    question_id: str
    title: str
    type: str
    options: list[str]
    forecasts: list[ForecastRead]
    aggregates: dict[str, dict[str, float]]
    spread: dict[str, float]
    distance_from_median: dict[str, float] = Field(default_factory=dict)
    withheld: bool = False  # the reader must forecast the question first (anchoring rule)


class PhaseChange(BaseModel):
    phase: SessionPhase
    at: datetime
    by: str


def _read(session: Session, row: ForecastSession) -> SessionRead:
    facilitator = session.get(User, row.facilitator_id)
    question_ids = session.exec(
        select(SessionQuestion.question_id).where(SessionQuestion.session_id == row.id)
    ).all()
    participants = session.exec(
        select(User.name)
        .join(SessionParticipant, col(SessionParticipant.user_id) == User.id)
        .where(SessionParticipant.session_id == row.id)
        .order_by(User.name)
    ).all()
    return SessionRead(
        id=row.id or 0,
        title=row.title,
        facilitator=facilitator.name if facilitator else "?",
        phase=row.phase,
        created_at=row.created_at,
        phase_changed_at=row.phase_changed_at,  # type: ignore[arg-type]
        question_ids=sorted(question_ids),
        participants=list(participants),
    )


def _row(session: Session, session_id: int) -> ForecastSession:
    row = session.get(ForecastSession, session_id)
    if row is None:
        raise NotFound(f"no session with id {session_id}")
    return row


def create_session(db: Database, actor: Actor, data: SessionCreate) -> SessionRead:
    """The creator facilitates; questions must be open, participants active non-viewers; a
    forecaster who is not an admin must be one of the participants."""
    require_forecaster(actor)
    now = db.now()
    if len(set(data.question_ids)) != len(data.question_ids):
        raise InvalidInput("a question is listed twice")
    if len(set(data.participants)) != len(data.participants):
        raise InvalidInput("a participant is listed twice")
    with db.write() as session:
        for qid in data.question_ids:
            question = session.get(Question, qid)
            if question is None:
                raise NotFound(f"no question with id '{qid}'")
            if question_state(question, now) != "open":
                raise InvalidInput(f"question '{qid}' is not open for forecasting")
            if question.type in CONTINUOUS_TYPES:
                raise InvalidInput(
                    f"question '{qid}' is a {question.type} question; team sessions take "
                    "binary, multiple-choice and ordered questions (their reveal compares "
                    "option probabilities)"
                )
        users = []
        for name in data.participants:
            user = session.exec(select(User).where(func.lower(User.name) == name.lower())).first()
            if user is None:
                raise NotFound(f"no user named '{name}'")
            if not user.is_active or user.role == "viewer":
                raise InvalidInput(f"'{name}' cannot forecast (inactive or a viewer)")
            users.append(user)
        require_session_creator(actor, data.participants)
        row = ForecastSession(
            title=data.title,
            facilitator_id=actor.user_id or 0,
            phase="blind",
            created_at=now,
            phase_changed_at=now,
        )
        session.add(row)
        session.flush()
        session.add_all(
            SessionQuestion(session_id=row.id or 0, question_id=q) for q in data.question_ids
        )
        session.add_all(
            SessionParticipant(session_id=row.id or 0, user_id=u.id or 0) for u in users
        )
        session.flush()
        audit.record(
            session, actor, "session.create", "session", row.id, at=now, after=data.model_dump()
        )
        notifications.on_session_phase(session, row.id or 0, "blind", at=now)
        return _read(session, row)


def advance_phase(db: Database, actor: Actor, session_id: int, phase: SessionPhase) -> SessionRead:
    """Move a session forward (never back): only its facilitator or an admin."""
    now = db.now()
    with db.write() as session:
        row = _row(session, session_id)
        if not actor.is_admin and actor.user_id != row.facilitator_id:
            raise PermissionDenied(
                "only the session's facilitator or an admin can change its phase"
            )
        if PHASES.index(phase) <= PHASES.index(row.phase):  # type: ignore[arg-type]
            raise Conflict(
                f"the session is already in its {row.phase} phase; phases only move forward"
            )
        before = row.phase
        row.phase, row.phase_changed_at = phase, now
        session.add(row)
        audit.record(
            session,
            actor,
            "session.phase",
            "session",
            session_id,
            at=now,
            before={"phase": before},
            after={"phase": phase},
        )
        notifications.on_session_phase(session, session_id, phase, at=now)
        return _read(session, row)


def get_session(db: Database, session_id: int) -> SessionRead:
    with db.read() as session:
        return _read(session, _row(session, session_id))


def list_sessions(db: Database) -> list[SessionRead]:
    with db.read() as session:
        rows = session.exec(select(ForecastSession).order_by(col(ForecastSession.id).desc())).all()
        return [_read(session, r) for r in rows]


def blind_question_ids(db: Database, user_id: int | None) -> set[str]:
    """Questions on which this user must not see others' forecasts or the team aggregate now."""
    if user_id is None:
        return set()
    with db.read() as session:
        return set(
            session.exec(
                select(SessionQuestion.question_id)
                .join(ForecastSession, col(ForecastSession.id) == SessionQuestion.session_id)
                .join(SessionParticipant, col(SessionParticipant.session_id) == ForecastSession.id)
                .where(ForecastSession.phase == "blind", SessionParticipant.user_id == user_id)
            ).all()
        )


def sealed_session_ids(db: Database) -> set[int]:
    """Sessions still in their blind phase: their blind forecasts are seen by their authors only."""
    with db.read() as session:
        return set(
            session.exec(select(ForecastSession.id).where(ForecastSession.phase == "blind")).all()
        )  # type: ignore[arg-type]


def is_sealed(forecast: ForecastRead, sealed: set[int]) -> bool:
    return forecast.session_phase == "blind" and forecast.session_id in sealed


def withheld_question_ids(db: Database, actor: Actor, question_ids: list[str]) -> set[str]:
    """Of these questions, those on which the actor may not see the others' forecasts now."""
    now = db.now()
    blind = blind_question_ids(db, actor.user_id)
    with db.read() as session:
        rows = session.exec(select(Question).where(col(Question.id).in_(question_ids))).all()
        own = set(
            session.exec(
                select(Forecast.question_id).where(
                    col(Forecast.question_id).in_(question_ids),
                    Forecast.user_id == actor.user_id,
                    col(Forecast.hidden).is_(False),
                )
            ).all()
        )
        return {
            q.id
            for q in rows
            if not may_see_others(
                actor,
                hide_until_forecast=q.hide_until_forecast,
                is_open=question_state(q, now) == "open",
                has_forecast=q.id in own,
                blind=q.id in blind,
            )
        }


def submission_status(db: Database, session_id: int) -> list[SubmissionStatus]:
    """Who has submitted a blind forecast on each question (names only, never the numbers)."""
    record = get_session(db, session_id)
    with db.read() as session:
        rows = session.exec(
            select(Forecast.question_id, User.name)
            .join(User, col(Forecast.user_id) == User.id)
            .where(Forecast.session_id == session_id, Forecast.session_phase == "blind")
        ).all()
    done: dict[str, set[str]] = defaultdict(set)
    for qid, name in rows:
        done[qid].add(name)
    return [
        SubmissionStatus(
            question_id=qid,
            submitted=sorted(done[qid]),
            waiting=[p for p in record.participants if p not in done[qid]],
        )
        for qid in record.question_ids
    ]


def session_forecasts(
    db: Database, session_id: int, phase: SessionPhase
) -> dict[str, list[ForecastRead]]:
    """Each participant's latest forecast made in `phase` of the session, per question."""
    record = get_session(db, session_id)
    made: dict[str, list[ForecastRead]] = defaultdict(list)
    for f in forecast_history(db, session_id=session_id):  # the session's own, not all history
        if f.session_phase == phase:
            made[f.question_id].append(f)
    return {
        qid: sorted(latest_by_user(made[qid]).values(), key=lambda f: f.user)
        for qid in record.question_ids
    }


def reveal(
    db: Database, actor: Actor, session_id: int, *, extremize: float = EXTREMIZE
) -> list[RevealedQuestion]:
    """The blind forecasts side by side with the team pools — only once the blind phase is over."""
    record = get_session(db, session_id)
    if record.phase == "blind":
        raise PermissionDenied("forecasts are revealed when the facilitator ends the blind phase")
    blind = session_forecasts(db, session_id, "blind")
    with db.read() as session:
        questions = {
            q.id: q
            for q in session.exec(select(Question).where(col(Question.id).in_(record.question_ids)))
        }
    withheld = withheld_question_ids(db, actor, record.question_ids)
    revealed = []
    for qid in record.question_ids:
        question = questions[qid]
        made = [] if qid in withheld else blind[qid]
        aggregates: dict[str, dict[str, float]] = {}
        spread: dict[str, float] = {}
        distance: dict[str, float] = {}
        if made:
            matrix = np.array([[f.probabilities[o] for o in question.options] for f in made])
            pools = team_aggregates(matrix, factor=extremize)
            aggregates = {
                name: dict(zip(question.options, map(float, vector), strict=True))
                for name, vector in pools.items()
            }
            spread = dict(
                zip(question.options, map(float, matrix.max(0) - matrix.min(0)), strict=True)
            )
            # total variation distance from the median pool: 0 agrees, 1 is the opposite
            gaps = 0.5 * np.abs(matrix - pools["median"]).sum(axis=1)
            distance = {f.user: float(g) for f, g in zip(made, gaps, strict=True)}
            made = sorted(made, key=lambda f: (-distance[f.user], f.user))
        revealed.append(
            RevealedQuestion(
                question_id=qid,
                title=question.title,
                type=question.type,
                options=question.options,
                forecasts=made,
                aggregates=aggregates,
                spread=spread,
                distance_from_median=distance,
                withheld=qid in withheld,
            )
        )
    return revealed


def updates(db: Database, actor: Actor, session_id: int) -> dict[str, list[ForecastRead]]:
    """Each participant's latest update-phase forecast per question (after the blind phase)."""
    record = get_session(db, session_id)
    if record.phase == "blind":
        raise PermissionDenied("forecasts are revealed when the facilitator ends the blind phase")
    withheld = withheld_question_ids(db, actor, record.question_ids)
    made = session_forecasts(db, session_id, "update")
    return {qid: [] if qid in withheld else found for qid, found in made.items()}


def phase_history(db: Database, session_id: int) -> list[PhaseChange]:
    """When each phase began and who moved it there, read from the audit trail (a session
    restored from a backup only knows its start and its latest change)."""
    record = get_session(db, session_id)
    changes = [PhaseChange(phase="blind", at=record.created_at, by=record.facilitator)]
    events = audit.list_events(db, entity_type="session", entity_id=str(session_id))
    changes += [
        PhaseChange(phase=e.after["phase"], at=e.at, by=e.actor)
        for e in reversed(events)
        if e.action == "session.phase" and e.after
    ]
    if changes[-1].phase != record.phase:
        changes.append(
            PhaseChange(phase=record.phase, at=record.phase_changed_at, by=record.facilitator)
        )
    return changes


def export_record(db: Database, actor: Actor, session_id: int) -> dict:
    """The session's record for the team's notes; forecasts only once the blind phase is over."""
    record = get_session(db, session_id)
    document: dict = {"session": record.model_dump(mode="json"), "questions": []}
    if record.phase == "blind":
        document["status"] = [s.model_dump() for s in submission_status(db, session_id)]
        return document
    updated = updates(db, actor, session_id)
    for question in reveal(db, actor, session_id):
        made = updated[question.question_id]
        document["questions"].append(
            {
                "question_id": question.question_id,
                "title": question.title,
                "aggregates": question.aggregates,
                "spread": question.spread,
                "blind": [_forecast_row(f) for f in sorted(question.forecasts, key=_by_user)],
                "update": [_forecast_row(f) for f in made],
            }
            | (
                {"withheld": "forecast this question to see the team's"}
                if question.withheld
                else {}
            )
        )
    return document


def _by_user(f: ForecastRead) -> str:
    return f.user


def _forecast_row(f: ForecastRead) -> dict:
    return {
        "user": f.user,
        "time": f.created_at.isoformat(),
        "probabilities": f.probabilities,
        "rationale": f.rationale,
    }


def export_csv(db: Database, actor: Actor, session_id: int) -> str:
    """One row per forecast and option (blind and update phases), formula-safe."""
    document = export_record(db, actor, session_id)
    header = ["session_id", "question_id", "phase", "user", "time", "option", "probability",
              "rationale"]  # fmt: skip
    return csv_text(
        header,
        (
            [session_id, q["question_id"], phase, f["user"], f["time"], option, float(p),
             f["rationale"]]
            for q in document["questions"]
            for phase in ("blind", "update")
            for f in q[phase]
            for option, p in f["probabilities"].items()
        ),
    )  # fmt: skip


def questions_in_blind_sessions(db: Database) -> set[str]:
    """Questions some team session is forecasting blind right now (whoever takes part)."""
    with db.read() as session:
        return set(
            session.exec(
                select(SessionQuestion.question_id)
                .join(ForecastSession, col(ForecastSession.id) == SessionQuestion.session_id)
                .where(ForecastSession.phase == "blind")
            ).all()
        )
