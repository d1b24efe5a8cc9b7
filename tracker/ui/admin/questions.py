"""Admin forms for questions: create, edit, resolve or annul, and drafts from an article.

Every form builds a data model and calls a service; the services check the admin role again.
"""

import re
import uuid
from datetime import UTC, date, datetime, time, timedelta

import streamlit as st

from tracker.errors import TrackerError, parse
from tracker.llm.schema import QuestionDraft
from tracker.schemas import CONTINUOUS, QuestionCreate, QuestionEdit, QuestionRead, Resolution
from tracker.services import questions, summaries
from tracker.ui.shell.context import current_actor, get_db
from tracker.ui.widgets.render import esc, flash, show_error, type_label, when

TYPES = ["binary", "multiple_choice", "ordered", "numeric", "date"]
DRAFTS_KEY = "_tracker_drafts"
SELECT_KEY = "_tracker_admin_select"  # the question to pick after a rerun


def slug(title: str) -> str:
    """A suggested question id from a title: lower-case words joined by '-'."""
    words = re.findall(r"[a-z0-9]+", title.lower())
    return "-".join(words)[:60].strip("-") or "question"


KEYWORDS_HELP = (
    "Words news about this question uses that its title does not: synonyms (air strikes, "
    "bombing), names of people, places and bodies (Pentagon, Fordow, Witkoff) and the names "
    "newsrooms use (Tehran for Iran's government). Capitalised names also tell the matcher "
    "who the question is about. Saving new keywords links the stored articles they find."
)


