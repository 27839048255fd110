"""The import direction of DESIGN.md: loyalty → reports → measure, reports → surveys, loyalty → surveys.

measure/ imports no project code; surveys/ never imports measure/ or reports/. Read from the source with
ast, so a late (in-function) import breaks the rule as surely as a top-level one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT_PACKAGES = {"loyalty", "surveys", "measure", "reports", "templates"}
ALLOWED = {
    "loyalty": {"loyalty", "surveys", "measure", "reports", "templates"},
    "reports": {"reports", "measure", "surveys", "templates"},
    "surveys": {"surveys", "templates"},
    "measure": {"measure"},
    "templates": {"templates"},
}


def imported_packages(source: Path) -> set[str]:
    tree = ast.parse(source.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & PROJECT_PACKAGES


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_the_design_allows(package: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) - ALLOWED[package])
        for path in (ROOT / package).rglob("*.py")
    }
    assert {path: bad for path, bad in offenders.items() if bad} == {}


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from reports import pdf\n", encoding="utf-8")
    assert imported_packages(module) == {"reports"}
