"""!budget import in two phases (issue 13, findings 4 and 5): the file is read after a
committed claim and outside the command's write transaction, so a file that killed the bot
is never read again after the restart, and other rooms are answered while a file is read."""

from __future__ import annotations

import asyncio
import threading
import uuid
from pathlib import Path

import pytest

import bot.commands.budget_import as budget_command
from bot.config import load_config
from bot.messages import Attachment, IncomingMessage
from tests.budget_support import BUDGET_2021, plain
from tests.conftest import FIXTURES, Chat, make_app


class Killed(BaseException):
    """Stands for the kernel ending the process mid-read: nothing in the bot catches it."""


def _import_message(chat: Chat, event_id: str) -> IncomingMessage:
    return IncomingMessage(
        transport=chat.transport, room_id=chat.room, sender_id=chat.sender,
        sender_name=chat.sender, text="!budget import", event_id=event_id, timestamp=chat.now,
        attachments=(Attachment("budget-2021.csv", "text/csv", BUDGET_2021.read_bytes()),))


def test_a_file_that_killed_the_bot_is_not_read_again_after_the_restart(
        db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(FIXTURES / "ornskoldsvik.toml")
    first = make_app(config, db_url)
    chat = Chat(first, sender="Pär Eriksson")
    reads: list[str] = []

    def dies(data: bytes, filename: str, year: int | None):  # type: ignore[no-untyped-def]
        reads.append(filename)
        raise Killed

    monkeypatch.setattr(budget_command, "read_budget_file", dies)
    event_id = uuid.uuid4().hex
    with pytest.raises(Killed):
        first.dispatcher.handle_sync(_import_message(chat, event_id))
    first.close()
    assert reads == ["budget-2021.csv"]
    # The restarted bot gets the same event again (Matrix redelivers what was not answered).
    second = make_app(load_config(FIXTURES / "ornskoldsvik.toml"), db_url)
    try:
        chat = Chat(second, sender="Pär Eriksson")
        reply = second.dispatcher.handle_sync(_import_message(chat, event_id))
        assert reply is not None
        assert reply.text == (
            "budget-2021.csv kunde inte läsas; inget är sparat. Boten avbröts medan den läste "
            "filen till !budget import, och jag läser den inte igen. Kontrollera filen (en "
            "budgetfil har högst 50 000 rader och 20 kolumner), dela upp den om den är stor "
            "och skicka den igen.")
        assert reads == ["budget-2021.csv"]  # not read again
        # Answered once: a third delivery is ignored, and nothing was stored.
        assert second.dispatcher.handle_sync(_import_message(chat, event_id)) is None
        assert "Vidare Vy" not in chat.text("!insatser")
        # The same file in a new message is read and imported as usual.
        monkeypatch.undo()
        again = chat.app.dispatcher.handle_sync(_import_message(chat, uuid.uuid4().hex))
        assert again is not None and again.text.startswith(
            "Importerat budget-2021.csv (11 rader, 2021): 11 nya beviljade belopp och 11 nya "
            "utfall.")
    finally:
        second.close()


def test_another_room_is_answered_while_a_file_is_read(
        ovik: Chat, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The reading is held at a gate until the other room's answer has come: with the file
    read inside the command's transaction (SQLite's write lock), that answer waited for the
    whole import, up to the 30 s lock timeout."""
    reading, gate = threading.Event(), threading.Event()
    real = budget_command.read_budget_file

    def held(data: bytes, filename: str, year: int | None):  # type: ignore[no-untyped-def]
        reading.set()
        assert gate.wait(60)
        return real(data, filename, year)

    monkeypatch.setattr(budget_command, "read_budget_file", held)
    other = Chat(ovik.app, room="!annat-rum", sender="Någon")
    expected = other.text("!hjälp")

    async def scenario() -> tuple[str, str]:
        dispatcher = ovik.app.dispatcher
        importing = asyncio.create_task(
            dispatcher.handle(_import_message(ovik, uuid.uuid4().hex)))
        try:
            assert await asyncio.to_thread(reading.wait, 60)
            message = IncomingMessage(
                transport="console", room_id=other.room, sender_id="Någon",
                sender_name="Någon", text="!hjälp", event_id=uuid.uuid4().hex,
                timestamp=other.now)
            answer = await asyncio.wait_for(dispatcher.handle(message), 20)
            assert answer is not None
            assert not importing.done()  # still reading
        finally:
            gate.set()
        imported = await importing
        assert imported is not None
        return answer.text, imported.text

    answer, imported = asyncio.run(scenario())
    assert answer == expected
    assert imported.startswith("Importerat budget-2021.csv (11 rader, 2021): 11 nya "
                               "beviljade belopp och 11 nya utfall.")
    assert "- Beviljat: 455 000 kr" in plain(ovik.text("!budget Vidare Vy 2021"))
