"""The export's forecast rows, straight from the database driver's rows.

A backup holds millions of forecast rows. They are read with the driver's own cursor (no
SQLAlchemy row or type handling), each forecast's probabilities pivoted into its row by the
query, and encoded by one orjson call per batch; `respell` then gives the few numbers orjson
spells otherwise Python's spelling, so every byte stays `json.dumps(indent=2,
ensure_ascii=False)`'s. Memory is bounded by a batch.
"""

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import case, func, select
from sqlmodel import Session, col

from tracker.interchange.format import format_time
from tracker.interchange.jsonwrite import respell
from tracker.models import Forecast, ForecastProbability, Question, User

#: A forecast's columns in both export paths, in the order the row loop unpacks them.
FORECAST_COLUMNS = (
    Forecast.id,
    Forecast.question_id,
    Forecast.created_at,
    Forecast.rationale,
    Forecast.hidden,
    Forecast.question_revision,
    Forecast.session_id,
    Forecast.session_phase,
)
#: Driver rows fetched at a time (a server-side cursor on PostgreSQL).
EXPORT_BATCH = 5_000
#: What `orjson.dumps({"forecasts": rows}, option=OPT_INDENT_2)` puts around the rows.
_OPENING, _CLOSING = b'{\n  "forecasts": [\n    ', b"\n  ]\n}"
#: The same order with `+column`: SQLite then sorts the rows once rather than reading the
#: table in the index's order, row by row (40 % less time in the query).
_SQLITE_ORDER = "ORDER BY +forecast.question_id, +forecast.created_at, user_account.name"


class _Plan:
    """What every row of one question shares: its options, revision and end of forecasting."""

    def __init__(self, question: Question, sqlite: bool) -> None:
        self.options = question.options
        self.revision = question.revision
        self.end = min(question.close_time, question.resolved_time or question.close_time)
        self.end_text = _stored_text(self.end) if sqlite else None


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
            *FORECAST_COLUMNS, User.name, vectors.c.n,
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
    """One forecast's probabilities in option order, for a row whose pivoted columns do not
    hold exactly its options' vector (so the mismatch is refused as the dict path does)."""
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
) -> Iterator[bytes]:
    """The document's forecast rows, `,\\n    `-joined, a batch at a time (none empty), in
    the document's order. `dict_row` encodes one row where orjson refuses a batch."""
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    plans = {q.id: _Plan(q, sqlite) for q in questions}
    driver = connection.connection.driver_connection
    if not sqlite:  # the whole result is wanted: plan for all of it, never a nested loop
        # (a cursor plans for its first tenth, and a stale estimate made that quadratic)
        connection.exec_driver_sql("SET LOCAL cursor_tuple_fraction = 1.0")
        connection.exec_driver_sql("SET LOCAL enable_nestloop = off")
    # a server-side cursor on PostgreSQL: the rows stream rather than arrive whole
    cursor = driver.cursor() if sqlite else driver.cursor(name="tracker_export")  # type: ignore[union-attr]
    try:
        cursor.execute(_export_sql(questions, connection.dialect))
        for batch in iter(lambda: cursor.fetchmany(EXPORT_BATCH), []):
            rows = []
            for row in batch:
                fid, qid, at, rationale, hidden, revision, session_id, phase, user, n = row[:10]
                if leave_out and fid in leave_out:
                    continue
                plan = plans[qid]
                if sqlite:
                    time, late = _sqlite_time(at, plan.end, plan.end_text or "")
                else:
                    time, late = format_time(at), at >= plan.end
                document_row: dict[str, Any] = {"question_id": qid, "user": user, "time": time}
                options = plan.options
                vector = row[10 : 10 + len(options)]
                # n == k distinct indices, none missing below k: exactly the options' vector
                if n != len(options) or None in vector:
                    vector = _stored_vector(session, fid) if n else []
                if not options and fid in cdfs:
                    document_row["cdf"] = cdfs[fid]
                else:
                    document_row["probabilities"] = dict(zip(options, vector, strict=True))
                document_row["rationale"] = rationale
                if hidden:
                    document_row["hidden"] = True
                if revision != plan.revision:
                    document_row["revision"] = revision
                if session_id is not None:
                    document_row["session"] = refs[session_id]
                    document_row["phase"] = phase
                if late:
                    document_row["late"] = True
                rows.append(document_row)
            if rows:
                yield _encoded(rows, dict_row)
    finally:
        cursor.close()


def _encoded(rows: list[dict[str, Any]], dict_row: Callable[[dict[str, Any]], bytes]) -> bytes:
    """A batch of rows as they stand in the document's list (indented by 4): one orjson call
    for the batch, Python's spelling for the few numbers orjson spells otherwise."""
    try:  # in a `forecasts` list of a document, orjson indents the rows as the document does
        text = orjson.dumps({"forecasts": rows}, option=orjson.OPT_INDENT_2)
    except (orjson.JSONEncodeError, TypeError):  # a lone surrogate, a huge integer
        return respell(b",\n    ".join(dict_row(row) for row in rows))
    return respell(text[len(_OPENING) : -len(_CLOSING)])
