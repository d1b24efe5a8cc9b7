"""What the importers share: reading CSV, naming rows in errors, stable ids and user names.

An importer turns a file from elsewhere into our interchange document; the normal
all-or-nothing import then stores it. Every problem found while mapping is collected and
reported together, each naming the line or entry it comes from."""

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pydantic

from tracker.errors import InvalidInput
from tracker.interchange.format import ForecastRecord, QuestionRecord, short

MAX_PROBLEMS = 5
_NAME_CHARS = re.compile(r"[^a-z0-9_.-]+")
_LOOSE_TIME = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.\d+)?)?)?$"
)


class Problems:
    """Problems found while mapping, raised together so a user fixes a file in one go."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
        if not self.items:
            return
        shown = "; ".join(self.items[:MAX_PROBLEMS])
        more = len(self.items) - MAX_PROBLEMS
        tail = f"; and {more} more problem(s)" if more > 0 else ""
        raise InvalidInput(f"cannot import this {self.source} file: {shown}{tail}")


def read_csv(data: bytes, source: str) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The header and (line number, row) pairs of a UTF-8 CSV file (a BOM is allowed)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"this {source} file is not UTF-8 text") from None
    if "\x00" in text:
        raise InvalidInput(f"this {source} file is not CSV text (it contains NUL bytes)")
    reader = csv.DictReader(io.StringIO(text, newline=""), restval="")
    try:
        header = [name.strip() for name in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise InvalidInput(f"this {source} file is not valid CSV: {exc}") from None
    if not header:
        raise InvalidInput(f"this {source} file is empty")
    reader.fieldnames = header

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        try:
            for row in reader:
                extra = row.pop(None, None)  # type: ignore[call-overload]
                if extra:
                    raise InvalidInput(
                        f"cannot import this {source} file: line {reader.line_num}: "
                        f"more cells than the header has columns"
                    )
                yield reader.line_num, {k: (v or "").strip() for k, v in row.items()}
        except csv.Error as exc:
            raise InvalidInput(
                f"this {source} file is not valid CSV (line {reader.line_num}): {exc}"
            ) from None

    return header, rows()


def require_columns(header: list[str], needed: list[str], source: str) -> None:
    missing = [name for name in needed if name not in header]
    if missing:
        raise InvalidInput(
            f"this {source} file lacks the column(s) {', '.join(repr(m) for m in missing)}; "
            f"it has {short(', '.join(header), 200)}"
        )


def parse_time(value: Any) -> datetime:
    """An ISO time, 'YYYY-MM-DD[ HH:MM[:S]]' (taken as UTC) or epoch seconds."""
    if isinstance(value, bool):
        raise ValueError(f"not a time: {short(value)}")
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(float(value), UTC)
        except (OverflowError, OSError, ValueError):
            raise ValueError(f"not a time: {short(value)}") from None
    text = str(value).strip()
    loose = _LOOSE_TIME.match(text)
    try:
        if loose:
            parts = [int(p) if p else 0 for p in loose.groups()]
            return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a time: {short(text)}") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_probability(value: str) -> float:
    """A probability written as 0.3 or 30% (a bare 30 is refused, not guessed at)."""
    text = value.strip().rstrip("%").strip()
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"not a probability: {short(value)}") from None
    if value.strip().endswith("%"):
        number /= 100
    if not 0.0 <= number <= 1.0:
        raise ValueError(f"probability {short(value)} is outside 0..1")
    return number


def stable_id(prefix: str, title: str, *salt: str) -> str:
    """A question id that is the same every time the same file is imported (idempotence)."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].rstrip("-")
    digest = hashlib.sha256("\x1f".join((title, *salt)).encode()).hexdigest()[:8]
    return f"{prefix}-{slug}-{digest}" if slug else f"{prefix}-{digest}"


def user_name(display: str, user_map: dict[str, str]) -> str:
    """Our account name for a person named in a file: the mapping if given, else a slug."""
    if display in user_map:
        return user_map[display]
    ascii_name = unicodedata.normalize("NFKD", display).encode("ascii", "ignore").decode()
    name = _NAME_CHARS.sub(".", ascii_name.lower()).strip("._-")[:64]
    if not name:
        raise ValueError(f"cannot make an account name from {short(display)!r}; use --user-map")
    return name


def parse_user_map(text: str | None) -> dict[str, str]:
    """`"Alice Smith=alice,Bob=bob"` → {"Alice Smith": "alice", "Bob": "bob"}."""
    mapping: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, sep, account = part.partition("=")
        if not sep or not name.strip() or not account.strip():
            raise InvalidInput(f"--user-map entries look like 'Name=account' (got {short(part)!r})")
        mapping[name.strip()] = account.strip()
    return mapping


def checked(model: type[pydantic.BaseModel], row: dict[str, Any]) -> str | None:
    """Why a mapped row would be refused by the import, or None if it is fine."""
    try:
        model.model_validate(row)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "row"
        return f"{field}: {first['msg']}"
    return None


def check_rows(
    questions: list[tuple[str, dict[str, Any]]],
    forecasts: list[tuple[str, dict[str, Any]]],
    problems: Problems,
) -> None:
    """Validate mapped rows against the interchange models, naming the source line."""
    for where, row in questions:
        problem = checked(QuestionRecord, row)
        if problem:
            problems.add(where, problem)
    for where, row in forecasts:
        problem = checked(ForecastRecord, row)
        if problem:
            problems.add(where, problem)
