"""The questions list two ways: a list of full, linked titles with one line of status under each
(readable at any width, the default) and a table whose titles are links (every column, for
comparing). Both open a question in one click."""

from urllib.parse import quote

import pandas as pd
import streamlit as st

from tracker.services import views
from tracker.ui.shell import nav
from tracker.ui.widgets.render import days_left_text, esc, type_label, vector_brief

BRIEF = "Binary: the chance of Yes. Other types: the option rated most likely."
ROW_PX, HEADER_PX = 35, 38


def link(row: views.QuestionRow) -> str:
    """`question?q=ID#Title`: the page reads `q`; the table shows the (decoded) fragment."""
    return f"question?{nav.QUESTION_PARAM}={quote(row.question.id)}#{quote(row.question.title)}"


def team_cell(row: views.QuestionRow) -> str:
    if not row.forecasters:
        return "—"
    if not row.team_visible:
        return "🔒 session is blind" if row.blind_session else "🔒 after you forecast"
    return vector_brief(row.team_pool or row.team_median, row.question.options)


def evidence_cell(row: views.QuestionRow, viewer: bool) -> str:
    if not row.new_evidence:
        return ""
    return f"{row.new_evidence} linked" if viewer else f"🆕 {row.new_evidence}"


def frame(shown: list[views.QuestionRow], viewer: bool) -> pd.DataFrame:
    evidence = "Evidence" if viewer else "New evidence"
    return pd.DataFrame(
        {
            "id": [r.question.id for r in shown],
            "Question": [link(r) for r in shown],
            "My forecast": [vector_brief(r.my_latest, r.question.options) for r in shown],
            "Team median": [team_cell(r) for r in shown],
            "Forecasters": [r.forecasters or 0 for r in shown],
            "Time left": [days_left_text(r.days_left, r.question.state) for r in shown],
            evidence: [evidence_cell(r, viewer) for r in shown],
            "Your update": [r.update_reason for r in shown],
            "Status": [r.question.state.capitalize() for r in shown],
            "Type": [type_label(r.question.type) for r in shown],
        }
    )


def table(shown: list[views.QuestionRow], viewer: bool) -> None:
    """Every row of the page at once (no inner scroll box); the title opens the question."""
    data = frame(shown, viewer)
    hidden = {"id", "My forecast", "Your update"} if viewer else {"id"}
    evidence = "Evidence" if viewer else "New evidence"
    st.dataframe(
        data,
        hide_index=True,
        width="stretch",
        height=HEADER_PX + ROW_PX * len(data) + 2,
        column_order=[c for c in data.columns if c not in hidden],
        column_config={
            "Question": st.column_config.LinkColumn(
                "Question",
                display_text=r"#(.*)$",
                width=330,
                pinned=True,
                help="Click a title to open the question",
            ),
            "My forecast": st.column_config.TextColumn("Mine", help=BRIEF, width=75),
            "Team median": st.column_config.TextColumn("Team", help=BRIEF, width=95),
            "Forecasters": st.column_config.NumberColumn(
                "People", format="%d", width=60, help="Members who forecast"
            ),
            "Time left": st.column_config.TextColumn(width=80),
            evidence: st.column_config.TextColumn(
                "New" if not viewer else "Evidence",
                help="Linked evidence items"
                + ("" if viewer else " that arrived since your last forecast"),
                width=60,
            ),
            "Your update": st.column_config.TextColumn(width=125),
            "Status": st.column_config.TextColumn(width=80),
            "Type": st.column_config.TextColumn(width=110),
        },
        key="qs_table",
    )


def cards(shown: list[views.QuestionRow], viewer: bool) -> None:
    """Each title a link (wrapping, never cut), then one short line of where things stand."""
    # page links are one ellipsised line by default: let a long title wrap instead
    st.html(
        "<style>.st-key-qs_list [data-testid='stPageLink'] * {"
        " white-space: normal !important; overflow: visible !important;"
        " text-overflow: clip !important; height: auto !important; }</style>"
    )
    with st.container(key="qs_list"):
        _cards(shown, viewer)


def _cards(shown: list[views.QuestionRow], viewer: bool) -> None:
    for r in shown:
        with st.container(border=True):
            nav.question_link(r.question.id, label=esc(r.question.title), icon="🎯")
            bits = [days_left_text(r.days_left, r.question.state)]
            if not viewer:
                bits.append(f"mine {vector_brief(r.my_latest, r.question.options)}")
            bits.append(f"team {team_cell(r)}")
            if r.new_evidence:
                bits.append(evidence_cell(r, viewer))
            if not viewer and r.update_reason:
                bits.append(f"**{esc(r.update_reason)}**")
            st.caption(" · ".join(bits))
