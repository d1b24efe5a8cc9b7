"""`python -m tracker.cli` (the browser tests start the command this way)."""

from tracker.cli import main

main()
