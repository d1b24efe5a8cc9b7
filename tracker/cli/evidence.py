"""`tracker ingest`, `feeds add | poll` and `summarize`: evidence in, summaries out."""

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tracker.cli.common import acting, emit, open_db, parse_time, progress_bar

if TYPE_CHECKING:
    from tracker.services.summaries import StoredSummary


def ingest(
    paths: Annotated[list[str], typer.Argument(help="files (.txt, .md, .html) or http(s) URLs")],
    title: Annotated[str | None, typer.Option(help="title (default: from the item)")] = None,
    outlet: Annotated[str | None, typer.Option(help="outlet / publisher")] = None,
    published: Annotated[str | None, typer.Option(help="publication time, ISO 8601")] = None,
    user: Annotated[str | None, typer.Option(help="record as added by this user")] = None,
) -> None:
    """Store evidence (files or URLs) and link it to the questions it bears on."""
    from tracker.services import evidence

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


def feeds_add(url: str) -> None:
    """Register an RSS/Atom feed."""
    from tracker.schemas import Actor
    from tracker.services import evidence

    feed = evidence.add_feed(open_db(), Actor.system(), url)
    typer.echo(f"feed {feed.id} added: {feed.url}")


def feeds_poll() -> None:
    """Fetch every feed and store the new entries as evidence."""
    from tracker.schemas import Actor
    from tracker.services import evidence

    db = open_db()
    with progress_bar("polling feeds") as update:
        summary = evidence.poll_feeds(db, Actor.system(), on_progress=update)
    typer.echo(
        f"{summary.feeds} feeds: {summary.entries_added} new entries, "
        f"{summary.duplicates} already stored"
    )
    for problem in summary.errors:
        typer.echo(f"warning: {problem}", err=True)


def summarize(
    question_id: Annotated[str | None, typer.Argument(help="one question")] = None,
    all_open: Annotated[bool, typer.Option("--all", help="every open question")] = False,
    user: Annotated[
        str | None, typer.Option(help="what is new since this user's last forecast")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Summarise the evidence linked to questions (cached: a repeat costs nothing)."""
    from tracker.errors import InvalidInput
    from tracker.schemas import Actor
    from tracker.services import questions, summaries, users

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


def render_summary(stored: "StoredSummary") -> str:
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
