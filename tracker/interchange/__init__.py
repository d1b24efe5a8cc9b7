"""The interchange document (DESIGN §4): one JSON format for moving questions and forecasts
between instances and tools, which with its optional sections is also the whole-database
backup.

- format.py: the document's shape, its row models and validation (no database);
- jsontext.py: parsing the file (light: no pydantic, no database);
- reading.py: import, all or nothing and idempotent;
- writing.py: canonical export (JSON) and the forecasts as CSV;
- backup.py: the optional whole-database sections, written and merged;
- spreadsheet.py: the one formula-safe CSV writer every download uses.

The names below are loaded on first use, so importing one light module (`jsontext`) does not
pull in the database and the validation models.
"""

from importlib import import_module
from typing import Any

_WHERE = {
    "FORMAT": "format",
    "format_time": "format",
    "parse_document": "format",
    "loads": "jsontext",
    "ImportSummary": "reading",
    "import_document": "reading",
    "import_text": "reading",
    "dumps": "writing",
    "export_document": "writing",
    "export_forecasts_csv": "writing",
    "export_json": "writing",
    "write_json": "writing",
    "spreadsheet_safe": "spreadsheet",
    "csv_text": "spreadsheet",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'tracker.interchange' has no attribute {name!r}")
    value = getattr(import_module(f"tracker.interchange.{_WHERE[name]}"), name)
    globals()[name] = value
    return value
