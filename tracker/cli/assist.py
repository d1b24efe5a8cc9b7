"""`tracker resolve --suggest` and `tracker questions overdue`: the resolution assistant."""

from typing import Annotated

import typer

from tracker.cli.common import open_db


def _day(value) -> str:  # type: ignore[no-untyped-def]
    return value.strftime("%Y-%m-%d") if value else "undated"


def print_suggestion(question_id: str) -> None:
    """Print the advice for one question; nothing is resolved."""
    from tracker.schemas import Actor
    from tracker.services import resolution_assist

    advice = resolution_assist.suggest(open_db(), Actor.system(), question_id)
    proposal = advice.proposal
    if proposal is None:
        why = advice.rejected or "the offline engine makes no proposal"
        typer.echo(f"{question_id}: no proposal ({why}).")
    else:
        shown = {"option": f"resolve as '{proposal.option}'", "annul": "annul"}.get(
            proposal.verdict, "not yet knowable"
        )
        typer.echo(f"{question_id}: proposal by {advice.engine} {advice.model}: {shown}")
        if proposal.criterion_clause:
            typer.echo(f"  criterion: “{proposal.criterion_clause}”")
        for quote in proposal.quotes:
            typer.echo(
                f"  #{quote.evidence_id} ({_day(quote.published_at or quote.added_at)}, "
                f"verified): “{quote.text}”"
            )
        if proposal.reasoning:
            typer.echo(f"  why: {proposal.reasoning}")
    typer.echo("Best-matching passages of the linked evidence:")
    for passage in advice.passages:
        typer.echo(
            f"  #{passage.evidence_id} {passage.title} "
            f"({_day(passage.published_at or passage.added_at)}): {passage.text}"
        )
    if not advice.passages:
        typer.echo("  (none)")
    typer.echo("Nothing was resolved: run `tracker resolve QUESTION_ID OPTION` to decide.")


def questions_overdue(
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Questions past their close that are not resolved yet."""
    import json

    from tracker.schemas import Actor
    from tracker.services import resolution_assist

    rows = resolution_assist.overdue(open_db(), Actor.system())
    if fmt == "json":
        typer.echo(json.dumps([r.model_dump(mode="json") for r in rows], indent=2))
        return
    for row in rows:
        typer.echo(
            f"{row.id}  closed {_day(row.close_time)}  {row.days_overdue} d overdue  {row.title}"
        )
    if not rows:
        typer.echo("no overdue resolutions")
