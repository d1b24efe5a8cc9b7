"""The question page's Discussion tab: the thread as the service lets this user see it, reply,
edit within the window, delete (leaving a tombstone), and link a forecast or evidence item.

Bodies are shown as plain text: markup characters appear as typed, only http(s) addresses
become links, and @mentions of members are bold."""

import re
from collections.abc import Sequence

import streamlit as st

from tracker.db import Database
from tracker.schemas import Actor, ForecastRead, QuestionRead
from tracker.services import comments
from tracker.services.views import EvidenceArrival
from tracker.ui.widgets.render import esc, flash, friendly_errors, when

_TOKENS = re.compile(r"(https?://[^\s<>\"'`\\]+)|(?<![\w@])@([A-Za-z0-9][A-Za-z0-9_.-]{0,63})")
_TRAILING = ".,;:!?)]}"


def linked_text(body: str, mentions: Sequence[str]) -> str:
    """Markdown for untrusted text: everything escaped, http(s) links and known @names kept."""
    known = {m.lower() for m in mentions}
    out, last = [], 0
    for match in _TOKENS.finditer(body):
        out.append(esc(body[last : match.start()]))
        url, name = match.group(1), match.group(2)
        if url:
            tail = ""
            while url and url[-1] in _TRAILING:
                url, tail = url[:-1], url[-1] + tail
            out.append(f"[{esc(url)}](<{url}>){esc(tail)}" if url else esc(tail))
        elif name.lower() in known:
            out.append(f"**@{esc(name)}**")
        else:
            out.append(esc(match.group(0)))
        last = match.end()
    out.append(esc(body[last:]))
    return "".join(out)


def tab_label(thread: comments.Discussion) -> str:
    if not thread.visible:
        return "Discussion 🔒"
    live = sum(1 for c in thread.comments if not c.deleted)
    return f"Discussion ({live})"


def discussion_tab(
    db: Database,
    actor: Actor,
    q: QuestionRead,
    thread: comments.Discussion,
    mine: Sequence[ForecastRead],
    evidence: Sequence[EvidenceArrival],
) -> None:
    if thread.notice:
        st.info(thread.notice, icon="🔒" if not thread.visible else "ℹ️")
    if not thread.visible:
        return
    if not thread.comments:
        st.caption("No comments yet." + (" Start the discussion below." if thread.can_post else ""))
    for comment in thread.comments:
        _comment(db, actor, q, comment, thread.can_post)
    if thread.can_post:
        _new_comment_form(db, actor, q, mine, evidence)


def _comment(
    db: Database, actor: Actor, q: QuestionRead, c: comments.CommentRead, can_post: bool
) -> None:
    indent = min(c.depth, comments.MAX_DEPTH)
    holder = st.columns([indent, 24 - indent])[1] if indent else st.container()
    with holder, st.container(border=True):
        if c.deleted:
            who = "an admin" if c.deleted_by_admin else "its author"
            st.caption(f"Comment deleted by {who}.")
        else:
            edited = f" · edited {when(c.edited_at, with_time=True)}" if c.edited_at else ""
            st.markdown(
                f"**{esc(c.author_display)}** :gray[@{esc(c.author)} · "
                f"{when(c.created_at, with_time=True)}{esc(edited)}]"
            )
            st.markdown(linked_text(c.body, c.mentions))
            about = [
                x
                for x in (c.forecast_label, c.evidence_title and f"evidence: {c.evidence_title}")
                if x
            ]
            if about:
                st.caption("About " + esc(" · ".join(about)))
        _actions(db, actor, q, c, can_post)


def _actions(
    db: Database, actor: Actor, q: QuestionRead, c: comments.CommentRead, can_post: bool
) -> None:
    cols = st.columns(4)
    if can_post and not c.deleted and c.depth < comments.MAX_DEPTH:
        with cols[0].popover("Reply"), st.form(f"reply_{c.id}", clear_on_submit=True):
            text = st.text_area("Your reply", key=f"reply_text_{c.id}", max_chars=5000)
            if st.form_submit_button("Post reply"):
                _post(db, actor, q.id, comments.CommentCreate(body=text, parent_id=c.id))
    if c.editable_until is not None:
        with cols[1].popover("Edit"), st.form(f"edit_{c.id}"):
            text = st.text_area("Comment", value=c.body, key=f"edit_text_{c.id}")
            st.caption(f"You can edit until {when(c.editable_until, with_time=True)}.")
            if st.form_submit_button("Save edit"):
                with friendly_errors():
                    comments.edit_comment(db, actor, c.id, text)
                    flash("Comment edited.")
                    st.rerun()
    if not c.deleted and (c.author == actor.name or actor.is_admin):
        with cols[2].popover("Delete"):
            st.write("Delete this comment? Its words are removed for good; replies stay.")
            if st.button("Delete comment", key=f"delete_{c.id}", type="primary"):
                with friendly_errors():
                    comments.delete_comment(db, actor, c.id)
                    flash("Comment deleted.")
                    st.rerun()
    if c.edited_at and not c.deleted:
        with cols[3].popover("History"), friendly_errors():
            for old in comments.comment_history(db, actor, c.id):
                st.caption(f"Until {when(old.written_at, with_time=True)}:")
                st.text(old.body)


def _new_comment_form(
    db: Database,
    actor: Actor,
    q: QuestionRead,
    mine: Sequence[ForecastRead],
    evidence: Sequence[EvidenceArrival],
) -> None:
    with st.form(f"comment_{q.id}", clear_on_submit=True):
        st.markdown("**Add a comment**")
        text = st.text_area(
            "Comment",
            key=f"comment_text_{q.id}",
            max_chars=5000,
            help="Plain text. Mention a member with @name; http(s) links become links.",
        )
        forecast_choices = {None: "—", **{f.id: when(f.created_at, with_time=True) for f in mine}}
        forecast_id = st.selectbox(
            "About one of your forecasts (optional)",
            list(forecast_choices),
            format_func=lambda key: forecast_choices[key],
            key=f"comment_forecast_{q.id}",
        )
        evidence_choices = {None: "—", **{e.evidence_id: e.title for e in evidence}}
        evidence_id = st.selectbox(
            "About an evidence item (optional)",
            list(evidence_choices),
            format_func=lambda key: evidence_choices[key],
            key=f"comment_evidence_{q.id}",
        )
        if st.form_submit_button("Post comment"):
            data = comments.CommentCreate(
                body=text, forecast_id=forecast_id, evidence_id=evidence_id
            )
            _post(db, actor, q.id, data)


def _post(db: Database, actor: Actor, question_id: str, data: comments.CommentCreate) -> None:
    with friendly_errors():
        comments.add_comment(db, actor, question_id, data)
        flash("Comment posted.")
        st.rerun()
