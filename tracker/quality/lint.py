"""Offline lint rules for a question's wording: each a function from the question to findings.

They catch the mistakes that make forecasts unscorable or disputed: a window that misses the day
the title names, a criterion with no source or no number, options that overlap or leave a case
out, and a question the team already has. Deterministic, so the same wording always gets the
same findings; a model's ambiguity findings (`tracker.llm.lint`) come on top.
"""

import math
import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta

from tracker.llm.schema import QuestionBrief
from tracker.quality.dates import end_day, named_days
from tracker.quality.duplicates import near_duplicates
from tracker.quality.findings import LintFinding, sort_findings

Rule = Callable[[QuestionBrief], list[LintFinding]]

VAGUE_WORDS = (
    "significant", "significantly", "large-scale", "large scale", "major", "substantial",
    "substantially", "widespread", "massive", "serious", "considerable", "meaningful",
    "notable", "dramatic", "dramatically", "sharp", "sharply", "mass", "broad",
)  # fmt: skip
_VAGUE = re.compile(r"\b(" + "|".join(re.escape(w) for w in VAGUE_WORDS) + r")\b", re.I)
_DATE_OR_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2})?Z?)?|\b\d{1,2}:\d{2}\b|"
    r"\b\d{1,2}\s+(?:january|february|march|april|may|june|july|august|september|october|"
    r"november|december)\s+\d{4}\b|\b(?:19|20)\d{2}\b",
    re.I,
)
_QUANTITY = re.compile(r"\d")
_DEFINITION = re.compile(r"\b(means|is defined as|defined as|counts? as|i\.e\.)\b", re.I)
_SOURCE = re.compile(
    r"https?://|\b(reported by|according to|confirmed by|published by|announced by|"
    r"statement (?:by|from)|as reported|data (?:from|of)|source[sd]?\b|per the|"
    r"official (?:announcement|statement|data|figures|report))",
    re.I,
)
_ORGANISATION = re.compile(r"\b[A-Z]{2,}[a-z]?\b")  # IAEA, EIA, AP, OFAC, IDF …
_NOT_SOURCES = frozenset({"US", "USA", "UK", "UAE", "EU", "UTC", "GMT", "AM", "PM", "OR", "AND"})
_CATCH_ALL = re.compile(
    r"\b(none|neither|other|others|no (?:qualifying|such|further|agreement|single|clear)|"
    r"not (?:publicly|specified|concluded)|mixed|something else|any other)\b",
    re.I,
)
_POST_CLOSE = re.compile(
    r"after (?:the )?clos(?:e|ing)|\blater (?:report|confirm|revis|announc)\w*|"
    r"\bsubsequent(?:ly)?\b|\bretroactive\w*|date of the \w+,? not (?:of )?the "
    r"(?:announcement|report|confirmation)|even if (?:it is |they are )?(?:reported|announced|"
    r"confirmed|published) (?:later|after)|\bonce (?:it is |they are )?(?:reported|confirmed)",
    re.I,
)
_BOUND = re.compile(
    r"\b(?:up to|within|no later than|at most|by|until)\s+(?:\d+|one|two|three|seven|ten|"
    r"fourteen|thirty|sixty|ninety)\s+(?:calendar\s+)?(?:days?|weeks?|months?)\b|"
    r"\b\d+\s+(?:calendar\s+)?(?:days?|weeks?|months?) after (?:the )?clos|"
    r"\blater (?:revisions|reports|corrections) (?:are|is) ignored\b",
    re.I,
)
_RANGE = re.compile(
    r"^\s*(?P<op>[<>≤≥]=?|at least|at most|under|over|more than|fewer than|less than)?\s*"
    r"(?P<a>-?\d+(?:\.\d+)?)\s*(?:[-–—]|to)?\s*(?P<b>-?\d+(?:\.\d+)?)?\s*"
    r"(?P<plus>\+|or more|or fewer|or less)?",
    re.I,
)
_BOUND_RULE = re.compile(r"\b(includ|exclud|inclusive|exclusive|lower bound|upper bound)", re.I)


