"""The team pools side by side on the resolved questions (the Review's "which pool would have
scored best"), and which pool the team shows by default (the `team_pool` setting)."""

import numpy as np
from pydantic import BaseModel

from tracker.config import get_settings
from tracker.db import Database
from tracker.scoring.pool_scores import final_pool_briers
from tracker.services.scores import scoring_input

POOL_LABELS = {
    "median": "Median",
    "mean": "Mean",
    "geometric_mean_of_odds": "Geometric mean of odds",
    "extremized_log_odds": "Extremized log-odds",
    "recency_weighted_median": "Recency-weighted median",
}


class PoolScore(BaseModel):
    pool: str
    label: str
    questions: int
    mean_brier: float
    team_default: bool


def team_pool() -> str:
    """The pool the team shows unless a view picks another (TEAM_POOL; median by default)."""
    chosen = get_settings().team_pool
    return chosen if chosen in POOL_LABELS else "median"


def pool_scores(db: Database, factor: float) -> list[PoolScore]:
    """Each pool's mean final Brier over the resolved questions, best first."""
    briers = final_pool_briers(scoring_input(db), factor)
    default = team_pool()
    rows = [
        PoolScore(
            pool=name,
            label=POOL_LABELS.get(name, name),
            questions=len(values),
            mean_brier=float(np.mean(values)),
            team_default=name == default,
        )
        for name, values in briers.items()
        if values
    ]
    return sorted(rows, key=lambda r: (r.mean_brier, r.pool))
