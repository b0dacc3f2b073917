"""The rules for files sent to the bot, the same in every chat: which command a file
belongs to, and how large a file may be (a file is hostile until read within limits).

A command gets the files of its own message, or of its sender's file-only message just
before it, within FILE_FOLLOW_SECONDS."""

from __future__ import annotations

FILE_FOLLOW_SECONDS = 300  # a command this soon after its sender's file gets the file
MAX_FILE_BYTES = 20 * 1024 * 1024  # a budget spreadsheet is far smaller


def follows(file_at: float, command_at: float) -> bool:
    """Whether a command sent at `command_at` (seconds) gets the file sent at `file_at`."""
    return 0 <= command_at - file_at <= FILE_FOLLOW_SECONDS


def too_large(size: int) -> bool:
    return size > MAX_FILE_BYTES
