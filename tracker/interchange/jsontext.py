"""Parsing an interchange file: orjson for speed, the standard library for its verdicts.

Kept free of pydantic and the database so `tracker score FILE` imports little. orjson is
stricter than `json` (no NaN literals, BOM or UTF-16, no integers past 64 bits as integers), so
anything it refuses is parsed again by `json`: a file `json` accepts still loads, and a broken
file gets the same message as before (line and column from `json`)."""

import gc
import json
from typing import Any

import orjson

from tracker.errors import InvalidInput


def loads(text: str | bytes) -> dict[str, Any]:
    """Parse a document, with the line and column of a syntax error."""
    enabled = gc.isenabled()
    gc.disable()  # a big parse makes millions of containers and no cycles: skip the collector
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError:
        document = _stdlib_loads(text)
    finally:
        # Out of the collector's sight from now on (reference counting still frees it), or
        # each later collection would walk every row of the document again.
        gc.freeze()
        if enabled:
            gc.enable()
    if not isinstance(document, dict):
        raise InvalidInput("not an interchange document: expected a JSON object at the top")
    return document


def _stdlib_loads(text: str | bytes) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except UnicodeDecodeError:
        raise InvalidInput("not valid JSON: the file is not UTF-8 text") from None
    except RecursionError:
        raise InvalidInput("not an interchange document: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer with thousands of digits
        raise InvalidInput(f"not valid JSON: {str(exc)[:200]}") from None
