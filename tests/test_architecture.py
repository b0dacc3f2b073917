"""The layout's rules, read from the source (issue 18): `storage/` stands alone. Each rule
is checked by parsing the modules (ast), and each checker is first shown a module that
breaks the rule, so a checker that sees nothing cannot pass."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def imported_modules(source: str) -> list[tuple[int, str]]:
    """(line, module) for every import in `source`, also those inside functions and
    TYPE_CHECKING blocks."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return sorted(found)


def bot_imports(source: str) -> list[tuple[int, str]]:
    return [(line, name) for line, name in imported_modules(source)
            if name == "bot" or name.startswith("bot.")]


def test_the_import_checker_sees_every_form_of_import() -> None:
    source = (
        "import bot\n"
        "from bot.swedish import fold\n"
        "def f():\n"
        "    import bot.config as c\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from bot import config\n"
        "import botanik\n"
        "from storage.folding import fold\n"
    )
    assert bot_imports(source) == [
        (1, "bot"), (2, "bot.swedish"), (4, "bot.config"), (7, "bot")]


def test_storage_imports_nothing_from_bot() -> None:
    files = modules("storage")
    assert ROOT / "storage" / "tenants.py" in files and len(files) > 10
    offenders = [f"{path.relative_to(ROOT)}:{line}: {name}"
                 for path in files
                 for line, name in bot_imports(path.read_text(encoding="utf-8"))]
    assert offenders == []
