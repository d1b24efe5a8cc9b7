"""Calendar days named in prose ("30 June 2027", "June 30, 2027", "2027-06-30") and the word
that frames the last one ("by", "before", "on", "between … and")."""

import re
from dataclasses import dataclass
from datetime import date

_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
MONTHS = {m: i + 1 for i, m in enumerate(_MONTH_NAMES)}
_MONTH = "|".join(MONTHS)
_DAY_MONTH_YEAR = rf"(?P<d1>\d{{1,2}})\s+(?P<m1>{_MONTH})\s+(?P<y1>\d{{4}})"
_MONTH_DAY_YEAR = rf"(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}}),?\s+(?P<y2>\d{{4}})"
_ISO = r"(?P<y3>\d{4})-(?P<m3>\d{2})-(?P<d3>\d{2})(?!T\d)"
_DATE = re.compile(rf"\b(?:{_DAY_MONTH_YEAR}|{_MONTH_DAY_YEAR}|{_ISO})\b", re.IGNORECASE)
_FRAME = re.compile(
    r"\b(before|by|on|until|till|through|thru|and|to|as of|at)\s*(?:the\s+end\s+of\s+)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class NamedDay:
    day: date
    text: str
    frame: str
    """The word before it, lower-cased ("by", "before", "on", "and" …) or "" if none."""


def named_days(text: str) -> list[NamedDay]:
    """Every valid calendar day the text names, in order."""
    found = []
    for match in _DATE.finditer(text):
        g = match.groupdict()
        year = g["y1"] or g["y2"] or g["y3"]
        month_text = g["m1"] or g["m2"] or g["m3"]
        day_text = g["d1"] or g["d2"] or g["d3"]
        month = int(month_text) if month_text.isdigit() else MONTHS[month_text.lower()]
        try:
            day = date(int(year), month, int(day_text))
        except ValueError:
            continue
        frame = _FRAME.search(text[max(0, match.start() - 24) : match.start()])
        found.append(NamedDay(day, match.group(), frame.group(1).lower() if frame else ""))
    return found


def end_day(title: str) -> NamedDay | None:
    """The day a title's window ends on: its last named day (None if it names none)."""
    days = named_days(title)
    return days[-1] if days else None
