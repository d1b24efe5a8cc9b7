"""One family of user-facing errors: edges print the message, never a traceback."""

from collections.abc import Mapping
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


def describe_validation_error(
    exc: "pydantic.ValidationError", labels: Mapping[str, str] | None = None
) -> str:
    """Pydantic's report folded into one readable line: 'field: problem; field: problem'.
    `labels` names fields as the form does ('title' → 'Question')."""
    parts = []
    for error in exc.errors(include_url=False):
        loc = [str(p) for p in error.get("loc", ()) if p != "__root__"]
        if loc and labels and loc[0] in labels:
            loc[0] = labels[loc[0]]
        location = ".".join(loc)
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{location}: {message}" if location else message)
    return "; ".join(parts)


def parse(model: type[M], data: object, labels: Mapping[str, str] | None = None) -> M:
    """Validate edge input into a data model, turning pydantic's error into an InvalidInput
    (fields named by `labels` when a form calls them something else)."""
    import pydantic

    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise InvalidInput(describe_validation_error(exc, labels)) from None