def _finding(code: str, severity: str, field: str, message: str) -> LintFinding:
    return LintFinding(code=code, severity=severity, field=field, message=message)  # type: ignore[arg-type]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def window_rules(q: QuestionBrief) -> list[LintFinding]:
    """The title's last named day against close_time: "by/on/until DAY" ends at the end of DAY
    (close_time = next day 00:00Z, the team's convention); "before DAY" ends at its start."""
    named = end_day(q.title)
    if named is None:
        return []
    before = named.frame == "before"
    expected = _midnight(named.day if before else named.day + timedelta(days=1))
    close = q.close_time.astimezone(UTC)
    if close == expected:
        return []
    if not before and close == _midnight(named.day):
        return [
            _finding(
                "window-excludes-named-day",
                "error",
                "close_time",
                f"The title says “{named.text}” but the question closes at "
                f"{close:%Y-%m-%d %H:%MZ}, the start of that day, so events on {named.text} "
                f"fall outside the window. Close at {expected:%Y-%m-%dT%H:%MZ} (end of "
                f"{named.text}) or say “before {named.text}”.",
            )
        ]
    return [
        _finding(
            "title-date-mismatch",
            "error",
            "close_time",
            f"The title's window ends {'before' if before else 'on'} “{named.text}” but "
            f"close_time is {close:%Y-%m-%d %H:%MZ}; expected {expected:%Y-%m-%dT%H:%MZ}.",
        )
    ]


