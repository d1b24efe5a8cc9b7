"""`tracker questions list`, `forecast` and `resolve`."""

import json
from typing import Annotated

import typer

from tracker.cli.common import emit, open_db


def questions_list(
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    state: Annotated[
        str | None, typer.Option(help="open, closed, resolved, annulled, upcoming")
    ] = None,
) -> None:
    """List questions."""
    from tracker.errors import InvalidInput
    from tracker.services import questions

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
    from tracker.errors import InvalidInput

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


def forecast(
    question_id: str,
    user: Annotated[str, typer.Option("--user", help="who is forecasting")],
    prob: Annotated[
        float | None, typer.Option("--prob", help="P(Yes) for a binary question")
    ] = None,
    probs: Annotated[str | None, typer.Option("--probs", help='e.g. "A=0.2,B=0.8"')] = None,
    percentiles: Annotated[
        str | None,
        typer.Option(
            "--percentiles",
            help='numeric or date questions: e.g. "10=62,50=75,90=95" (dates: 50=2027-03-01)',
        ),
    ] = None,
    rationale: Annotated[str, typer.Option(help="why")] = "",
) -> None:
    """Log a forecast now, as USER."""
    from tracker.errors import InvalidInput, parse
    from tracker.interchange import format_time
    from tracker.schemas import ForecastCreate
    from tracker.services import forecasts, users

    if sum(x is not None for x in (prob, probs, percentiles)) != 1:
        raise InvalidInput("give exactly one of --prob, --probs or --percentiles")
    db = open_db()
    actor = users.actor_for(users.get_user(db, user))
    fields: dict[str, object] = {"question_id": question_id, "rationale": rationale}
    if percentiles is not None:
        from tracker.quantities import parse_percentiles

        try:
            fields["percentiles"] = parse_percentiles(percentiles)
        except ValueError as exc:
            raise InvalidInput(f"--percentiles: {exc}") from None
    else:
        fields["probabilities"] = (
            forecasts.binary_vector(prob) if prob is not None else parse_probs(probs or "")
        )
    saved = forecasts.log_forecast(db, actor, parse(ForecastCreate, fields))
    shown = (
        _distribution_words(db, question_id, saved.cdf)
        if saved.cdf
        else ", ".join(f"{k}={v:.3f}" for k, v in saved.probabilities.items())
    )
    typer.echo(
        f"forecast {saved.id} on {question_id} by {user} "
        f"at {format_time(saved.created_at)}: {shown}"
    )


def _distribution_words(db, question_id: str, cdf: list[float]) -> str:  # type: ignore[no-untyped-def]
    from tracker.quantities import distribution_words
    from tracker.services import questions

    return distribution_words(questions.get_question(db, question_id), cdf)


def resolve(
    question_id: str,
    option: Annotated[
        str | None,
        typer.Argument(help="the option that happened (numeric: the value; date: YYYY-MM-DD)"),
    ] = None,
    annul: Annotated[bool, typer.Option("--annul", help="annul instead (never scored)")] = False,
    note: Annotated[str, typer.Option(help="resolution note")] = "",
    source: Annotated[str, typer.Option(help="resolution source, e.g. a URL")] = "",
    suggest: Annotated[
        bool, typer.Option("--suggest", help="show the resolution assistant's advice only")
    ] = False,
) -> None:
    """Resolve a question to OPTION, or annul it (or, with --suggest, see the advice)."""
    from tracker.errors import parse

    if suggest:
        from tracker.cli.assist import print_suggestion

        return print_suggestion(question_id)
    from tracker.schemas import Actor, Resolution
    from tracker.services import questions

    resolution = parse(
        Resolution, {"option": option, "annul": annul, "note": note, "source": source}
    )
    q = questions.resolve_question(open_db(), Actor.system(), question_id, resolution)
    typer.echo(f"{q.id}: {q.status}" + (f" as '{q.resolution}'" if q.resolution else ""))
