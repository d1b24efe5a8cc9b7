"""Importers from the platforms teams come from (Fatebook, Metaculus, a spreadsheet): each maps
its file to our interchange document, which then goes through the normal import, all or
nothing and idempotent."""

from dataclasses import dataclass, field
from typing import Literal

from tracker.db import Database
from tracker.errors import InvalidInput
from tracker.interchange.format import loads
from tracker.interchange.importers import fatebook, metaculus, spreadsheet
from tracker.interchange.reading import ImportSummary, import_document
from tracker.schemas import Actor

Source = Literal["fatebook", "metaculus", "spreadsheet"]
SOURCES: tuple[Source, ...] = ("fatebook", "metaculus", "spreadsheet")


@dataclass
class Conversion:
    document: dict
    skipped: list[str] = field(default_factory=list)


def convert(
    source: str,
    data: bytes,
    *,
    user: str | None = None,
    user_map: dict[str, str] | None = None,
    skip_unsupported: bool = False,
) -> Conversion:
    """The interchange document for a file from `source` (nothing is stored)."""
    if source == "fatebook":
        return Conversion(fatebook.convert(data, user_map=user_map or {}))
    if source == "spreadsheet":
        return Conversion(spreadsheet.convert(data, user_map=user_map or {}))
    if source == "metaculus":
        if not user:
            raise InvalidInput("a Metaculus file names no user: say whose forecasts these are")
        document, skipped = metaculus.convert(
            loads(data), user=user, skip_unsupported=skip_unsupported
        )
        return Conversion(document, skipped)
    raise InvalidInput(f"unknown source {source!r}; choose one of {', '.join(SOURCES)}")


def import_from(
    db: Database, actor: Actor, source: str, data: bytes, **options
) -> tuple[ImportSummary, Conversion]:
    """Convert, then import through the normal all-or-nothing path."""
    conversion = convert(source, data, **options)
    return import_document(db, actor, conversion.document), conversion
