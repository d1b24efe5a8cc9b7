"""`tracker score FILE --format json` on a short path: no typer, no SQLAlchemy, no pydantic, no
pandas; only the file parser, the numpy engine and the JSON writer.

`run_quick` recognises exactly that command line (FILE and `--format json`, in either order)
and handles it in full, ending the process with `os._exit` once the output is flushed: the
interpreter would otherwise spend a noticeable share of the run freeing the parsed document
object by object. Anything else, `--help` included, returns and goes to typer. Errors read as
the typer path prints them (one line, `error: ...`, exit 1)."""

import mmap
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracker.scoring.score_table import Columns


def printable(text: str) -> str:
    """One line any terminal can print: hostile input (a lone surrogate) shown escaped."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\n", " ")


def score_file_json(path: Path, keep: list[Any] | None = None) -> str:
    """The `--format json` text of scoring an interchange file; user mistakes raise
    `tracker.errors.InvalidInput` naming the row. ``keep``: see `score_file_tables`."""
    from tracker.scoring.report_json import dumps_tables
    from tracker.scoring.score_table import user_columns

    scores = score_file_tables(path, keep)
    return dumps_tables(scores, user_columns(scores)) + "\n"


def score_file_tables(path: Path, keep: list[Any] | None = None) -> "Columns":
    """The per-(question, user) score table of an interchange file, numeric and date
    questions included; user mistakes raise `tracker.errors.InvalidInput` naming the row.
    ``keep``: where the parsed rows are put rather than freed, for a process about to exit."""
    from tracker.errors import InvalidInput
    from tracker.interchange.jsontext import loads
    from tracker.scoring.document import read_document
    from tracker.scoring.document_typed import typed_scoring_input
    from tracker.scoring.score_table import score_columns

    raw = _mapped(path)
    numeric = None
    try:
        data = typed_scoring_input(raw, keep)
        if data is None:
            data, numeric = read_document(loads(bytes(raw)))
    except ValueError as exc:  # the engine's own message names the bad row
        raise InvalidInput(str(exc)) from None
    scores = score_columns(data)
    if numeric is not None:
        from tracker.scoring.continuous_table import continuous_columns, merge_tables

        scores = merge_tables(scores, continuous_columns(numeric))
    return scores


def _mapped(path: Path) -> "bytes | mmap.mmap":
    """The file's bytes, mapped rather than copied (the kernel's page cache is the buffer: less
    memory to fault in than a 100 MB read); read as usual when it cannot be mapped (empty)."""
    with path.open("rb") as handle:
        try:
            flags = mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0)  # fault it in at once
            return mmap.mmap(handle.fileno(), 0, flags=flags, prot=mmap.PROT_READ)
        except (ValueError, OSError):
            return handle.read()


def _score_file(argv: list[str]) -> str | None:
    """FILE when argv is `score FILE --format json` (options in any order), else None."""
    if not argv or argv[0] != "score":
        return None
    file, fmt, rest = None, None, argv[1:]
    while rest:
        arg, rest = rest[0], rest[1:]
        if arg == "--format" and rest and fmt is None:
            fmt, rest = rest[0], rest[1:]
        elif arg.startswith("--format=") and fmt is None:
            fmt = arg.partition("=")[2]
        elif arg.startswith("-") or file is not None:
            return None
        else:
            file = arg
    return file if fmt == "json" else None


def _tune_for_one_batch() -> None:
    """Settings for a process that reads one file, writes one answer and exits. OpenBLAS
    (under numpy) would start a thread per core that spins waiting for matrix work this path
    never gives it; glibc would return each freed numpy temporary to the kernel and fault fresh
    zeroed pages in for the next one (a tenth of the run): keep freed memory for reuse. numpy
    would ask for transparent huge pages for every big array, and where the kernel serves that
    request by compacting memory on the spot (THP `defrag=madvise`, Debian's default) the
    faults cost more system time than the whole scoring: ordinary pages serve."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        libc.mallopt(-1, 1 << 30)  # M_TRIM_THRESHOLD: keep freed heap memory
        libc.mallopt(-3, 1 << 30)  # M_MMAP_THRESHOLD: big arrays from the reusable heap
    except (OSError, AttributeError):  # not glibc: the defaults serve
        pass


def run_quick(argv: list[str]) -> None:
    """Run `tracker score FILE --format json` and exit; return for any other command line."""
    file = _score_file(argv)
    if file is None:
        return
    _tune_for_one_batch()
    from tracker.errors import TrackerError

    code, parsed = 0, []  # the parsed rows: left for `os._exit` to drop, not freed one by one
    try:
        sys.stdout.write(score_file_json(Path(file), parsed))
    except TrackerError as exc:
        sys.stderr.write(printable(f"error: {exc}") + "\n")
        code = 1
    except OSError as exc:
        sys.stderr.write(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": ") + "\n")
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
