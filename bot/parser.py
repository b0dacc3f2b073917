"""Splits chat text into a command name and its argument text. Never raises."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_COMMAND_TEXT = 20_000
_NAME = re.compile(r"[^\W\d_][\w\-]*", re.UNICODE)


@dataclass(frozen=True)
class ParsedCommand:
    name: str
    args: str


def parse(text: object, prefix: str = "!") -> ParsedCommand | None:
    """'!beslut Styrelsen fastställer …' -> ParsedCommand('beslut', 'Styrelsen fastställer …').
    Returns None for ordinary chat, so non-commands are ignored."""
    if not isinstance(text, str):
        return None
    stripped = text.strip()
    if not stripped.startswith(prefix):
        return None
    rest = stripped[len(prefix):]
    match = _NAME.match(rest)
    if match is None:
        return None
    args = rest[match.end():]
    if args and not args[0].isspace():
        # "!beslut: text" is tolerated; "!beslutx" or "!§22" are not commands.
        if args[0] not in ":,.":
            return None
        args = args[1:]
    return ParsedCommand(match.group(0).lower(), args.strip())
