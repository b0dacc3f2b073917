"""Faults around the Matrix transport against the real Synapse: the bot killed in the
middle of a burst, the homeserver gone for ten seconds while commands and reminders are
due, and rights that a room's power levels do not give."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.app import App, create_app
from bot.messages import Reply
from bot.transports.matrix import MatrixBot
from bot.transports.matrix.config import matrix_settings
from storage.db import Database
from storage.models import Entry, Paragraph
from storage.models_reminders import SENT, UNDELIVERED, Reminder
from storage.reminders import room_by_external, schedule_reminder
from storage.tenants import organ_for_room
from tests.matrix_support import Person
from tests.matrix_support import synapse as synapse  # noqa: F401  (the session fixture)
from tests.test_matrix import Scene, start_process, write_toml
from tests.test_matrix import scene as scene  # noqa: F401  (the fixture)

BURST = 20  # pairs of !paragraf and !beslut: 40 commands


def paragraphs_with_entries(url: str) -> list[tuple[int, str, list[str]]]:
    db = Database(url)
    try:
        with db.transaction() as session:
            found = session.exec(select(Paragraph).order_by(Paragraph.number)).all()
            return [(p.number, p.title, list(session.exec(
                select(Entry.text).where(Entry.paragraph_id == p.id, Entry.removed_at.is_(None))
                .order_by(Entry.position)).all())) for p in found]
    finally:
        db.dispose()


async def test_bot_killed_in_a_burst_records_every_command_once(scene: Scene) -> None:
    """`bot run` killed with SIGKILL while a burst of !paragraf/!beslut arrives: after the
    restart every command is recorded exactly once, in order, with no gap in § numbers."""
    config_file = scene.tmp / "config.toml"
    write_toml(scene, config_file)
    process = start_process(config_file, scene.tmp)
    chair = scene.chair
    try:
        room_id = await chair.create_room(invite=[scene.bot_account.user_id])
        await chair.wait(lambda: chair.notices(room_id), what="greeting", timeout=60)
        await chair.ask(room_id, "!organ Styrelsen")
        await chair.ask(room_id, "!möte öppna Kansliet")
        lines = [line for n in range(1, BURST + 1)
                 for line in (f"!paragraf Ärende {n}", f"!beslut Beslut {n}.")]
        sent: list[str] = []

        async def burst() -> None:
            for line in lines:
                sent.append(await chair.say(room_id, line))

        sending = asyncio.ensure_future(burst())

        def answered() -> int:
            return sum(1 for e in list(sent) if chair.replies_to(room_id, e))

        await chair.wait(lambda: answered() >= 6, what="the first replies", timeout=60)
        process.send_signal(signal.SIGKILL)
        process.wait()
        at_kill = answered()
        assert at_kill < len(lines), "the burst was over before the kill"
        await asyncio.wait_for(sending, 60)
        process = start_process(config_file, scene.tmp)
        # Commands are handled in timeline order: once this is answered, all were.
        last = await chair.ask(room_id, f"!visa §{BURST}", timeout=90)
        assert last.body.startswith(f"§ {BURST} Ärende {BURST}"), last.body
        await asyncio.sleep(0.5)
        assert all(len(chair.replies_to(room_id, e)) <= 1 for e in sent)
        assert [(n, t, e) for n, t, e in paragraphs_with_entries(scene.database_url)] == [
            (n, f"Ärende {n}", [f"Beslut {n}."]) for n in range(1, BURST + 1)]
    finally:
        process.kill()
        process.wait()


async def test_homeserver_down_ten_seconds_with_commands_and_reminders_due(
        scene: Scene) -> None:
    """Synapse stopped for 10 s right after three commands, with two reminders falling due
    meanwhile: after it returns all five are answered or posted, each exactly once."""
    bot = await scene.start_bot()
    app = bot.app
    await app.start()  # the reminder scheduler, as `bot run` does
    chair = scene.chair
    try:
        room_id = await scene.room()
        await chair.ask(room_id, "!organ Styrelsen")
        await chair.ask(room_id, "!möte öppna Kansliet")
        now = datetime.now(UTC)
        with app.db.transaction() as session:
            organ = organ_for_room(session, "matrix", room_id)
            assert organ is not None
            for seconds, text in ((3, "Ring revisorn"), (6, "Skicka kallelsen")):
                schedule_reminder(session, organ_id=organ.organ_id, text=text,
                                  due_at=now + timedelta(seconds=seconds))
        commands = [await chair.say(room_id, f"!beslut Under avbrottet {n}.") for n in (1, 2, 3)]
        stopped = asyncio.get_running_loop().time()
        await asyncio.to_thread(scene.synapse.stop)
        await asyncio.sleep(max(0.0, 10 - (asyncio.get_running_loop().time() - stopped)))
        await asyncio.to_thread(scene.synapse.start)
        for event_id in commands:
            await chair.reply(room_id, event_id, timeout=60)
        for text in ("Ring revisorn", "Skicka kallelsen"):
            await chair.wait(lambda t=text: any(t in e.body for e in chair.notices(room_id)),
                             what=text, timeout=60)
        # One more round trip: anything sent twice would have arrived by now.
        after = await chair.ask(room_id, "!beslut Efter avbrottet.", timeout=60)
        assert "Efter avbrottet." in after.body
        assert [len(chair.replies_to(room_id, e)) for e in commands] == [1, 1, 1]
        for text in ("Ring revisorn", "Skicka kallelsen"):
            assert sum(text in e.body for e in chair.notices(room_id)) == 1, text
        with app.db.transaction() as session:
            texts = session.exec(select(Entry.text).order_by(Entry.id)).all()
            statuses = session.exec(select(Reminder.status).where(
                Reminder.text.in_(["Ring revisorn", "Skicka kallelsen"]))).all()
        assert texts == [f"Under avbrottet {n}." for n in (1, 2, 3)] + ["Efter avbrottet."]
        assert statuses == [SENT, SENT]
        assert bot.stats["sync_errors"] + bot.stats["retries"] > 0
    finally:
        await app.stop()


class HeldStart:
    """A bot restarted with a reminder due at once and its first sync held back: the
    reminder service hands the reminder to the Matrix transport, which has logged in but
    does not know the rooms yet."""

    def __init__(self, scene: Scene) -> None:
        self.scene = scene
        self.release = asyncio.Event()  # lets the first sync go
        self.sending = asyncio.Event()  # the reminder reached the transport
        self.results: list[bool] = []

    async def start(self) -> tuple[App, MatrixBot, asyncio.Task[None], str]:
        scene = self.scene
        await scene.start_bot()
        room_id = await scene.room()
        await scene.chair.ask(room_id, "!organ Styrelsen")
        await scene.stop_bots()
        app = create_app(scene.config())
        with app.db.transaction() as session:
            organ = organ_for_room(session, "matrix", room_id)
            room = room_by_external(session, "matrix", room_id)
            assert organ is not None and room is not None
            schedule_reminder(session, organ_id=organ.organ_id, room_id=room.id,
                              text="Ring revisorn",
                              due_at=datetime.now(UTC) - timedelta(seconds=1))
        bot = MatrixBot(app, matrix_settings(app.config), retry_cap=1.0)
        first_sync, send = bot._first_sync, bot.send

        async def held_first_sync() -> None:
            await self.release.wait()
            await first_sync()

        async def noted_send(room: str, reply: Reply) -> bool:
            self.sending.set()
            sent = await send(room, reply)
            self.results.append(sent)
            return sent

        bot._first_sync = held_first_sync  # type: ignore[method-assign]
        bot.send = noted_send  # type: ignore[method-assign]
        await app.start()  # the scheduler fires the reminder at once; it waits for the sender
        task = asyncio.ensure_future(bot.run())
        noted = asyncio.ensure_future(self.sending.wait())  # logged in, rooms not yet synced
        done, _ = await asyncio.wait({noted, task}, timeout=30,
                                     return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            task.result()
        assert noted in done, "the reminder was never handed to the Matrix transport"
        return app, bot, task, room_id


def reminder_status(app: App) -> list[str]:
    with app.db.transaction() as session:
        return list(session.exec(select(Reminder.status).where(
            Reminder.text == "Ring revisorn")).all())


async def test_a_reminder_due_at_start_waits_for_the_first_sync(scene: Scene) -> None:
    """A reminder due when the bot starts (or takes over as the active process) is posted
    once the first sync has told the client its rooms. It used to be sent as soon as the
    bot had logged in: nio refused a room it did not know yet ("No such room"), and the
    reminder was marked undelivered and never posted."""
    held = HeldStart(scene)
    app, _bot, task, room_id = await held.start()
    try:
        held.release.set()
        await scene.chair.wait(lambda: any("Ring revisorn" in e.body
                                           for e in scene.chair.notices(room_id)),
                               what="the reminder", timeout=30)
        assert reminder_status(app) == [SENT]
        assert held.results == [True]
    finally:
        await app.stop()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        app.close()


async def test_a_reminder_waiting_for_a_first_sync_that_never_comes_is_not_called_sent(
        scene: Scene) -> None:
    """The bot stops (a step-down, a homeserver gone) before its first sync: the reminder
    waiting for it gives up at once and is marked ej levererad; it used to wait for ever
    and stay marked sent."""
    held = HeldStart(scene)
    app, _bot, task, room_id = await held.start()
    try:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await scene.chair.wait(lambda: reminder_status(app) == [UNDELIVERED],
                               what="the reminder marked ej levererad", timeout=30)
        assert held.results == [False]
        assert not any("Ring revisorn" in e.body for e in scene.chair.notices(room_id))
    finally:
        await app.stop()
        app.close()


async def test_power_level_gives_an_unlisted_user_nothing(scene: Scene, tmp_path: Path) -> None:
    """A Matrix user who is in the room but not in the organ's config: every recording
    command is refused and nothing is stored, without a power level and with moderator
    power alike (anyone can be a moderator of some room)."""
    await scene.start_bot()
    chair = scene.chair
    room_id = await scene.room()
    outsider = await scene_person(scene, tmp_path, "gast")
    try:
        await chair.invite(room_id, outsider.user_id)
        await outsider.join(room_id)
        await chair.ask(room_id, "!organ Styrelsen")
        await chair.ask(room_id, "!möte öppna Kansliet")
        await chair.ask(room_id, "!beslut Styrelsen beslutar om fika.")
        lines = ("!beslut Gästen beslutar.", "!paragraf Gästens ärende",
                 "!ändra §1 Gästen ändrar.", "!ångra", "!möte avsluta",
                 "!justerare Gästen", "!anslag Vidare Vy 100 000 2026",
                 "!utfall Vidare Vy 5 000 2026", "!budget tilldelning 1 000 000 2026")
        for line in lines:
            refused = await outsider.ask(room_id, line)
            assert refused.body.startswith("Du får inte använda !"), (line, refused.body)
        await chair.set_power(room_id, outsider.user_id, 50)
        await outsider.wait(lambda: outsider.client.rooms[room_id].power_levels.get_user_level(
            outsider.user_id) == 50, what="power level")
        # The bot has seen the new level once it answers a command sent after it.
        await chair.ask(room_id, "!visa §1")
        for line in lines:
            refused = await outsider.ask(room_id, line)
            assert refused.body.startswith("Du får inte använda !"), (line, refused.body)
        assert paragraphs_with_entries(scene.database_url) == [
            (1, "Styrelsen beslutar om fika", ["Styrelsen beslutar om fika."])]
    finally:
        await outsider.stop()


async def scene_person(scene: Scene, tmp_path: Path, name: str):  # type: ignore[no-untyped-def]
    from tests.matrix_support import Person

    person = Person(scene.synapse, scene.synapse.register(name), tmp_path / name, "Gästen")
    await person.start()
    return person


def unsent_replies(bot: MatrixBot) -> list[tuple[int, str]]:
    from storage.outbox import unsent

    with bot.app.db.transaction() as session:
        return unsent(session, "matrix")


async def test_reply_of_a_command_committed_before_a_crash_arrives_once(scene: Scene) -> None:
    """The bot dies after a command is committed: (1) before its reply was sent, (2) after
    it was sent but before that was noted. After each restart the room has the reply
    exactly once (the outbox sends it again under the same Matrix transaction id)."""
    chair = scene.chair
    bot = await scene.start_bot()
    room_id = await scene.room()
    await chair.ask(room_id, "!organ Styrelsen")
    await chair.ask(room_id, "!möte öppna Kansliet")

    async def crash_at(stage: str, line: str) -> str:
        reached = asyncio.Event()
        store_token = bot._store_token

        async def die_before_send(_reply: object) -> None:
            reached.set()
            await asyncio.Event().wait()  # the process is gone: nothing more happens

        async def die_before_noting_it_sent(token: str, quiet: bool = False) -> None:
            # The delivered reply would leave the outbox with the next position's commit.
            if not bot.delivered:
                await store_token(token, quiet)
                return
            reached.set()
            bot.delivered.clear()  # the process is gone, and what it held with it
            await asyncio.Event().wait()

        if stage == "före":
            bot._deliver = die_before_send  # type: ignore[method-assign]
        else:
            bot._store_token = die_before_noting_it_sent  # type: ignore[method-assign]
        event_id = await chair.say(room_id, line)
        await asyncio.wait_for(reached.wait(), 30)
        await scene.stop_bots()
        return event_id

    lost = await crash_at("före", "!beslut Styrelsen beslutar före kraschen.")
    assert not chair.replies_to(room_id, lost)
    bot = await scene.start_bot()
    reply = await chair.reply(room_id, lost, timeout=30)
    assert reply.body.startswith("§ 1 Styrelsen beslutar före kraschen"), reply.body
    assert bot.stats["resent"] == 1

    # The resent reply has left the outbox: only the next command's reply is delivered.
    await chair.wait(lambda: not bot.delivered and not unsent_replies(bot),
                     what="the resent reply noted")
    sent_twice = await crash_at("efter", "!beslut Styrelsen beslutar efter sändningen.")
    bot = await scene.start_bot()
    assert bot.stats["resent"] == 1  # sent again, under the same transaction id
    later = await chair.ask(room_id, "!visa §1")
    assert "Styrelsen beslutar efter sändningen." in later.body
    assert [len(chair.replies_to(room_id, e)) for e in (lost, sent_twice)] == [1, 1]
    # They leave the outbox with the next sync position, a moment later.
    await chair.wait(lambda: not unsent_replies(bot), what="an empty outbox")
    assert [t for _n, _t, entries in paragraphs_with_entries(scene.database_url)
            for t in entries] == ["Styrelsen beslutar före kraschen.",
                                  "Styrelsen beslutar efter sändningen."]


def stored_sync_token(scene: Scene) -> str | None:
    from storage.matrix import sync_token

    db = Database(scene.database_url)
    try:
        with db.transaction() as session:
            return sync_token(session, scene.bot_account.user_id)
    finally:
        db.dispose()


async def test_a_reminders_echo_does_not_store_its_token_and_nothing_comes_twice(
        scene: Scene) -> None:
    """A command's sync position is committed a moment after its reply, with the reply
    leaving the outbox. A sync that brings only the bot's own message (the echo of a
    reminder) is not committed at all, since a position was stored lately: a restart
    from the older one gets that message again and ignores it. After the restart a new
    command is answered once and the old one not again."""
    chair = scene.chair
    bot = await scene.start_bot()
    room_id = await scene.room()
    await chair.ask(room_id, "!organ Styrelsen")
    opened = await chair.say(room_id, "!möte öppna Kansliet")
    reply = await chair.reply(room_id, opened, timeout=30)
    assert reply.body.startswith("Sammanträdet är öppnat"), reply.body
    await chair.wait(lambda: not unsent_replies(bot) and bot._unsaved_token is None
                     and (bot._progress_saver is None or bot._progress_saver.done()),
                     what="the command's position stored")
    stored, held = stored_sync_token(scene), bot.stats["tokens_held"]
    reminder = "Påminnelse: sammanträde i morgon."
    assert await bot.send(room_id, Reply(text=reminder, html=reminder, kind="påminnelse"))
    await chair.wait(lambda: any(m.body == reminder for m in chair.notices(room_id)),
                     what="the reminder")
    # The bot syncs on past the stored position: the echo's sync was not stored.
    await chair.wait(lambda: bot.stats["tokens_held"] > held and bot.since != stored,
                     what="the sync of the reminder's echo")
    assert stored_sync_token(scene) == stored
    await scene.stop_bots()
    assert stored_sync_token(scene) == stored  # the stop does not move it either

    bot = await scene.start_bot()
    shown = await chair.ask(room_id, "!paragraf Efter omstarten")
    assert shown.body == "§ 1 Efter omstarten", shown.body
    assert len(chair.replies_to(room_id, opened)) == 1
    assert [m.body for m in chair.notices(room_id)].count(reminder) == 1
    assert bot.stats["resent"] == 0


async def test_revoked_login_in_an_encrypted_room_logs_in_again_and_stays_encrypted(
        scene: Scene) -> None:
    """Someone logs the bot's device out (Element: Sessions → Sign out). The bot logs in
    again with its password, learns the rooms anew, and keeps answering encrypted."""
    chair = scene.chair
    bot = await scene.start_bot()
    room_id = await scene.room(encrypted=True)
    await chair.ask(room_id, "!organ Styrelsen")
    old_device = bot.client.device_id
    assert old_device is not None
    scene.synapse.delete_device(scene.admin, scene.bot_account.user_id, old_device)
    await chair.wait(lambda: bot.client.device_id not in (None, old_device),
                     what="the bot's new login", timeout=60)
    # As a person's client does before writing: learn the bot's new device and its keys.
    bot_user = scene.bot_account.user_id
    await chair.wait(lambda: {d.id for d in chair.client.device_store.active_user_devices(
        bot_user)} == {bot.client.device_id}, what="the bot's new device", timeout=60)
    reply = await chair.ask(room_id, "!möte öppna Kansliet", timeout=60)
    assert reply.body.startswith("Sammanträdet är öppnat: Styrelsen"), reply.body
    assert bot.client.device_id not in (None, old_device)
    assert getattr(reply, "decrypted", False), "the answer went out unencrypted"
    devices = scene.synapse.devices(scene.admin, scene.bot_account.user_id)
    assert bot.client.device_id in devices and old_device not in devices
    # The new login is what a restart uses: no third device.
    await scene.stop_bots()
    again = await scene.start_bot()
    assert again.client.device_id == bot.client.device_id
    assert scene.synapse.devices(scene.admin, scene.bot_account.user_id) == devices


async def test_a_message_the_bot_cannot_decrypt_is_answered_once(
        scene: Scene, monkeypatch: pytest.MonkeyPatch) -> None:
    """A command whose room key never reaches the bot must not vanish silently: after the
    wait the sender is told, once, to write it again; ordinary chat is not nagged twice."""
    from bot.transports.matrix import crypto as transport

    monkeypatch.setattr(transport, "UNDECRYPTABLE_WAIT", 0.5)
    chair = scene.chair
    bot = await scene.start_bot()
    room_id = await scene.room(encrypted=True)
    await chair.ask(room_id, "!organ Styrelsen")

    first = await send_unreadable(chair, room_id, 1)
    second = await send_unreadable(chair, room_id, 2)
    await asyncio.sleep(1.0)
    # The next sync (this command) lets the bot give up on the two it could not read.
    await chair.ask(room_id, "!möte öppna Kansliet")
    told = await chair.reply(room_id, first, timeout=30)
    assert told.body.startswith("Jag kunde inte läsa ditt krypterade meddelande"), told.body
    assert "skriv det igen" in told.body
    await chair.ask(room_id, "!möte")
    assert chair.replies_to(room_id, second) == []
    assert bot.stats["unreadable"] == 1


async def send_unreadable(person: Person, room_id: str, n: int) -> str:
    """An encrypted event under a room key nobody ever shares."""
    from nio.api import Api
    from nio.responses import RoomSendResponse

    content = {"algorithm": "m.megolm.v1.aes-sha2", "sender_key": "A" * 43,
               "session_id": f"okand-session-{n}", "device_id": person.account.device_id,
               "ciphertext": "AwgAEiA" + "x" * 80}
    method, path, data = Api.room_send(person.client.access_token, room_id,
                                       "m.room.encrypted", content, f"oläslig-{n}")
    response = await person.client._send(RoomSendResponse, method, path, data,
                                         response_data=(room_id,))
    return str(response.event_id)


async def test_a_message_waiting_for_its_key_survives_a_restart(
        scene: Scene, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sync moves past a message the bot cannot read yet; a restart before the key
    comes must not lose it: it is fetched again, and here, with no key ever, answered."""
    from bot.transports.matrix import crypto as transport
    from storage import matrix as matrix_store

    monkeypatch.setattr(transport, "UNDECRYPTABLE_WAIT", 3.0)
    chair = scene.chair
    bot = await scene.start_bot()
    room_id = await scene.room(encrypted=True)
    await chair.ask(room_id, "!organ Styrelsen")
    waiting = await send_unreadable(chair, room_id, 3)
    await chair.ask(room_id, "!möte öppna Kansliet")  # the bot has synced past it
    assert bot.stats["undecrypted"] == 1 and not chair.replies_to(room_id, waiting)
    await scene.stop_bots()
    await asyncio.sleep(3.0)
    bot = await scene.start_bot()
    told = await chair.reply(room_id, waiting, timeout=30)
    assert told.body.startswith("Jag kunde inte läsa ditt krypterade meddelande"), told.body
    assert bot.stats["restored"] == 1
    with bot.app.db.transaction() as session:
        assert matrix_store.pending_events(session, scene.bot_account.user_id) == []
