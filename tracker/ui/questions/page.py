"""Questions page: filter the team's questions and see where you stand on each; click a row
to open the question."""

import pandas as pd
import streamlit as st

from tracker.services import questions, views
from tracker.ui.shell import nav
from tracker.ui.shell.context import current_actor, get_db, settings
from tracker.ui.widgets.render import days_left_text, type_label, vector_brief

PAGE_SIZE = 50
STATES = {
    "Open": "open",
    "Upcoming": "upcoming",
    "Closed": "closed",
    "Resolved": "resolved",
    "Annulled": "annulled",
}
TYPES = {
    "All types": None,
    "Binary": "binary",
    "Multiple choice": "multiple_choice",
    "Ordered bins": "ordered",
}
SORTS = ("Closing soonest", "Needs my update first", "Recently opened", "Title")

db, actor = get_db(), current_actor()
st.title("Questions")

top = st.columns([3, 1.4, 1.4, 1.4])
chosen = top[0].pills(
    "Status", list(STATES), selection_mode="multi", default=["Open"], key="qs_states"
)
tag_label = top[1].selectbox("Tag", ["All tags", *questions.all_tags(db)], key="qs_tag")
type_label_choice = top[2].selectbox("Type", list(TYPES), key="qs_type")
sort = top[3].selectbox("Sort by", SORTS, key="qs_sort")
row2 = st.columns([3, 1.4, 2.8])
search = row2[0].text_input("Search titles", placeholder="e.g. strike, sanctions…", key="qs_q")
needs_only = False
if actor.role != "viewer":
    needs_only = row2[1].toggle(
        "Needs my update",
        key="qs_needs",
        help=f"Open questions with new linked evidence since your last forecast, no forecast "
        f"yet, or a forecast older than {settings().stale_forecast_days} days.",
    )

rows = views.question_rows(
    db,
    actor,
    states={STATES[c] for c in chosen} or None,
    tag=None if tag_label == "All tags" else tag_label,
    question_type=TYPES[type_label_choice],
    stale_days=settings().stale_forecast_days,
    needs_update_only=needs_only,
)
if search.strip():
    words = search.casefold().split()
    rows = [r for r in rows if all(w in r.question.title.casefold() for w in words)]

if sort == "Needs my update first":
    rows.sort(key=lambda r: (not r.needs_update, r.question.close_time))
elif sort == "Recently opened":
    rows.sort(key=lambda r: r.question.open_time, reverse=True)
elif sort == "Title":
    rows.sort(key=lambda r: r.question.title.casefold())

if not rows:
    if questions.list_questions(db):
        st.info("No questions match these filters. Clear the search or pick other statuses.")
    elif actor.is_admin:
        st.info(
            "No questions yet. Create one on the **Admin** page, draft some from an "
            "article, or import an interchange file."
        )
        st.page_link(nav.ADMIN, label="Go to Admin", icon="🛠️")
    else:
        st.info("No questions yet. An admin adds them; check back soon.")
    st.stop()

pending = sum(r.needs_update for r in rows)
fresh = sum(1 for r in rows if r.new_evidence and r.question.state == "open")
summary = f"{len(rows)} question{'s' if len(rows) != 1 else ''}"
if actor.role != "viewer":
    summary += f" · {pending} need your update · {fresh} with new evidence"
st.caption(summary + " · click a row to open it")

pages = max(1, -(-len(rows) // PAGE_SIZE))
table_slot = st.container()
page_no = st.pagination(pages, key=f"qs_page_{pages}") if pages > 1 else 1
shown = views.with_team(db, actor, rows[(page_no - 1) * PAGE_SIZE : page_no * PAGE_SIZE])


def _team(row: views.QuestionRow) -> str:
    if not row.forecasters:
        return "—"
    if not row.team_visible:
        return "🔒 after you forecast"
    return vector_brief(row.team_median, row.question.options)


viewer = actor.role == "viewer"
evidence_column = "Evidence" if viewer else "New evidence"
table = pd.DataFrame(
    {
        "id": [r.question.id for r in shown],
        "Question": [r.question.title for r in shown],
        "My forecast": [vector_brief(r.my_latest, r.question.options) for r in shown],
        "Team median": [_team(r) for r in shown],
        "Forecasters": [r.forecasters or 0 for r in shown],
        "Time left": [days_left_text(r.days_left, r.question.state) for r in shown],
        evidence_column: [
            (f"{r.new_evidence} linked" if viewer else f"🆕 {r.new_evidence}")
            if r.new_evidence
            else ""
            for r in shown
        ],
        "Your update": [r.update_reason for r in shown],
        "Status": [r.question.state.capitalize() for r in shown],
        "Type": [type_label(r.question.type) for r in shown],
        "Closes": [r.question.close_time.date() for r in shown],
    }
)
hidden = {"id", "My forecast", "Your update"} if viewer else {"id"}
BRIEF = "Binary: the chance of Yes. Other types: the option rated most likely."
event = table_slot.dataframe(
    table,
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="single-row",
    column_order=[c for c in table.columns if c not in hidden],
    column_config={
        "Question": st.column_config.TextColumn(width=380, pinned=True),
        "My forecast": st.column_config.TextColumn(help=BRIEF),
        "Team median": st.column_config.TextColumn(help=BRIEF),
        "Forecasters": st.column_config.NumberColumn(format="%d", width="small"),
        "Time left": st.column_config.TextColumn(width="small"),
        evidence_column: st.column_config.TextColumn(
            help="Linked evidence items"
            + ("" if viewer else " that arrived since your last forecast"),
            width="small",
        ),
        "Closes": st.column_config.DateColumn(format="YYYY-MM-DD", width="small"),
    },
    key="qs_table",
)
if event.selection.rows:
    nav.open_question(table.iloc[event.selection.rows[0]]["id"])
