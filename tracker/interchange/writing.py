"""Export: the database as one interchange document (JSON), or its forecasts as CSV.

Export is canonical (sorted rows, fixed key order, fixed formatting) so that
export → import into an empty database → export reproduces the file byte for byte. The
whole-database sections come from `tracker.interchange.backup`."""

import json
from collections.abc import Callable
from itertools import chain, groupby
from operator import itemgetter
from typing import Any

import orjson
from sqlmodel import Session, col, select

from tracker.db import Database
from tracker.gc_pause import collector_paused
from tracker.interchange import backup
from tracker.interchange.forecast_rows import FORECAST_COLUMNS, forecast_chunks
from tracker.interchange.format import FORMAT, format_time
from tracker.interchange.jsonwrite import dumps_indented
from tracker.interchange.spreadsheet import csv_text
from tracker.models import CONTINUOUS_TYPES as CONTINUOUS
from tracker.models import Forecast, ForecastCdf, Question, User
from tracker.quantities import iso_date
from tracker.schemas import ANNULLED


def export_document(
    db: Database, *, credentials: bool = False, leave_out: set[int] | None = None
) -> dict[str, Any]:
    """The whole database as one interchange document: questions, forecasts (hidden ones too)
    and the backup sections; password hashes only when `credentials` is set. `leave_out`:
    forecast ids the reader may not see (`session_views.hidden_forecast_ids`)."""
    with db.read() as session:
        questions = session.exec(select(Question).order_by(Question.id)).all()
        rows = [
            (row, row.name)  # columns, not ORM objects: a backup can hold millions
            for row in session.exec(
                select(*FORECAST_COLUMNS, User.name)
                .join(User, col(Forecast.user_id) == User.id)
                .order_by(Forecast.question_id, Forecast.created_at, User.name)
            )
        ]
        if leave_out:
            rows = [(f, name) for f, name in rows if f.id not in leave_out]
        vectors = forecast_vectors(session)
        cdfs = forecast_cdfs(session)
        extras = backup.export_extras(
            session, questions, [f for f, _ in rows], credentials=credentials
        )
    options = {q.id: q.options for q in questions}
    forecasts = [
        forecast_json(f, name, options[f.question_id], vectors.get(f.id or 0, []), cdfs)
        | extras.forecast_fields.get(f.id or 0, {})
        for f, name in rows
    ]
    return _document(list(questions), extras, forecasts)


def write_json(
    db: Database,
    write: Callable[[bytes], Any],
    *,
    credentials: bool = False,
    leave_out: set[int] | None = None,
) -> None:
    """`export_json`'s bytes, handed to `write` a chunk at a time. The forecasts are read and
    encoded a batch at a time (`forecast_rows`; a server-side cursor on PostgreSQL), so
    neither the rows nor the document are ever whole in memory; the rest of the document
    (questions, backup sections) is small and encoded at once around them."""
    with db.read() as session, collector_paused():  # millions of rows, no cycles
        questions = session.exec(select(Question).order_by(Question.id)).all()
        extras = backup.export_extras(session, questions, (), credentials=credentials)
        document = _document(questions, extras, [])
        text = dumps(document).encode()
        # the forecasts go between `"forecasts": [` and its `]`: a line with a two-space
        # indent is a top-level key (a string never holds a raw newline), so this is unique
        marker = b'\n  "forecasts": []'
        cut = text.index(marker) + len(marker) - 1
        cdfs = forecast_cdfs(session)
        written = False
        for chunk in forecast_chunks(session, questions, extras.refs, cdfs, leave_out, _row_bytes):
            write((text[:cut] if not written else b",") + b"\n    " + chunk)
            written = True
    write(b"\n  " + text[cut:] if written else text)


def _row_bytes(row: dict[str, Any]) -> bytes:
    """One forecast row as it stands in the document's `forecasts` list (indented 4 more)."""
    try:
        encoded = orjson.dumps(row, option=orjson.OPT_INDENT_2)
    except (orjson.JSONEncodeError, TypeError):  # as `dumps_indented`: `json` writes those
        encoded = json.dumps(row, indent=2, ensure_ascii=False).encode()
    return encoded.replace(b"\n", b"\n    ")


def _document(
    questions: list[Question], extras: backup.Extras, forecasts: list[dict[str, Any]]
) -> dict[str, Any]:
    question_rows = []
    for q in questions:
        row = question_json(q)
        if q.id in extras.revisions:
            row["revisions"] = extras.revisions[q.id]
        question_rows.append(row)
    return {"format": FORMAT, "questions": question_rows, "forecasts": forecasts, **extras.sections}


