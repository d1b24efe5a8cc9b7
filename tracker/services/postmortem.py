"""Post-mortem of a resolved question: the facts first (computed here from the team's
forecasts and evidence), then a model's narrative citing them (none offline).

Facts: what the team believed at the start and the end, its spread, the biggest moves of the
median with the evidence that had arrived in the week before each, and the evidence that
pointed the right way before the outcome with who moved toward it afterwards. Bots are left
out: this is the team's own record.

The discussion comes with it: the thread as the reader may see it (`comments.discussion`, so
its guard holds), numbered C1, C2… in thread order, deleted comments as tombstones, bounded in
count and length, and one fact that counts it. The model sees the same comments, fenced.
"""

from datetime import datetime, timedelta

import numpy as np
from pydantic import BaseModel

from tracker.db import Database
from tracker.errors import InvalidInput
from tracker.llm.assist import AnswerCache
from tracker.llm.postmortem import DiscussionNote, Fact, Narrative, narrate
from tracker.schemas import Actor, ForecastRead, QuestionRead
from tracker.scoring.trajectory_facts import biggest_moves, standing
from tracker.services import comments, questions, views

_ANSWERS = AnswerCache(max_items=128)
ON_SCREEN = timedelta(days=7)
"""Evidence counts as "on screen" at a move if it arrived in the week before it."""
MAX_NOTES = 40
"""At most this many comments are quoted (the first in thread order)."""
NOTE_CHARS = 600
"""A longer comment is cut to this many characters."""
DISCUSSION_CHARS = 12_000
"""And the quoted words together stop at about this many characters."""


class Discussion(BaseModel):
    """The comments the post-mortem quotes, of how many, or why none (closed to the reader)."""

    notes: list[DiscussionNote]
    total: int
    notice: str = ""

    @property
    def left_out(self) -> int:
        return self.total - len(self.notes)


class PostMortem(BaseModel):
    question_id: str
    outcome: str
    facts: list[Fact]
    narrative: Narrative
    discussion: Discussion


