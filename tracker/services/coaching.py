"""Calibration coaching for one member, from their own record, for their eyes only.

One event per resolved question: the option the member rated highest in their last forecast
before the question ended, at that probability, and whether it happened (so a binary forecast
is not counted twice, once per side, which would halve the intervals dishonestly). Statements
are made only where the interval for the observed frequency excludes the mean forecast.
"""

from datetime import datetime

import numpy as np
from pydantic import BaseModel

from tracker.db import Database
from tracker.errors import PermissionDenied
from tracker.schemas import Actor
from tracker.scoring.coaching import GroupStats, by_band, group_stats
from tracker.services import forecasts, questions

TOP_BANDS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
"""Bands of the favourite option's probability (below 50 % only happens with 3+ options)."""
MIN_EVENTS = 5
"""Fewer events than this in a group say nothing, whatever the interval."""


class Statement(BaseModel):
    group: str
    """A band ("80–90 %") or a tag."""
    kind: str  # "band" or "tag"
    events: int
    happened: int
    mean_forecast: float
    frequency: float
    lower: float
    upper: float
    direction: str  # "overconfident" (said more than happened) or "underconfident"
    text: str


class Coaching(BaseModel):
    user: str
    events: int
    confidence: float
    method: str
    statements: list[Statement]


def _events(db: Database, actor: Actor) -> list[tuple[float, bool, list[str]]]:
    """(favourite's probability, it happened, the question's tags) per resolved question."""
    resolved = {
        q.id: q
        for q in questions.list_questions(db, states={"resolved"})
        if not q.is_continuous  # no favourite option to be confident in
    }
    last: dict[str, tuple[datetime, dict[str, float]]] = {}
    for f in forecasts.forecast_history(db, user_id=actor.user_id):
        q = resolved.get(f.question_id)
        if q is None:
            continue
        end = min(q.close_time, q.resolved_time or q.close_time)
        if f.created_at < end:
            last[q.id] = (f.created_at, f.probabilities)
    events = []
    for qid, (_, vector) in sorted(last.items()):
        q = resolved[qid]
        favourite = max(q.options, key=lambda o: vector.get(o, 0.0))
        events.append((vector[favourite], favourite == q.resolution, list(q.tags)))
    return events


def _percent(x: float) -> str:
    return f"{100 * x:.0f} %"


def _statement(kind: str, label: str, s: GroupStats, i: int, confidence: float) -> Statement:
    over = s.mean_forecast[i] > s.upper[i]
    where = f"When your favourite option had {label}" if kind == "band" else f"On “{label}”"
    text = (
        f"{where}, you gave it {_percent(s.mean_forecast[i])} on average; it happened "
        f"{s.happened[i]} of {s.count[i]} times ({_percent(s.frequency[i])}, "
        f"{confidence:.0%} interval {_percent(s.lower[i])}–{_percent(s.upper[i])}): "
        + ("you were overconfident there." if over else "you were underconfident there.")
    )
    return Statement(
        group=label,
        kind=kind,
        events=int(s.count[i]),
        happened=int(s.happened[i]),
        mean_forecast=float(s.mean_forecast[i]),
        frequency=float(s.frequency[i]),
        lower=float(s.lower[i]),
        upper=float(s.upper[i]),
        direction="overconfident" if over else "underconfident",
        text=text,
    )


def my_coaching(
    db: Database, actor: Actor, user_id: int | None = None, *, confidence: float = 0.95
) -> Coaching:
    """Only for the member themself: `user_id`, if given, must be the actor's own."""
    if actor.user_id is None or (user_id is not None and user_id != actor.user_id):
        raise PermissionDenied("calibration coaching is shown only to the member themself")
    events = _events(db, actor)
    statements: list[Statement] = []
    if events:
        p = np.array([e[0] for e in events])
        o = np.array([e[1] for e in events], dtype=float)
        bands = by_band(p, o, edges=TOP_BANDS, confidence=confidence)
        for i in np.flatnonzero(bands.flagged & (bands.count >= MIN_EVENTS)):
            label = f"{_percent(TOP_BANDS[i])[:-2]}–{_percent(TOP_BANDS[i + 1])}"
            statements.append(_statement("band", label, bands, int(i), confidence))
        tags = sorted({t for e in events for t in e[2]})
        rows = [(k, j) for k, e in enumerate(events) for j, t in enumerate(tags) if t in e[2]]
        if rows:
            index, group = np.array([r[0] for r in rows]), np.array([r[1] for r in rows])
            by_tag = group_stats(p[index], o[index], group, len(tags), confidence=confidence)
            for j in np.flatnonzero(by_tag.flagged & (by_tag.count >= MIN_EVENTS)):
                statements.append(_statement("tag", tags[j], by_tag, int(j), confidence))
    return Coaching(
        user=actor.name,
        events=len(events),
        confidence=confidence,
        method="exact (Clopper-Pearson)",
        statements=statements,
    )
