"""Command families. Importing this package registers every command."""

from bot.commands import help, lookup, meeting, paragraphs, protocol  # noqa: F401
