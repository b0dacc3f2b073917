"""README's command tables against the commands' declarations: every command is in a
table under its own name, every sub-command the declarations show in `!hjälp` is written
out in README, and README shows no sub-command a command does not have."""

from __future__ import annotations

import re
from pathlib import Path

from bot.core.commands import Command
from bot.errors import UserError
from bot.swedish import fold
from tests.conftest import command_registry

README = Path(__file__).parent.parent / "README.md"
_CELL = re.compile(r"(?<!\\)\|")
_CODE = re.compile(r"`(![^`]+)`")


def command_tables(text: str) -> list[list[list[str]]]:
    """The rows (as cells) of every table whose first column is 'Kommando'."""
    tables: list[list[list[str]]] = []
    rows: list[list[str]] | None = None
    for line in text.splitlines():
        if not line.startswith("|"):
            rows = None
            continue
        cells = [c.strip().replace("\\|", "|") for c in _CELL.split(line.strip())[1:-1]]
        if rows is None:
            rows = [] if cells and cells[0] == "Kommando" else None
            if rows is not None:
                tables.append(rows)
        elif not set(cells[0]) <= set("-: "):
            rows.append(cells)
    return tables


def forms(cell: str) -> list[tuple[str, str]]:
    """'`!budget diagram [år]`' -> [('budget', 'diagram [år]')]."""
    found = []
    for code in _CODE.findall(cell):
        name, _, rest = code[1:].partition(" ")
        found.append((name, rest.strip()))
    return found


def _words(rest: str) -> tuple[str, ...]:
    return tuple(fold(w) for w in re.split(r"[\s\[\]|]+", rest) if w)


def test_readme_tables_list_every_command_and_sub_command() -> None:
    registry = command_registry()
    rows = [row for table in command_tables(README.read_text(encoding="utf-8"))
            for row in table]
    assert len(rows) > 40
    listed = {name for row in rows for name, _ in forms(row[0])}
    assert listed == set(registry.commands), (
        f"missing from README: {sorted(set(registry.commands) - listed)}, "
        f"not commands: {sorted(listed - set(registry.commands))}")
    written: dict[str, list[str]] = {}
    for row in rows:
        for cell in row:
            for name, rest in forms(cell):
                written.setdefault(name, []).append(rest)
    for name, command in registry.commands.items():
        shown = [s for s in command.named if s.usage]
        for sub in shown:
            key = tuple(fold(w) for w in sub.name.split())
            # A form after a § reference (`!ändra §N yrkande …`) is shown with the §N first.
            skip = 1 if sub.after_ref else 0
            assert any(_words(rest)[skip:skip + len(key)] == key for rest in written[name]), (
                f"README does not show !{sub.label}")
        if command.form("default") is None:
            for rest in written[name]:
                _resolves(command, rest)


def _resolves(command: Command, rest: str) -> None:
    try:
        command.resolve(rest)
    except UserError:
        raise AssertionError(f"README shows !{command.name} {rest}, which it does not "
                             f"have") from None
