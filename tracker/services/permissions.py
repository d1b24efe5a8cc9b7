"""Who may do what, and who may see whose numbers. Checked in the services, so no edge can
forget it: the pages, the CLI, the session reveal and the exports all ask these functions."""

from tracker.errors import PermissionDenied
from tracker.schemas import Actor


def require_admin(actor: Actor, action: str) -> None:
    if not actor.is_admin:
        raise PermissionDenied(f"only an admin can {action}")


def require_forecaster(actor: Actor) -> None:
    if actor.role == "viewer":
        raise PermissionDenied("viewers cannot forecast; ask an admin for the forecaster role")
    if actor.user_id is None:
        raise PermissionDenied("forecasts are made by a named user, not by the system")


def require_self(actor: Actor, user_id: int, action: str) -> None:
    if actor.user_id != user_id:
        raise PermissionDenied(f"you can only {action} as yourself")


def require_contributor(actor: Actor) -> None:
    """Adding and linking evidence: anyone but a viewer (the system operator included)."""
    if actor.role == "viewer":
        raise PermissionDenied("viewers cannot add or link evidence")


def require_session_creator(actor: Actor, participants: list[str]) -> None:
    """A session is run by an admin, or by a forecaster who takes part in it: a forecaster may
    not set up a session of colleagues only (the reveal would be theirs to read unanchored)."""
    require_forecaster(actor)
    if not actor.is_admin and actor.name not in participants:
        raise PermissionDenied(
            "a forecaster can only create a session they take part in; ask an admin otherwise"
        )


def may_see_others(
    actor: Actor, *, hide_until_forecast: bool, is_open: bool, has_forecast: bool, blind: bool
) -> bool:
    """The anchoring rule: may this user see others' forecasts on a question now?

    While the question takes forecasts and hides them until one's own (`hide_until_forecast`),
    only those who forecast it, viewers (who cannot be anchored) and the server operator (no
    user id: it reads the database anyway) see the others'. `blind`: the user takes part in a
    session on the question still in its blind phase, so sees nobody's numbers.
    """
    if blind and is_open:
        return False
    if not hide_until_forecast or not is_open:
        return True
    return actor.role == "viewer" or actor.user_id is None or has_forecast
