"""What every command shares: user errors as one line and exit 1, the database handle, output.

Kept light on purpose: the services, SQLAlchemy and rich are imported when a command runs, so
`tracker --help` starts fast."""

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from tracker.cli.quick import printable

if TYPE_CHECKING:
    from tracker.db import Database
    from tracker.schemas import Actor

F = TypeVar("F", bound=Callable[..., Any])


def command(group: typer.Typer, name: str | None = None) -> Callable[[F], F]:
    """Register a command whose user errors become one line on stderr and exit code 1."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            from tracker.errors import TrackerError

            try:
                return func(*args, **kwargs)
            except TrackerError as exc:
                typer.echo(printable(f"error: {exc}"), err=True)
                raise typer.Exit(1) from None
            except OSError as exc:
                typer.echo(
                    f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), err=True
                )
                raise typer.Exit(1) from None

        group.command(name)(wrapper)
        return func

    return decorate


_OPEN: dict[tuple[str, int], "Database"] = {}


def _shared_database(factory: Any) -> "Database":
    """One Database (one engine, one pool) per process and URL: a command or script that calls
    `open_db` in a loop must not open a new pool each time (50 exhausted PostgreSQL). Moving to
    another URL disposes the previous one, so a test run visiting many databases keeps one."""
    from tracker.config import get_settings

    settings = get_settings()
    key = (settings.database_url, settings.sqlite_busy_timeout_ms)
    if key not in _OPEN:
        for stale in _OPEN.values():
            stale.dispose()
        _OPEN.clear()
        _OPEN[key] = factory.from_settings(settings)
    return _OPEN[key]


def open_db(*, migrate: bool = False) -> "Database":
    from tracker.db import Database
    from tracker.errors import TrackerError
    from tracker.migrate import current_revision, upgrade_to_head

    db = _shared_database(Database)
    if migrate:
        upgrade_to_head(db)
    elif current_revision(db) is None:
        raise TrackerError("the database is not initialised; run `tracker init` first")
    return db


def emit(text: str, output: Path | None = None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on a terminal (silent when output is piped), fed by (done, total)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=not sys.stderr.isatty(),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def acting(db: "Database", user: str | None) -> "Actor":
    """USER as the actor, or the system when no user is named."""
    from tracker.schemas import Actor
    from tracker.services import users

    return users.actor_for(users.get_user(db, user)) if user else Actor.system()


def parse_time(value: str | None, option: str) -> datetime | None:
    from tracker.errors import InvalidInput

    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{option}: '{value}' is not an ISO date or time") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def read_password() -> str:
    """The password from TRACKER_PASSWORD, else a hidden prompt on a terminal."""
    import os

    from tracker.errors import InvalidInput

    password = os.environ.get("TRACKER_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            raise InvalidInput("set TRACKER_PASSWORD or run in a terminal to be prompted")
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    return password
