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
    linked_questions: list[str] = []
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
            links = [link for link in result.links if link.state == "linked"]
            if not result.duplicate:
                linked_questions += [link.question_id for link in links]
            linked = ", ".join(
                f"{link.question_id} ({link.score:.2f}{_by(link)})" for link in links
            )
            state = "already stored as" if result.duplicate else "stored as"
            typer.echo(f"{path}: {state} evidence {result.item.id}; linked: {linked or 'none'}")
    _refresh(db, actor, linked_questions)


def _by(link) -> str:  # type: ignore[no-untyped-def]
    return ", judged by the model" if link.method == "llm" else ""


def _refresh(db, actor, question_ids: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Bring the summaries of the questions new evidence was linked to up to date, inline."""
    from tracker.services.summary_refresh import refresh_summaries

    ids = sorted(set(question_ids))
    if not ids:
        return
    with progress_bar("refreshing summaries") as update:
        report = refresh_summaries(db, actor, ids, on_progress=update)
    typer.echo(f"summaries refreshed: {len(report.refreshed)} ({', '.join(report.refreshed)})")
    _say_fallback(report.fallbacks, report.fallback_reason)


def _say_fallback(count: int, reason: str | None) -> None:
    """Once for the batch, not once per question."""
    if count and reason:
        typer.echo(
            f"warning: {count} summary(ies) fell back to the offline digest: {reason}", err=True
        )


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
    _refresh(db, Actor.system(), summary.questions_linked)


def summarize(
    question_id: Annotated[str | None, typer.Argument(help="one question")] = None,
    all_open: Annotated[bool, typer.Option("--all", help="every open question")] = False,
    stale: Annotated[
        bool,
        typer.Option(
            "--stale", help="only questions whose linked evidence changed since their summary"
        ),
    ] = False,
    user: Annotated[
        str | None, typer.Option(help="what is new since this user's last forecast")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Summarise the evidence linked to questions (cached: a repeat costs nothing).

    `--stale` is for cron: it refreshes exactly the questions whose evidence changed since
    their last summary (or whose summary fell back while a model is configured)."""
    from tracker.errors import InvalidInput
    from tracker.schemas import Actor
    from tracker.services import questions, summaries, users
    from tracker.services.summary_refresh import stale_question_ids

    if sum((question_id is not None, all_open, stale)) != 1:
        raise InvalidInput("give one of QUESTION_ID, --all or --stale")
    if stale and user:
        raise InvalidInput("--stale makes the team's summaries; it takes no --user")
    db = open_db()
    actor = Actor.system()
    user_id = users.get_user(db, user).id if user else None
    if stale:
        ids = stale_question_ids(db)
    elif question_id:
        ids = [question_id]
    else:
        ids = [q.id for q in questions.list_questions(db, states={"open"})]
    with progress_bar("summarising") as update:
        results = summaries.summarize_questions(
            db, actor, ids, for_user_id=user_id, for_team=stale, on_progress=update
        )
    if fmt == "json":
        emit(
            json.dumps([r.model_dump(mode="json") for r in results], indent=2, ensure_ascii=False)
            + "\n"
        )
        return
    if stale:
        typer.echo(f"{len(results)} stale summary(ies) refreshed")
    for stored in results:
        typer.echo(render_summary(stored))
    reasons = [r.fallback_reason for r in results if r.fallback_reason]
    _say_fallback(len(reasons), reasons[-1] if reasons else None)


def render_summary(stored: "StoredSummary") -> str:
    s = stored.summary
    lines = [f"== {stored.question_id} [{stored.engine}: {stored.model}]", s.headline]
    if stored.fallback_reason:
        lines.append("(LLM unavailable: the offline digest is shown)")
    if s.whats_new:
        lines.append(f"New: {s.whats_new}")
    for point in s.key_points:
        lines.append(f"  - [{point.direction}, {point.strength}] {point.claim}")
        lines.append(f"      {_quote(point)} (evidence {point.evidence_id}, {_mark(point)})")
    lines.extend(f"  caveat: {c}" for c in s.caveats)
    return "\n".join(lines)


def _quote(point) -> str:  # type: ignore[no-untyped-def]
    """An elided quote shows the source's omitted words in [[ ]] between the quoted parts."""
    if point.quote_status != "elided" or not point.quote_segments:
        return f'"{point.quote}"'
    parts = (f"[[{s.text}]]" if s.omitted else s.text for s in point.quote_segments)
    return '"' + " ".join(parts) + '"'


def _mark(point) -> str:  # type: ignore[no-untyped-def]
    if point.quote_status == "verified":
        return "verified"
    if point.quote_status == "elided":
        flags = [w for w, on in (("a negation", point.omits_negation),
                                 ("a number", point.omits_number)) if on]  # fmt: skip
        omitted = f"; the omitted words hold {' and '.join(flags)}" if flags else ""
        return f"ELIDED, check the source{omitted}"
    return "UNVERIFIED"
