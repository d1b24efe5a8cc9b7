"""`tracker users add | list | set-role | set-password`."""

from typing import Annotated, Literal

import typer

from tracker.cli.common import open_db, read_password

# tracker.schemas.Role, spelled out so that `--help` loads no pydantic (a test keeps them equal)
Role = Literal["admin", "forecaster", "viewer"]


def users_add(
    name: str,
    role: Annotated[Role, typer.Option(help="admin, forecaster or viewer")] = "forecaster",
    display_name: Annotated[str, typer.Option(help="shown in the app")] = "",
    no_password: Annotated[bool, typer.Option("--no-password", help="cannot log in yet")] = False,
) -> None:
    """Add a user; the password comes from TRACKER_PASSWORD or a prompt."""
    from tracker.errors import parse
    from tracker.schemas import Actor, UserCreate
    from tracker.services import users

    password = None if no_password else read_password()
    data = parse(
        UserCreate, {"name": name, "role": role, "display_name": display_name, "password": password}
    )
    user = users.create_user(open_db(), Actor.system(), data)
    typer.echo(f"user {user.name} added as {user.role}")


def users_list() -> None:
    """List accounts."""
    from tracker.services import users

    for u in users.list_users(open_db()):
        flags = ("" if u.is_active else " (inactive)") + (
            "" if u.has_password else " (no password)"
        )
        typer.echo(f"{u.name:<20} {u.role:<10}{flags}")


def users_set_role(name: str, role: Role) -> None:
    """Change a user's role."""
    from tracker.schemas import Actor
    from tracker.services import users

    user = users.set_role(open_db(), Actor.system(), name, role)
    typer.echo(f"user {user.name} is now {user.role}")


def users_set_password(name: str) -> None:
    """Set a password (TRACKER_PASSWORD or a prompt)."""
    from tracker.schemas import Actor
    from tracker.services import users

    password = read_password()
    users.set_password(open_db(), Actor.system(), name, password)
    typer.echo(f"password set for {name}")
