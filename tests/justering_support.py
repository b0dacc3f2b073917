"""Helpers for the justering tests: replaying the seed meeting and reading documents back."""

from __future__ import annotations

import io
from datetime import datetime

from bot.messages import Reply
from tests.conftest import FIXTURES, STOCKHOLM, Chat

SCRIPT = (FIXTURES / "ovik-2022-03-25.txt").read_text(encoding="utf-8").splitlines()
# The chairman's Matrix id (fixture config): she justerar from her own account.
CAROLINA = "@carolina:ovik.test"


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM)


def say_line(chat: Chat, line: str) -> str:
    if line.startswith("@"):
        return chat.text(line[line.index(":") + 2:], sender=line[1:line.index(":")])
    return chat.text(line)


def replay_meeting(chat: Chat, after: dict[str, list[str]] | None = None,
                   until: str | None = None, skip: list[str] | None = None) -> list[str]:
    """Play the 2022-03-25 meeting; `after` adds lines after the line that starts with a
    key; `until` stops before the line that starts with it; `skip` leaves out lines."""
    after = after or {}
    replies = []
    for line in SCRIPT:
        if until and line.startswith(until):
            break
        if line in (skip or ()):
            continue
        replies.append(say_line(chat, line))
        for key, extra in after.items():
            if line.startswith(key):
                replies.extend(say_line(chat, x) for x in extra)
    return replies


def attachment(reply: Reply, suffix: str) -> bytes:
    (found,) = [a for a in reply.attachments if a.filename.endswith(suffix)]
    return found.data


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def docx_text(data: bytes) -> str:
    """The DOCX's text as Word shows it: items of a numbered list get their number, counted
    per list from its start (Word's List Number style keeps the number out of the text)."""
    from docx import Document
    from docx.oxml.ns import qn

    document = Document(io.BytesIO(data))
    numbering = document.part.numbering_part.element
    counters: dict[str, int] = {}
    lines = []
    for paragraph in document.paragraphs:
        num_id = paragraph._p.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
        if num_id is None or paragraph.style.name != "List Number":
            lines.append(paragraph.text)
            continue
        key = num_id.get(qn("w:val"))
        if key not in counters:
            start = numbering.find(f"{qn('w:num')}[@{qn('w:numId')}='{key}']/"
                                   f"{qn('w:lvlOverride')}/{qn('w:startOverride')}")
            counters[key] = int(start.get(qn("w:val"))) - 1 if start is not None else 0
        counters[key] += 1
        lines.append(f"{counters[key]}. {paragraph.text}")
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def flat(text: str) -> str:
    """Whitespace-insensitive: PDF text wraps lines where the layout does."""
    return " ".join(text.split())
