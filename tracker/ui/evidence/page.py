"""Evidence page: add articles (paste, upload, URL, feeds), see which questions each item
matched, read an item and link or unlink it by hand."""

from collections.abc import Callable
from datetime import UTC, date, datetime, time

import pandas as pd
import streamlit as st

from tracker.errors import TrackerError
from tracker.schemas import Actor
from tracker.services import evidence, questions
from tracker.services.evidence import IngestResult, LinkRead
from tracker.ui.shell import nav
from tracker.ui.shell.context import current_actor, get_db, summary_refresher
from tracker.ui.widgets.render import esc, safe_url, show_error, when

EVIDENCE_PARAM = "e"
db, actor = get_db(), current_actor()
contributor = actor.role != "viewer"

st.title("Evidence")
st.caption(
    "Articles, notes and feed entries. New items are matched to the open questions "
    "automatically; forecasters see them as new on those questions."
)


def _published(day: date | None) -> datetime | None:
    return datetime.combine(day, time(12, 0), tzinfo=UTC) if day else None


def show_result(result: IngestResult) -> None:
    item = result.item
    if result.duplicate:
        st.info(f"This text is already stored as evidence #{item.id}; nothing was added.")
    else:
        st.success(f"Stored as evidence #{item.id}: {esc(item.title)}")
    if item.near_duplicate_of:
        st.warning(f"It looks like a near copy of evidence #{item.near_duplicate_of}.")
    linked = [link for link in result.links if link.state == "linked"]
    if linked:
        st.markdown(f"Matched {len(linked)} question(s):")
        titles = {q.id: q.title for q in questions.list_questions(db)}
        for link in linked:
            title = titles.get(link.question_id, link.question_id)
            nav.question_link(link.question_id, f"{esc(title)} ({link_how(link)})")
            if link.passage:
                st.caption(f"on: “{esc(_clip(link.passage))}”")
        if not result.duplicate:
            summary_refresher().submit(db, Actor.system(), [link.question_id for link in linked])
            st.caption(
                "🔄 Their summaries are being refreshed in the background; the question pages "
                "show the new ones as soon as they are ready."
            )
    else:
        st.info("It matched no open question. Open it below to link it by hand.")
    st.query_params[EVIDENCE_PARAM] = str(item.id)


def link_how(link: LinkRead) -> str:
    """How a link was made, in words: by hand, by the matcher, or with the model's judgement."""
    if link.method == "manual":
        return "linked by hand"
    if link.method == "llm":
        return f"match {link.score:.2f}, confirmed by the model: {esc(link.reason)}"
    return f"match {link.score:.2f}"


