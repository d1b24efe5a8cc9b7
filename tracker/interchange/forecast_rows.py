"""The export's forecast rows, straight from the database driver's rows.

A backup holds millions of forecast rows. They are read with the driver's own cursor (no
SQLAlchemy row or type handling), each forecast's probabilities pivoted into its row by the
query. A question's rows that say nothing beyond their probabilities are written from the
question's template, a column at a time; the others through dicts and orjson. `respell` gives
the few numbers orjson spells otherwise Python's spelling, so every byte stays
`json.dumps(indent=2, ensure_ascii=False)`'s. Memory is bounded by a batch.
"""

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import groupby
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import case, func, select
from sqlmodel import Session, col

from tracker.interchange.format import format_time
from tracker.interchange.jsonwrite import respell
from tracker.models import CONTINUOUS_TYPES, Forecast, ForecastProbability, Question, User

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
#: SQLAlchemy's stored SQLite time ("YYYY-MM-DD HH:MM:SS.ffffff") as the document writes it,
#: computed by SQLite; NULL for a time stored in any other form (`_sqlite_time` reads it).
_SQLITE_DOCUMENT_TIME = (
    "CASE WHEN length(f.created_at) = 26 AND substr(f.created_at, 11, 1) = ' '"
    " AND substr(f.created_at, 20, 1) = '.' THEN substr(f.created_at, 1, 10) || 'T'"
    " || substr(f.created_at, 12, 8) || CASE substr(f.created_at, 21) WHEN '000000' THEN ''"
    " ELSE substr(f.created_at, 20) END || 'Z' END"
)


class _Plan:
    """What every row of one question shares: its options, revision and end of forecasting,
    and the JSON text of its id and option labels (None where orjson refuses one)."""

    def __init__(self, question: Question, sqlite: bool) -> None:
        self.options = question.options
        self.revision = question.revision
        self.end = min(question.close_time, question.resolved_time or question.close_time)
        self.end_text = _stored_text(self.end) if sqlite else None
        self.template = _row_template(question)


def _row_template(question: Question) -> str | None:
    """The text of a plain row on ``question`` with `%s` for its user, time, each option's
    probability and its rationale (each as JSON text), in `json.dumps(indent=2)`'s layout
    inside the document's list; None for a numeric or date question, or where orjson cannot
    spell the id or a label."""
    spelled = [_json_text(text) for text in (question.id, *question.options)]
    if not question.options or None in spelled:
        return None
    qid, *labels = (str(text).replace("%", "%%") for text in spelled)
    probabilities = ",\n".join(f"        {label}: %s" for label in labels)
    return (
        f'{{\n      "question_id": {qid},\n      "user": %s,\n      "time": "%s",\n'
        f'      "probabilities": {{\n{probabilities}\n      }},\n      "rationale": %s\n    }}'
    )


def _json_text(value: str) -> str | None:
    """A string as the document spells it, or None where orjson refuses it (the row then
    takes the dict path, whose fallback is `json` itself)."""
    try:
        return orjson.dumps(value).decode()
    except (orjson.JSONEncodeError, TypeError):
        return None


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


def _width(questions: Sequence[Question]) -> int:
    return max((len(q.options) for q in questions), default=0)


def _export_sql(questions: Sequence[Question], dialect: Any) -> str:
    """The forecast rows in the document's order, each with its option count and its
    probabilities pivoted into columns `p0 … p(width-1)` by one grouped pass over the
    probability table, so no per-forecast lookup table is built in Python."""
    if dialect.name == "sqlite":
        return _sqlite_export_sql(questions)
    width = _width(questions)
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
    return str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def _sqlite_export_sql(questions: Sequence[Question]) -> str:
    """SQLite's plan for the same rows, spelled out: the pivot is the outer loop (it comes in
    forecast id order straight off the probability table's primary key), each forecast and
    its user found by rowid, one sort at the end. Left to itself, SQLite materialises the
    pivot and builds an index on it to look each forecast up (a third more time). Numeric
    and date forecasts, which have no probability rows, are the second half of the union;
    the last column is each row's time as the document writes it."""
    width = _width(questions)
    pivot = ", ".join(  # FILTER skips the aggregate step outright: a sixth faster than CASE
        f"max(probability) FILTER (WHERE option_index = {i}) AS p{i}" for i in range(width)
    )
    head = (
        "SELECT f.id, f.question_id AS question_id, f.created_at AS created_at, f.rationale,"
        " f.hidden, f.question_revision, f.session_id, f.session_phase, u.name AS name"
    )
    vector = "".join(f", v.p{i}" for i in range(width))
    nulls = ", NULL" * (width + 1)
    continuous = ", ".join(f"'{t}'" for t in CONTINUOUS_TYPES)
    return (
        f"{head}, v.n{vector}, {_SQLITE_DOCUMENT_TIME}"
        f" FROM (SELECT forecast_id, count(*) AS n{', ' if pivot else ''}{pivot}"
        " FROM forecast_probability GROUP BY forecast_id) AS v"
        " CROSS JOIN forecast AS f ON f.id = v.forecast_id"
        " CROSS JOIN user_account AS u ON u.id = f.user_id"
        f" UNION ALL {head}{nulls}, {_SQLITE_DOCUMENT_TIME}"
        " FROM forecast AS f JOIN user_account AS u ON u.id = f.user_id"
        f" WHERE f.question_id IN (SELECT id FROM question WHERE type IN ({continuous}))"
        " ORDER BY question_id, created_at, name"
    )


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
    the document's order. The rows of one question come together: where all of them are
    plain (`_plain_run`) they are written from the question's template, column by column;
    any other row goes through a dict and orjson (`_other_rows`). `respell` gives the few
    numbers orjson spells otherwise Python's spelling, as for the rest of the document."""
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
    texts = _Texts()
    seen = 0
    try:
        cursor.execute(_export_sql(questions, connection.dialect))
        for rows in iter(lambda: cursor.fetchmany(EXPORT_BATCH), []):
            seen += len(rows)
            if leave_out:
                rows = [row for row in rows if row[0] not in leave_out]
            parts = []
            for qid, run in groupby(rows, key=itemgetter(1)):
                plan, same = plans[qid], list(run)
                text = _plain_run(plan, same, sqlite, texts)
                if text is None:
                    text = _other_rows(session, plan, same, sqlite, cdfs, refs, dict_row)
                parts.append(text)
            if parts:
                yield b",\n    ".join(parts)
    finally:
        cursor.close()
    if sqlite:
        _check_every_forecast_read(session, seen)


