"""Which evidence moved whom: every update made while a summary was on screen, credited to
each evidence item the summary cited, per member and for the team, with its direction and
whether it moved toward the outcome (the Brier change it brought). Resolved questions only."""

from collections import defaultdict

from pydantic import BaseModel
from sqlmodel import select

from tracker.db import Database
from tracker.models import EvidenceItem, EvidenceSummary
from tracker.scoring.moves import update_effect
from tracker.services.forecasts import forecast_history
from tracker.services.questions import list_questions
from tracker.services.scores import display_names

TEAM = "Team"


class EvidenceMove(BaseModel):
    evidence_id: int
    evidence_title: str
    member: str  # a display name, or "Team" for everyone together
    updates: int
    mean_shift: float  # mean change of P(what happened): positive = toward the outcome
    toward_outcome: int  # updates that raised P(what happened)
    mean_brier_change: float  # mean Brier improvement over the replaced forecast


def evidence_moves(db: Database) -> list[EvidenceMove]:
    resolved = list_questions(db, states={"resolved"})
    with db.read() as session:
        cited = dict(session.exec(select(EvidenceSummary.id, EvidenceSummary.evidence_ids)).all())
        titles = dict(session.exec(select(EvidenceItem.id, EvidenceItem.title)).all())
    names = display_names(db)
    effects: dict[tuple[int, str], list[tuple[float, float]]] = defaultdict(list)
    for q in resolved:
        end = min(q.close_time, q.resolved_time or q.close_time)
        outcome = q.options.index(q.resolution) if q.resolution in q.options else None
        if outcome is None:
            continue
        previous: dict[int, list[float]] = {}
        for f in forecast_history(db, question_id=q.id):
            if f.created_at >= end:
                break
            vector = [f.probabilities.get(o, 0.0) for o in q.options]
            if f.summary_id is not None and f.user_id in previous:
                effect = update_effect(previous[f.user_id], vector, outcome, q.type == "ordered")
                for item in cited.get(f.summary_id) or []:
                    effects[(item, names.get(f.user, f.user))].append(effect)
                    effects[(item, TEAM)].append(effect)
            previous[f.user_id] = vector
    rows = [
        EvidenceMove(
            evidence_id=item,
            evidence_title=titles.get(item, f"#{item}"),
            member=member,
            updates=len(values),
            mean_shift=sum(v[0] for v in values) / len(values),
            toward_outcome=sum(1 for v in values if v[0] > 0),
            mean_brier_change=sum(v[1] for v in values) / len(values),
        )
        for (item, member), values in effects.items()
    ]
    return sorted(rows, key=lambda r: (r.evidence_id, r.member != TEAM, r.member))
