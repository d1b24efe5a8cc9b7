"""Safe text and number rendering shared by the pages.

Everything a user, an article or a model wrote goes through `esc` (or `st.text`/dataframes,
which never interpret markup): Streamlit markdown would otherwise turn `[x](url)`, `![](…)`,
`:red[…]` or `$…$` in a rationale into links, images, colours or formulas.
"""

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import streamlit as st

from tracker.errors import TrackerError

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^\"'&%@/])")


def esc(text: object) -> str:
    """Markdown-escape untrusted text so it shows exactly as written, on one or more lines."""
    escaped = _MD_SPECIAL.sub(r"\\\1", str(text))
    return escaped.replace("\r\n", "\n").replace("\n", "  \n")


_LABEL_SPECIAL = re.compile(r"([\\`*_\[\]$:~])")


def widget_label(text: object) -> str:
    """A widget label from untrusted text. Labels render markdown, and screen readers read the
    label as written, so escape only what could form markup (links, emphasis, code, maths,
    colour directives), not every punctuation mark the way `esc` does."""
    return _LABEL_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def write_text(text: str, *, muted: bool = False) -> None:
    """A paragraph of untrusted text (keeps line breaks, shows markup characters literally)."""
    if not text.strip():
        return
    st.markdown(f":gray[{esc(text)}]" if muted else esc(text))


def safe_url(url: str | None) -> str | None:
    """Only http(s) links are ever rendered as links."""
    return url if url and url.startswith(("http://", "https://")) else None


def show_error(error: object, *, prefix: str = "") -> None:
    """An error message as plain text (messages may quote what a user typed)."""
    st.error(prefix + esc(str(error)), icon="⚠️")


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Show a user mistake (or a refusal) as one readable message instead of a traceback."""
    try:
        yield
    except TrackerError as exc:
        show_error(exc)


FLASH_KEY = "_tracker_flash"


def flash(message: str) -> None:
    """A confirmation to show after the next rerun (st.rerun drops this run's output)."""
    st.session_state[FLASH_KEY] = message


def show_flash() -> None:
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.toast(message, icon="✅")


def pct(p: float | None, digits: int = 0) -> str:
    return "—" if p is None else f"{100 * p:.{digits}f}%"


def vector_text(vector: Mapping[str, float] | None, options: Sequence[str]) -> str:
    """Binary: '35%'; otherwise 'A 20% · B 80%' (all options, in order)."""
    if not vector:
        return "—"
    if list(options) == ["Yes", "No"]:
        return pct(vector.get("Yes"))
    return " · ".join(f"{o} {pct(vector.get(o))}" for o in options)


def vector_brief(vector: Mapping[str, float] | None, options: Sequence[str]) -> str:
    """A short cell: binary '35%'; otherwise the most likely option, 'B 80%'."""
    if not vector:
        return "—"
    if list(options) == ["Yes", "No"]:
        return pct(vector.get("Yes"))
    top = max(options, key=lambda o: vector.get(o, 0.0))
    return f"{top} {pct(vector.get(top))}"


def when(value: datetime | None, *, with_time: bool = False) -> str:
    if value is None:
        return "—"
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M UTC" if with_time else "%Y-%m-%d")


def ago(value: datetime | None, now: datetime) -> str:
    """'today', '3 days ago', '5 weeks ago' — for 'last forecast' style labels."""
    if value is None:
        return "never"
    days = (now - value).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 35:
        return f"{days} days ago"
    if days < 365:
        return f"{days // 7} weeks ago"
    return f"{days / 365:.1f} years ago"


def closes_text(close_time: datetime) -> str:
    """'end of 2027-06-30' for a window closing at 00:00Z (the seed convention), else the day."""
    if (close_time.hour, close_time.minute, close_time.second) == (0, 0, 0):
        return f"end of {(close_time - timedelta(days=1)).date().isoformat()}"
    return when(close_time)


def ordered_handles(vector: Mapping[str, float], options: Sequence[str]) -> tuple[str, str, str]:
    """The bins holding an ordered forecast's 10th, 50th and 90th percentiles."""
    from tracker.scoring.quantile_bins import quantile_bins

    lo, median, hi = quantile_bins([vector.get(o, 0.0) for o in options])
    return options[lo], options[median], options[hi]


def ordered_summary(vector: Mapping[str, float] | None, options: Sequence[str]) -> str:
    """'median 60–70 · 80% range 50–60 to 80–95': an ordered forecast in one short line."""
    if not vector:
        return "—"
    lo, median, hi = ordered_handles(vector, options)
    spread = lo if lo == hi else f"{lo} to {hi}"
    return f"median {median} · 80% range {spread}"


def days_left_text(days: int | None, state: str) -> str:
    if state in ("resolved", "annulled"):
        return state
    if state == "closed":
        return "closed, awaiting resolution"
    if days is None:
        return "—"
    if state == "upcoming":
        return f"opens in {days} d"
    return "closes today" if days == 0 else f"{days} d left"


STATE_BADGES = {
    "open": ("Open", "green"),
    "upcoming": ("Upcoming", "blue"),
    "closed": ("Closed", "orange"),
    "resolved": ("Resolved", "violet"),
    "annulled": ("Annulled", "gray"),
}

DIRECTION_BADGES = {
    "raises": ("↑ raises", "green"),
    "lowers": ("↓ lowers", "red"),
    "neutral": ("→ neutral", "gray"),
    "mixed": ("↕ mixed", "orange"),
    "unclear": ("? unclear", "gray"),
}


def badge(label: str, color: str) -> str:
    """A coloured markdown badge; `label` must be our own text, never user text."""
    return f":{color}-badge[{label}]"


def state_badge(state: str) -> str:
    return badge(*STATE_BADGES.get(state, (state, "gray")))


def type_label(kind: str) -> str:
    return {
        "binary": "Binary",
        "multiple_choice": "Multiple choice",
        "ordered": "Ordered bins",
        "numeric": "Numeric",
        "date": "Date",
    }.get(kind, kind)
