"""!budget import on a real Synapse (issue 13, finding 4): the bot stopped while it reads an
attached file does not read that file again when Matrix hands it the event after the
restart; it answers that the file could not be read, once."""

from __future__ import annotations

import asyncio
import threading

import pytest

import bot.commands.budget_import as budget_command
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
