"""DESIGN §1: nothing under tracker/scoring/ touches the database (or the app)."""

import ast
import subprocess
import sys
from pathlib import Path

import tracker.scoring

FORBIDDEN = ("sqlmodel", "sqlalchemy", "alembic", "streamlit", "psycopg", "sqlite3",
             "tracker.db", "tracker.models", "tracker.services", "tracker.ui")  # fmt: skip


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_scoring_module_imports_the_database() -> None:
    package = Path(tracker.scoring.__file__).parent
    files = sorted(package.glob("*.py"))
    assert len(files) >= 10
    for file in files:
        bad = {
            name
            for name in imported_modules(file)
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
        }
        assert not bad, f"{file.name} imports {sorted(bad)}"


def test_importing_the_engine_loads_no_database_library() -> None:
    probe = (
        "import sys, tracker.scoring, tracker.testing.reference_scoring\n"
        f"bad = {FORBIDDEN!r}\n"
        "print(sorted(m for m in sys.modules"
        " if any(m == f or m.startswith(f + '.') for f in bad)))"
    )
    root = Path(tracker.scoring.__file__).parents[2]
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=root
    )
    assert out.stdout.strip() == "[]"
