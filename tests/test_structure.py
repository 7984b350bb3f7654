"""The package's shape: the factory is imported by nothing inside the package but its __init__."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "recommender"


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_no_module_but_the_package_init_imports_the_app_factory():
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path.name != "__init__.py" or path.parent != PACKAGE
        if "recommender.app" in imported_modules(path)
    ]
    assert offenders == []


def test_domain_and_ml_never_import_flask():
    for layer in ("domain", "ml"):
        for path in (PACKAGE / layer).rglob("*.py"):
            assert not any(m == "flask" or m.startswith("flask.") for m in imported_modules(path)), path
