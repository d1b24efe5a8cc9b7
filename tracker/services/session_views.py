"""What the session page shows, gathered and filtered for the acting user in one call.

The phase decides what anyone may see: in the blind phase only who has submitted (and the
user's own forecasts); from the reveal on, every blind forecast, the pools and the updates;
once questions resolve, the review of blind against updated forecasts.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import select

from tracker import interchange
from tracker.db import Database
from tracker.models import Forecast
from tracker.schemas import Actor, AuditRead, ForecastRead, QuestionRead, SessionPhase
from tracker.scoring.aggregate import EXTREMIZE
from tracker.services import audit, forecasts, pool_scores, questions, scores, sessions, users
from tracker.services.permissions import require_admin


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
        review = scores.session_review(
            db, session_id, pool=pool_scores.team_pool(), factor=extremize
        )
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
HIDDEN_NOTE = "(hidden until you forecast this question)"


def audit_events_for(
    db: Database, actor: Actor, limit: int = 300, *, show_everything: bool = False
) -> list[AuditRead]:
    """The audit trail as this admin may read it now. The vector of a forecast they could not
    see on its question page is masked: a sealed blind forecast (its session is still blind)
    or one on a question they have not forecast yet. `show_everything` unmasks it for a real
    audit, and that look is itself recorded in the trail."""
    if show_everything:
        with db.write() as session:
            audit.record(session, actor, "audit.show_everything", "audit", "", at=db.now())
    events = audit.list_events(db, limit=limit)
    if show_everything:
        return events
    sealed = sessions.sealed_session_ids(db)
    asked = sorted({e.entity_id for e in events if e.action == "forecast.create"})
    withheld = sessions.withheld_question_ids(db, actor, asked) if asked else set()
    return [_masked(e, actor, sealed, withheld) for e in events]


def _masked(event: AuditRead, actor: Actor, sealed: set[int], withheld: set[str]) -> AuditRead:
    if event.action != "forecast.create" or event.actor == actor.name:
        return event
    after = event.after or {}
    if after.get("phase") == "blind" and after.get("session_id") in sealed:
        return event.model_copy(update={"after": {"note": BLIND_NOTE}})
    if event.entity_id in withheld:
        return event.model_copy(update={"after": {"note": HIDDEN_NOTE}})
    return event


def hidden_forecast_ids(db: Database, actor: Actor) -> set[int]:
    """Forecasts this user could not see on their question pages now (sealed blind ones, and
    others' on questions they must forecast first): an export made for them leaves them out."""
    sealed = sessions.sealed_session_ids(db)
    with db.read() as session:
        rows = session.exec(
            select(Forecast.id, Forecast.question_id, Forecast.user_id, Forecast.session_id,
                   Forecast.session_phase)
        ).all()  # fmt: skip
    others = [r for r in rows if r[2] != actor.user_id]
    withheld = sessions.withheld_question_ids(db, actor, sorted({r[1] for r in others}))
    return {
        fid
        for fid, qid, _, session_id, phase in others
        if qid in withheld or (phase == "blind" and session_id in sealed)
    }


def export_for(db: Database, actor: Actor, *, show_everything: bool = False) -> str:
    """The whole-database JSON an admin downloads in the app: without the forecasts they could
    not see on the question pages, unless `show_everything` (recorded in the audit trail)."""
    require_admin(actor, "export the database")
    if show_everything:
        with db.write() as session:
            audit.record(session, actor, "export.show_everything", "export", "", at=db.now())
        return interchange.export_json(db)
    document = interchange.export_document(db, leave_out=_left_out(db, actor))
    return interchange.dumps(_without_closed_comments(db, actor, document))


def _without_closed_comments(db: Database, actor: Actor, document: dict) -> dict:
    """The `comments` section without the threads the downloader may not read on the question
    page (hidden until they forecast, closed while a session forecasts blind), and without the
    link to a forecast the document leaves out (so the file still imports)."""
    from tracker.services.comments import closed_question_ids

    rows = document.get("comments")
    if not rows:
        return document
    closed = closed_question_ids(db, actor)
    kept_forecasts = {(f["question_id"], f["user"], f["time"]) for f in document["forecasts"]}
    kept = []
    for row in rows:
        if row["question_id"] in closed:
            continue
        linked = (row["question_id"], row["author"], row.get("forecast_time"))
        if "forecast_time" in row and linked not in kept_forecasts:
            row = {k: v for k, v in row.items() if k != "forecast_time"}
        kept.append(row)
    shown = dict(document)  # the section keeps its place in the document
    shown["comments"] = kept
    if not kept:
        del shown["comments"]
    return shown


def export_csv_for(db: Database, actor: Actor, *, show_everything: bool = False) -> str:
    """The forecasts CSV, masked as `export_for` is."""
    require_admin(actor, "export the database")
    if show_everything:
        with db.write() as session:
            audit.record(session, actor, "export.show_everything", "export", "csv", at=db.now())
        return interchange.export_forecasts_csv(db)
    return interchange.export_forecasts_csv(db, leave_out=_left_out(db, actor))


def _left_out(db: Database, actor: Actor) -> set[int]:
    """What the downloader could not see on the pages: the rules above, and the AI baseline's
    forecasts on questions they have not forecast yet."""
    from tracker.services.bot_exports import hidden_bot_forecast_ids

    return hidden_forecast_ids(db, actor) | hidden_bot_forecast_ids(db, actor)


def export_blocked_by(db: Database, actor: Actor) -> list[str]:
    """Titles of the blind sessions this user takes part in (the page says their forecasts
    are left out of the export until the reveal)."""
    return [
        s.title
        for s in sessions.list_sessions(db)
        if s.phase == "blind" and actor.name in s.participants
    ]
