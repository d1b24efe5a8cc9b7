"""`tracker init`, `seed` and `demo`: create or upgrade the database, load the seed questions,
build the practice database."""

from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.common import open_db


def init() -> None:
    """Create the database, or upgrade it to the newest schema."""
    from tracker.migrate import current_revision

    db = open_db(migrate=True)
    typer.echo(f"database ready at revision {current_revision(db)}")


def seed() -> None:
    """Load the seed questions and evidence notes (idempotent)."""
    from tracker.seed import seed as run_seed

    summary = run_seed(open_db(migrate=True))
    typer.echo(
        f"seed: {summary.questions_added} questions added, {summary.questions_present} already "
        f"present, {summary.evidence_added} evidence notes added, "
        f"{summary.summaries_made} summaries made"
        + (f", keywords filled on {summary.keywords_filled}" if summary.keywords_filled else "")
    )
    if summary.reworded:
        typer.echo(
            f"seed: brought {len(summary.reworded)} unedited seed questions to the current "
            f"wording (a new revision each): {', '.join(summary.reworded)}"
        )
    if summary.options_kept:
        typer.echo(f"seed: options kept (forecasts exist) on {', '.join(summary.options_kept)}")


def demo(
    database_url: Annotated[
        str,
        typer.Option(
            "--database-url", help="where to build it: a separate database, never the team's"
        ),
    ] = "sqlite:///data/demo.db",
    reset: Annotated[
        bool, typer.Option("--reset", help="delete the practice data there and build it afresh")
    ] = False,
) -> None:
    """Build a practice database: fictional members and questions, labelled [Practice]."""
    import shlex

    from sqlalchemy.engine import make_url

    from tracker.config import get_settings
    from tracker.db import Database
    from tracker.demo import DEMO_PASSWORD, MEMBERS, VIEWER, build_demo, demo_state
    from tracker.demo import reset as reset_demo
    from tracker.errors import Conflict, InvalidInput
    from tracker.migrate import upgrade_to_head

    team_url = get_settings().database_url
    if database_url == team_url and "demo" not in Path(make_url(team_url).database or "").name:
        raise InvalidInput(
            "refusing to put practice data into the team database (DATABASE_URL); "
            "give --database-url a separate database"
        )
    db = Database(database_url)
    try:
        if demo_state(db) == "foreign":  # checked before migrating: leave it exactly as it is
            raise Conflict(
                f"{database_url} holds data that is not the practice demo; refusing to touch "
                "it: give --database-url a separate, new database"
            )
        if reset:
            reset_demo(db)
        upgrade_to_head(db)
        summary = build_demo(db)
    finally:
        db.dispose()
    typer.echo(summary.message)
    forecasters = ", ".join(m[0] for m in MEMBERS if m[2] == "forecaster")
    typer.echo(
        f"open the app on it:  DATABASE_URL={shlex.quote(database_url)} streamlit run app.py\n"
        f"sign in as demo-admin (admin), {forecasters} (forecasters) or {VIEWER[0]} (viewer), "
        f"password: {DEMO_PASSWORD}"
    )
