"""Read an interchange document (DESIGN §4) into a `ScoringInput`.

Only what scoring needs is read and checked; anything wrong raises `DocumentError` naming the
row, so `tracker score` can print one clear line.
"""

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import numpy as np

from tracker.gc_pause import collector_paused
from tracker.scoring.document_arrays import NotPlain, forecast_arrays
from tracker.scoring.document_continuous import (
    CONTINUOUS_TYPES,
    ContinuousDocumentError,
    ContinuousForecasts,
    ContinuousInput,
    checked_cdf,
    continuous_question,
)
from tracker.scoring.inputs import ANNULLED, MISSING_TIME, UNRESOLVED, ScoringInput

FORMAT = "forecast-tracker/1"
TYPES = ("binary", "multiple_choice", "ordered", *CONTINUOUS_TYPES)
BINARY_OPTIONS = ("Yes", "No")
#: Probability vectors may miss 1 by this much; they are then normalised (DESIGN §2).
SUM_TOLERANCE = 1e-6


class DocumentError(ValueError):
    """The document cannot be scored; the message says which row and why."""


def parse_time(value: Any, where: str) -> int:
    """Unix seconds from an ISO-8601 string; a time without offset is taken as UTC."""
    if not isinstance(value, str):
        raise DocumentError(f"{where}: expected an ISO-8601 time, got {value!r}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise DocumentError(f"{where}: {value!r} is not an ISO-8601 time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return math.floor(moment.timestamp())


def _options(question: Mapping[str, Any], where: str) -> list[str]:
    kind = question.get("type")
    if kind not in TYPES:
        raise DocumentError(f"{where}: type must be one of {', '.join(TYPES)}, got {kind!r}")
    if kind in CONTINUOUS_TYPES:
        return []  # a range instead: `document_continuous`
    options = question.get("options")
    if options is None and kind == "binary":
        return list(BINARY_OPTIONS)
    if (
        not isinstance(options, list)
        or len(options) < 2
        or not all(isinstance(o, str) for o in options)
        or len(set(options)) != len(options)
    ):
        raise DocumentError(f"{where}: options must be a list of two or more distinct labels")
    if kind == "binary" and len(options) != 2:
        raise DocumentError(f"{where}: a binary question has exactly two options")
    return options


def _outcome(question: Mapping[str, Any], options: list[str], where: str) -> int:
    resolution = question.get("resolution")
    if resolution is None:
        return UNRESOLVED
    if resolution == "annulled":
        return ANNULLED
    if resolution not in options:
        raise DocumentError(f"{where}: resolution {resolution!r} is not one of its options")
    return options.index(resolution)


def _probabilities(forecast: Mapping[str, Any], options: list[str], where: str) -> list[float]:
    if "probabilities" in forecast:
        given = forecast["probabilities"]
        if not isinstance(given, Mapping):
            raise DocumentError(f"{where}: probabilities must map option labels to numbers")
        unknown = set(given) - set(options)
        if unknown:
            raise DocumentError(f"{where}: unknown option(s) {sorted(unknown)}")
        values = [given.get(o, 0.0) for o in options]
    elif "probability" in forecast and len(options) == 2:
        p = forecast["probability"]  # P(Yes): the "Yes" option, else the first one
        yes = options.index("Yes") if "Yes" in options else 0
        values = [1.0 - p, 1.0 - p] if _is_number(p) else [0.0, 0.0]
        values[yes] = p
    else:
        raise DocumentError(f"{where}: needs probabilities (or probability, for binary)")
    if not all(_is_number(v) and 0.0 <= v <= 1.0 for v in values):
        raise DocumentError(f"{where}: every probability must be a number in [0, 1]")
    total = math.fsum(values)
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise DocumentError(f"{where}: probabilities sum to {total:.6g}, not 1")
    return [v / total for v in values]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def scoring_input_from_document(doc: Mapping[str, Any]) -> ScoringInput:
    """Questions and forecasts of ``doc`` as arrays; users are numbered in name order. The
    forecasts on numeric and date questions are checked but left out (see `read_document`)."""
    return read_document(doc)[0]


def read_document(doc: Mapping[str, Any]) -> tuple[ScoringInput, ContinuousInput | None]:
    """The categorical arrays and, when the document has numeric or date questions, theirs."""
    with collector_paused():
        return _from_document(doc)


def _from_document(doc: Mapping[str, Any]) -> tuple[ScoringInput, ContinuousInput | None]:
    if not isinstance(doc, Mapping) or doc.get("format") != FORMAT:
        raise DocumentError(f'not a forecast-tracker document: "format" must be "{FORMAT}"')
    questions, forecasts = doc.get("questions", []), doc.get("forecasts", [])
    if not isinstance(questions, list) or not isinstance(forecasts, list):
        raise DocumentError('"questions" and "forecasts" must be lists')
    # An admin-hidden forecast is kept in the record but never scored (as in the database).
    forecasts = [
        f
        for f in forecasts
        if not ((type(f) is dict or isinstance(f, Mapping)) and f.get("hidden") is True)
    ]

    index, options_of, cols = question_columns(questions)
    width = max((len(o) for o in options_of), default=2)
    if cols["continuous"]:  # numeric or date questions: every row checked in file order
        *columns, numeric = mixed_rows(forecasts, index, options_of, width, cols)
        return build_input(index, options_of, cols, tuple(columns)), numeric  # type: ignore[arg-type]
    try:
        fq, fu, ft, probs, users = forecast_arrays(
            forecasts,
            index,
            options_of,
            width,
            row_probabilities=plain_probabilities,
            row_time=plain_time,
        )
    except NotPlain:
        fq, fu, ft, probs, users = forecast_rows(forecasts, index, options_of, width)

    return build_input(index, options_of, cols, (fq, fu, ft, probs, users)), None


def question_columns(
    questions: list[Any],
) -> tuple[dict[str, int], list[list[str]], dict[str, list[Any]]]:
    """Each question checked (the error names it): the id → position index, the option
    labels, and the per-question columns."""
    index: dict[str, int] = {}
    options_of: list[list[str]] = []
    cols: dict[str, Any] = {k: [] for k in ("open", "close", "resolved", "outcome", "kind")}
    cols["continuous"] = {}
    for i, question in enumerate(questions):
        where = f"question #{i}"
        qid = question.get("id") if isinstance(question, Mapping) else None
        if not isinstance(qid, str) or not qid:
            raise DocumentError(f"{where}: needs a string id")
        where = f"question #{i} ({qid})"
        if qid in index:
            raise DocumentError(f"{where}: duplicate id")
        index[qid] = i
        options = _options(question, where)
        options_of.append(options)
        cols["open"].append(parse_time(question.get("open_time"), f"{where} open_time"))
        cols["close"].append(parse_time(question.get("close_time"), f"{where} close_time"))
        resolved = question.get("resolved_time")
        cols["resolved"].append(
            MISSING_TIME if resolved is None else parse_time(resolved, f"{where} resolved_time")
        )
        if question["type"] in CONTINUOUS_TYPES:
            try:
                cols["continuous"][i] = continuous_question(question, i)
            except ContinuousDocumentError as exc:
                raise DocumentError(f"{where}: {exc}") from None
            cols["outcome"].append(UNRESOLVED)  # never scored as options: see `mixed_rows`
        else:
            cols["outcome"].append(_outcome(question, options, where))
        cols["kind"].append(question["type"])
    return index, options_of, cols


def build_input(
    index: dict[str, int],
    options_of: list[list[str]],
    cols: dict[str, list[Any]],
    forecast_columns: tuple[Any, Any, Any, np.ndarray, list[str]],
) -> ScoringInput:
    fq, fu, ft, probs, users = forecast_columns
    return ScoringInput(
        question_ids=list(index),
        n_options=[len(o) or 2 for o in options_of],  # a numeric question: 2, never scored
        ordered=[k == "ordered" for k in cols["kind"]],
        open_time=np.array(cols["open"], dtype=np.int64),
        close_time=np.array(cols["close"], dtype=np.int64),
        resolved_time=np.array(cols["resolved"], dtype=np.int64),
        outcome=cols["outcome"],
        users=users,
        forecast_question=np.array(fq, dtype=np.int64),
        forecast_user=np.array(fu, dtype=np.int64),
        forecast_time=np.array(ft, dtype=np.int64),
        probs=probs,
    )


def plain_probabilities(forecast: Mapping[str, Any], options: list[str]) -> list[float]:
    """A row's probabilities, or `NotPlain` for the row checks to name the problem."""
    try:
        return _probabilities(forecast, options, "")
    except DocumentError:
        raise NotPlain from None


def plain_time(value: Any) -> int:
    """A time, or `NotPlain` for the row checks to name the problem."""
    try:
        return parse_time(value, "")
    except DocumentError:
        raise NotPlain from None


def _row_head(i: int, forecast: Any, index: dict[str, int]) -> tuple[int, str, str]:
    """A forecast row's question index, user and the name its errors go by."""
    where = f"forecast #{i}"
    if not isinstance(forecast, Mapping):
        raise DocumentError(f"{where}: must be an object")
    qid, user = forecast.get("question_id"), forecast.get("user")
    where = f"forecast #{i} ({qid}, {user})"
    if qid not in index:
        raise DocumentError(f"{where}: unknown question_id")
    if not isinstance(user, str) or not user:
        raise DocumentError(f"{where}: needs a user name")
    return index[qid], user, where


def forecast_rows(
    forecasts: list[Any], index: dict[str, int], options_of: list[list[str]], width: int
) -> tuple[list[int], list[int], list[int], np.ndarray, list[str]]:
    """The row checks: slower than `forecast_arrays`, but they name the first bad row."""
    users = sorted(
        {
            f.get("user")
            for f in forecasts
            if isinstance(f, Mapping) and isinstance(f.get("user"), str)
        }
    )
    user_index = {u: j for j, u in enumerate(users)}
    fq, fu, ft = [], [], []
    probs = np.zeros((len(forecasts), width))
    for i, forecast in enumerate(forecasts):
        q, user, where = _row_head(i, forecast, index)
        row = _probabilities(forecast, options_of[q], where)
        probs[i, : len(row)] = row
        fq.append(q)
        fu.append(user_index[user])
        ft.append(parse_time(forecast.get("time"), f"{where} time"))

    return fq, fu, ft, probs, users


def mixed_rows(
    forecasts: list[Any],
    index: dict[str, int],
    options_of: list[list[str]],
    width: int,
    cols: dict[str, Any],
) -> tuple[list[int], list[int], list[int], np.ndarray, list[str], ContinuousInput]:
    """The row checks of a document with numeric or date questions, in file order: the
    categorical arrays as `forecast_rows` makes them, and the CDFs beside them."""
    continuous = cols["continuous"]
    numeric = ContinuousForecasts()
    rows: list[tuple[int, int, str, list[float]]] = []
    for i, forecast in enumerate(forecasts):
        q, user, where = _row_head(i, forecast, index)
        if q in continuous:
            try:
                cdf = checked_cdf(continuous[q].range, forecast)
            except ContinuousDocumentError as exc:
                raise DocumentError(f"{where}: {exc}") from None
            numeric.question.append(q)
            numeric.user.append(user)
            numeric.time.append(parse_time(forecast.get("time"), f"{where} time"))
            numeric.cdf.append(cdf)
        else:
            row = _probabilities(forecast, options_of[q], where)
            rows.append((q, parse_time(forecast.get("time"), f"{where} time"), user, row))
    users = sorted({user for _, _, user, _ in rows})
    user_index = {u: j for j, u in enumerate(users)}
    probs = np.zeros((len(rows), width))
    for k, (_, _, _, row) in enumerate(rows):
        probs[k, : len(row)] = row
    fq = [r[0] for r in rows]
    ft = [r[1] for r in rows]
    fu = [user_index[r[2]] for r in rows]
    ids = list(index)
    numeric_input = ContinuousInput(
        question_ids=[ids[q] for q in continuous],
        questions=list(continuous.values()),
        open_time=[cols["open"][q] for q in continuous],
        close_time=[cols["close"][q] for q in continuous],
        resolved_time=[cols["resolved"][q] for q in continuous],
        forecasts=numeric,
    )
    return fq, fu, ft, probs, users, numeric_input
