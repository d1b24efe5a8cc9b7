"""`tracker import`, `export` and `score`: the interchange document in and out, and scoring a
file or the database."""

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.common import emit, open_db


def import_file(file: Path) -> None:
    """Import an interchange JSON file: all or nothing, idempotent."""
    from tracker import interchange
    from tracker.schemas import Actor

    db = open_db(migrate=True)
    document = interchange.loads(file.read_bytes())  # the file's bytes are let go here
    summary = interchange.import_document(db, Actor.system(), document, consume=True)
    typer.echo(
        f"imported: {summary.questions_added} questions ({summary.questions_unchanged} unchanged), "
        f"{summary.forecasts_added} forecasts ({summary.forecasts_unchanged} unchanged), "
        f"{summary.users_added} new users, {summary.evidence_added} evidence items, "
        f"{summary.links_added} evidence links, {summary.sessions_added} sessions, "
        f"{summary.comments_added} comments"
    )


def export(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="file (default stdout)")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or csv (forecasts)")] = "json",
    with_credentials: Annotated[
        bool,
        typer.Option(
            "--with-credentials",
            help="include password hashes (keep the file secret; written with mode 0600)",
        ),
    ] = False,
) -> None:
    """Export the whole database as an interchange document (or forecasts as CSV).

    The document is also the portable backup: `tracker import` into an empty database
    restores questions, forecasts, resolutions, accounts, evidence and sessions."""
    from tracker import interchange
    from tracker.errors import InvalidInput

    db = open_db()
    if with_credentials and fmt != "json":
        raise InvalidInput("--with-credentials needs --format json")
    if fmt == "json" and with_credentials and output is not None:
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            interchange.write_json(db, handle.write, credentials=True)
        typer.echo(f"wrote {output} (with password hashes)", err=True)
    elif fmt == "json" and output is not None:
        with output.open("wb") as handle:  # streamed: a big backup is never whole in memory
            interchange.write_json(db, handle.write, credentials=with_credentials)
        typer.echo(f"wrote {output}", err=True)
    elif fmt == "json":
        sys.stdout.flush()
        interchange.write_json(db, sys.stdout.buffer.write, credentials=with_credentials)
    elif fmt == "csv":
        emit(interchange.export_forecasts_csv(db), output)
    else:
        raise InvalidInput("--format must be json or csv")


def score(
    file: Annotated[
        Path | None, typer.Argument(help="an interchange file (default: the database)")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Score resolved questions (Brier, relative Brier, log, baseline, peer); stores nothing."""
    from tracker.errors import InvalidInput

    if fmt not in ("table", "json"):
        raise InvalidInput("--format must be table or json")
    if file is not None and fmt == "json":  # the short path's own function (`cli.quick`)
        from tracker.cli.quick import score_file_json

        emit(score_file_json(file))
        return
    if file is not None:  # only the parser and the engine: no database, no validation models
        from tracker.cli.quick import score_file_tables
        from tracker.scoring.report import report_of

        report = report_of(score_file_tables(file))
    else:
        from tracker.services import scores

        report = scores.report(open_db())
    if fmt == "json":
        from tracker.scoring.report_json import dumps_report

        emit(dumps_report(report) + "\n")
    else:
        from tracker.scoring.report import format_table

        emit(format_table(report.to_dict()))


def import_from(
    source: Annotated[str, typer.Argument(help="fatebook, metaculus or spreadsheet")],
    file: Annotated[Path, typer.Argument(help="the file exported there")],
    user: Annotated[
        str | None,
        typer.Option("--user", help="metaculus: the account whose forecasts the file holds"),
    ] = None,
    user_map: Annotated[
        str | None,
        typer.Option("--user-map", help="names in the file → accounts: 'Alice Smith=alice,...'"),
    ] = None,
    skip_unsupported: Annotated[
        bool,
        typer.Option("--skip-unsupported", help="metaculus: leave out numeric/date questions"),
    ] = False,
) -> None:
    """Import a Fatebook CSV export, a Metaculus API question list or a spreadsheet CSV.

    The file is mapped to the interchange document and imported all or nothing; a row that
    cannot be mapped is named in the error and nothing changes. Importing again adds nothing."""
    from tracker.interchange.importers import import_from as run
    from tracker.interchange.importers.common import parse_user_map
    from tracker.schemas import Actor

    summary, conversion = run(
        open_db(migrate=True),
        Actor.system(),
        source,
        file.read_bytes(),
        user=user,
        user_map=parse_user_map(user_map),
        skip_unsupported=skip_unsupported,
    )
    for label in conversion.skipped:
        typer.echo(f"skipped (not supported yet): {label}", err=True)
    typer.echo(
        f"imported from {source}: {summary.questions_added} questions "
        f"({summary.questions_unchanged} unchanged), {summary.forecasts_added} forecasts "
        f"({summary.forecasts_unchanged} unchanged), {summary.users_added} new users"
    )
