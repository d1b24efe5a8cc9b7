"""Lint findings shown beside the admin's question forms (create, edit, drafts).

Advisory: findings never block saving. The offline rules run on every rerun (cheap); the
model's ambiguity check only when the admin asks for it, and its findings say which engine
wrote them.
"""

from collections.abc import Mapping
from typing import Any

import streamlit as st

from tracker.errors import TrackerError
from tracker.services import lint, summaries
from tracker.services.lint import LintReport
from tracker.ui.shell.context import get_db
from tracker.ui.widgets.render import badge, esc, show_error

_SEVERITY = {"error": ("error", "red"), "warning": ("warning", "orange"), "note": ("note", "gray")}
FIELD_LABELS = {
    "title": "Question",
    "description": "Background",
    "resolution_criteria": "Resolution criteria",
    "options": "Options",
    "close_time": "Closes",
    "id": "Id",
}


def _ask_model(key: str) -> bool:
    status = summaries.engine_status()
    if not status.configured:
        st.caption("Ambiguity check by a model: off (offline engine, rules only).")
        return False
    return st.toggle(
        f"Also ask {status.model} for ambiguous wording", key=f"{key}_lint_llm", value=False
    )


def show_report(report: LintReport) -> None:
    counts = {s: sum(f.severity == s for f in report.findings) for s in _SEVERITY}
    summary = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items() if n)
    st.markdown(f"**Lint** — {summary or 'no findings'}")
    for f in report.findings:
        label, color = _SEVERITY[f.severity]
        where = FIELD_LABELS.get(f.field, f.field)
        by = f" · by {report.engine} {esc(report.model)}" if f.source == "model" else ""
        st.markdown(f"{badge(label, color)} **{where}** `{f.code}`{by}")
        if f.quote:
            st.markdown(f"> {esc(f.quote)}")
        st.markdown(esc(f.message))
    engine = "offline rules" + (f" + {report.engine} {report.model}" if report.model else "")
    st.caption(f"Checked by {esc(engine)}. Findings are advice: nothing is changed or blocked.")
    if report.fallback_reason:
        st.caption(f"The model was not used: {esc(report.fallback_reason)}")


def fields_panel(fields: Mapping[str, Any], *, key: str) -> None:
    """Lint the form's current (last submitted) values."""
    if not str(fields.get("title") or "").strip():
        st.caption("Lint runs on the wording once you type a question and press *Check wording*.")
        return
    use_model = _ask_model(key)
    try:
        report = lint.lint_fields(get_db(), fields, use_model=use_model)
    except TrackerError as exc:
        show_error(exc)
        return
    show_report(report)


def question_panel(question_id: str) -> None:
    """Lint a stored question (after an edit, the saved wording)."""
    use_model = _ask_model(f"q_{question_id}")
    try:
        report = lint.lint_question(get_db(), question_id, use_model=use_model)
    except TrackerError as exc:
        show_error(exc)
        return
    show_report(report)
