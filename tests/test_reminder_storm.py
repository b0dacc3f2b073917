"""A reminder storm on a real Synapse that rate-limits the bot: every reminder arrives once,
and a command typed meanwhile is answered before the reminders still waiting (replies
first, bot/transports/matrix/sending.py). The benchmark (bench/storm.py) measures the same
at 80 förbund × 3 organs; this test proves the order and the count."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.transports.matrix.sending import SendGate
from storage import budget
from storage.reminders import schedule_reminder
from storage.tenants import organ_for_room
from tests.matrix_support import Synapse
from tests.matrix_support import synapse as synapse  # noqa: F401  (the session fixture)
from tests.test_matrix import Scene, make_scene

STORM = 30  # reminders due at the same instant
INSATSER = ["Vidare Vy", "Steg framåt"]


@pytest.fixture
async def scene(synapse: Synapse, tmp_path: Path) -> AsyncIterator[Scene]:
    s = await make_scene(synapse, tmp_path, f"sqlite:///{tmp_path / 'bot.db'}")
    try:
        yield s
    finally:
        await s.stop_bots()
        await s.stop_people()


async def test_a_storm_of_reminders_arrives_once_and_commands_go_first(scene: Scene) -> None:
    # Only the Matrix room: the fixture's console room has no transport in this process.
    scene.adjust.append(lambda config: setattr(config.forbund[0].organs[0], "rooms", []))
    bot = await scene.start_bot()
    await bot.app.start()  # the reminder scheduler, as `bot run` does
    try:
        room_id = await scene.room()
        await scene.chair.ask(room_id, "!organ Styrelsen")
        await scene.chair.ask(room_id, "!möte öppna Kansliet")
        due = datetime.now(UTC) + timedelta(seconds=3)
        deadline = date(due.year + 1, 1, 31)
        with bot.app.db.transaction() as session:
            organ = organ_for_room(session, "matrix", room_id)
            assert organ is not None
            # A period covering the reported year: an insats without money or period owes
            # no årsrapport (storage.reports.owing).
            for name in INSATSER:
                budget.create_insats(session, organ.forbund_id, name, "test",
                                     start_year=deadline.year - 1)
            schedule_reminder(session, organ_id=organ.organ_id, due_at=due, kind="frist",
                              payload={"frist": "arsrapport", "datum": deadline.isoformat(),
                                       "dagar": 0})
            for n in range(1, STORM):
                schedule_reminder(session, organ_id=organ.organ_id, due_at=due,
                                  text=f"Storm {n}")
        # Two messages a second for the bot: the storm meets 429 with retry_after.
        scene.synapse.limit_messages(scene.admin, scene.bot_account.user_id, 2, 2)
        chair, bot_id = scene.chair, scene.bot_account.user_id

        def reminders() -> list[str]:
            return [e.body for e in chair.messages_from(room_id, bot_id)
                    if e.body.startswith("Påminnelse: ")]

        await chair.wait(lambda: reminders(), what="the first reminder", timeout=30)
        command = await chair.say(room_id, "!beslut Styrelsen godkänner dagordningen.")
        await chair.wait(lambda: len(reminders()) >= STORM, what="the whole storm", timeout=90)
        answer = await chair.reply(room_id, command, timeout=30)
        assert answer.body.startswith("§ 1 "), answer.body
        assert "Styrelsen godkänner dagordningen." in answer.body
        # Each reminder once.
        bodies = reminders()
        assert sorted(b for b in bodies if b.startswith("Påminnelse: Storm ")) == sorted(
            f"Påminnelse: Storm {n}" for n in range(1, STORM))
        (annual,) = [b for b in bodies if "årsrapport" in b]
        assert "2 insatser har inte lämnat sin årsrapport ännu: Steg framåt och Vidare Vy." \
            in annual, annual
        # In the room's timeline the answer came before most of the storm: reminders
        # waited while it was sent, and after every 429.
        timeline = [e.event_id for e in chair.messages_from(room_id, bot_id)]
        later = [e for e in chair.messages_from(room_id, bot_id)
                 if e.body.startswith("Påminnelse: ")
                 and timeline.index(e.event_id) > timeline.index(answer.event_id)]
        assert len(later) >= STORM // 2, (len(later), bodies)
        assert bot.stats["rate_limited"] > 0
        await asyncio.sleep(1)  # nothing more comes
        assert len(reminders()) == STORM
    finally:
        await bot.app.stop()


async def test_background_sends_wait_for_a_reply_and_a_rate_limit() -> None:
    gate = SendGate(limit=2)
    order: list[str] = []
    loop = asyncio.get_running_loop()

    async def reminder(n: int) -> None:
        async with gate.background():
            order.append(f"r{n}")
            await asyncio.sleep(0.01)

    async with gate.urgent():
        tasks = [asyncio.ensure_future(reminder(n)) for n in range(4)]
        await asyncio.sleep(0.05)
        assert order == []  # nothing in the background while a reply is under way
        order.append("svar")
    await asyncio.gather(*tasks)
    assert order == ["svar", "r0", "r1", "r2", "r3"]
    gate.rate_limited(200)
    started = loop.time()
    await reminder(9)
    assert loop.time() - started >= 0.19  # the retry_after was waited out
    assert gate.waited == 3  # two waited for the reply (two for a slot), one for the 429
