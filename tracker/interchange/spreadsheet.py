"""The one CSV writer for every download (forecasts export, session export, pages).

A cell that a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a carriage
return: `=HYPERLINK(...)`, `+cmd|...`, `@SUM(...)`) gets a leading apostrophe, which the
spreadsheet shows as text. Every text cell passes through it, so no writer can forget a column.
"""

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """Free text that a spreadsheet would run as a formula gets a leading quote."""
    return "'" + text if text[:1] in FORMULA_STARTS else text


def _cell(value: object) -> object:
    if isinstance(value, str):
        return spreadsheet_safe(value)
    if isinstance(value, float):
        return repr(value)  # every digit, as the JSON export has it
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A CSV document, every text cell formula-safe; numbers written in full."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([spreadsheet_safe(h) for h in header])
    writer.writerows([_cell(v) for v in row] for row in rows)
    return buffer.getvalue()
