"""Text keys for matching names and searching stored text; owned by storage, which
matches on them, and re-exported by bot.swedish for the commands."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Case- and diacritic-insensitive key: 'Årsredovisning' -> 'arsredovisning'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search_key(text: str) -> str:
    """Casefolded text that keeps å, ä, ö, for searching stored decisions."""
    return unicodedata.normalize("NFC", text).casefold()
