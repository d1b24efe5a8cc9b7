"""Calibration coaching on the member's own Account page (never shown to anyone else)."""

import streamlit as st

from tracker.errors import TrackerError
from tracker.schemas import Actor
from tracker.services import coaching
from tracker.ui.shell.context import get_db
from tracker.ui.widgets.render import esc, show_error


def show(actor: Actor) -> None:
    st.markdown("**Calibration coaching** — only you see this")
    try:
        report = coaching.my_coaching(get_db(), actor)
    except TrackerError as exc:
        show_error(exc)
        return
    if report.events == 0:
        st.caption("Coaching appears once questions you forecast on are resolved.")
        return
    for statement in report.statements:
        icon = "📈" if statement.direction == "underconfident" else "📉"
        st.markdown(f"{icon} {esc(statement.text)}")
    if not report.statements:
        st.caption(
            f"From {report.events} resolved question(s), no band or tag shows you off "
            f"calibration at {report.confidence:.0%} confidence. That is not proof of good "
            "calibration: small records rarely show anything."
        )
    st.caption(
        f"One event per resolved question (your favourite option in your last forecast). "
        f"Intervals: {report.method}; a statement appears only where the interval excludes "
        f"your average forecast and there are at least {coaching.MIN_EVENTS} events."
    )
