"""Per-user averages over scored questions (the `users` table of `tracker score`)."""

import numpy as np
import numpy.typing as npt
import pandas as pd

#: Columns averaged per user; each mean skips the questions where the score is undefined.
AVERAGED = ("mean_daily_brier", "relative_brier", "baseline_score", "peer_score")
USER_COLUMNS = ("user", "questions", *AVERAGED)


def leaderboard(scores: pd.DataFrame, min_questions: int = 1) -> pd.DataFrame:
    """One row per user: questions scored and the mean of each score over them.

    ``scores`` holds one row per (question, user) of resolved, non-annulled questions, as
    `score_input` returns. Users with fewer than ``min_questions`` rows are left out, since an
    average over one or two questions says more about luck than skill. Rows come back sorted
    by user name.
    """
    if scores.empty:
        return pd.DataFrame(
            {c: pd.Series(dtype=object if c == "user" else float) for c in USER_COLUMNS}
        ).astype({"questions": "int64"})
    grouped = scores.groupby("user", sort=True, observed=True)
    table = grouped[list(AVERAGED)].mean()
    table.insert(0, "questions", grouped.size().astype("int64"))
    table = table[table["questions"] >= min_questions]
    table.index = table.index.astype(str)
    return table.rename_axis("user").reset_index()[list(USER_COLUMNS)]


def rank(users: pd.DataFrame, by: str = "relative_brier") -> pd.DataFrame:
    """Best first: ascending for Brier-type scores, descending for Metaculus scores; users
    whose score is undefined go last, ties by name."""
    ascending = "brier" in by
    return users.sort_values(
        [by, "user"], ascending=[ascending, True], na_position="last", kind="stable"
    ).reset_index(drop=True)


def tied_ranks(values: npt.ArrayLike, ascending: bool = True, decimals: int = 9) -> np.ndarray:
    """Competition ranks (1, 1, 3): equal scores share a rank, undefined ones (NaN) share the
    last. Scores are compared after rounding, so float noise does not split a tie."""
    v = np.round(np.asarray(values, dtype=np.float64), decimals)
    key = v if ascending else -v
    defined = ~np.isnan(key)
    ranks = np.empty(v.size, dtype=np.int64)
    ranks[defined] = 1 + np.searchsorted(np.sort(key[defined]), key[defined], side="left")
    ranks[~defined] = 1 + int(defined.sum())
    return ranks
