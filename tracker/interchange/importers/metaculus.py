"""A Metaculus API question list with the user's own forecasts → our interchange document.

Accepted: the `/api/posts/` answer (`{"results": [post, ...]}`), a list of posts, or a list of
questions; a post's question group becomes one question per sub-question. Forecasts come from
`my_forecasts` (`latest`, and any `history` entry that carries values); binary values are
`[P(no), P(yes)]` and multiple choice one value per option, in the question's option order.
Numeric and date questions keep their `scaling` (range, open bounds; a log scale when the
zero point is 0) and their forecasts' 201-point CDF, which is Metaculus's own representation;
a date range and resolution are Unix times there and ISO dates here.
Metaculus names no user in the file, so the importer is told whose forecasts these are.
Discrete questions (and log scales with another zero point) cannot be stored: they are named
in the error, or left out with `skip_unsupported`."""

from typing import Any

from tracker.interchange.format import FORMAT, format_time, short
from tracker.interchange.importers.common import Problems, check_rows, parse_time, stable_id
from tracker.quantities import iso_date
from tracker.schemas import ANNULLED

SOURCE = "Metaculus"
SUPPORTED = ("binary", "multiple_choice", "numeric", "date")
CONTINUOUS = ("numeric", "date")
_ANNULLED = {"annulled", "ambiguous"}
_OUT_OF_RANGE = {"below_lower_bound": "below", "above_upper_bound": "above"}


def convert(data: Any, *, user: str, skip_unsupported: bool = False) -> tuple[dict, list[str]]:
    """The document and the questions left out (named), for a loaded JSON value."""
    problems = Problems(SOURCE)
    skipped: list[str] = []
    questions, forecasts = [], []
    for where, post, question in _questions(data, problems):
        kind = str(question.get("type", ""))
        label = f"{where} (Metaculus question {short(question.get('id'))}, {short(kind)})"
        if kind not in SUPPORTED:
            if skip_unsupported:
                skipped.append(label)
            else:
                problems.add(label, f"{kind or 'untyped'} questions cannot be imported yet")
            continue
        try:
            record = _question(post, question, kind)
            rows = _forecasts(question, record, user)
        except (ValueError, TypeError, KeyError) as exc:
            problems.add(label, str(exc) if not isinstance(exc, KeyError) else f"no {exc}")
            continue
        questions.append((label, record))
        forecasts.extend((label, row) for row in rows)
    problems.raise_if_any()
    check_rows(questions, forecasts, problems)
    problems.raise_if_any()
    document = {
        "format": FORMAT,
        "questions": [row for _, row in questions],
        "forecasts": [row for _, row in forecasts],
    }
    return document, skipped


def _questions(data: Any, problems: Problems):
    """(where, post, question) for every question in the file."""
    entries = data.get("results") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        problems.add("file", "expected a list of posts or questions, or {'results': [...]}")
        problems.raise_if_any()
    for index, entry in enumerate(entries):
        where = f"results[{index}]"
        if not isinstance(entry, dict):
            problems.add(where, "not an object")
            continue
        if isinstance(entry.get("question"), dict):
            yield where, entry, entry["question"]
        elif isinstance(entry.get("group_of_questions"), dict):
            subs = entry["group_of_questions"].get("questions") or []
            for sub_index, sub in enumerate(subs):
                if isinstance(sub, dict):
                    yield f"{where}.questions[{sub_index}]", entry, sub
        elif "type" in entry:
            yield where, {}, entry
        else:
            problems.add(where, "neither a post with a question nor a question")


def _question(post: dict, question: dict, kind: str) -> dict[str, Any]:
    title = str(post.get("title") or question.get("title") or "").strip()
    if question.get("label") and post.get("group_of_questions"):
        title = f"{title}: {question['label']}"
    if not title:
        raise ValueError("the question has no title")
    if kind in CONTINUOUS:
        options: list[str] = []
    elif kind == "binary":
        options = ["Yes", "No"]
    else:
        options = [str(o) for o in question.get("options") or []]
    opened = parse_time(question.get("open_time") or post.get("published_at"))
    closed = parse_time(question.get("scheduled_close_time") or question["actual_close_time"])
    criteria = str(question.get("resolution_criteria") or "")
    if question.get("fine_print"):
        criteria = f"{criteria}\n\nFine print: {question['fine_print']}".strip()
    resolution, resolved_at = _resolution(question, options, kind)
    qid = question.get("id", post.get("id"))
    record: dict[str, Any] = {
        "id": stable_id("metaculus", title, str(qid)),
        "title": title,
        "type": kind,
        "options": options,
        "description": str(question.get("description") or post.get("description") or ""),
        "resolution_criteria": criteria,
        "open_time": format_time(opened),
        "close_time": format_time(closed),
        "resolution": resolution,
        "resolved_time": format_time(resolved_at) if resolved_at else None,
        "tags": ["metaculus"],
    }
    if kind in CONTINUOUS:
        record |= _range(question, kind)
    if post.get("id") is not None:
        url = f"https://www.metaculus.com/questions/{post['id']}/"
        record["sources"] = [{"title": title, "outlet": "Metaculus", "url": url}]
    return record


