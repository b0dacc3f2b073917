"""The command registry: names, aliases, help texts, permissions, and lookup with suggestions."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.swedish import fold

if TYPE_CHECKING:
    from bot.messages import Reply

# Who may run a command: anyone in the room, or those who record the minutes.
READ = "läsa"
RECORD = "protokollföra"


@dataclass
class Command:
    name: str
    handler: Callable[..., Reply]
    summary: str
    usage: list[str]
    examples: list[str]
    aliases: list[str] = field(default_factory=list)
    permission: str = READ
    needs_organ: bool = True
    group: str = "Övrigt"


class Registry:
    def __init__(self) -> None:
        self.commands: dict[str, Command] = {}
        self._lookup: dict[str, Command] = {}

    def add(self, command: Command) -> None:
        for name in [command.name, *command.aliases]:
            for key in {name.casefold(), fold(name)}:
                if self._lookup.get(key, command) is not command:
                    raise ValueError(f"command name {name} registered twice")
                self._lookup[key] = command
        self.commands[command.name] = command

    def remove(self, name: str) -> None:
        command = self.commands.pop(name)
        for key in [k for k, c in self._lookup.items() if c is command]:
            del self._lookup[key]

    def get(self, name: str) -> Command | None:
        return self._lookup.get(name.casefold()) or self._lookup.get(fold(name))

    def suggest(self, name: str) -> str | None:
        """The registered name closest to a mistyped one ('beslu' -> 'beslut')."""
        keys = list(self._lookup)
        match = difflib.get_close_matches(fold(name), keys, n=1, cutoff=0.6)
        return self._lookup[match[0]].name if match else None

    def groups(self) -> dict[str, list[Command]]:
        grouped: dict[str, list[Command]] = {}
        for command in self.commands.values():
            grouped.setdefault(command.group, []).append(command)
        return grouped


REGISTRY = Registry()


def command(name: str, *, summary: str, usage: list[str], examples: list[str],
            aliases: list[str] | None = None, permission: str = READ, needs_organ: bool = True,
            group: str = "Övrigt") -> Callable[[Callable[..., Reply]], Callable[..., Reply]]:
    """Register a handler `(ctx, args) -> Reply` under a Swedish name and its aliases."""

    def decorate(handler: Callable[..., Reply]) -> Callable[..., Reply]:
        REGISTRY.add(Command(name=name, handler=handler, summary=summary, usage=usage,
                             examples=examples, aliases=aliases or [], permission=permission,
                             needs_organ=needs_organ, group=group))
        return handler

    return decorate
