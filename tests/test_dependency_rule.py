"""DESIGN.md: the core (bot/domain, bot/services) imports no chat framework, SQL, scheduler or Pillow."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("aiogram", "pywa", "sqlmodel", "sqlalchemy", "apscheduler", "PIL", "storage", "openpyxl", "typer", "rich")
CORE = sorted((ROOT / "bot" / "domain").rglob("*.py")) + sorted((ROOT / "bot" / "services").rglob("*.py"))


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_the_core_has_files_to_check():
    assert len(CORE) >= 5


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(ROOT)))
def test_core_module_imports_no_framework(path):
    bad = {m for m in imported_modules(path) if m.split(".")[0] in FORBIDDEN}
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_the_rule_catches_a_forbidden_import(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text("from sqlalchemy import select\nimport aiogram.types\n")
    assert {m.split(".")[0] for m in imported_modules(sample)} & set(FORBIDDEN) == {"sqlalchemy", "aiogram"}
