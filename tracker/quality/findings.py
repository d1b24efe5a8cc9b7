"""The shape every lint rule (offline or from a model) reports in."""

from typing import Literal

from pydantic import BaseModel

Severity = Literal["error", "warning", "note"]
Field = Literal["title", "description", "resolution_criteria", "options", "close_time", "id"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "note": 2}


class LintFinding(BaseModel):
    """One problem: `code` is stable (tests and scripts key on it), `message` is for people.
    `quote` is set for model findings only: the words of `field` the finding is about, checked
    to be in that field's text."""

    code: str
    severity: Severity
    field: Field
    message: str
    quote: str | None = None
    source: Literal["rules", "model"] = "rules"


def sort_findings(findings: list[LintFinding]) -> list[LintFinding]:
    return sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.field, f.code))