def criteria_dates_rule(q: QuestionBrief) -> list[LintFinding]:
    """A criterion whose own window ends at a different instant than close_time."""
    close = q.close_time.astimezone(UTC)
    stamps = re.findall(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z", q.resolution_criteria)
    ends = [datetime.strptime(s, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC) for s in stamps]
    latest = max(ends, default=None)
    if latest is None or latest == close or latest > close + timedelta(days=1):
        return []
    return [
        _finding(
            "criteria-window-mismatch",
            "warning",
            "resolution_criteria",
            f"The criteria's window ends at {latest:%Y-%m-%dT%H:%MZ} but close_time is "
            f"{close:%Y-%m-%dT%H:%MZ}; make them the same instant.",
        )
    ]


def source_rule(q: QuestionBrief) -> list[LintFinding]:
    criteria = q.resolution_criteria.strip()
    if not criteria:
        return [
            _finding(
                "no-resolution-criteria",
                "error",
                "resolution_criteria",
                "There are no resolution criteria: say what counts, by which source, by when.",
            )
        ]
    named = {m.group() for m in _ORGANISATION.finditer(criteria)} - _NOT_SOURCES
    if _SOURCE.search(criteria) or named:
        return []
    return [
        _finding(
            "no-resolution-source",
            "warning",
            "resolution_criteria",
            "The criteria name no resolution source (an outlet, an official body, a data "
            "series or a URL): say who has to report or confirm it.",
        )
    ]


def vague_rule(q: QuestionBrief) -> list[LintFinding]:
    """A vague size word passes if the criteria give a quantity (a number that is not a date)
    or define a term ("… means …")."""
    criteria = q.resolution_criteria
    defined = bool(_QUANTITY.search(_DATE_OR_TIME.sub(" ", criteria))) or bool(
        _DEFINITION.search(criteria)
    )
    if defined:
        return []
    findings = []
    for field in ("title", "resolution_criteria"):
        words = sorted({m.group(1).lower() for m in _VAGUE.finditer(getattr(q, field))})
        if words:
            shown = ", ".join(f"“{w}”" for w in words)
            findings.append(
                _finding(
                    "vague-threshold",
                    "warning",
                    field,
                    f"{shown} has no number or definition in the criteria: say how much or "
                    "how many counts (e.g. “at least 10 of 31 provinces”).",
                )
            )
    return findings


def _bins(options: Sequence[str]) -> list[tuple[float, float]] | None:
    """Numeric bins [low, high) of an ordered question's options, or None if not numeric."""
    bins = []
    for option in options:
        m = _RANGE.match(option.replace(",", ""))
        if not m or m.group("a") is None:
            return None
        op, plus = (m.group("op") or "").lower(), (m.group("plus") or "").lower()
        a, b = float(m.group("a")), m.group("b")
        if op in ("<", "<=", "≤", "under", "less than", "fewer than", "at most") or plus in (
            "or fewer",
            "or less",
        ):
            bins.append((float("-inf"), a))
        elif op in (">", ">=", "≥", "over", "more than", "at least") or plus:
            bins.append((a, float("inf")))
        else:
            bins.append((a, float(b) if b is not None else a))
    return bins


def options_rule(q: QuestionBrief) -> list[LintFinding]:
    if q.type == "binary":
        return []
    findings = []
    norm = [" ".join(o.casefold().split()) for o in q.options]
    if len(set(norm)) != len(norm):
        findings.append(
            _finding("options-not-exclusive", "error", "options", "Two options are the same.")
        )
    bins = _bins(q.options) if q.type == "ordered" else None
    if bins is not None:
        integer = all(math.isinf(x) or x == int(x) for pair in bins for x in pair)
        for (_, hi1), (lo2, hi2), o1, o2 in zip(
            bins, bins[1:], q.options, q.options[1:], strict=False
        ):
            touching = hi1 == lo2
            gap = lo2 - hi1
            if touching and lo2 != hi2 and not _BOUND_RULE.search(q.resolution_criteria):
                findings.append(
                    _finding(
                        "options-not-exclusive",
                        "warning",
                        "options",
                        f"“{o1}” and “{o2}” share the boundary {hi1:g}: say in the criteria "
                        "which option a value of exactly that size falls in.",
                    )
                )
            elif gap < 0:
                findings.append(
                    _finding(
                        "options-not-exclusive",
                        "error",
                        "options",
                        f"“{o1}” and “{o2}” overlap.",
                    )
                )
            elif gap > (1 if integer else 0):
                findings.append(
                    _finding(
                        "options-not-exhaustive",
                        "error",
                        "options",
                        f"Nothing covers values between “{o1}” and “{o2}”.",
                    )
                )
        open_low = bins[0][0] == float("-inf") or bins[0][0] == 0
        if not open_low or bins[-1][1] != float("inf"):
            findings.append(
                _finding(
                    "options-not-exhaustive",
                    "warning",
                    "options",
                    "The lowest and highest options should be open-ended (“< 50”, “≥ 110”) so "
                    "every value has an option.",
                )
            )
        return findings
    if q.type == "multiple_choice" and not any(_CATCH_ALL.search(o) for o in q.options):
        findings.append(
            _finding(
                "options-not-exhaustive",
                "warning",
                "options",
                "No option covers “none of these” (or “no qualifying event”): if none of the "
                "listed outcomes happens, the question cannot resolve.",
            )
        )
    return findings


def post_close_rule(q: QuestionBrief) -> list[LintFinding]:
    """Criteria that wait for reports after the close must say for how long."""
    criteria = q.resolution_criteria
    if not _POST_CLOSE.search(criteria) or _BOUND.search(criteria):
        return []
    close = q.close_time.astimezone(UTC).date()
    if any(d.day > close for d in named_days(criteria)):
        return []
    if any(
        datetime.strptime(s, "%Y-%m-%d").date() > close
        for s in re.findall(r"\d{4}-\d{2}-\d{2}", criteria)
    ):
        return []
    return [
        _finding(
            "post-close-info-unbounded",
            "warning",
            "resolution_criteria",
            "The criteria depend on information that may come after the close but do not say "
            "until when it counts (e.g. “reports published up to 30 days after the close”).",
        )
    ]


RULES: tuple[Rule, ...] = (
    window_rules,
    criteria_dates_rule,
    source_rule,
    vague_rule,
    options_rule,
    post_close_rule,
)


def lint_rules(q: QuestionBrief, others: Sequence[QuestionBrief] = ()) -> list[LintFinding]:
    """Every offline finding for `q`; `others` are the open questions it may duplicate."""
    findings = [f for rule in RULES for f in rule(q)]
    for other, similarity in near_duplicates(q, others):
        findings.append(
            _finding(
                "near-duplicate",
                "warning",
                "title",
                f"Nearly duplicates the open question “{other.title}” ({other.id}; wording "
                f"similarity {similarity:.0%}): forecast that one, or say how this one differs.",
            )
        )
    return sort_findings(findings)
