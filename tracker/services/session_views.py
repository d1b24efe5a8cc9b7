"""What the session page shows, gathered and filtered for the acting user in one call.

The phase decides what anyone may see: in the blind phase only who has submitted (and the
user's own forecasts); from the reveal on, every blind forecast, the pools and the updates;
once questions resolve, the review of blind against updated forecasts.
"""

from dataclasses import dataclass, field
from datetime import datetime

from tracker.db import Database
from tracker.schemas import Actor, AuditRead, ForecastRead, QuestionRead, SessionPhase
from tracker.scoring.aggregate import EXTREMIZE
from tracker.services import audit, forecasts, questions, scores, sessions, users


@dataclass
class SessionView:
    record: sessions.SessionRead
    phases: list[sessions.PhaseChange]
    questions: dict[str, QuestionRead]
    status: list[sessions.SubmissionStatus]
    is_participant: bool
    can_move: bool
    mine: dict[str, ForecastRead] = field(default_factory=dict)
    my_blind: dict[str, ForecastRead] = field(default_factory=dict)
    revealed: list[sessions.RevealedQuestion] = field(default_factory=list)
    updates: dict[str, list[ForecastRead]] = field(default_factory=dict)
    review: scores.SessionReview | None = None

    @property
    def next_phase(self) -> SessionPhase | None:
        following = sessions.PHASES[sessions.PHASES.index(self.record.phase) + 1 :]
        return following[0] if following else None

    @property
    def submitted_everywhere(self) -> int:
        """How many participants have a blind forecast on every question of the session."""
        done = [set(s.submitted) for s in self.status]
        return len(set.intersection(*done)) if done else 0

    def phase_marks(self) -> list[tuple[datetime, str]]:
        """(time, label) of each phase change, for the review's trajectory charts."""
        return [(c.at, f"session {c.phase}") for c in self.phases]


def session_view(
    db: Database, actor: Actor, session_id: int, *, extremize: float = EXTREMIZE
) -> SessionView:
    record = sessions.get_session(db, session_id)
    wanted = set(record.question_ids)
    view = SessionView(
        record=record,
        phases=sessions.phase_history(db, session_id),
        questions={q.id: q for q in questions.list_questions(db) if q.id in wanted},
        status=sessions.submission_status(db, session_id),
        is_participant=actor.name in record.participants,
        can_move=actor.is_admin or actor.name == record.facilitator,
    )
    if actor.user_id is not None:  # only the session's questions: a member may have thousands
        own = [
            f
            for qid in record.question_ids
            for f in forecasts.forecast_history(db, question_id=qid, user_id=actor.user_id)
        ]
        view.mine = _latest_per_question(own)
        view.my_blind = _latest_per_question(
            [f for f in own if f.session_id == session_id and f.session_phase == "blind"]
        )
    if record.phase != "blind":
        view.revealed = sessions.reveal(db, actor, session_id, extremize=extremize)
        view.updates = sessions.updates(db, actor, session_id)
        review = scores.session_review(db, session_id)
        view.review = review if review.questions else None
    return view


def _latest_per_question(history: list[ForecastRead]) -> dict[str, ForecastRead]:
    latest: dict[str, ForecastRead] = {}
    for f in history:  # time order: the last one stands
        latest[f.question_id] = f
    return latest


def new_session_choices(db: Database) -> tuple[list[QuestionRead], list[str]]:
    """Open questions and the members who can forecast, for the "new session" form."""
    open_questions = questions.list_questions(db, states={"open"})
    members = [u.name for u in users.list_users(db) if u.is_active and u.role != "viewer"]
    return open_questions, sorted(members)


BLIND_NOTE = "(hidden until the session's reveal)"


def audit_events_for(db: Database, actor: Actor, limit: int = 300) -> list[AuditRead]:
    """The audit trail as this admin may read it now: while they take part in a blind session,
    the vectors of forecasts on its questions are masked (they would reveal the others')."""
    blind = sessions.blind_question_ids(db, actor.user_id)
    return [
        e.model_copy(update={"after": {"note": BLIND_NOTE}})
        if e.action == "forecast.create" and e.entity_id in blind
        else e
        for e in audit.list_events(db, limit=limit)
    ]


def export_blocked_by(db: Database, actor: Actor) -> list[str]:
    """Titles of the blind sessions this user takes part in: a whole-database export would
    show them the others' forecasts, so the app offers it again after the reveal."""
    return [
        s.title
        for s in sessions.list_sessions(db)
        if s.phase == "blind" and actor.name in s.participants
    ]
