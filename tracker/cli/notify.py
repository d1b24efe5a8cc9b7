"""`tracker notify [--digest]`: deliver the queued notifications (run it from cron)."""

from typing import Annotated

import typer

from tracker.cli.common import open_db


def notify(
    digest: Annotated[
        bool, typer.Option("--digest", help="first queue this week's digest for every member")
    ] = False,
) -> None:
    """Send what is due (new questions, sessions, resolutions, evidence), retrying failures
    with backoff; failures that gave up are listed on the Admin page."""
    from tracker.services import notifications

    db = open_db()
    if digest:
        typer.echo(f"queued {notifications.enqueue_digests(db)} digest message(s)", err=True)
    report = notifications.deliver_due(db)
    typer.echo(f"sent {report.sent}, retrying {report.retrying}, failed {report.failed}")
