"""Text every store and every document format can hold: chat text, display names, budget
files and config names pass through clean_text where they enter the bot, and the document
renderers pass stored text through it again (rows written before it existed)."""

from __future__ import annotations

import re

# A lone surrogate (a Matrix client may send one as a JSON escape) cannot be encoded as
# UTF-8: it becomes the replacement character, so the reader sees that something was there.
_SURROGATE = re.compile("[\ud800-\udfff]")
# Line breaks of every kind become "\n": Markdown reads a lone "\r" as a new line, where a
# line-start marker ("# Rubrik") would be markup that the escaping did not see.
_LINE_BREAK = re.compile("\r\n?|[\x0b\x0c\x85\u2028\u2029]")
# Dropped: C0 and C1 controls but tab and newline (PostgreSQL refuses NUL, XML and so DOCX
# refuse the rest), the non-characters U+FDD0–U+FDEF and U+xFFFE/U+xFFFF of every plane
# (lxml refuses U+FFFE and U+FFFF), and the bidi embeddings, overrides and isolates, which
# would show a document's text in another order than it was written.
_DROP = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef"
    + "".join(f"{chr(plane << 16 | 0xfffe)}{chr(plane << 16 | 0xffff)}"
              for plane in range(17))
    + "]")


def clean_text(text: str) -> str:
    """`text` without the characters above; ordinary text comes back unchanged."""
    text = _SURROGATE.sub("\ufffd", text)
    text = _LINE_BREAK.sub("\n", text)
    return _DROP.sub("", text)
