"""Rendering one stored evidence summary: engine provenance, points with verified or unverified
quotes, and links to the evidence items taken from our database, never from the model's text."""

from collections.abc import Callable

import streamlit as st

from tracker.llm.schema import KeyPoint
from tracker.services.summaries import StoredSummary
from tracker.ui.shell import nav
from tracker.ui.widgets.render import DIRECTION_BADGES, badge, esc, when

STRENGTH_COLORS = {"weak": "gray", "moderate": "blue", "strong": "violet"}
QUOTE_BADGES = {
    "verified": badge("✓ quote verified", "green"),
    "elided": badge("✂ elided quote — check the source", "orange"),
    "unverified": badge("⚠ unverified quote — not found in the source", "orange"),
}


def engine_label(engine: str, model: str) -> str:
    """Plain provenance: which engine made this summary."""
    if engine == "offline":
        return "Offline extractive digest — no LLM configured"
    return f"{model or 'LLM'} via OpenAI-compatible server"


def render_summary(
    stored: StoredSummary,
    evidence_title: Callable[[int], str | None],
) -> None:
    """Show a summary; `evidence_title(id)` looks an item up in our database (None if gone)."""
    s = stored.summary
    since = f" · new since {when(stored.since_time, with_time=True)}" if stored.since_time else ""
    st.caption(
        f"🤖 {engine_label(stored.engine, stored.model)} · "
        f"made {when(stored.created_at, with_time=True)}"
        f" · {len(stored.evidence_ids)} evidence item(s){since}"
    )
    if stored.fallback_reason:
        st.warning(
            "The LLM could not produce this summary, so the offline digest was used instead. "
            f"Reason: {esc(stored.fallback_reason)}",
            icon="⚠️",
        )
    if s.injection_suspected:
        st.warning(
            "Some evidence text looked like instructions aimed at the model. The summary was "
            "checked, but read the quoted sources yourself before relying on it.",
            icon="🛡️",
        )
    st.markdown(f"**{esc(s.headline)}**")
    label, color = DIRECTION_BADGES.get(s.overall_direction, ("?", "gray"))
    st.markdown(f"Overall for the question: {badge(label, color)}")
    if s.status_quo:
        st.markdown(f"**Status quo.** {esc(s.status_quo)}")
    if s.whats_new:
        st.markdown(f"**What's new.** {esc(s.whats_new)}")
    for point in s.key_points:
        _point(point, evidence_title)
    if s.caveats:
        st.markdown("**Caveats**")
        st.markdown("\n".join(f"- {esc(c)}" for c in s.caveats))


def _elided(point: KeyPoint) -> None:
    """The source's own words from the first quoted word to the last, the omitted ones struck
    through in grey, so a "..." that drops a "not" is there to see."""
    parts = [
        f":gray[~~{esc(seg.text)}~~]" if seg.omitted else esc(seg.text)
        for seg in point.quote_segments
    ]
    st.markdown("> " + " … ".join(parts).replace("  \n", " "))
    flags = [w for w, on in (("a negation", point.omits_negation),
                             ("a number", point.omits_number)) if on]  # fmt: skip
    if flags:
        st.markdown(
            badge(f"⚠ the omitted words contain {' and '.join(flags)}", "red")
            + " The quote may not say what the source says."
        )


def _point(point: KeyPoint, evidence_title: Callable[[int], str | None]) -> None:
    with st.container(border=True):
        label, color = DIRECTION_BADGES.get(point.direction, ("?", "gray"))
        badges = [badge(label, color), badge(point.strength, STRENGTH_COLORS[point.strength])]
        badges.append(QUOTE_BADGES[point.quote_status])
        st.markdown(" ".join(badges))
        option = f" ({esc(point.option)})" if point.option else ""
        st.markdown(f"{esc(point.claim)}{option}")
        if point.quote_status == "elided" and point.quote_segments:
            _elided(point)
        elif point.quote:
            quote = esc(point.quote).replace("  \n", " ")
            st.markdown(f"> {quote}" if point.verified else f"> :gray[{quote}]")
        title = evidence_title(point.evidence_id)
        if title is None:
            st.caption(f"Cites evidence #{point.evidence_id}, which is no longer linked here.")
        else:
            st.page_link(
                nav.EVIDENCE,
                label=f"Evidence #{point.evidence_id}: {esc(title)}",
                icon="📰",
                query_params={"e": str(point.evidence_id)},
            )
