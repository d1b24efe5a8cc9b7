"""The export's forecast rows as text, straight from the database driver's rows.

A backup holds millions of forecast rows and, per row, building a dict, encoding it and
re-indenting it cost more than the query. Each question gets a `%`-template of its row instead
(its id and option labels encoded once); a row is then one `%` with the user, the time, the
probabilities (`%r` is Python's own float spelling, as `json.dumps` writes it) and the
rationale. A row the template does not cover (a CDF, no options, a vector of the wrong length)
goes through the dict path, so every byte stays `json.dumps(indent=2, ensure_ascii=False)`'s.
"""

import json
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import case, func, select
from sqlmodel import Session, col

from tracker.interchange.format import format_time
from tracker.interchange.jsonwrite import respell
from tracker.models import Forecast, ForecastProbability, Question, User

#: Driver rows fetched at a time (a server-side cursor on PostgreSQL).
EXPORT_BATCH = 5_000
#: Forecast rows are indented by 4 in the document: keys by 6, a vector's entries by 8.
_KEY = ",\n      "
#: The same order with `+column`: SQLite then sorts the rows once rather than reading the
#: table in the index's order, row by row (40 % less time in the query).
_SQLITE_ORDER = "ORDER BY +forecast.question_id, +forecast.created_at, user_account.name"


def json_string(value: str) -> str:
    """`json.dumps(value, ensure_ascii=False)`; orjson writes the same escapes, faster."""
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:  # a lone surrogate: `json` writes it as an escape
        return json.dumps(value, ensure_ascii=False)


class _Plan:
    """What every row of one question shares: its template, options and end of forecasting."""

    def __init__(self, question: Question, sqlite: bool) -> None:
        self.options = question.options
        self.revision = question.revision
        self.end = min(question.close_time, question.resolved_time or question.close_time)
        self.end_text = _stored_text(self.end) if sqlite else None
        self.template: str | None = None
        if self.options:  # `%` in a label or id must stand for itself in the template
            entries = ",\n".join(
                "        " + json_string(option).replace("%", "%%") + ": %r"
                for option in self.options
            )
            self.template = (
                "{\n      " + '"question_id": ' + json_string(question.id).replace("%", "%%")
                + _KEY + '"user": %s' + _KEY + '"time": "%s"'
                + _KEY + '"probabilities": {\n' + entries + "\n      }"
                + _KEY + '"rationale": %s'
            )  # fmt: skip


def _stored_text(at: datetime) -> str:
    """How SQLAlchemy's DateTime stores a time in SQLite: naive UTC, microseconds always."""
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_time(text: str, end: datetime, end_text: str) -> tuple[str, bool]:
    """A stored SQLite time as the document writes it, and whether it is at or past `end`.
    The stored form is fixed-width, so it compares as text; any other form is parsed."""
    if len(text) == 26 and text[10] == " " and text[19] == ".":
        fraction = "" if text[20:] == "000000" else text[19:]
        return f"{text[:10]}T{text[11:19]}{fraction}Z", text >= end_text
    at = datetime.fromisoformat(text)
    at = at.replace(tzinfo=UTC) if at.utcoffset() is None else at
    return format_time(at), at >= end


def _export_sql(questions: Sequence[Question], dialect: Any) -> str:
    """The forecast rows in the document's order, each with its option count and its
    probabilities pivoted into columns `p0 … p(width-1)` by one grouped pass over the
    probability table, so no per-forecast lookup table is built in Python."""
    width = max((len(q.options) for q in questions), default=0)
    fp = ForecastProbability
    probabilities = [
        func.max(case((col(fp.option_index) == i, fp.probability))).label(f"p{i}")
        for i in range(width)
    ]
    vectors = (
        select(fp.forecast_id, func.count().label("n"), *probabilities)
        .group_by(fp.forecast_id)
        .subquery("vectors")
    )
    query = (
        select(
            Forecast.id, Forecast.question_id, Forecast.created_at, Forecast.rationale,
            Forecast.hidden, Forecast.question_revision, Forecast.session_id,
            Forecast.session_phase, User.name, vectors.c.n,
            *(vectors.c[f"p{i}"] for i in range(width)),
        )
        .join(User, col(Forecast.user_id) == User.id)
        .outerjoin(vectors, vectors.c.forecast_id == Forecast.id)
        .order_by(Forecast.question_id, Forecast.created_at, User.name)
    )  # fmt: skip
    sql = str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    if dialect.name == "sqlite":
        sql = sql[: sql.rindex("ORDER BY")] + _SQLITE_ORDER
    return sql


def _stored_vector(session: Session, forecast_id: int) -> list[float]:
    """One forecast's probabilities in option order (for a row the templates refuse)."""
    fp = ForecastProbability
    query = (
        select(fp.probability)
        .where(col(fp.forecast_id) == forecast_id)
        .order_by(col(fp.option_index))
    )
    return list(session.connection().execute(query).scalars())


def forecast_chunks(
    session: Session,
    questions: Sequence[Question],
    refs: dict[int, int],
    cdfs: dict[int, list[float]],
    leave_out: set[int] | None,
    dict_row: Callable[[dict[str, Any]], bytes],
) -> Iterator[str]:
    """The document's forecast rows, `,\\n    `-joined, a batch at a time (none empty), in
    the document's order. `dict_row` encodes a row the templates do not cover."""
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    plans = {q.id: _Plan(q, sqlite) for q in questions}
    names: dict[str, str] = {}
    driver = connection.connection.driver_connection
    # a server-side cursor on PostgreSQL: the rows stream rather than arrive whole
    cursor = driver.cursor() if sqlite else driver.cursor(name="tracker_export")  # type: ignore[union-attr]
    try:
        cursor.execute(_export_sql(questions, connection.dialect))
        for batch in iter(lambda: cursor.fetchmany(EXPORT_BATCH), []):
            texts = []
            for row in batch:
                fid, qid, at, rationale, hidden, revision, session_id, phase, user, n = row[:10]
                if leave_out and fid in leave_out:
                    continue
                plan = plans[qid]
                if sqlite:
                    time, late = _sqlite_time(at, plan.end, plan.end_text or "")
                else:
                    time, late = format_time(at), at >= plan.end
                tail = ""
                if hidden:
                    tail += _KEY + '"hidden": true'
                if revision != plan.revision:
                    tail += _KEY + f'"revision": {revision}'
                if session_id is not None:
                    tail += _KEY + f'"session": {refs[session_id]}'
                    tail += _KEY + '"phase": ' + json_string(phase)
                if late:
                    tail += _KEY + '"late": true'
                k = len(plan.options)
                vector = row[10 : 10 + k]
                # n == k distinct indices, none missing below k: exactly the options' vector
                if plan.template is not None and n == k and None not in vector:
                    name = names.get(user) or names.setdefault(user, json_string(user))
                    text = '""' if not rationale else json_string(rationale)
                    texts.append(plan.template % (name, time, *vector, text) + tail + "\n    }")
                    continue
                document_row: dict[str, Any] = {"question_id": qid, "user": user, "time": time}
                if not plan.options and fid in cdfs:
                    document_row["cdf"] = cdfs[fid]
                else:
                    stored = _stored_vector(session, fid) if n else []
                    document_row["probabilities"] = dict(zip(plan.options, stored, strict=True))
                document_row["rationale"] = rationale
                encoded = respell(dict_row(document_row)).decode()
                texts.append(encoded[: -len("\n    }")] + tail + "\n    }")
            if texts:
                yield ",\n    ".join(texts)
    finally:
        cursor.close()