def _day(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d") if at else "an unknown date"


def _pct(p: float) -> str:
    return f"{100 * p:.0f} %"


def _favours(direction: str, option: str | None, q: QuestionRead) -> bool:
    """Does a key point with this direction point toward the outcome?"""
    first = q.options[0]
    if option and q.type != "binary":
        return (option == q.resolution) == (direction == "raises")
    if direction not in ("raises", "lowers"):
        return False
    return (q.resolution == first) == (direction == "raises")


def _end(q: QuestionRead) -> datetime:
    return min(q.close_time, q.resolved_time or q.close_time)


def discussion_for(db: Database, actor: Actor, q: QuestionRead) -> Discussion:
    """The thread as `actor` may read it, numbered and bounded (see MAX_NOTES and the rest)."""
    thread = comments.discussion(db, actor, q.id)
    if not thread.visible:
        return Discussion(notes=[], total=0, notice=thread.notice)
    end, budget = _end(q), DISCUSSION_CHARS
    notes: list[DiscussionNote] = []
    numbered: dict[int, str] = {}
    for c in thread.comments:
        if len(notes) >= MAX_NOTES or budget <= 0:
            break
        words = "" if c.deleted else c.body
        cut = min(NOTE_CHARS, budget)
        note = DiscussionNote(
            id=f"C{len(notes) + 1}",
            comment_id=c.id,
            reply_to=numbered.get(c.parent_id) if c.parent_id else None,
            depth=c.depth,
            author=c.author,
            at=c.created_at,
            edited=c.edited_at is not None,
            deleted=c.deleted,
            text=words[:cut].rstrip(),
            shortened=len(words) > cut,
            about=c.forecast_label or (c.evidence_title and f"evidence “{c.evidence_title}”"),
            before_end=c.created_at < end,
        )
        budget -= len(note.text)
        numbered[c.id] = note.id
        notes.append(note)
    return Discussion(notes=notes, total=len(thread.comments))


def _discussion_fact(talk: Discussion) -> str:
    if talk.notice:
        return f"No comments are quoted: {talk.notice}"
    if not talk.total:
        return "Nobody commented on the question."
    notes = talk.notes
    authors = len({n.author for n in notes})
    before = sum(1 for n in notes if n.before_end)
    deleted = sum(1 for n in notes if n.deleted)
    quoted = "C1" if len(notes) == 1 else f"C1–C{len(notes)}"
    text = (
        f"The discussion had {talk.total} comment(s), quoted as {quoted}: {len(notes)} from "
        f"{authors} member(s), {before} written before the question ended"
    )
    if deleted:
        text += f", {deleted} deleted (shown without their words)"
    if talk.left_out:
        text += f"; the other {talk.left_out} (last in thread order) are left out for length"
    return text + "."


def facts_for(
    db: Database, actor: Actor, q: QuestionRead, talk: Discussion | None = None
) -> list[Fact]:
    """The numbered facts; the last one counts the discussion (`talk`, read if not given)."""
    talk = talk if talk is not None else discussion_for(db, actor, q)
    texts = _record_facts(db, q)
    texts.append(_discussion_fact(talk))
    return [Fact(id=f"F{i + 1}", text=t) for i, t in enumerate(texts)]


def _record_facts(db: Database, q: QuestionRead) -> list[str]:
    if q.is_continuous:
        from tracker.services.numeric_postmortem import numeric_facts

        return numeric_facts(db, q)
    history, _ = views.split_bots(db, views.question_history(db, q.id))
    end = _end(q)
    history = [f for f in history if f.created_at < end]
    texts: list[str] = [f"The question resolved “{q.resolution}” on {_day(q.resolved_time)}."]
    if not history:
        texts.append("Nobody on the team forecast before the question ended.")
        return texts
    outcome = q.resolution or q.options[0]
    users = sorted({f.user_id for f in history})
    index = np.array([users.index(f.user_id) for f in history])
    p = np.array([f.probabilities[outcome] for f in history])
    team = standing(index, p)
    texts.append(
        f"The team's median probability for “{outcome}” was {_pct(team.median[0])} after the "
        f"first forecast ({_day(history[0].created_at)}) and {_pct(team.median[-1])} at the end "
        f"({team.count[-1]} forecaster(s), last forecast {_day(history[-1].created_at)})."
    )
    widest = int(np.argmax(team.q75 - team.q25))
    texts.append(
        f"The middle half of the team's forecasts spanned {_pct(team.q25[widest])}–"
        f"{_pct(team.q75[widest])} at its widest ({_day(history[widest].created_at)}) and "
        f"{_pct(team.q25[-1])}–{_pct(team.q75[-1])} at the end."
    )
    arrivals = views.evidence_arrivals(db, q.id)
    for step in biggest_moves(team.median).tolist():
        at = history[step].created_at
        seen = [a for a in arrivals if at - ON_SCREEN <= a.added_at <= at]
        shown = "; ".join(f"#{a.evidence_id} “{a.title}” ({_day(a.added_at)})" for a in seen[:3])
        texts.append(
            f"On {_day(at)} the median for “{outcome}” moved from {_pct(team.median[step - 1])} "
            f"to {_pct(team.median[step])} with {history[step].user}'s forecast; "
            + (
                f"evidence that arrived in the week before: {shown}."
                if seen
                else "no evidence had arrived in the week before."
            )
        )
    texts.extend(_right_way(db, q, outcome, history, arrivals, end))
    return texts


def _right_way(db, q, outcome, history: list[ForecastRead], arrivals, end) -> list[str]:  # type: ignore[no-untyped-def]
    from tracker.services.summaries import latest_summary

    stored = latest_summary(db, q.id)
    if stored is None:
        return [
            "No evidence summary was made for this question, so no item is marked as "
            "pointing either way."
        ]
    added = {a.evidence_id: a for a in arrivals}
    found = []
    for point in stored.summary.key_points:
        item = added.get(point.evidence_id)
        if not point.verified or item is None or item.added_at >= end:
            continue
        if not _favours(point.direction, point.option, q):
            continue
        movers = _moved_toward(history, outcome, item.added_at)
        who = (
            ", ".join(movers)
            if movers
            else "nobody moved toward the outcome in their next forecast"
        )
        found.append(
            f"Before the outcome, #{item.evidence_id} “{item.title}” (added {_day(item.added_at)}) "
            f"pointed toward “{outcome}” (its summary point: {point.claim}); moved toward it "
            f"after it arrived: {who}."
        )
    return found[:4] or ["No summarised item pointed toward the outcome before it was known."]


def _moved_toward(history: list[ForecastRead], outcome: str, since: datetime) -> list[str]:
    """Members whose first forecast after `since` gave the outcome more than their previous."""
    before: dict[int, float] = {}
    movers = []
    decided: set[int] = set()
    for f in history:
        if f.created_at <= since:
            before[f.user_id] = f.probabilities[outcome]
        elif f.user_id not in decided:
            decided.add(f.user_id)
            if f.user_id in before and f.probabilities[outcome] > before[f.user_id]:
                movers.append(f.user)
    return movers


def postmortem(db: Database, actor: Actor, question_id: str) -> PostMortem:
    q = questions.get_question(db, question_id)
    if q.status != "resolved":
        raise InvalidInput(
            f"question '{question_id}' is {q.state}: post-mortems are of resolved ones"
        )
    talk = discussion_for(db, actor, q)
    facts = facts_for(db, actor, q, talk)
    from tracker.services.summaries import current_engine

    return PostMortem(
        question_id=q.id,
        outcome=q.resolution or "",
        facts=facts,
        narrative=narrate(current_engine(), facts, talk.notes, cache=_ANSWERS),
        discussion=talk,
    )
