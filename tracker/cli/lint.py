"""`tracker lint`: a question's wording checked by the offline rules (and a model if set)."""

import json
from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.common import emit, open_db

_MARK = {"error": "✖", "warning": "▲", "note": "·"}


def lint(
    question_id: Annotated[str | None, typer.Argument(help="a stored question")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="an interchange JSON file: lint its questions")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    offline: Annotated[bool, typer.Option("--offline", help="rules only, no model")] = False,
) -> None:
    """Lint a question (or every question of a file); exit 1 if any finding is an error."""
    from tracker.errors import InvalidInput
    from tracker.services import lint as lint_service

    if (question_id is None) == (file is None):
        raise InvalidInput("give a QUESTION_ID or --file FILE (one of them)")
    if fmt not in ("text", "json"):
        raise InvalidInput("--format must be text or json")
    db = open_db()
    if file is not None:
        try:
            document = json.loads(file.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise InvalidInput(f"{file}: not JSON ({exc})") from None
        entries = document.get("questions") if isinstance(document, dict) else None
        if not isinstance(entries, list):
            raise InvalidInput(f"{file}: no 'questions' list")
        reports = [lint_service.lint_fields(db, e, use_model=not offline) for e in entries]
    else:
        reports = [lint_service.lint_question(db, question_id or "", use_model=not offline)]
    if fmt == "json":
        emit(json.dumps([r.model_dump(mode="json") for r in reports], indent=2) + "\n")
    else:
        for report in reports:
            typer.echo(f"{report.question_id}: {report.title}")
            for f in report.findings:
                by = f" [{report.engine} {report.model}]".rstrip() if f.source == "model" else ""
                typer.echo(
                    f"  {_MARK[f.severity]} {f.severity} {f.code} ({f.field}){by}: {f.message}"
                )
            if not report.findings:
                typer.echo("  no findings")
            if report.fallback_reason:
                typer.echo(f"  (model not used: {report.fallback_reason})")
    if any(r.errors for r in reports):
        raise typer.Exit(1)
