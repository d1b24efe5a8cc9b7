"""`tracker tokens create | list | revoke`: personal API tokens, run by the operator."""

from typing import Annotated, Literal

import typer

from tracker.cli.common import acting, open_db

Scope = Literal["read", "forecast", "admin"]  # tracker.services.tokens.Scope, without pydantic


def tokens_create(
    name: Annotated[str, typer.Argument(help="what the token is for, e.g. 'sheet-sync'")],
    user: Annotated[str, typer.Option("--user", "-u", help="the member it acts as")],
    scope: Annotated[Scope, typer.Option(help="read, forecast or admin")] = "read",
    expires_days: Annotated[
        int | None, typer.Option("--expires-days", help="default API_TOKEN_DAYS (90)")
    ] = None,
) -> None:
    """Create a token; the secret is printed once (on stdout, alone) and never again."""
    from tracker.services import tokens

    db = open_db()
    created = tokens.create_token(
        db, acting(db, user), {"name": name, "scope": scope, "expires_days": expires_days}
    )
    t = created.token
    typer.echo(
        f"token {t.id} '{t.name}' for {t.user}, scope {t.scope}, expires "
        f"{t.expires_at:%Y-%m-%d %H:%MZ}; keep the secret now, it is not shown again:",
        err=True,
    )
    typer.echo(created.secret)


def tokens_list(
    user: Annotated[str | None, typer.Option("--user", "-u", help="only this member's")] = None,
) -> None:
    """List tokens (never their secrets)."""
    from tracker.schemas import Actor
    from tracker.services import tokens

    db = open_db()
    now = db.now()
    for t in tokens.list_tokens(db, Actor.system(), user):
        used = f"{t.last_used_at:%Y-%m-%d %H:%MZ}" if t.last_used_at else "never"
        typer.echo(
            f"{t.id:>4} {t.prefix}…  {t.user:<16} {t.name:<20} {t.scope:<8} "
            f"{t.status(now):<8} expires {t.expires_at:%Y-%m-%d}  used {used}"
        )


def tokens_revoke(
    token_id: Annotated[int, typer.Argument(help="the id `tokens list` shows")],
) -> None:
    """Revoke a token at once."""
    from tracker.schemas import Actor
    from tracker.services import tokens

    t = tokens.revoke_token(open_db(), Actor.system(), token_id)
    typer.echo(f"token {t.id} '{t.name}' of {t.user} is revoked")