def _clip(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _ingest(action: Callable[..., IngestResult], *args: object, **kwargs: object) -> None:
    failure = None
    with st.status("Adding evidence…", expanded=True) as status:
        st.write("Reading, cleaning and matching against the open questions…")
        try:
            result = action(db, actor, *args, **kwargs)
        except TrackerError as exc:
            status.update(label="Could not add this evidence", state="error", expanded=False)
            failure = exc
        else:
            status.update(label="Evidence added", state="complete", expanded=False)
    if failure is not None:
        show_error(failure)  # outside the status box: seen without opening it
        return
    show_result(result)


if contributor:
    paste, upload, url_tab, feeds_tab = st.tabs(
        ["✍️ Paste text", "📄 Upload a file", "🔗 From a URL", "📡 Feeds"]
    )
    with paste, st.form("ev_paste", clear_on_submit=True):
        title = st.text_input("Title", placeholder="Optional: the first line is used otherwise")
        cols = st.columns(3)
        outlet = cols[0].text_input("Outlet", placeholder="e.g. Reuters")
        link = cols[1].text_input("Link (optional)", placeholder="https://…")
        day = cols[2].date_input("Published", value=None)
        text = st.text_area("Text", height=220, placeholder="Paste the article or your note here")
        if st.form_submit_button("Add evidence", type="primary"):
            _ingest(
                evidence.add_text,
                title=title or None,
                text=text,
                outlet=outlet,
                url=link.strip() or None,
                published_at=_published(day),
            )
    with upload, st.form("ev_upload", clear_on_submit=True):
        file = st.file_uploader("A .txt, .md or .html file", type=["txt", "md", "html", "htm"])
        cols = st.columns(2)
        up_outlet = cols[0].text_input("Outlet ", placeholder="optional")
        up_day = cols[1].date_input("Published ", value=None)
        if st.form_submit_button("Upload", type="primary"):
            if file is None:
                st.error("Choose a file first.")
            else:
                _ingest(
                    evidence.add_file,
                    filename=file.name,
                    data=file.getvalue(),
                    outlet=up_outlet,
                    published_at=_published(up_day),
                )
    with url_tab, st.form("ev_url", clear_on_submit=True):
        address = st.text_input("Page address", placeholder="https://…")
        st.caption(
            "The server fetches the page itself (public addresses only, size and time "
            "limits) and keeps the article text."
        )
        if st.form_submit_button("Fetch and add", type="primary"):
            if not address.strip():
                st.error("Enter an address first.")
            else:
                _ingest(evidence.add_url, address.strip())
    with feeds_tab:
        with st.form("ev_feed", clear_on_submit=True):
            feed_url = st.text_input("RSS or Atom feed address", placeholder="https://…/feed.xml")
            if st.form_submit_button("Add feed"):
                try:
                    evidence.add_feed(db, actor, feed_url.strip())
                    st.success("Feed added. Poll it to fetch its entries.")
                except TrackerError as exc:
                    show_error(exc)
        feeds = evidence.list_feeds(db)
        if feeds:
            st.dataframe(
                pd.DataFrame(
                    {
                        "Feed": [f.title or f.url for f in feeds],
                        "Last polled": [when(f.last_polled_at, with_time=True) for f in feeds],
                        "Last error": [f.last_error for f in feeds],
                    }
                ),
                hide_index=True,
                width="stretch",
            )
            if st.button("Poll all feeds now", icon="🔄"):
                with st.status(f"Polling {len(feeds)} feed(s)…", expanded=True) as status:
                    bar = st.progress(0.0)

                    def _progress(done: int, total: int) -> None:
                        bar.progress(done / max(total, 1), text=f"{done} of {total} feeds")

                    summary = evidence.poll_feeds(db, actor, on_progress=_progress)
                    status.update(
                        label=f"{summary.entries_added} new entries, "
                        f"{summary.duplicates} already known",
                        state="complete",
                    )
                if summary.questions_linked:
                    summary_refresher().submit(db, Actor.system(), summary.questions_linked)
                    st.caption(
                        f"🔄 Refreshing the summaries of {len(set(summary.questions_linked))} "
                        "question(s) in the background."
                    )
                for error in summary.errors:
                    st.warning(esc(error))
        else:
            st.caption("No feeds yet.")
else:
    st.info("You have read-only access: viewers can read evidence but not add or link it.")

st.subheader("Recent evidence")
items = evidence.list_evidence(db, limit=200)
if not items:
    st.info("No evidence yet. Paste an article above, upload a file or add a feed.")
    st.stop()
frame = pd.DataFrame(
    {
        "Id": [i.id for i in items],
        "Title": [i.title for i in items],
        "Outlet": [i.outlet for i in items],
        "Kind": [i.kind for i in items],
        "Published": [when(i.published_at) for i in items],
        "Added": [when(i.added_at, with_time=True) for i in items],
        "Added by": [i.added_by or "system" for i in items],
    }
)
event = st.dataframe(
    frame,
    hide_index=True,
    width="stretch",
    height=min(300, 38 + 35 * len(frame)),  # no empty rows under a short list
    on_select="rerun",
    selection_mode="single-row",
    key="ev_table",
    column_config={"Id": st.column_config.NumberColumn(format="%d", width="small")},
)
if event.selection.rows:
    st.query_params[EVIDENCE_PARAM] = str(frame.iloc[event.selection.rows[0]]["Id"])
st.caption("Select a row to read the item and manage its links.")

selected = st.query_params.get(EVIDENCE_PARAM)
if not selected or not selected.isdigit():
    st.stop()
try:
    item = evidence.get_evidence(db, int(selected))
except TrackerError as exc:
    show_error(exc)
    st.stop()

st.divider()
st.subheader(f"#{item.id} · {esc(item.title)}")
meta = [
    esc(item.outlet) if item.outlet else None,
    f"published {when(item.published_at)}" if item.published_at else None,
    f"added {when(item.added_at, with_time=True)}",
    f"by {esc(item.added_by)}" if item.added_by else None,
    item.kind,
]
st.caption(" · ".join(m for m in meta if m))
if safe_url(item.url):
    st.link_button("Open the original ↗", item.url or "")
if item.near_duplicate_of:
    st.caption(f"Near copy of evidence #{item.near_duplicate_of}.")
left, right = st.columns([1.3, 1], gap="large")
with left, st.container(height=420 if len(item.text) > 1500 else "content"):
    st.text(item.text)
with right:
    st.markdown("**Linked questions**")
    links = evidence.links_for_evidence(db, item.id)
    titles = {q.id: q.title for q in questions.list_questions(db)}
    if not links:
        st.caption("Not linked to any question.")
    for link in links:
        row = st.columns([5, 2])
        state = "" if link.state == "linked" else " :gray-badge[unlinked]"
        with row[0]:
            nav.question_link(link.question_id, esc(titles.get(link.question_id, link.question_id)))
            st.caption(f"{link_how(link)}{state}")
            if link.method != "manual" and link.passage:
                st.caption(f"on: “{esc(_clip(link.passage))}”")
        if contributor:
            verb = "Unlink" if link.state == "linked" else "Relink"
            if row[1].button(verb, key=f"ev_toggle_{item.id}_{link.question_id}"):
                try:
                    change = evidence.unlink if link.state == "linked" else evidence.link
                    change(db, actor, link.question_id, item.id)
                    st.rerun()
                except TrackerError as exc:
                    show_error(exc)
    if contributor:
        linked_ids = {link.question_id for link in links if link.state == "linked"}
        candidates = [qid for qid in titles if qid not in linked_ids]
        with st.form(f"ev_link_{item.id}", border=False):
            target = st.selectbox(
                "Link to a question",
                candidates,
                index=None,
                format_func=lambda qid: titles[qid],
                placeholder="Choose a question…",
            )
            if st.form_submit_button("Link"):
                if target is None:
                    st.error("Choose a question first.")
                else:
                    try:
                        evidence.link(db, actor, target, item.id)
                        st.rerun()
                    except TrackerError as exc:
                        show_error(exc)
