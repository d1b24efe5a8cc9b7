"""The `tracker` command. Thin: parse arguments, call a service, print. User mistakes print one
line on stderr and exit 1; nothing here validates or writes by itself."""

import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tracker import interchange
from tracker.db import Database
from tracker.errors import Conflict, InvalidInput, TrackerError, parse
from tracker.migrate import current_revision, upgrade_to_head
from tracker.schemas import Actor, ForecastCreate, Resolution, Role, UserCreate
from tracker.services import evidence, forecasts, questions, sessions, summaries, users

app = typer.Typer(
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="forecast-tracker: team forecasting questions, evidence summaries and scores.",
)
questions_app = typer.Typer(no_args_is_help=True, help="List questions.")
users_app = typer.Typer(no_args_is_help=True, help="Manage accounts and roles.")
feeds_app = typer.Typer(no_args_is_help=True, help="RSS/Atom feeds of evidence.")
sessions_app = typer.Typer(no_args_is_help=True, help="Team forecasting sessions.")
app.add_typer(questions_app, name="questions")
app.add_typer(users_app, name="users")
app.add_typer(feeds_app, name="feeds")
app.add_typer(sessions_app, name="sessions")

F = TypeVar("F", bound=Callable[..., Any])


def command(group: typer.Typer, name: str | None = None) -> Callable[[F], F]:
    """Register a command whose user errors become one line on stderr and exit code 1."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except TrackerError as exc:
                typer.echo(f"error: {exc}", err=True)
                raise typer.Exit(1) from None
            except OSError as exc:
                typer.echo(
                    f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), err=True
                )
                raise typer.Exit(1) from None

        group.command(name)(wrapper)
        return func

    return decorate


def open_db(*, migrate: bool = False) -> Database:
    db = Database.from_settings()
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


@command(app)
def init() -> None:
    """Create the database, or upgrade it to the newest schema."""
    db = open_db(migrate=True)
    typer.echo(f"database ready at revision {current_revision(db)}")


@command(app)
def seed() -> None:
    """Load the seed questions and evidence notes (idempotent)."""
    from tracker.seed import seed as run_seed

    summary = run_seed(open_db(migrate=True))
    typer.echo(
        f"seed: {summary.questions_added} questions added, {summary.questions_present} already "
        f"present, {summary.evidence_added} evidence notes added"
    )


@command(app)
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
    from tracker.demo import DEMO_PASSWORD, MEMBERS, VIEWER, build_demo, demo_state
    from tracker.demo import reset as reset_demo

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


@command(questions_app, "list")
def questions_list(
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    state: Annotated[
        str | None, typer.Option(help="open, closed, resolved, annulled, upcoming")
    ] = None,
) -> None:
    """List questions."""
    rows = questions.list_questions(open_db(), states={state} if state else None)
    if fmt == "json":
        emit(
            json.dumps([q.model_dump(mode="json") for q in rows], indent=2, ensure_ascii=False)
            + "\n"
        )
        return
    if fmt != "table":
        raise InvalidInput("--format must be table or json")
    width = max((len(q.id) for q in rows), default=2)
    for q in rows:
        typer.echo(
            f"{q.id:<{width}}  {q.type:<15}  {q.state:<8}  {q.close_time:%Y-%m-%d}  {q.title}"
        )


def parse_probs(text: str) -> dict[str, float]:
    """'A=0.2,B=0.8' → {'A': 0.2, 'B': 0.8}; labels may contain spaces but not '=' or ','."""
    result: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        label, sep, value = part.rpartition("=")
        if not sep or not label.strip():
            raise InvalidInput(f"--probs: expected OPTION=P, got '{part}'")
        try:
            result[label.strip()] = float(value)
        except ValueError:
            raise InvalidInput(f"--probs: '{value}' is not a number") from None
    return result


@command(app)
def forecast(
    question_id: str,
    user: Annotated[str, typer.Option("--user", help="who is forecasting")],
    prob: Annotated[
        float | None, typer.Option("--prob", help="P(Yes) for a binary question")
    ] = None,
    probs: Annotated[str | None, typer.Option("--probs", help='e.g. "A=0.2,B=0.8"')] = None,
    rationale: Annotated[str, typer.Option(help="why")] = "",
) -> None:
    """Log a forecast now, as USER."""
    if (prob is None) == (probs is None):
        raise InvalidInput("give exactly one of --prob or --probs")
    db = open_db()
    actor = users.actor_for(users.get_user(db, user))
    vector = forecasts.binary_vector(prob) if prob is not None else parse_probs(probs or "")
    data = parse(
        ForecastCreate,
        {"question_id": question_id, "probabilities": vector, "rationale": rationale},
    )
    saved = forecasts.log_forecast(db, actor, data)
    shown = ", ".join(f"{k}={v:.3f}" for k, v in saved.probabilities.items())
    typer.echo(
        f"forecast {saved.id} on {question_id} by {user} "
        f"at {interchange.format_time(saved.created_at)}: {shown}"
    )


@command(app)
def resolve(
    question_id: str,
    option: Annotated[str | None, typer.Argument(help="the option that happened")] = None,
    annul: Annotated[bool, typer.Option("--annul", help="annul instead (never scored)")] = False,
    note: Annotated[str, typer.Option(help="resolution note")] = "",
    source: Annotated[str, typer.Option(help="resolution source, e.g. a URL")] = "",
) -> None:
    """Resolve a question to OPTION, or annul it."""
    resolution = parse(
        Resolution, {"option": option, "annul": annul, "note": note, "source": source}
    )
    q = questions.resolve_question(open_db(), Actor.system(), question_id, resolution)
    typer.echo(f"{q.id}: {q.status}" + (f" as '{q.resolution}'" if q.resolution else ""))


@command(users_app, "add")
def users_add(
    name: str,
    role: Annotated[Role, typer.Option(help="admin, forecaster or viewer")] = "forecaster",
    display_name: Annotated[str, typer.Option(help="shown in the app")] = "",
    no_password: Annotated[bool, typer.Option("--no-password", help="cannot log in yet")] = False,
) -> None:
    """Add a user; the password comes from TRACKER_PASSWORD or a prompt."""
    password = None
    if not no_password:
        password = os.environ.get("TRACKER_PASSWORD")
        if password is None:
            if not sys.stdin.isatty():
                raise InvalidInput("set TRACKER_PASSWORD or run in a terminal to be prompted")
            password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    data = parse(
        UserCreate, {"name": name, "role": role, "display_name": display_name, "password": password}
    )
    user = users.create_user(open_db(), Actor.system(), data)
    typer.echo(f"user {user.name} added as {user.role}")


@command(users_app, "list")
def users_list() -> None:
    """List accounts."""
    for u in users.list_users(open_db()):
        flags = ("" if u.is_active else " (inactive)") + (
            "" if u.has_password else " (no password)"
        )
        typer.echo(f"{u.name:<20} {u.role:<10}{flags}")


@command(users_app, "set-role")
def users_set_role(name: str, role: Role) -> None:
    """Change a user's role."""
    user = users.set_role(open_db(), Actor.system(), name, role)
    typer.echo(f"user {user.name} is now {user.role}")


