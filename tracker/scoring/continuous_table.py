"""The score rows of numeric and date questions in a score document (DESIGN §4), beside the
categorical ones of `score_table`.

Per (question, user): `crps` and `log_score` of the last forecast standing at the end,
Metaculus's continuous baseline and peer scores time-averaged over the question's scheduled
life (`continuous_scores.time_averaged`: the baseline and peer halved), and the same
participation, active and scored days as the categorical rows (days counted the same way);
the Brier columns are undefined (null).
"""

import numpy as np

from tracker.scoring import continuous_scores as cs
from tracker.scoring.document_continuous import ContinuousInput
from tracker.scoring.inputs import MISSING_TIME
from tracker.scoring.score_table import SCORE_COLUMNS, Columns
from tracker.scoring.timeline import daily_scores

_UNDEFINED = ("brier", "mean_daily_brier", "median_daily_brier", "relative_brier")


def continuous_columns(data: ContinuousInput) -> Columns:
    """Rows of every resolved, non-annulled numeric or date question, by question then user;
    forecasts made at or after a question's end are ignored."""
    f = data.forecasts
    position = {q.position: j for j, q in enumerate(data.questions)}
    fq = np.array([position[p] for p in f.question], dtype=np.int64)
    ft = np.array(f.time, dtype=np.int64)
    user_names = np.array(sorted(set(f.user)), dtype=object)
    code = {u: j for j, u in enumerate(user_names.tolist())}
    fu = np.array([code[u] for u in f.user], dtype=np.int64)
    cdfs = np.array(f.cdf, dtype=np.float64).reshape(len(f.cdf), -1)
    ids = np.array(data.question_ids, dtype=object)
    parts: dict[str, list[np.ndarray]] = {}
    for j in sorted(range(len(ids)), key=lambda j: ids[j]):
        question = data.questions[j]
        if question.annulled or question.outcome is None:
            continue
        close, resolved = data.close_time[j], data.resolved_time[j]
        end = close if resolved == MISSING_TIME else min(close, resolved)
        rows = np.flatnonzero((fq == j) & (ft < end))
        if rows.size:
            _score_question(parts, j, rows, fu, ft, cdfs, question, data.open_time[j], end, close)
    if not parts:
        empty_i = np.zeros(0, dtype=np.int64)
        values = {c: np.zeros(0) for c in SCORE_COLUMNS[2:]} | {"crps": np.zeros(0)}
        values["active_days"] = values["scored_days"] = empty_i
        return Columns(
            SCORE_COLUMNS,
            {"question_id": ids, "user": user_names},
            {"question_id": empty_i, "user": empty_i},
            values,
            np.zeros(0, dtype=bool),
        )
    joined = {k: np.concatenate(v) for k, v in parts.items()}
    codes = {"question_id": joined.pop("question_id"), "user": joined.pop("user")}
    return Columns(
        SCORE_COLUMNS,
        {"question_id": ids, "user": user_names},
        codes,
        joined,
        np.ones(codes["user"].size, dtype=bool),
    )


def _score_question(
    parts: dict[str, list[np.ndarray]],
    j: int,
    rows: np.ndarray,
    fu: np.ndarray,
    ft: np.ndarray,
    cdfs: np.ndarray,
    question,  # type: ignore[no-untyped-def]
    open_time: int,
    end: int,
    close: int,
) -> None:
    cdf = cdfs[rows]
    # By user, then time; forecasts in the same second by their CDFs (input order never matters).
    keys = (*(cdf[:, k] for k in reversed(range(cdf.shape[1]))), ft[rows], fu[rows])
    order = np.lexsort(keys)
    users, times, cdf = fu[rows][order], ft[rows][order], cdf[order]
    pair_start = np.flatnonzero(np.r_[True, users[1:] != users[:-1]])
    last = np.append(pair_start[1:], users.size) - 1
    rng, outcome = question.range, question.outcome
    logs = cs.log_score(rng, cdf, outcome)
    q = np.zeros(users.size, dtype=np.int64)
    window = (np.array([open_time]), np.array([end]), np.array([close]))
    timed = cs.time_averaged(
        q, times, logs, cs.baseline_score(rng, cdf, outcome), pair_start, *window
    )
    days = daily_scores(q, times, np.zeros(users.size), pair_start, window[0], window[1])
    n = pair_start.size
    row = {
        "question_id": np.full(n, j, dtype=np.int64),
        "user": users[pair_start],
        "participation": days.participation,
        "active_days": days.active_days.astype(np.int64),
        "scored_days": days.scored_days.astype(np.int64),
        "log_score": logs[last],
        "baseline_score": np.asarray(timed.baseline, dtype=np.float64),
        "peer_score": np.asarray(timed.peer, dtype=np.float64),
        "crps": cs.crps(rng, cdf[last], outcome),
    } | {name: np.full(n, np.nan) for name in _UNDEFINED}
    for name, values in row.items():
        parts.setdefault(name, []).append(values)


def merge_tables(first: Columns, second: Columns) -> Columns:
    """Both tables' rows in one, by question then user, labels and codes joined."""
    labels, codes = {}, {}
    for name in ("question_id", "user"):
        joined = np.array(
            sorted(set(first.labels[name].tolist()) | set(second.labels[name].tolist())),
            dtype=object,
        )
        labels[name] = joined
        position = {label: k for k, label in enumerate(joined.tolist())}
        recode = [
            np.array([position[x] for x in t.labels[name].tolist()], dtype=np.int64)
            for t in (first, second)
        ]
        codes[name] = np.concatenate(
            [recode[0][first.codes[name]] if first.size else np.zeros(0, np.int64),
             recode[1][second.codes[name]] if second.size else np.zeros(0, np.int64)]
        )  # fmt: skip
    order = np.lexsort((codes["user"], codes["question_id"]))
    first_crps = np.full(first.size, np.nan)
    values = {
        name: np.concatenate([first.values[name], second.values[name]])[order]
        for name in first.values
    }
    values["crps"] = np.concatenate([first_crps, second.values["crps"]])[order]
    continuous = np.concatenate([np.zeros(first.size, dtype=bool), second.continuous])[order]
    return Columns(
        first.names,
        labels,
        {k: v[order] for k, v in codes.items()},
        values,
        continuous,
    )
