"""The interchange document (DESIGN §4): one JSON format for moving questions and forecasts
between instances and tools, which with its optional sections is also the whole-database
backup.

- format.py: the document's shape, its row models and validation (no database);
- reading.py: import, all or nothing and idempotent;
- writing.py: canonical export (JSON) and the forecasts as CSV;
- backup.py: the optional whole-database sections, written and merged;
- spreadsheet.py: the one formula-safe CSV writer every download uses.
"""

from tracker.interchange.format import FORMAT, format_time, loads, parse_document
from tracker.interchange.reading import ImportSummary, import_document, import_text
from tracker.interchange.spreadsheet import csv_text, spreadsheet_safe
from tracker.interchange.writing import (
    dumps,
    export_document,
    export_forecasts_csv,
    export_json,
)

__all__ = [
    "FORMAT",
    "ImportSummary",
    "csv_text",
    "dumps",
    "export_document",
    "export_forecasts_csv",
    "export_json",
    "format_time",
    "import_document",
    "import_text",
    "loads",
    "parse_document",
    "spreadsheet_safe",
]
