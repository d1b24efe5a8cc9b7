"""Fatebook's CSV export (one row per forecast, and per option for multiple choice) → our
interchange document.

Fatebook names no question id, so a question is its (title, creator, created at) and gets a
stable id from them. Fatebook questions stay open until resolved, so our close time is the
later of "resolve by" and the last forecast. Times without a zone are UTC, as Fatebook writes
them; "AMBIGUOUS" resolves as annulled. A multiple-choice forecast whose options sum to 1
within one percentage point (Fatebook stores rounded percentages) is rescaled; further off is
refused."""

import math
from collections import defaultdict
from datetime import datetime, timedelta
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

SOURCE = "Fatebook"
TITLE = "Question title"
OPTION = "Multiple choice option"
BY = "Forecast created by"
FORECAST = "Forecast (scale = 0-1)"
AT = "Forecast created at"
CREATOR = "Question created by"
CREATED = "Question created at"
RESOLVE_BY = "Question resolve by"
REQUIRED = [TITLE, BY, FORECAST, AT, CREATED, RESOLVE_BY]
_RESOLUTION = ("Resolution", "Question resolution")
_RESOLVED_AT = ("Resolved at", "Question resolved at")
_NOTES = "Question notes"


def convert(data: bytes, *, user_map: dict[str, str]) -> dict[str, Any]:
    header, rows = read_csv(data, SOURCE)
    require_columns(header, REQUIRED, SOURCE)
    problems = Problems(SOURCE)
    questions: dict[tuple[str, str, str], _Question] = {}
    for line, row in rows:
        where = f"line {line}"
        try:
            key = (row[TITLE], row.get(CREATOR, ""), row[CREATED])
            question = questions.get(key)
            if question is None:
                question = questions[key] = _Question(row, where)
            question.add(row, where, user_map)
        except ValueError as exc:
            problems.add(where, str(exc))
    problems.raise_if_any()
    mapped_questions, mapped_forecasts = [], []
    for question in questions.values():
        try:
            record, forecasts = question.records()
        except ValueError as exc:
            problems.add(question.where, str(exc))
            continue
        mapped_questions.append((question.where, record))
        mapped_forecasts.extend(forecasts)
    check_rows(mapped_questions, mapped_forecasts, problems)
    problems.raise_if_any()
    return {
        "format": FORMAT,
        "questions": [row for _, row in mapped_questions],
        "forecasts": [row for _, row in mapped_forecasts],
    }


class _Question:
    """One Fatebook question gathered from its rows."""

    def __init__(self, row: dict[str, str], where: str) -> None:
        if not row[TITLE]:
            raise ValueError(f"'{TITLE}' is empty")
        self.where = where
        self.title = row[TITLE]
        self.created = parse_time(row[CREATED])
        self.resolve_by = parse_time(row[RESOLVE_BY])
        self.notes = row.get(_NOTES, "")
        self.id = stable_id("fatebook", self.title, row.get(CREATOR, ""), row[CREATED])
        self.options: list[str] = []
        # (user, time) → {option: p}; times are kept to the second, as Fatebook writes them
        self.forecasts: dict[tuple[str, datetime], dict[str, float]] = defaultdict(dict)
        self.lines: dict[tuple[str, datetime], str] = {}
        self.outcomes: dict[str, str] = {}
        self.resolved_at: datetime | None = None

    def add(self, row: dict[str, str], where: str, user_map: dict[str, str]) -> None:
        option = row.get(OPTION, "")
        if option and option not in self.options:
            self.options.append(option)
        if self.options and not option:
            raise ValueError("a multiple-choice question's row has no option")
        user = user_name(row[BY], user_map) if row[BY] else ""
        if not user:
            raise ValueError(f"'{BY}' is empty")
        at = parse_time(row[AT])
        probability = parse_probability(row[FORECAST])
        vector = self.forecasts[(user, at)]
        label = option or "Yes"
        if label in vector:
            raise ValueError(f"a second forecast by {user} at {format_time(at)} for {label!r}")
        vector[label] = probability
        self.lines.setdefault((user, at), where)
        outcome = _first(row, _RESOLUTION).upper()
        if outcome:
            self.outcomes[label] = outcome
        resolved = _first(row, _RESOLVED_AT)
        if resolved:
            self.resolved_at = parse_time(resolved)

    def resolution(self) -> str | None:
        if not self.outcomes:
            return None
        if not self.options:
            outcome = self.outcomes.get("Yes", "")
            if outcome not in ("YES", "NO", "AMBIGUOUS"):
                raise ValueError(f"resolution {outcome!r} is not YES, NO or AMBIGUOUS")
            return {"YES": "Yes", "NO": "No", "AMBIGUOUS": ANNULLED}[outcome]
        winners = [o for o, outcome in self.outcomes.items() if outcome == "YES"]
        if len(winners) > 1:
            raise ValueError(f"more than one option resolved YES: {winners[:3]}")
        if winners:
            return winners[0]
        if all(outcome == "AMBIGUOUS" for outcome in self.outcomes.values()):
            return ANNULLED
        return None

    def records(self) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
        options = self.options or ["Yes", "No"]
        last = max((at for _, at in self.forecasts), default=self.created)
        close = max(self.resolve_by, last + timedelta(seconds=1))
        resolution = self.resolution()
        opened = min(self.created, min((at for _, at in self.forecasts), default=self.created))
        question = {
            "id": self.id,
            "title": self.title,
            "type": "multiple_choice" if self.options else "binary",
            "options": options,
            "description": self.notes,
            "open_time": format_time(opened),
            "close_time": format_time(close),
            "resolution": resolution,
            "resolved_time": format_time(self.resolved_at)
            if resolution and self.resolved_at
            else None,
            "tags": ["fatebook"],
        }
        forecasts = []
        for (user, at), vector in sorted(self.forecasts.items(), key=lambda kv: kv[0][1]):
            row: dict[str, Any] = {"question_id": self.id, "user": user, "time": format_time(at)}
            if self.options:
                missing = [o for o in self.options if o not in vector]
                if missing:
                    raise ValueError(
                        f"the forecast by {user} at {format_time(at)} ({self.lines[(user, at)]}) "
                        f"gives no probability for {missing[:3]}"
                    )
                total = math.fsum(vector.values())
                if abs(total - 1) > 0.011:
                    raise ValueError(
                        f"the forecast by {user} at {format_time(at)} ({self.lines[(user, at)]}) "
                        f"sums to {total:.3f}, not 1"
                    )
                scale = total if abs(total - 1) > 1e-9 else 1.0  # exact sums stay as written
                row["probabilities"] = {o: vector[o] / scale for o in self.options}
            else:
                row["probability"] = vector["Yes"]
            forecasts.append((self.lines[(user, at)], row))
        return question, forecasts


def _first(row: dict[str, str], names: tuple[str, ...]) -> str:
    return next((row[name] for name in names if row.get(name)), "")
