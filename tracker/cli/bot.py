"""`tracker bot add | enable | disable | forecast`: the AI baseline forecaster."""

from typing import Annotated

import typer

from tracker.cli.common import open_db


def bot_add(name: str, display_name: Annotated[str, typer.Option(help="shown name")] = "") -> None:
    """Create a bot account (disabled until `tracker bot enable NAME`)."""
    from tracker.schemas import Actor
    from tracker.services import bots

    user = bots.create_bot(open_db(), Actor.system(), name, display_name)
    typer.echo(f"bot {user.name} created (disabled)")


def bot_enable(name: str) -> None:
    """Let the bot forecast."""
    from tracker.schemas import Actor
    from tracker.services import bots

    bots.set_enabled(open_db(), Actor.system(), name, True)
    typer.echo(f"bot {name} enabled")


def bot_disable(name: str) -> None:
    """Stop the bot forecasting (its forecasts stay)."""
    from tracker.schemas import Actor
    from tracker.services import bots

    bots.set_enabled(open_db(), Actor.system(), name, False)
    typer.echo(f"bot {name} disabled")


def bot_forecast(
    question_id: Annotated[str | None, typer.Argument(help="one open question")] = None,
    every: Annotated[bool, typer.Option("--all", help="every open question")] = False,
) -> None:
    """Each enabled bot forecasts (again only where the evidence changed)."""
    from tracker.errors import InvalidInput
    from tracker.schemas import Actor
    from tracker.services import bots

    if (question_id is None) == (not every):
        raise InvalidInput("give a QUESTION_ID or --all (one of them)")
    runs = bots.run_bots(open_db(), Actor.system(), question_id)
    for run in runs:
        shown = ", ".join(f"{o}={p:.3f}" for o, p in (run.probabilities or {}).items())
        typer.echo(f"{run.bot} {run.question_id}: {run.status} {shown} {run.detail}".rstrip())
    made = sum(r.status == "made" for r in runs)
    typer.echo(f"{made} forecast(s) made, {len(runs) - made} not")
