"""The `tracker` command. Thin: parse arguments, call a service, print. User mistakes print one
line on stderr and exit 1; nothing here validates or writes by itself.

`main` (the console script) first offers the command line to `quick`, which runs
`tracker score FILE --format json` without loading typer, the database layer or pandas; any
other command line goes to the typer `app` of `commands`, the table of contents of every
command. `app` is loaded on first use, so `from tracker.cli import app` still works."""

import sys
from typing import Any


def main() -> None:
    from tracker.cli.quick import run_quick

    run_quick(sys.argv[1:])  # returns only when the command line is not one it runs
    from tracker.cli.commands import app

    app()


def __getattr__(name: str) -> Any:
    if name == "app":
        from tracker.cli.commands import app

        return app
    raise AttributeError(f"module 'tracker.cli' has no attribute {name!r}")
