"""A team's own spreadsheet (CSV) → our interchange document.

Columns (header names as written, any order; only the first five are required):

| column | meaning |
|---|---|
| `question` | the question's title; rows with the same title (or `id`) are one question |
| `close` | close time (ISO date or time, UTC) |
| `user` | account name of the forecaster (blank on a row that only describes a question) |
| `time` | when the forecast was made |
| `probability` | binary: P(Yes) as 0.3 or 30%; multiple choice: `A=0.2; B=0.8` |
| `id` | optional stable id (default: derived from the title) |
| `type` | `binary` (default), `multiple_choice` or `ordered` |
| `options` | choice questions: `A; B; C` |
| `open` | open time (default: the question's earliest forecast; needed when it has none) |
| `resolution` | an option label, `Yes`/`No`, or `annulled` |
| `resolved` | when it resolved |
| `criteria`, `description`, `tags` (`a; b`), `rationale` | text |
"""

from typing import Any

from tracker.interchange.format import FORMAT, format_time
from tracker.interchange.importers.common import (
    Problems,
    check_rows,
    parse_probability,
    parse_time,
    read_csv,
    require_columns,
    stable_id,
    user_name,
)
from tracker.schemas import ANNULLED

SOURCE = "spreadsheet"
REQUIRED = ["question", "close", "user", "time", "probability"]


def convert(data: bytes, *, user_map: dict[str, str]) -> dict[str, Any]:
    header, rows = read_csv(data, SOURCE)
    require_columns(header, REQUIRED, SOURCE)
    problems = Problems(SOURCE)
    questions: dict[str, dict[str, Any]] = {}
    where_of: dict[str, str] = {}
    forecasts: list[tuple[str, dict[str, Any]]] = []
    for line, row in rows:
        where = f"line {line}"
        try:
            question = _question(row, questions, where_of, where)
            if row["user"] or row["probability"]:
                forecasts.append((where, _forecast(row, question, user_map)))
        except ValueError as exc:
            problems.add(where, str(exc))
    problems.raise_if_any()
    earliest: dict[str, str] = {}
    for _, forecast in forecasts:
        qid, at = forecast["question_id"], forecast["time"]
        earliest[qid] = min(at, earliest.get(qid, at))
    for qid, question in questions.items():
        if "open_time" not in question:
            if qid not in earliest:
                problems.add(where_of[qid], "a question without forecasts needs 'open'")
                continue
            question["open_time"] = earliest[qid]
    problems.raise_if_any()
    check_rows([(where_of[q], r) for q, r in questions.items()], forecasts, problems)
    problems.raise_if_any()
    return {
        "format": FORMAT,
        "questions": list(questions.values()),
        "forecasts": [row for _, row in forecasts],
    }


def _question(
    row: dict[str, str], questions: dict[str, dict], where_of: dict[str, str], where: str
) -> dict[str, Any]:
    title = row["question"]
    if not title:
        raise ValueError("'question' is empty")
    qid = row.get("id") or stable_id("sheet", title)
    if qid in questions:
        return questions[qid]
    kind = row.get("type") or "binary"
    options = [o.strip() for o in row.get("options", "").split(";") if o.strip()] or None
    if kind == "binary":
        options = options or ["Yes", "No"]
    elif not options:
        raise ValueError(f"a {kind} question needs 'options' (e.g. 'A; B; C')")
    question: dict[str, Any] = {
        "id": qid,
        "title": title,
        "type": kind,
        "options": options,
        "description": row.get("description", ""),
        "resolution_criteria": row.get("criteria", ""),
        "close_time": format_time(parse_time(row["close"])),
        "tags": [t.strip() for t in row.get("tags", "").split(";") if t.strip()],
    }
    if row.get("open"):
        question["open_time"] = format_time(parse_time(row["open"]))
    resolution = row.get("resolution", "")
    if resolution:
        question["resolution"] = _resolution(resolution, options)
        if row.get("resolved"):
            question["resolved_time"] = format_time(parse_time(row["resolved"]))
    questions[qid] = question
    where_of[qid] = where
    return question


def _resolution(value: str, options: list[str]) -> str:
    if value.lower() == ANNULLED:
        return ANNULLED
    matches = [o for o in options if o.lower() == value.lower()]
    if not matches:
        raise ValueError(f"resolution {value!r} is not one of {options[:10]} or 'annulled'")
    return matches[0]


def _forecast(row: dict[str, str], question: dict[str, Any], user_map: dict[str, str]):
    if not row["user"]:
        raise ValueError("a forecast row needs 'user'")
    if not row["time"]:
        raise ValueError("a forecast row needs 'time'")
    forecast: dict[str, Any] = {
        "question_id": question["id"],
        "user": user_name(row["user"], user_map),
        "time": format_time(parse_time(row["time"])),
        "rationale": row.get("rationale", ""),
    }
    text = row["probability"]
    if question["type"] == "binary" and "=" not in text:
        forecast["probability"] = parse_probability(text)
        return forecast
    probabilities: dict[str, float] = {}
    for part in text.split(";"):
        label, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"write probabilities as 'A=0.2; B=0.8' (got {text[:60]!r})")
        probabilities[label.strip()] = parse_probability(value)
    unknown = [label for label in probabilities if label not in question["options"]]
    if unknown:
        raise ValueError(f"unknown option(s) {unknown[:3]}; the options are {question['options']}")
    forecast["probabilities"] = probabilities
    return forecast