def forecast_vectors(session: Session) -> dict[int, list[float]]:
    """Every forecast's probabilities in option order, by forecast id. Read with the driver's
    own cursor a block at a time: millions of two-number rows, no conversions needed, and
    SQLAlchemy's per-row result handling cost more than the query."""
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(
            "SELECT forecast_id, probability FROM forecast_probability"
            " ORDER BY forecast_id, option_index"
        )
        rows = chain.from_iterable(iter(lambda: cursor.fetchmany(50_000), []))
        return {fid: [p for _, p in group] for fid, group in groupby(rows, key=itemgetter(0))}
    finally:
        cursor.close()


def forecast_cdfs(session: Session) -> dict[int, list[float]]:
    """Every numeric or date forecast's CDF, by forecast id."""
    query = select(ForecastCdf.forecast_id, ForecastCdf.cdf)
    return {forecast_id: list(cdf) for forecast_id, cdf in session.connection().execute(query)}


def _range_json(q: Question) -> dict[str, Any]:
    """A numeric or date question's range keys (DESIGN §3); dates as ISO dates."""
    lower, upper = float(q.range_lower or 0.0), float(q.range_upper or 0.0)
    bounds: list[Any] = [iso_date(lower), iso_date(upper)] if q.type == "date" else [lower, upper]
    return {
        "range": bounds,
        "open_lower": q.open_lower,
        "open_upper": q.open_upper,
        "scale": q.scale,
        "unit": q.unit,
    }


def _resolution_json(q: Question) -> Any:
    if q.status == "annulled":
        return ANNULLED
    if q.type == "numeric" and q.resolution not in (None, "below", "above"):
        return float(q.resolution or 0.0)
    return q.resolution


def question_json(q: Question) -> dict[str, Any]:
    """A question's row as the document has it (the import compares rows in this form too)."""
    row: dict[str, Any] = {
        "id": q.id,
        "title": q.title,
        "type": q.type,
        "options": q.options,
        "description": q.description,
        "resolution_criteria": q.resolution_criteria,
        "open_time": format_time(q.open_time),
        "close_time": format_time(q.close_time),
        "resolution": _resolution_json(q),
        "resolved_time": format_time(q.resolved_time) if q.resolved_time else None,
        "tags": q.tags,
    }
    if q.type in CONTINUOUS:
        row |= _range_json(q)
    if q.sources:
        row["sources"] = q.sources
    if q.resolution_note:
        row["resolution_note"] = q.resolution_note
    if q.resolution_source:
        row["resolution_source"] = q.resolution_source
    if not q.hide_until_forecast:
        row["hide_until_forecast"] = False
    return row


def forecast_json(
    f: Any,
    user: str,
    options: list[str],
    vector: list[float],
    cdfs: dict[int, list[float]] | None = None,
) -> dict:
    """A forecast's row: its option probabilities, or (a numeric or date question) its CDF."""
    row: dict[str, Any] = {
        "question_id": f.question_id,
        "user": user,
        "time": format_time(f.created_at),
    }
    if not options and cdfs and f.id in cdfs:
        row["cdf"] = cdfs[f.id]
    else:
        row["probabilities"] = dict(zip(options, vector, strict=True))
    row["rationale"] = f.rationale
    if f.hidden:
        row["hidden"] = True
    return row


def dumps(document: dict[str, Any]) -> str:
    return dumps_indented(document) + "\n"


def export_json(
    db: Database, *, credentials: bool = False, leave_out: set[int] | None = None
) -> str:
    chunks: list[bytes] = []
    write_json(db, chunks.append, credentials=credentials, leave_out=leave_out)
    return b"".join(chunks).decode("utf-8")


def export_forecasts_csv(db: Database, *, leave_out: set[int] | None = None) -> str:
    """One row per forecast and option, for spreadsheet users (free text formula-safe);
    numeric and date forecasts (a CDF, no options) are in the JSON export only."""
    document = export_document(db, leave_out=leave_out)
    titles = {q["id"]: q["title"] for q in document["questions"]}
    header = ["question_id", "question_title", "user", "time", "option", "probability", "rationale"]
    return csv_text(
        header,
        (
            [f["question_id"], titles[f["question_id"]], f["user"], f["time"], option, float(p),
             f["rationale"]]
            for f in document["forecasts"]
            for option, p in f.get("probabilities", {}).items()
        ),
    )  # fmt: skip
