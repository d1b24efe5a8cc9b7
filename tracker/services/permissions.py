"""Who may do what. Checked in the services, so no edge can forget it."""

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
