"""Questions page: filter the team's questions and see where you stand on each; click a title
to open the question (a list of full titles, or a table for comparing: `listing`). Filtering,
sorting and paging happen in the database (`services.question_listing`): only the page's rows
are read."""

import hashlib

import streamlit as st

from tracker.errors import InvalidInput
from tracker.services import pool_scores, question_listing
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
SORTS = {
    "Closing soonest": "close",
    "Needs my update first": "needs_update",
    "Recently opened": "opened",
    "Recently created": "created",
    "Recent activity": "activity",
    "Title": "title",
}
MINE = {"All questions": "any", "Forecast by me": "mine", "Not yet forecast": "not_mine"}

db, actor = get_db(), current_actor()
viewer = actor.role == "viewer"
st.title("Questions")

top = st.columns([3, 1.4, 1.4, 1.4])
chosen = top[0].pills(
    "Status", list(STATES), selection_mode="multi", default=["Open"], key="qs_states"
)
tag_label = top[1].selectbox("Tag", ["All tags", *question_listing.all_tags(db)], key="qs_tag")
type_label_choice = top[2].selectbox("Type", list(TYPES), key="qs_type")
sort = top[3].selectbox("Sort by", list(SORTS), key="qs_sort")
row2 = st.columns([3, 1.4, 1.4, 1.4], vertical_alignment="bottom")
search = row2[0].text_input(
    "Search", placeholder="words from a title, an id or a tag…", key="qs_q", max_chars=500
)
needs_only, mine = False, "All questions"
if not viewer:
    mine = row2[1].selectbox("My forecasts", list(MINE), key="qs_mine")
    needs_only = row2[2].toggle(
        "Needs my update",
        key="qs_needs",
        help=f"Open questions with new linked evidence since your last forecast, no forecast "
        f"yet, or a forecast older than {settings().stale_forecast_days} days.",
    )

pool = row2[3].selectbox(
    "Team pool",
    list(pool_scores.POOL_LABELS),
    index=list(pool_scores.POOL_LABELS).index(pool_scores.team_pool()),
    format_func=pool_scores.POOL_LABELS.get,
    key="qs_pool",
    help="How the members' latest forecasts are combined in the Team column; the team's "
    "default is the TEAM_POOL setting.",
)

try:
    wanted = question_listing.QuestionFilter.parse(
        text=search,
        states=frozenset(STATES[c] for c in chosen),
        tag=None if tag_label == "All tags" else tag_label,
        question_type=TYPES[type_label_choice],
        forecast=MINE[mine],
        needs_update_only=needs_only,
        sort=SORTS[sort],
        page_size=PAGE_SIZE,
        stale_days=settings().stale_forecast_days,
    )
except InvalidInput as exc:
    st.error(str(exc))
    st.stop()
counts = question_listing.count_questions(db, actor, wanted)

if not counts.total:
    if question_listing.any_questions(db):
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

summary = f"{counts.total:,} question{'s' if counts.total != 1 else ''}"
if not viewer:
    summary += (
        f" · {counts.needs_update} need your update · {counts.with_new_evidence} with new evidence"
    )
note, pick = st.columns([4, 1.2], vertical_alignment="bottom")
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

table_slot = st.container()
# a new filter starts again at its first page
filter_key = hashlib.sha1(wanted.model_dump_json().encode()).hexdigest()[:12]
page_no = (st.pagination(counts.pages, key=f"qs_page_{filter_key}") if counts.pages > 1 else 1) or 1
shown = question_listing.page_rows(
    db,
    actor,
    wanted.model_copy(update={"page": min(page_no, counts.pages)}),
    pool=pool,
    factor=settings().extremize_factor,
)
if counts.pages > 1:
    first = (page_no - 1) * PAGE_SIZE + 1
    summary += f" · showing {first:,}–{first + len(shown) - 1:,}"
note.caption(summary + " · click a title to open it")

with table_slot:
    if view == "Table":
        listing.table(shown, viewer)
    else:
        listing.cards(shown, viewer)