@command(users_app, "set-password")
def users_set_password(name: str) -> None:
    """Set a password (TRACKER_PASSWORD or a prompt)."""
    password = os.environ.get("TRACKER_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            raise InvalidInput("set TRACKER_PASSWORD or run in a terminal to be prompted")
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    users.set_password(open_db(), Actor.system(), name, password)
    typer.echo(f"password set for {name}")


@command(app, "import")
def import_file(file: Path) -> None:
    """Import an interchange JSON file: all or nothing, idempotent."""
    summary = interchange.import_text(open_db(migrate=True), Actor.system(), file.read_bytes())
    typer.echo(
        f"imported: {summary.questions_added} questions ({summary.questions_unchanged} unchanged), "
        f"{summary.forecasts_added} forecasts ({summary.forecasts_unchanged} unchanged), "
        f"{summary.users_added} new users, {summary.evidence_added} evidence items, "
        f"{summary.links_added} evidence links, {summary.sessions_added} sessions"
    )


@command(app)
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
    db = open_db()
    if with_credentials and fmt != "json":
        raise InvalidInput("--with-credentials needs --format json")
    if fmt == "json" and with_credentials and output is not None:
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(interchange.export_json(db, credentials=True))
        typer.echo(f"wrote {output} (with password hashes)", err=True)
    elif fmt == "json":
        emit(interchange.export_json(db, credentials=with_credentials), output)
    elif fmt == "csv":
        emit(interchange.export_forecasts_csv(db), output)
    else:
        raise InvalidInput("--format must be json or csv")


@command(sessions_app, "list")
def sessions_list() -> None:
    """Every team session, newest first: id, phase, facilitator, questions, title."""
    for record in sessions.list_sessions(open_db()):
        typer.echo(
            f"{record.id:>4}  {record.phase:<7} {record.facilitator:<16} "
            f"{len(record.question_ids):>2} question(s)  {record.title}"
        )


@command(sessions_app, "export")
def sessions_export(
    session_id: int,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="file (default stdout)")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or csv")] = "json",
) -> None:
    """A session's record for the team's notes: blind forecasts, pools, spread and updates
    (during the blind phase only who has submitted)."""
    db = open_db()
    if fmt == "json":
        document = sessions.export_record(db, Actor.system(), session_id)
        emit(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n", output)
    elif fmt == "csv":
        emit(sessions.export_csv(db, Actor.system(), session_id), output)
    else:
        raise InvalidInput("--format must be json or csv")


@command(app)
def score(
    file: Annotated[
        Path | None, typer.Argument(help="an interchange file (default: the database)")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Score resolved questions (Brier, relative Brier, log, baseline, peer); stores nothing."""
    from tracker.scoring.report import format_table, score_document
    from tracker.services import scores

    if fmt not in ("table", "json"):
        raise InvalidInput("--format must be table or json")
    if file is not None:
        try:
            result = score_document(interchange.loads(file.read_bytes()))
        except ValueError as exc:  # the engine's own message names the bad row
            raise InvalidInput(str(exc)) from None
    else:
        result = scores.report(open_db()).to_dict()
    emit(json.dumps(result, indent=2) + "\n" if fmt == "json" else format_table(result))


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on a terminal (silent when output is piped), fed by (done, total)."""
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


def acting(db: Database, user: str | None) -> Actor:
    return users.actor_for(users.get_user(db, user)) if user else Actor.system()


def parse_time(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{option}: '{value}' is not an ISO date or time") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@command(app)
def ingest(
    paths: Annotated[list[str], typer.Argument(help="files (.txt, .md, .html) or http(s) URLs")],
    title: Annotated[str | None, typer.Option(help="title (default: from the item)")] = None,
    outlet: Annotated[str | None, typer.Option(help="outlet / publisher")] = None,
    published: Annotated[str | None, typer.Option(help="publication time, ISO 8601")] = None,
    user: Annotated[str | None, typer.Option(help="record as added by this user")] = None,
) -> None:
    """Store evidence (files or URLs) and link it to the questions it bears on."""
    db = open_db()
    actor = acting(db, user)
    when = parse_time(published, "--published")
    with progress_bar("ingesting") as update:
        for done, path in enumerate(paths, start=1):
            if path.startswith(("http://", "https://")):
                result = evidence.add_url(
                    db, actor, path, title=title, outlet=outlet, published_at=when
                )
            else:
                file = Path(path)
                result = evidence.add_file(
                    db,
                    actor,
                    filename=file.name,
                    data=file.read_bytes(),
                    title=title,
                    outlet=outlet or "",
                    published_at=when,
                )
            update(done, len(paths))
            linked = ", ".join(f"{link.question_id} ({link.score:.2f})" for link in result.links)
            state = "already stored as" if result.duplicate else "stored as"
            typer.echo(f"{path}: {state} evidence {result.item.id}; linked: {linked or 'none'}")


@command(feeds_app, "add")
def feeds_add(url: str) -> None:
    """Register an RSS/Atom feed."""
    feed = evidence.add_feed(open_db(), Actor.system(), url)
    typer.echo(f"feed {feed.id} added: {feed.url}")


@command(feeds_app, "poll")
def feeds_poll() -> None:
    """Fetch every feed and store the new entries as evidence."""
    db = open_db()
    with progress_bar("polling feeds") as update:
        summary = evidence.poll_feeds(db, Actor.system(), on_progress=update)
    typer.echo(
        f"{summary.feeds} feeds: {summary.entries_added} new entries, "
        f"{summary.duplicates} already stored"
    )
    for problem in summary.errors:
        typer.echo(f"warning: {problem}", err=True)


@command(app)
def summarize(
    question_id: Annotated[str | None, typer.Argument(help="one question")] = None,
    all_open: Annotated[bool, typer.Option("--all", help="every open question")] = False,
    user: Annotated[
        str | None, typer.Option(help="what is new since this user's last forecast")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Summarise the evidence linked to questions (cached: a repeat costs nothing)."""
    if (question_id is None) == (not all_open):
        raise InvalidInput("give a QUESTION_ID or --all")
    db = open_db()
    actor = Actor.system()
    user_id = users.get_user(db, user).id if user else None
    ids = (
        [question_id]
        if question_id
        else [q.id for q in questions.list_questions(db, states={"open"})]
    )
    with progress_bar("summarising") as update:
        results = summaries.summarize_questions(
            db, actor, ids, for_user_id=user_id, on_progress=update
        )
    if fmt == "json":
        emit(
            json.dumps([r.model_dump(mode="json") for r in results], indent=2, ensure_ascii=False)
            + "\n"
        )
        return
    for stored in results:
        typer.echo(render_summary(stored))


def render_summary(stored: summaries.StoredSummary) -> str:
    s = stored.summary
    lines = [f"== {stored.question_id} [{stored.engine}: {stored.model}]", s.headline]
    if stored.fallback_reason:
        lines.append(f"(LLM unavailable, offline digest shown: {stored.fallback_reason})")
    if s.whats_new:
        lines.append(f"New: {s.whats_new}")
    for point in s.key_points:
        mark = "verified" if point.verified else "UNVERIFIED"
        lines.append(f"  - [{point.direction}, {point.strength}] {point.claim}")
        lines.append(f'      "{point.quote}" (evidence {point.evidence_id}, {mark})')
    lines.extend(f"  caveat: {c}" for c in s.caveats)
    return "\n".join(lines)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
