"""The facts a numeric or date question's post-mortem is written from: where the outcome fell
in the team's pooled distribution at the start and at the end, and who scored best."""

from tracker.db import Database
from tracker.quantities import distribution_words, format_value, outcome_value
from tracker.schemas import QuestionRead
from tracker.services import numeric_scores, views


def numeric_facts(db: Database, q: QuestionRead) -> list[str]:
    from tracker.scoring.continuous_scores import pit

    assert q.range is not None and q.resolution is not None
    outcome = outcome_value(q.type, q.resolution)
    shown = outcome if isinstance(outcome, str) else format_value(q.type, outcome, q.range.unit)
    day = f"{q.resolved_time:%Y-%m-%d}" if q.resolved_time else "an unrecorded day"
    texts = [f"The question resolved at {shown} on {day}."]
    history, _ = views.split_bots(db, views.question_history(db, q.id))
    end = min(q.close_time, q.resolved_time or q.close_time)
    history = [f for f in history if f.created_at < end and f.cdf]
    if not history:
        return [*texts, "Nobody on the team forecast before the question ended."]
    rng = q.range.scoring_range()
    first = numeric_scores.team_pool(history[:1])
    final = numeric_scores.team_pool(history)
    assert first is not None and final is not None
    for label, cdf in (("first forecast", first), ("end", final)):
        where = float(pit(rng, cdf, outcome))
        texts.append(
            f"At the {label} the team's pooled distribution had {distribution_words(q, cdf)}; "
            f"the outcome fell at its {where:.0%} point."
        )
    rows = [r for r in numeric_scores.question_scores(db, q.id) if r.peer is not None]
    if rows:
        best = rows[0]
        texts.append(
            f"Best baseline score: {best.user}, {best.baseline:+.1f} (CRPS {best.crps:.3g}); "
            f"{len(rows)} member(s) scored."
        )
    return texts