def _range(question: dict, kind: str) -> dict[str, Any]:
    """Metaculus's `scaling` as our range keys (dates: Unix seconds → ISO dates)."""
    scaling = question.get("scaling") or {}
    low, high = float(scaling["range_min"]), float(scaling["range_max"])
    zero = scaling.get("zero_point")
    if zero not in (None, 0, 0.0):
        raise ValueError(f"a log scale with zero point {short(zero)} cannot be stored")
    bounds: list[Any] = [low, high]
    if kind == "date":
        bounds = [iso_date(low / 86_400), iso_date(high / 86_400)]

    def is_open(name: str) -> bool:
        return bool(scaling.get(name, question.get(name, False)))

    return {
        "range": bounds,
        "open_lower": is_open("open_lower_bound"),
        "open_upper": is_open("open_upper_bound"),
        "scale": "log" if zero is not None else "linear",
        "unit": str(question.get("unit") or "")[:40],
    }


def _continuous_resolution(text: str, kind: str) -> str | float:
    if text in _OUT_OF_RANGE:
        return _OUT_OF_RANGE[text]
    if kind == "date":
        return iso_date(parse_time(text).timestamp() / 86_400)
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"resolution {short(text)!r} is not a number") from None


def _resolution(question: dict, options: list[str], kind: str):
    raw = question.get("resolution")
    if raw in (None, ""):
        return None, None
    text = str(raw)
    resolution: str | float
    if text.lower() in _ANNULLED:
        resolution = ANNULLED
    elif kind in CONTINUOUS:
        resolution = _continuous_resolution(text, kind)
    elif kind == "binary" and text.lower() in ("yes", "no"):
        resolution = text.capitalize()
    elif text in options:
        resolution = text
    else:
        raise ValueError(f"resolution {short(text)!r} is not one of {short(options, 120)}")
    at = question.get("actual_resolve_time") or question.get("resolution_set_time")
    return resolution, parse_time(at) if at else None


def _forecasts(question: dict, record: dict, user: str) -> list[dict[str, Any]]:
    mine = question.get("my_forecasts") or {}
    entries = [e for e in (mine.get("history") or []) if isinstance(e, dict)]
    if isinstance(mine.get("latest"), dict):
        entries.append(mine["latest"])
    rows: dict[str, dict[str, Any]] = {}
    for entry in entries:
        vector = _values(entry, record)
        if vector is None:
            continue
        at = format_time(parse_time(entry["start_time"]))
        rows[at] = {"question_id": record["id"], "user": user, "time": at, **vector}
    return [rows[at] for at in sorted(rows)]


def _values(entry: dict, record: dict) -> dict[str, Any] | None:
    if record["type"] in CONTINUOUS:
        values = entry.get("forecast_values") or entry.get("continuous_cdf")
        if values is None:
            return None
        if not isinstance(values, list):
            raise ValueError("a numeric forecast's forecast_values must be its CDF (a list)")
        return {"cdf": [float(v) for v in values]}  # the import checks it against the range
    if record["type"] == "binary":
        if entry.get("probability_yes") is not None:
            return {"probability": float(entry["probability_yes"])}
        values = entry.get("forecast_values")
        if values is None:
            return None
        if not isinstance(values, list) or len(values) != 2:
            raise ValueError("a binary forecast's forecast_values must be [P(no), P(yes)]")
        return {"probability": float(values[1])}
    options = record["options"]
    per_category = entry.get("probability_yes_per_category")
    if isinstance(per_category, dict):
        return {"probabilities": {str(k): float(v) for k, v in per_category.items()}}
    values = entry.get("forecast_values")
    if values is None:
        return None
    if not isinstance(values, list) or len(values) != len(options):
        raise ValueError(f"a forecast gives {short(values)} for {len(options)} options")
    return {"probabilities": dict(zip(options, map(float, values), strict=True))}
