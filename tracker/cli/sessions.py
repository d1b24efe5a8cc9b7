"""`tracker sessions list | export`: team sessions and their records."""

import json
from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.common import emit, open_db


def sessions_list() -> None:
    """Every team session, newest first: id, phase, facilitator, questions, title."""
    from tracker.services import sessions

    for record in sessions.list_sessions(open_db()):
        typer.echo(
            f"{record.id:>4}  {record.phase:<7} {record.facilitator:<16} "
            f"{len(record.question_ids):>2} question(s)  {record.title}"
        )


def sessions_export(
    session_id: int,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="file (default stdout)")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or csv")] = "json",
) -> None:
    """A session's record for the team's notes: blind forecasts, pools, spread and updates
    (during the blind phase only who has submitted)."""
    from tracker.errors import InvalidInput
    from tracker.schemas import Actor
    from tracker.services import sessions

    db = open_db()
    if fmt == "json":
        document = sessions.export_record(db, Actor.system(), session_id)
        emit(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n", output)
    elif fmt == "csv":
        emit(sessions.export_csv(db, Actor.system(), session_id), output)
    else:
        raise InvalidInput("--format must be json or csv")