class _Texts:
    """User names and rationales as JSON text (None where orjson refuses one), each user's
    spelled once."""

    def __init__(self) -> None:
        self.users: dict[str, str | None] = {}

    def user(self, name: str) -> str | None:
        if name not in self.users:
            self.users[name] = _json_text(name)
        return self.users[name]

    @staticmethod
    def note(rationale: str) -> str | None:
        return '""' if not rationale else _json_text(rationale)


def _plain_run(plan: _Plan, rows: list[Sequence[Any]], sqlite: bool, texts: _Texts) -> bytes | None:
    """Rows of one question, all plain (every option given, not hidden, late, from a
    session or on an older revision), written from its template column by column: each
    probability column spelled by one orjson call (orjson's digits are `float.__repr__`'s).
    None when any row is not plain. The rows come in time order, so the last is the latest."""
    if plan.template is None:
        return None
    columns = list(zip(*rows, strict=True))
    k, size = len(plan.options), len(rows)
    if (
        any(columns[4])  # hidden
        or columns[6].count(None) != size  # from a session
        or columns[5].count(plan.revision) != size
        or columns[9].count(k) != size  # exactly k probability rows each
    ):
        return None
    if sqlite:
        times = columns[-1]
        if None in times or rows[-1][2] >= plan.end_text:
            return None
    else:
        times = tuple(map(format_time, columns[2]))
        if rows[-1][2] >= plan.end:
            return None
    vectors = columns[10 : 10 + k]
    users = list(map(texts.user, columns[8]))
    notes = list(map(texts.note, columns[3]))
    if None in users or None in notes or any(None in v for v in vectors):
        return None
    spelled = [orjson.dumps(v).decode()[1:-1].split(",") for v in vectors]
    text = ",\n    ".join(
        map(plan.template.__mod__, zip(users, times, *spelled, notes, strict=True))
    ).encode()
    # orjson and Python spell a probability alike from 1e-4 up: only smaller ones are redone
    return respell(text) if min(map(min, vectors)) < 1e-4 else text


def _other_rows(
    session: Session,
    plan: _Plan,
    rows: list[Sequence[Any]],
    sqlite: bool,
    cdfs: dict[int, list[float]],
    refs: dict[int, int],
    dict_row: Callable[[dict[str, Any]], bytes],
) -> bytes:
    """Rows through the dicts the document holds, encoded together (`_encoded`)."""
    document_rows = []
    for row in rows:
        at = row[2]
        if not sqlite:
            time, late = format_time(at), at >= plan.end
        elif row[-1] is not None:  # the stored form, its document time from SQLite
            time, late = row[-1], at >= plan.end_text
        else:
            time, late = _sqlite_time(at, plan.end, plan.end_text or "")
        document_rows.append(_dict_row(session, plan, row, time, late, cdfs, refs))
    return _encoded(document_rows, dict_row)


def _encoded(rows: list[dict[str, Any]], dict_row: Callable[[dict[str, Any]], bytes]) -> bytes:
    """Rows as they stand in the document's list (indented by 4): one orjson call for them
    all, Python's spelling for the few numbers orjson spells otherwise."""
    try:  # in a `forecasts` list of a document, orjson indents the rows as the document does
        text = orjson.dumps({"forecasts": rows}, option=orjson.OPT_INDENT_2)
    except (orjson.JSONEncodeError, TypeError):  # a lone surrogate, a huge integer
        return respell(b",\n    ".join(dict_row(row) for row in rows))
    return respell(text[len(_OPENING) : -len(_CLOSING)])


def _dict_row(
    session: Session,
    plan: _Plan,
    row: Sequence[Any],
    time: str,
    late: bool,
    cdfs: dict[int, list[float]],
    refs: dict[int, int],
) -> dict[str, Any]:
    """A row that is not plain as the dict the document holds."""
    fid, qid, _, rationale, hidden, revision, session_id, phase, user, n = row[:10]
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
    return document_row


def _check_every_forecast_read(session: Session, seen: int) -> None:
    """SQLite's query reads categorical forecasts through their probability rows: one that
    has none would be left out without a word. Refuse it, as the dict path refuses a
    forecast whose stored vector lost an option."""
    total = session.connection().exec_driver_sql("SELECT count(*) FROM forecast").scalar()
    if total != seen:
        raise ValueError(
            f"read {seen} rows for {total} forecasts: a forecast's stored probabilities"
            " do not match its question"
        )
