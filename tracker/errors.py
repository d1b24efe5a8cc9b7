"""One family of user-facing errors: edges print the message, never a traceback."""

from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # pydantic is imported where it is used: `tracker score FILE` never needs it
    import pydantic

M = TypeVar("M", bound="pydantic.BaseModel")


class TrackerError(Exception):
    """A mistake the user can fix; the message is shown as is."""


class InvalidInput(TrackerError):
    pass


class NotFound(TrackerError):
    pass


class PermissionDenied(TrackerError):
    pass


class Conflict(TrackerError):
    pass


def describe_validation_error(exc: "pydantic.ValidationError") -> str:
    """Pydantic's report folded into one readable line: 'field: problem; field: problem'."""
    parts = []
    for error in exc.errors(include_url=False):
        location = ".".join(str(p) for p in error.get("loc", ()) if p != "__root__")
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{location}: {message}" if location else message)
    return "; ".join(parts)


def parse(model: type[M], data: object) -> M:
    """Validate edge input into a data model, turning pydantic's error into an InvalidInput."""
    import pydantic

    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise InvalidInput(describe_validation_error(exc)) from None
