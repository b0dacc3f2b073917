"""Text every store and every document format can hold: chat text, display names, budget
files and config names pass through clean_text where they enter the bot, and the document
renderers pass stored text through it again (rows written before it existed)."""

from __future__ import annotations

import re

# Every BMP character clean_text changes, in one class (one fast scan for ordinary text):
# - a lone surrogate (a Matrix client may send one as a JSON escape) cannot be encoded as
#   UTF-8: it becomes U+FFFD, so the reader sees that something was there;
# - line breaks of every kind become "\n": Markdown reads a lone "\r" as a new line, where
#   a line-start marker ("# Rubrik") would be markup that the escaping did not see;
# - dropped: C0 and C1 controls but tab and newline (PostgreSQL refuses NUL, XML and so
#   DOCX the rest), the non-characters U+FDD0–U+FDEF, U+FFFE and U+FFFF (lxml refuses the
#   last two), and the bidi embeddings, overrides and isolates, which would show a
#   document's text in another order than it was written.
_CHANGED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                      "\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
_LINE_BREAKS = frozenset("\r\x0b\x0c\x85\u2028\u2029")
# The non-characters of the other planes, U+1FFFE/U+1FFFF up to U+10FFFE/U+10FFFF. Emoji
# lie below U+1FFFE, so only rare text is scanned for them (an astral class scans slowly).
_FROM_FIRST_ASTRAL_NONCHARACTER = re.compile("[\U0001fffe-\U0010ffff]")
_ASTRAL_NONCHARACTERS = re.compile(
    "[" + "".join(f"{chr(plane << 16 | 0xfffe)}-{chr(plane << 16 | 0xffff)}"
                  for plane in range(1, 17)) + "]")


def _replacement(match: re.Match[str]) -> str:
    char = match.group()
    if "\ud800" <= char <= "\udfff":
        return "\ufffd"
    return "\n" if char in _LINE_BREAKS else ""


def clean_text(text: str) -> str:
    """`text` without the characters above; ordinary text comes back unchanged."""
    if _CHANGED.search(text) is not None:
        text = _CHANGED.sub(_replacement, text.replace("\r\n", "\n"))
    if not text.isascii() and _FROM_FIRST_ASTRAL_NONCHARACTER.search(text) is not None:
        text = _ASTRAL_NONCHARACTERS.sub("", text)
    return text
