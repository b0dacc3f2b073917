"""Helpers for the budget tests: send a file with a chat message, load the seed figures."""

from __future__ import annotations

import uuid

from bot.messages import Attachment, IncomingMessage, Reply
from tests.conftest import FIXTURES, Chat

BUDGET_2021 = FIXTURES / "budget-2021.csv"


def send_file(chat: Chat, text: str, filename: str, data: bytes,
              sender: str | None = None) -> Reply:
    who = sender or chat.sender
    message = IncomingMessage(
        transport=chat.transport, room_id=chat.room, sender_id=who, sender_name=who,
        text=text, event_id=uuid.uuid4().hex, timestamp=chat.now,
        attachments=(Attachment(filename, "text/csv", data),))
    reply = chat.app.dispatcher.handle_sync(message)
    assert reply is not None
    chat.replies.append(reply)
    return reply


def load_2021(chat: Chat) -> Reply:
    """The half-year figures of seed 003 (Not 2), full-year budgets, and Not 1's
    tilldelning and the eget kapital per 2021-12-31."""
    reply = send_file(chat, "!budget import", BUDGET_2021.name, BUDGET_2021.read_bytes())
    chat.text("!budget tilldelning 5 034 000 2021")
    chat.text("!budget eget kapital 1 058 307 2021")
    return reply


def plain(text: str) -> str:
    """Reply text with no-break spaces as ordinary ones, for readable assertions."""
    return text.replace("\u00a0", " ")
