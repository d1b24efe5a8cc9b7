"""A scoring input restricted to some users' forecasts (the team without its bots, or the team
plus one bot), so relative scores are measured against the right crowd."""

from collections.abc import Collection
from dataclasses import replace

import numpy as np

from tracker.scoring.inputs import ScoringInput


def keep_users(data: ScoringInput, names: Collection[str]) -> ScoringInput:
    """The same questions and users, with only the forecasts of `names`."""
    wanted = np.isin(np.asarray(data.users, dtype=object).astype(str), list(names))
    rows = wanted[data.forecast_user] if data.forecast_user.size else np.zeros(0, dtype=bool)
    return replace(
        data,
        forecast_question=data.forecast_question[rows],
        forecast_user=data.forecast_user[rows],
        forecast_time=data.forecast_time[rows],
        probs=data.probs[rows],
    )
