"""!budget import on a real Synapse (issue 13): the bot stopped while it reads an attached
file does not read that file again when Matrix hands it the event after the restart; it
answers that the file could not be read, once (finding 4). While it reads, other rooms are
answered (finding 5)."""

from __future__ import annotations

import asyncio
import threading

import pytest

import bot.commands.budget.file_import as budget_command
from tests.budget_support import BUDGET_2021
from tests.matrix_support import synapse as synapse  # noqa: F401  (the session fixture)
from tests.test_matrix import Scene, send_file
from tests.test_matrix import scene as scene  # noqa: F401  (the fixture)


class Killed(BaseException):
    """The end of the process, as the thread that was reading sees it."""


async def test_a_file_the_bot_died_reading_is_answered_not_read_again(
        scene: Scene, monkeypatch: pytest.MonkeyPatch) -> None:
    real = budget_command.read_budget_file
    reads: list[str] = []
    reading, gone = threading.Event(), threading.Event()

    def dies(data: bytes, filename: str, year: int | None):  # type: ignore[no-untyped-def]
        reads.append(filename)
        reading.set()
        gone.wait(120)  # the process is gone: this read never ends
        raise Killed

    await scene.start_bot()
    room_id = await scene.room()
    chair = scene.chair
    assert (await chair.ask(room_id, "!organ Styrelsen")).body.startswith("Rummet är nu")
    monkeypatch.setattr(budget_command, "read_budget_file", dies)
    try:
        event_id = await send_file(chair, room_id, BUDGET_2021.read_bytes(), "budget-2021.csv",
                                   body="!budget import")
        assert await asyncio.to_thread(reading.wait, 60)
        await scene.stop_bots()

        def counted(data: bytes, filename: str, year: int | None):  # type: ignore[no-untyped-def]
            reads.append(filename)
            return real(data, filename, year)

        monkeypatch.setattr(budget_command, "read_budget_file", counted)
        await scene.start_bot()
        reply = await chair.reply(room_id, event_id, timeout=60)
        assert reply.body == (
            "budget-2021.csv kunde inte läsas; inget är sparat. Boten avbröts medan den läste "
            "filen till !budget import, och jag läser den inte igen. Kontrollera filen (en "
            "budgetfil har högst 50 000 rader och 20 kolumner), dela upp den om den är stor "
            "och skicka den igen.")
        assert reads == ["budget-2021.csv"]
        # Nothing was stored, and the same file sent again is imported.
        again = await send_file(chair, room_id, BUDGET_2021.read_bytes(), "budget-2021.csv",
                                body="!budget import")
        assert (await chair.reply(room_id, again, timeout=60)).body.startswith(
            "Importerat budget-2021.csv (11 rader, 2021): 11 nya beviljade belopp och 11 nya "
            "utfall")
        assert len(chair.replies_to(room_id, event_id)) == 1
    finally:
        gone.set()


async def test_other_rooms_are_answered_while_a_file_is_read(
        scene: Scene, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 13, finding 5: a big `!budget import` reads its file outside the write
    transaction, and the Matrix transport handles each room on its own, so a command in
    another room is answered meanwhile; the import is answered when its read is done."""
    real = budget_command.read_budget_file
    reading, release = threading.Event(), threading.Event()

    def slow(data: bytes, filename: str, year: int | None):  # type: ignore[no-untyped-def]
        reading.set()
        assert release.wait(120), "the test never released the read"
        return real(data, filename, year)

    await scene.start_bot()
    importing, other = await scene.room(), await scene.room()
    chair = scene.chair
    assert (await chair.ask(importing, "!organ Styrelsen")).body.startswith("Rummet är nu")
    monkeypatch.setattr(budget_command, "read_budget_file", slow)
    try:
        event_id = await send_file(chair, importing, BUDGET_2021.read_bytes(),
                                   "budget-2021.csv", body="!budget import")
        assert await asyncio.to_thread(reading.wait, 60)
        # The import is still reading: the other room is answered all the same.
        answer = await chair.ask(other, "!organ Styrelsen")
        assert answer.body == (
            "Rummet är nu kopplat till Styrelsen i Samordningsförbundet i Örnsköldsvik.\n"
            "Det som antecknas här hamnar i Styrelsens protokoll. Börja ett sammanträde med "
            "!möte öppna.")
        assert not chair.replies_to(importing, event_id)
        release.set()
        reply = await chair.reply(importing, event_id, timeout=60)
        assert reply.body.startswith(
            "Importerat budget-2021.csv (11 rader, 2021): 11 nya beviljade belopp och 11 nya "
            "utfall")
    finally:
        release.set()
