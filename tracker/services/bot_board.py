"""The leaderboard with the AI baseline in its own row.

Humans are ranked against each other only (`scores` leaves bots out of every team figure, so
no bot is in the median their relative Brier is measured against). Each bot is scored as if it
had joined that team: the humans plus this one bot, and only its row is kept.
"""

import math

import pandas as pd
from pydantic import BaseModel

from tracker.db import Database
from tracker.scoring.leaderboard import leaderboard as leaderboard_table
from tracker.scoring.report import score_input
from tracker.scoring.subsets import keep_users
from tracker.services import memo, scores
from tracker.services.bots import list_bots
from tracker.services.scores import LeaderRow


class BotRow(BaseModel):
    user: str
    questions: int
    mean_daily_brier: float | None
    relative_brier: float | None
    baseline_score: float | None
    peer_score: float | None
    would_rank: int
    """Where it would stand among the humans by the chosen score (1 = best)."""


def _records(frame: pd.DataFrame) -> list[dict]:
    """Plain records, NaN as None (a score undefined for everyone)."""
    return [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
        for row in frame.to_dict("records")
    ]


def _bot_reports(db: Database) -> dict[str, object]:
    """Each bot scored as if it had joined the team (the humans plus that one bot)."""
    data = scores.scoring_input(db, with_bots=True)
    bots = {b.name for b in list_bots(db)}
    humans = [str(u) for u in data.users if str(u) not in bots]
    return {name: score_input(keep_users(data, [*humans, name])) for name in sorted(bots)}


def human_leaderboard(
    db: Database, min_questions: int = 1, by: str = "relative_brier"
) -> list[LeaderRow]:
    """The members' leaderboard: `scores` leaves bots out of every team figure already."""
    return scores.leaderboard(db, min_questions, by=by)


def bot_rows(db: Database, min_questions: int = 1, by: str = "relative_brier") -> list[BotRow]:
    if not list_bots(db):
        return []
    reports = memo.memoised(db, "bot-board", lambda: _bot_reports(db))
    humans = human_leaderboard(db, min_questions, by)
    out = []
    for name, report in reports.items():
        table = leaderboard_table(report.scores, min_questions)
        mine = table[table["user"] == name]
        if mine.empty:
            continue
        row = _records(mine)[0]
        value = row.get(by)
        better = "brier" in by
        ahead = sum(
            1
            for h in humans
            if value is not None
            and getattr(h, by) is not None
            and (getattr(h, by) < value if better else getattr(h, by) > value)
        )
        out.append(BotRow(**row, would_rank=ahead + 1))
    return out