def _at(day: date, hour: time = time(0, 0)) -> datetime:
    return datetime.combine(day, hour, tzinfo=UTC)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _tags(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def question_fields(prefix: str, draft: QuestionDraft | None = None, live: bool = False) -> dict:
    """The create-question inputs; returns raw values. `live` (not inside an st.form): the id
    follows the title as it is typed, until the admin edits the id."""
    now = get_db().now()
    follow = {"on_change": _suggest_id, "args": (prefix,)} if live else {}
    title = st.text_input(
        "Question", value=draft.title if draft else "", key=f"{prefix}_title", **follow
    )
    cols = st.columns([2, 1])
    # Live, the id's value lives in session state only (the title's callback writes it).
    typed = {"on_change": _id_typed, "args": (prefix,)} if live else {}
    if not live:
        typed["value"] = slug(draft.title) if draft else ""
    ident = cols[0].text_input(
        "Id (lower-case, digits, '-', '.', '_')",
        key=f"{prefix}_id",
        help="Permanent: used in links, exports and the CLI. Suggested from the title; edit "
        "it if you like. Left empty, it comes from the title.",
        **typed,
    )
    kind = cols[1].selectbox(
        "Type", TYPES, index=TYPES.index(draft.type) if draft else 0,
        format_func=type_label, key=f"{prefix}_type",
    )  # fmt: skip
    if kind in CONTINUOUS:
        options = ""
        spec = range_fields(prefix, kind)
    else:
        spec = None
        options = st.text_area(
            "Options, one per line (ignored for binary: Yes / No)",
            value="\n".join(draft.options) if draft and draft.type != "binary" else "",
            height=90,
            key=f"{prefix}_options",
        )
    criteria = st.text_area(
        "Resolution criteria",
        value=draft.resolution_criteria if draft else "",
        height=110,
        key=f"{prefix}_criteria",
        help="Say exactly what counts, by which source, by when; and when it would be annulled.",
    )
    description = st.text_area(
        "Background", value=draft.description if draft else "", height=90, key=f"{prefix}_desc"
    )
    cols = st.columns(3)
    opens = cols[0].date_input(
        "Opens", value=(draft.open_time if draft else now).date(), key=f"{prefix}_open"
    )
    closes = cols[1].date_input(
        "Closes (at the end of this day, UTC)",
        value=last_day(draft.close_time) if draft else (now + timedelta(days=90)).date(),
        key=f"{prefix}_close",
    )
    tags = cols[2].text_input(
        "Tags (comma-separated)", value=", ".join(draft.tags) if draft else "", key=f"{prefix}_tags"
    )
    keywords = st.text_input(
        "Keywords for finding its evidence (comma-separated)",
        value=", ".join(draft.keywords) if draft else "",
        key=f"{prefix}_keywords",
        help=KEYWORDS_HELP,
    )
    hide = st.checkbox(
        "Hide the team's forecasts from each member until they have forecast (recommended)",
        value=True,
        key=f"{prefix}_hide",
    )
    return {
        "id": ident.strip() or slug(title),
        "title": title,
        "type": kind,
        "options": _lines(options) if kind not in ("binary", *CONTINUOUS) else None,
        "range": spec,
        "description": description,
        "resolution_criteria": criteria,
        "open_time": _at(opens) if opens != now.date() else now,
        "close_time": end_of(closes),
        "tags": _tags(tags),
        "keywords": _tags(keywords),
        "hide_until_forecast": hide,
    }


def range_fields(prefix: str, kind: str) -> dict:
    """A numeric or date question's range: the bounds, each open or closed, a log scale
    (numeric, lower bound > 0) and a unit. The service checks it and says what is wrong."""
    st.markdown(
        "**Range** — forecasts are drawn over it. A closed bound: the outcome cannot lie "
        "beyond it. An open bound: it can, and forecasts put some probability there."
    )
    cols = st.columns(2)
    if kind == "date":
        today = get_db().now().date()
        lower = cols[0].date_input("Lower bound", value=today, key=f"{prefix}_lower")
        upper = cols[1].date_input(
            "Upper bound", value=today + timedelta(days=365), key=f"{prefix}_upper"
        )
        bounds: tuple[object, object] = (lower.isoformat(), upper.isoformat())
    else:
        lower = cols[0].number_input("Lower bound", value=0.0, format="%g", key=f"{prefix}_lower")
        upper = cols[1].number_input("Upper bound", value=100.0, format="%g", key=f"{prefix}_upper")
        bounds = (float(lower), float(upper))
    open_lower = cols[0].checkbox(
        "Open lower bound (the outcome may be below it)", key=f"{prefix}_open_lower"
    )
    open_upper = cols[1].checkbox(
        "Open upper bound (the outcome may be above it)", key=f"{prefix}_open_upper"
    )
    cols = st.columns(2)
    log = False
    if kind == "numeric":
        log = cols[0].checkbox(
            "Log scale (for quantities spanning orders of magnitude; lower bound > 0)",
            key=f"{prefix}_log",
        )
        unit = cols[1].text_input("Unit (e.g. USD/bbl, %)", key=f"{prefix}_unit")
    else:
        unit = ""
    return {
        "lower": bounds[0],
        "upper": bounds[1],
        "open_lower": open_lower,
        "open_upper": open_upper,
        "scale": "log" if log else "linear",
        "unit": unit.strip(),
    }


def create_form() -> None:
    """Not an st.form: the id is suggested from the title as it is typed, and the wording is
    linted beside it."""
    from tracker.ui.admin import lint_panel

    form_col, lint_col = st.columns([3, 2], gap="large")
    with form_col, st.container(border=True, key="adm_create"):
        st.markdown("**New question**")
        fields = question_fields("adm_new", live=True)
        buttons = st.columns(2)
        submitted = buttons[0].button("Create question", type="primary", key="adm_create_submit")
        buttons[1].button("Check wording", key="adm_create_lint")  # a rerun: lint re-reads
    with lint_col:
        lint_panel.fields_panel(fields, key="adm_new")
    if submitted and _create(fields):
        for key in [k for k in st.session_state if str(k).startswith("adm_new_")]:
            del st.session_state[key]
        st.rerun()


def _create(fields: dict) -> bool:
    """Create the question; on success it is selected in the picker after the rerun."""
    try:
        created = questions.create_question(
            get_db(), current_actor(), parse(QuestionCreate, fields, FIELD_LABELS)
        )
    except TrackerError as exc:
        show_error(exc)
        return False
    flash(f"Created “{esc(created.title)}” ({created.id}).")
    select_after_rerun(created.id)
    return True


#: How the create and edit forms name QuestionCreate's fields, so errors use the same words.
FIELD_LABELS = {
    "id": "Id",
    "title": "Question",
    "type": "Type",
    "options": "Options",
    "resolution_criteria": "Resolution criteria",
    "description": "Background",
    "open_time": "Opens",
    "close_time": "Closes",
    "tags": "Tags",
    "keywords": "Keywords",
    "range": "Range",
}


def last_day(close_time: datetime) -> date:
    """The day a form shows for a close time: a window closing at 00:00Z ends the day before."""
    return (close_time - timedelta(microseconds=1)).date()


def end_of(day: date) -> datetime:
    """'Closes 30 June' means through the end of that day: 1 July 00:00Z."""
    return _at(day + timedelta(days=1))


def _suggest_id(prefix: str) -> None:
    """Fill the id from the title until the admin types an id of their own."""
    if not st.session_state.get(f"{prefix}_id_typed"):
        st.session_state[f"{prefix}_id"] = slug(st.session_state.get(f"{prefix}_title", ""))


def _id_typed(prefix: str) -> None:
    st.session_state[f"{prefix}_id_typed"] = bool(st.session_state.get(f"{prefix}_id", "").strip())


def select_after_rerun(question_id: str) -> None:
    st.session_state[SELECT_KEY] = question_id


def edit_form(question: QuestionRead) -> None:
    with st.form(f"adm_edit_{question.id}"):
        st.markdown(f"**Edit** — revision {question.revision}; wording changes make a new one")
        title = st.text_input("Question", value=question.title)
        criteria = st.text_area("Resolution criteria", value=question.resolution_criteria)
        description = st.text_area("Background", value=question.description)
        options = None
        if question.type != "binary":
            options = st.text_area(
                "Options (one per line; only before the first forecast)",
                value="\n".join(question.options),
            )
        cols = st.columns(2)
        closes = cols[0].date_input(
            "Closes (at the end of this day, UTC)", value=last_day(question.close_time)
        )
        tags = cols[1].text_input("Tags", value=", ".join(question.tags))
        keywords = st.text_input(
            "Keywords for finding its evidence (comma-separated; not wording: no new revision)",
            value=", ".join(question.keywords),
            help=KEYWORDS_HELP,
        )
        hide = st.checkbox(
            "Hide the team's forecasts until a member has forecast",
            value=question.hide_until_forecast,
        )
        submitted = st.form_submit_button("Save changes", type="primary")
    if not submitted:
        return
    close_time = question.close_time
    if closes != last_day(question.close_time):
        close_time = end_of(closes)
    edit = {
        "title": title,
        "resolution_criteria": criteria,
        "description": description,
        "options": _lines(options) if options is not None else None,
        "close_time": close_time,
        "tags": _tags(tags),
        "keywords": _tags(keywords),
        "hide_until_forecast": hide,
    }
    try:
        saved = questions.edit_question(
            get_db(), current_actor(), question.id, parse(QuestionEdit, edit, FIELD_LABELS)
        )
    except TrackerError as exc:
        show_error(exc)
        return
    flash(f"Saved (revision {saved.revision}).")
    st.rerun()


def resolution_details(question: QuestionRead) -> tuple[dict[str, object], bool, bool]:
    """The end of every resolution form (inside it): the day, source, note and confirmation,
    as the service's fields, whether the box is ticked, and whether the form was sent."""
    cols = st.columns(2)
    default_day = min(get_db().now(), question.close_time).date()
    day = cols[0].date_input("Resolved on", value=default_day)
    source = cols[1].text_input("Source (link or citation)")
    note = st.text_area("Resolution note", placeholder="What happened and how you checked it")
    confirm = st.checkbox("I checked this against the resolution criteria")
    submitted = st.form_submit_button("Resolve", type="primary")
    fields = {"note": note, "source": source, "resolved_time": resolved_time_of(day)}
    return fields, confirm, submitted


def resolve_form(question: QuestionRead) -> None:
    if question.status != "open":
        st.info(f"This question is already {question.status} ({when(question.resolved_time)}).")
        return
    if question.is_continuous:
        from tracker.ui.admin.resolution_panel import continuous_resolve_form

        continuous_resolve_form(question)
        return
    with st.form(f"adm_resolve_{question.id}"):
        st.markdown("**Resolve or annul**")
        outcome = st.radio(
            "Outcome", [*question.options, "Annul (excluded from all scores)"], index=None,
            horizontal=len(question.options) <= 4,
        )  # fmt: skip
        data, confirm, submitted = resolution_details(question)
    if not submitted:
        return
    if outcome is None:
        st.error("Choose an outcome.")
        return
    if not confirm:
        st.error("Tick the confirmation box first: resolving cannot be undone.")
        return
    if outcome in question.options:
        data["option"] = outcome
    else:
        data["annul"] = True
    from tracker.services import resolution_assist
    from tracker.ui.admin.resolution_panel import current_proposal

    try:
        done = resolution_assist.decide(
            get_db(), current_actor(), question.id, parse(Resolution, data),
            current_proposal(question.id),
        )  # fmt: skip
    except TrackerError as exc:
        show_error(exc)
        return
    verb = "Annulled" if done.status == "annulled" else f"Resolved **{esc(done.resolution)}**"
    flash(f"{verb}. Scores update on the Review page.")
    st.rerun()


def resolved_time_of(day: date) -> datetime:
    """Today means now; an earlier day means its noon (UTC)."""
    now = get_db().now()
    return now if day >= now.date() else _at(day, time(12, 0))


def drafts_panel() -> None:
    """Draft candidate questions from an article; nothing is created without acceptance."""
    status = summaries.engine_status()
    if not status.configured:
        st.info(
            "Drafting questions needs an LLM. The offline engine is active: set OPENAI_API_KEY "
            "(or OPENAI_BASE_URL for a local OpenAI-compatible server) and restart to enable it."
        )
    with st.form("adm_draft"):
        title = st.text_input("Article title (optional)")
        article = st.text_area("Article text", height=200)
        submitted = st.form_submit_button(
            "Draft questions", icon="🤖", disabled=not status.configured
        )
    if submitted:
        with st.status("Asking the model for candidate questions…") as progress:
            try:
                drafts = summaries.draft_questions(current_actor(), article, title or None)
            except TrackerError as exc:
                progress.update(label="Drafting failed", state="error")
                show_error(exc)
                drafts = None
            else:
                progress.update(label=f"{len(drafts)} draft(s) ready", state="complete")
        if drafts is not None:
            st.session_state[DRAFTS_KEY] = {
                uuid.uuid4().hex[:8]: d.model_dump(mode="json") for d in drafts
            }
    pending: dict[str, dict] = st.session_state.get(DRAFTS_KEY, {})
    if not pending:
        return
    st.markdown(f"**{len(pending)} draft(s)** — edit each, then accept or discard it.")
    for index, (uid, raw) in enumerate(list(pending.items())):
        draft = QuestionDraft.model_validate(raw)
        with st.expander(f"Draft: {esc(draft.title)}", expanded=index == 0):
            with st.form(f"adm_draft_{uid}"):
                fields = question_fields(f"adm_d{uid}", draft)
                accept = st.form_submit_button("Accept and create", type="primary")
                discard = st.form_submit_button("Discard")
            from tracker.ui.admin import lint_panel

            lint_panel.fields_panel(fields, key=f"adm_d{uid}")
            if (accept and _create(fields)) or discard:
                pending.pop(uid)
                st.session_state[DRAFTS_KEY] = pending
                st.rerun()
