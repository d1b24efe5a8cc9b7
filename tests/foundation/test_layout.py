"""The rooms hold what their names say: test doubles and reference implementations live in
tracker/testing and no product module imports them."""

import ast
from pathlib import Path

import tracker

PACKAGE = Path(tracker.__file__).parent


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_product_module_imports_the_test_doubles() -> None:
    product = [p for p in PACKAGE.rglob("*.py") if "testing" not in p.relative_to(PACKAGE).parts]
    assert len(product) > 50
    for path in product:
        bad = {n for n in imported_modules(path) if n.split(".")[:2] == ["tracker", "testing"]}
        assert not bad, f"{path.relative_to(PACKAGE)} imports {sorted(bad)}"
