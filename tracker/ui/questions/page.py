"""Questions page: filter the team's questions and see where you stand on each; click a title
to open the question (a list of full titles, or a table for comparing: `listing`)."""

import streamlit as st

from tracker.services import pool_scores, questions, views
from tracker.ui.questions import listing
from tracker.ui.shell import nav
from tracker.ui.shell.context import current_actor, get_db, settings

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

pool = row2[2].selectbox(
    "Team pool",
    list(pool_scores.POOL_LABELS),
    index=list(pool_scores.POOL_LABELS).index(pool_scores.team_pool()),
    format_func=pool_scores.POOL_LABELS.get,
    key="qs_pool",
    help="How the members' latest forecasts are combined in the Team column; the team's "
    "default is the TEAM_POOL setting.",
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
note, pick = st.columns([4, 1.2], vertical_alignment="bottom")
note.caption(summary + " · click a title to open it")
view = (
    pick.segmented_control(
        "View",
        ["List", "Table"],
        default="List",
        key="qs_view",
        label_visibility="collapsed",
        help="List: full titles, one line of status each (best on phones). Table: every column, "
        "for comparing.",
    )
    or "List"
)

pages = max(1, -(-len(rows) // PAGE_SIZE))
table_slot = st.container()
page_no = st.pagination(pages, key=f"qs_page_{pages}") if pages > 1 else 1
shown = views.with_team(
    db,
    actor,
    rows[(page_no - 1) * PAGE_SIZE : page_no * PAGE_SIZE],
    pool=pool,
    factor=settings().extremize_factor,
)


viewer = actor.role == "viewer"
with table_slot:
    if view == "Table":
        listing.table(shown, viewer)
    else:
        listing.cards(shown, viewer)
