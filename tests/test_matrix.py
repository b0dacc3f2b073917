"""The Matrix transport end to end against a real Synapse on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from nio import RoomMessageFile
from sqlmodel import select

from bot.app import FEATURES, App, Feature, create_app
from bot.config import Config, load_config
from bot.messages import Reply
from bot.transports.matrix import MatrixBot, message_content
from bot.transports.matrix.config import matrix_settings
from storage import matrix as matrix_store
from storage.models import Entry, Paragraph
from storage.models_reminders import PLANNED, Reminder
from storage.reminders import mark_changed
from tests import scenario
from tests.conftest import FIXTURES
from tests.matrix_support import Account, Person, Synapse, env_without_proxies
from tests.matrix_support import synapse as synapse  # noqa: F401  (the session fixture)


@dataclass
class Scene:
    synapse: Synapse
    tmp: Path
    admin: Account
    bot_account: Account
    chair: Person
    member: Person
    database_url: str
    secretary: Person | None = None  # Pär Eriksson, förbundschef, for the shared scenario
    bots: list[tuple[MatrixBot, asyncio.Task[None], App]] = field(default_factory=list)
    # Changes a test makes to the config (more members, inviters) before each start.
    adjust: list[Callable[[Config], None]] = field(default_factory=list)

    def config(self, **matrix: Any) -> Config:
        """Örnsköldsvik's styrelse (the shared scenario's), its people as Matrix users."""
        config = load_config(FIXTURES / "ornskoldsvik.toml")
        people = {scenario.CAROLINA: self.chair, scenario.CECILIA: self.member,
                  scenario.PAR: self.secretary}
        for member in config.forbund[0].organs[0].members:
            person = people.get(member.name)
            if person is not None:
                member.ids = [person.user_id]
        config.database_url = self.database_url
        config.matrix = {"homeserver": self.synapse.url, "user_id": self.bot_account.user_id,
                         "password": self.bot_account.password,
                         "store_path": str(self.tmp / "bot-store"),
                         "allowed_inviters": [self.chair.user_id], "sync_timeout": 5, **matrix}
        for change in self.adjust:
            change(config)
        return config

    @property
    def people(self) -> list[Person]:
        return [p for p in (self.chair, self.member, self.secretary) if p is not None]

    async def start_bot(self, *, features: Sequence[Feature] = FEATURES,
                        **options: Any) -> MatrixBot:
        app = create_app(self.config(), features=features)
        options.setdefault("retry_cap", 1.0)
        bot = MatrixBot(app, matrix_settings(app.config), **options)
        task = asyncio.ensure_future(bot.run())
        self.bots.append((bot, task, app))
        ready = asyncio.ensure_future(bot.ready.wait())
        done, _ = await asyncio.wait({ready, task}, timeout=30,
                                     return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            task.result()
        assert ready in done, "the bot did not finish its first sync"
        return bot

    async def stop_bots(self) -> None:
        for _bot, task, app in self.bots:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            app.close()
        self.bots.clear()

    async def room(self, *, encrypted: bool = False) -> str:
        """A fresh room made by the chair, with the other people and the bot in it."""
        others = self.people[1:]
        room_id = await self.chair.create_room(
            invite=[p.user_id for p in others] + [self.bot_account.user_id],
            encrypted=encrypted)
        for person in others:
            await person.join(room_id)
        everyone = [p.user_id for p in self.people] + [self.bot_account.user_id]
        await self.chair.wait(
            lambda: all(self.chair.membership(room_id, u) == "join" for u in everyone),
            what="bot and members in the room")
        if encrypted:
            for person in self.people:
                await person.wait_for_keys(room_id, everyone)
        return room_id

    async def stop_people(self) -> None:
        for person in self.people:
            await person.stop()


async def make_scene(synapse: Synapse, tmp: Path, database_url: str, *,
                     secretary: bool = False) -> Scene:
    chair = Person(synapse, synapse.register("ordf"), tmp / "chair", scenario.CAROLINA)
    member = Person(synapse, synapse.register("ledamot"), tmp / "member", scenario.CECILIA)
    scene = Scene(synapse=synapse, tmp=tmp, admin=synapse.register("admin", admin=True),
                  bot_account=synapse.register("sekreteraren"), chair=chair, member=member,
                  database_url=database_url)
    if secretary:
        scene.secretary = Person(synapse, synapse.register("forbundschef"), tmp / "secretary",
                                 scenario.PAR)
    for person in scene.people:
        await person.start()
    return scene


@pytest.fixture
async def scene(synapse: Synapse, tmp_path: Path) -> AsyncIterator[Scene]:
    s = await make_scene(synapse, tmp_path, f"sqlite:///{tmp_path / 'bot.db'}")
    try:
        yield s
    finally:
        await s.stop_bots()
        await s.stop_people()


async def play_meeting(scene: Scene, room_id: str) -> None:
    """The shared scenario (tests/scenario.py), held today, after binding the room."""
    assert scene.secretary is not None
    binding = await scene.member.ask(room_id, "!organ Styrelsen")
    assert binding.body.startswith("Du får inte koppla rummet till Styrelsen"), binding.body
    bound = await scene.chair.ask(room_id, "!organ Styrelsen")
    assert bound.body.startswith(
        "Rummet är nu kopplat till Styrelsen i Samordningsförbundet i Örnsköldsvik."), bound.body
    today = datetime.now(scenario.STOCKHOLM).date()
    await scenario.run_meeting(speakers(scene, room_id),
                               scenario.meeting(today, "Digitalt via Matrix"))
    # The protokoll arrives as files after its summary (PDF, Word, HTML, Markdown).
    chair = scene.chair
    await chair.wait(lambda: len(files(chair, room_id)) >= 4, what="protokoll")
    names = sorted(f.body for f in files(chair, room_id))
    assert [n.rsplit(".", 1)[1] for n in names] == ["docx", "html", "md", "pdf"], names
    scenario.check_protokoll(await download(chair, files(chair, room_id), ".md"), today)
    html = await download(chair, files(chair, room_id), ".html")
    assert "<h2>§ 24 Ansökan om medel för Vidare Vy</h2>" in html


def speakers(scene: Scene, room_id: str) -> scenario.Say:
    """The scenario's speakers as Matrix users; each reply is a notice with HTML."""
    assert scene.secretary is not None
    people = {scenario.PAR: scene.secretary, scenario.CAROLINA: scene.chair,
              scenario.CECILIA: scene.member}

    async def say(speaker: str, text: str) -> str:
        reply = await people[speaker].ask(room_id, text)
        content = reply.source["content"]
        assert content["msgtype"] == "m.notice"
        assert content["format"] == "org.matrix.custom.html"
        assert content["formatted_body"]
        return str(reply.body)

    return say


def files(person: Person, room_id: str) -> list[Any]:
    from nio import RoomEncryptedFile

    return [e for e in person.events.get(room_id, [])
            if isinstance(e, RoomMessageFile | RoomEncryptedFile)]


async def download(person: Person, events: list[Any], suffix: str) -> str:
    from nio.crypto.attachments import decrypt_attachment

    (event,) = [e for e in events if e.body.endswith(suffix)]
    response = await person.client.download(event.url)
    data = response.body
    if getattr(event, "key", None):
        data = decrypt_attachment(data, event.key["k"], event.hashes["sha256"], event.iv)
    return data.decode("utf-8")


# ------------------------------------------------------------------------------ tests


async def test_invite_by_allowed_inviter_only(scene: Scene) -> None:
    bot = await scene.start_bot()
    room_id = await scene.chair.create_room(invite=[scene.bot_account.user_id])
    await scene.chair.wait(lambda: scene.chair.notices(room_id), what="greeting")
    greeting = scene.chair.notices(room_id)[0].body
    assert greeting.startswith("Hej! Jag är Finsam-sekreteraren")
    assert "!organ Styrelsen" in greeting
    # The member is not in allowed_inviters: the invitation is declined.
    other = await scene.member.create_room(invite=[scene.bot_account.user_id], name="Fika")
    await scene.member.wait(
        lambda: scene.member.membership(other, scene.bot_account.user_id) == "leave",
        what="declined invite")
    assert not scene.member.notices(other)
    assert bot.client.rooms.keys() >= {room_id}
    assert other not in bot.client.rooms


@pytest.mark.parametrize("store", ["sqlite", pytest.param("postgresql",
                                                          marks=pytest.mark.postgres)])
async def test_meeting_in_unencrypted_room(synapse: Synapse, tmp_path: Path,
                                           store: str) -> None:
    from tests.conftest import postgres_schema_url

    urls = postgres_schema_url() if store == "postgresql" else iter(
        [f"sqlite:///{tmp_path / 'bot.db'}"])
    url = next(urls)
    scene = await make_scene(synapse, tmp_path, url, secretary=True)
    try:
        await scene.start_bot()
        room_id = await scene.room()
        await play_meeting(scene, room_id)
    finally:
        await scene.stop_bots()
        await scene.stop_people()
        for _ in urls:
            pass


@pytest.fixture
async def scene_with_secretary(synapse: Synapse, tmp_path: Path) -> AsyncIterator[Scene]:
    s = await make_scene(synapse, tmp_path, f"sqlite:///{tmp_path / 'bot.db'}", secretary=True)
    try:
        yield s
    finally:
        await s.stop_bots()
        await s.stop_people()


async def test_meeting_and_a_proactive_reminder_in_encrypted_room(
        scene_with_secretary: Scene) -> None:
    scene = scene_with_secretary
    bot = await scene.start_bot(typing_after=0.0)  # "typing…" on every command
    await bot.app.start()  # the reminder scheduler, as `bot run` does
    room_id = await scene.room(encrypted=True)
    await play_meeting(scene, room_id)
    # A reminder set in the chat is posted by the bot itself, encrypted, not as a reply.
    (confirmed,) = await scenario.run_meeting(speakers(scene, room_id), (scenario.REMINDER,))
    scenario.hurry_reminder(bot.app, confirmed)
    await scene.chair.wait(lambda: any(e.body == scenario.REMINDER_POST
                                       for e in scene.chair.notices(room_id)),
                           what="the reminder")
    (posted,) = [e for e in scene.chair.notices(room_id) if e.body == scenario.REMINDER_POST]
    assert "m.relates_to" not in posted.source["content"]
    assert getattr(posted, "decrypted", False)
    await bot.app.stop()
    assert bot.client.rooms[room_id].encrypted
    assert any(scene.bot_account.user_id in users for room, users in scene.chair.typing
               if room == room_id)
    # Everything the bot said was encrypted on the wire (nio decrypted it for the chair).
    raw = await scene.chair.client.room_messages(room_id, limit=100)
    from_bot = [e for e in raw.chunk if e.sender == scene.bot_account.user_id
                and e.source.get("type") != "m.room.member"]
    assert len(from_bot) >= len(scenario.MEETING) + 3
    assert all(getattr(e, "decrypted", False) for e in from_bot), from_bot


async def test_member_power_level_makes_a_moderator(scene: Scene) -> None:
    bot = await scene.start_bot()
    room_id = await scene.room()
    assert (await scene.chair.ask(room_id, "!organ Styrelsen")).body.startswith("Rummet är nu")
    await scene.chair.ask(room_id, "!möte öppna Kansliet")
    refused = await scene.member.ask(room_id, "!beslut Styrelsen beslutar om fika.")
    assert refused.body.startswith("Du får inte använda !beslut")
    await scene.chair.set_power(room_id, scene.member.user_id, 50)
    await scene.member.wait(
        lambda: scene.member.client.rooms[room_id].power_levels.get_user_level(
            scene.member.user_id) == 50, what="power level")
    await scene.member.wait(  # the bot sees the change in its next sync
        lambda: bot.client.rooms[room_id].power_levels.get_user_level(
            scene.member.user_id) == 50, what="the bot seeing the power level")
    allowed = await scene.member.ask(room_id, "!beslut Styrelsen beslutar om fika.")
    assert allowed.body.startswith("§ 1 Styrelsen beslutar om fika")
    # A moderator may send the bot away.
    goodbye = await scene.member.ask(room_id, "!lämna")
    assert goodbye.body.startswith("Hej då! Jag lämnar rummet.")
    await scene.chair.wait(
        lambda: scene.chair.membership(room_id, scene.bot_account.user_id) == "leave",
        what="the bot leaving")


async def test_edits_and_redactions_are_not_run(scene: Scene) -> None:
    bot = await scene.start_bot()
    room_id = await scene.room()
    await scene.chair.ask(room_id, "!organ Styrelsen")
    await scene.chair.ask(room_id, "!möte öppna Kansliet")
    first = await scene.chair.say(room_id, "!paragraf Första")
    await scene.chair.reply(room_id, first)
    # An edit of the command (m.replace) must not open a second §; the editor is told so,
    # once however many times the message is edited.
    edits = []
    for n in (1, 2):
        edits.append(await scene.chair.say(room_id, "", {
            "msgtype": "m.text", "body": f"* !paragraf Första (rättad {n})",
            "m.new_content": {"msgtype": "m.text", "body": f"!paragraf Första (rättad {n})"},
            "m.relates_to": {"rel_type": "m.replace", "event_id": first}}))
    told = await scene.chair.reply(room_id, edits[0])
    assert told.body.startswith("Jag utför inte redigerade meddelanden. Rätta det som "
                                "antecknats med !ändra eller !ångra"), told.body
    # A command redacted before the bot sees it is ignored: stop the bot meanwhile.
    await scene.stop_bots()
    doomed = await scene.chair.say(room_id, "!paragraf Strukits")
    await scene.chair.client.room_redact(room_id, doomed)
    await scene.start_bot()
    last = await scene.chair.ask(room_id, "!paragraf Andra")
    assert last.body.startswith("§ 2 Andra"), last.body
    assert not scene.chair.replies_to(room_id, doomed)
    assert not scene.chair.replies_to(room_id, edits[1])
    assert bot.stats["commands"] == 3


async def test_burst_of_200_is_handled_once_and_in_order(scene: Scene) -> None:
    # Synapse's own default of 10 events per sync: the burst must come back limited.
    bot = await scene.start_bot(timeline_limit=10)
    room_id = await scene.room()
    await scene.chair.ask(room_id, "!organ Styrelsen")
    await scene.chair.ask(room_id, "!möte öppna Kansliet")
    gate = asyncio.Semaphore(8)
    # The bot syncs while it handles, so hold its sync until the whole burst is sent: the
    # next sync then comes back limited, and the gap must be filled.
    hold, process = asyncio.Event(), bot._process

    async def held(response: Any) -> None:
        await hold.wait()
        await process(response)

    bot._process = held  # type: ignore[method-assign]

    async def send(n: int) -> str:
        async with gate:
            return await scene.chair.say(room_id, f"!paragraf Ärende {n}")

    sent = await asyncio.gather(*(send(n) for n in range(1, 201)))
    hold.set()
    await scene.chair.wait(lambda: all(scene.chair.replies_to(room_id, e) for e in sent),
                           what="200 replies", timeout=120)
    # The server's order of the commands is the order of the § numbers.
    order = await timeline_order(scene.chair, room_id, set(sent))
    numbers = {}
    for event_id in sent:
        (reply,) = scene.chair.replies_to(room_id, event_id)
        numbers[event_id] = int(reply.body.split()[1])
    assert [numbers[e] for e in order] == list(range(1, 201))
    assert bot.stats["gaps"] >= 1 and bot.stats["gap_events"] > 0
    with bot.app.db.transaction() as session:
        from sqlmodel import select

        titles = session.exec(select(Paragraph.title).order_by(Paragraph.number)).all()
    assert len(titles) == 200 and titles[0] == "Ärende" + " " + titles[0].split()[1]


async def test_rate_limited_replies_wait_and_arrive(scene: Scene) -> None:
    bot = await scene.start_bot()
    room_id = await scene.room()
    await scene.chair.ask(room_id, "!organ Styrelsen")
    # One message a second for the bot: the server answers 429 with a retry-after.
    scene.synapse.limit_messages(scene.admin, scene.bot_account.user_id, 1, 1)
    sent = [await scene.chair.say(room_id, f"!visa §{n}") for n in range(1, 5)]
    for event_id in sent:
        reply = await scene.chair.reply(room_id, event_id, timeout=60)
        assert reply.body.startswith("Det finns ingen § ")
    assert bot.stats["rate_limited"] > 0
    assert [len(scene.chair.replies_to(room_id, e)) for e in sent] == [1, 1, 1, 1]


async def timeline_order(person: Person, room_id: str, wanted: set[str]) -> list[str]:
    from nio import MessageDirection

    order: list[str] = []
    token = None
    while True:
        page = await person.client.room_messages(room_id, start=token, limit=100,
                                                 direction=MessageDirection.back)
        order.extend(e.event_id for e in page.chunk if e.event_id in wanted)
        if not page.chunk or not page.end:
            break
        token = page.end
    return list(reversed(order))


async def test_restart_with_old_token_repeats_nothing(scene: Scene) -> None:
    bot = await scene.start_bot()
    room_id = await scene.room()
    await scene.chair.ask(room_id, "!organ Styrelsen")
    await scene.chair.ask(room_id, "!möte öppna Kansliet")
    with bot.app.db.transaction() as session:
        early = matrix_store.sync_token(session, scene.bot_account.user_id)
    for n in range(1, 6):
        await scene.chair.ask(room_id, f"!beslut Beslut nummer {n}.")
    await scene.stop_bots()
    # Said while the bot is away: must be handled after the restart.
    missed = [await scene.chair.say(room_id, f"!beslut Beslut nummer {n}.") for n in (6, 7)]
    # And the bot restarts from an old sync token, as after a crash before saving it.
    app = create_app(scene.config())
    with app.db.transaction() as session:
        assert early is not None
        matrix_store.save_sync_token(session, scene.bot_account.user_id, early)
    app.close()
    devices_before = scene.synapse.devices(scene.admin, scene.bot_account.user_id)
    bot = await scene.start_bot(timeline_limit=3)
    for event_id in missed:
        await scene.chair.reply(room_id, event_id)
    last = await scene.chair.ask(room_id, "!beslut Beslut nummer 8.")
    assert "Beslut nummer 8" in last.body
    with bot.app.db.transaction() as session:
        from sqlmodel import select

        texts = session.exec(select(Entry.text).order_by(Entry.id)).all()
    assert texts == [f"Beslut nummer {n}." for n in range(1, 9)]
    assert bot.stats["skipped"] >= 5  # the five old ones came again and were skipped
    # The restart reused the bot's device instead of logging in anew.
    assert scene.synapse.devices(scene.admin, scene.bot_account.user_id) == devices_before
    assert sum(1 for e in scene.chair.notices(room_id)
               if "Beslut nummer 3" in e.body) == 1


async def test_bot_killed_mid_meeting_and_restarted(scene: Scene) -> None:
    """`bot run` as a real process, killed with SIGKILL between two commands."""
    config_file = scene.tmp / "config.toml"
    write_toml(scene, config_file)
    process = start_process(config_file, scene.tmp)
    try:
        room_id = await scene.chair.create_room(invite=[scene.bot_account.user_id,
                                                        scene.member.user_id])
        await scene.chair.wait(lambda: scene.chair.notices(room_id), what="greeting",
                               timeout=60)
        await scene.chair.ask(room_id, "!organ Styrelsen")
        await scene.chair.ask(room_id, "!möte öppna Kansliet")
        await scene.chair.ask(room_id, "!beslut Före krasch.")
        process.send_signal(signal.SIGKILL)
        process.wait()
        during = await scene.chair.say(room_id, "!beslut Under avbrott.")
        process = start_process(config_file, scene.tmp)
        reply = await scene.chair.reply(room_id, during, timeout=60)
        assert reply.body.startswith("§ 1 ")
        after = await scene.chair.ask(room_id, "!beslut Efter omstart.")
        assert "Efter omstart" in after.body
        markdown_reply = await scene.chair.ask(room_id, "!protokoll")
        assert markdown_reply.body
        await scene.chair.wait(lambda: len(files(scene.chair, room_id)) >= 4,
                               what="protokoll")
        markdown = await download(scene.chair, files(scene.chair, room_id), ".md")
        for text in ("Före krasch.", "Under avbrott.", "Efter omstart."):
            assert markdown.count(text) == 1, text
    finally:
        process.kill()
        process.wait()


def write_toml(scene: Scene, path: Path) -> None:
    path.write_text(f'''
[bot]
database_url = "{scene.database_url}"

[[forbund]]
key = "testbygden"
name = "Samordningsförbundet Testbygden"

[[forbund.organ]]
name = "Styrelsen"

[[forbund.organ.member]]
name = "{scenario.CAROLINA}"
role = "ordförande"
ids = ["{scene.chair.user_id}"]

[[forbund.organ.member]]
name = "{scenario.CECILIA}"
ids = ["{scene.member.user_id}"]

[matrix]
homeserver = "{scene.synapse.url}"
user_id = "{scene.bot_account.user_id}"
password = "{scene.bot_account.password}"
store_path = "{scene.tmp / 'bot-store'}"
allowed_inviters = ["{scene.chair.user_id}"]
sync_timeout = 5
''', encoding="utf-8")


def start_process(config_file: Path, cwd: Path) -> subprocess.Popen[bytes]:
    with open(cwd / "bot.log", "ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--config", str(config_file)], cwd=cwd,
            env=env_without_proxies(), stdout=output, stderr=subprocess.STDOUT)


async def test_homeserver_restart_while_bot_runs(scene: Scene) -> None:
    bot = await scene.start_bot()
    room_id = await scene.room()
    await scene.chair.ask(room_id, "!organ Styrelsen")
    await scene.chair.ask(room_id, "!möte öppna Kansliet")
    scene.synapse.stop()
    try:
        await scene.chair.wait(lambda: bot.stats["sync_errors"] + bot.stats["retries"] > 0,
                               what="the bot noticing the homeserver is away")
        # A reminder posted while the homeserver is down is sent once it is back.
        from bot.render import render

        delivery = asyncio.ensure_future(bot.app.deliver(
            "matrix", room_id, render("rum", "välkommen", organ=None)))
        await asyncio.sleep(1.5)
        assert not delivery.done()
    finally:
        scene.synapse.start()
    await asyncio.wait_for(delivery, 60)
    assert bot.stats["sync_errors"] + bot.stats["retries"] > 0
    reply = await scene.chair.ask(room_id, "!paragraf Efter omstarten", timeout=60)
    assert reply.body.startswith("§ 1 Efter omstarten")
    await scene.chair.wait(lambda: sum(1 for e in scene.chair.notices(room_id)
                                       if e.body.startswith("Hej! Jag är")) >= 2,
                           what="the delayed message")



# ------------------------------------------------------------------------- files in


async def send_file(person: Person, room_id: str, data: bytes, filename: str, *,
                    body: str | None = None, encrypted: bool = False) -> str:
    """Upload a file and post it as m.file; `body` other than the filename is a caption."""
    import io

    from nio import UploadResponse

    response, keys = await person.client.upload(
        io.BytesIO(data), content_type="text/csv", filename=filename, encrypt=encrypted,
        filesize=len(data))
    assert isinstance(response, UploadResponse), response
    content: dict[str, Any] = {"msgtype": "m.file", "body": body or filename,
                               "filename": filename,
                               "info": {"mimetype": "text/csv", "size": len(data)}}
    if keys is not None:
        content["file"] = {**keys, "url": response.content_uri}
    else:
        content["url"] = response.content_uri
    return await person.say(room_id, "", content)


@pytest.mark.parametrize("encrypted", [False, True])
async def test_budget_file_reaches_budget_import(scene: Scene, encrypted: bool) -> None:
    from tests.budget_support import BUDGET_2021

    data = BUDGET_2021.read_bytes()
    bot = await scene.start_bot()
    room_id = await scene.room(encrypted=encrypted)
    chair = scene.chair
    assert (await chair.ask(room_id, "!organ Styrelsen")).body.startswith("Rummet är nu")

    # 1. The command as the file's caption.
    event_id = await send_file(chair, room_id, data, "budget-2021.csv",
                               body="!budget import", encrypted=encrypted)
    reply = await chair.reply(room_id, event_id)
    assert reply.body.startswith("Importerat budget-2021.csv (11 rader, 2021): 11 nya "
                                 "beviljade belopp och 11 nya utfall"), reply.body
    answer = (await chair.ask(room_id, "!budget Vidare Vy 2021")).body.replace("\xa0", " ")
    assert "Beviljat: 455 000 kr" in answer and "Utfall: 227 223 kr" in answer

    # 2. The command right after the file, from the same sender.
    await send_file(chair, room_id, data, "budget-2021.csv", encrypted=encrypted)
    again = (await chair.ask(room_id, "!budget import")).body
    assert again.startswith("Importerat budget-2021.csv (11 rader, 2021): 0 nya beviljade "
                            "belopp och 0 nya utfall; 22 fanns redan"), again

    # 3. A reply to the file, with other messages in between.
    file_id = await send_file(chair, room_id, data, "budget-2021.csv", encrypted=encrypted)
    await chair.say(room_id, "Här är ekonomikontorets fil.")
    command_id = await chair.say(room_id, "", {
        "msgtype": "m.text", "body": "!budget import",
        "m.relates_to": {"m.in_reply_to": {"event_id": file_id}}})
    assert (await chair.reply(room_id, command_id)).body.startswith(
        "Importerat budget-2021.csv")

    # A command that neither follows nor answers a file gets none.
    await send_file(chair, room_id, data, "budget-2021.csv", encrypted=encrypted)
    await chair.say(room_id, "Vänta, fel fil.")
    assert (await chair.ask(room_id, "!budget import")).body.startswith(
        "Jag hittar ingen budgetfil till !budget import.")
    assert bot.stats["files"] == 3


# ------------------------------------------------------------------------ files out


async def test_calendar_and_budget_chart_are_uploaded(scene: Scene) -> None:
    await scene.start_bot()
    room_id = await scene.room()
    chair, member = scene.chair, scene.member
    await chair.ask(room_id, "!organ Styrelsen")
    year = datetime.now(scenario.STOCKHOLM).year
    planned = await chair.ask(room_id, f"!sammanträde {year + 1}-02-12 09:00 Stadshuset")
    assert planned.body.startswith("Sammanträde 1 är planerat: Styrelsen, fredag 12 februari "
                                   f"{year + 1} kl. 09:00, Stadshuset."), planned.body
    calendar = await member.ask(room_id, "!kalender")
    assert calendar.body.startswith("Kalender för Styrelsen: 1 sammanträde"), calendar.body
    await member.wait(lambda: files(member, room_id), what="the calendar file")
    (ics_event,) = files(member, room_id)
    assert ics_event.body == "kalender-ornskoldsvik-styrelsen.ics"
    assert ics_event.source["content"]["info"]["mimetype"] == "text/calendar"
    ics = await download(member, [ics_event], ".ics")
    assert "BEGIN:VCALENDAR" in ics and "LOCATION:Stadshuset" in ics

    for line in ("!möte öppna Kansliet", "!insats ny Vidare Vy", "!anslag Vidare Vy 455 000",
                 "!utfall Vidare Vy 227 223"):
        await chair.ask(room_id, line)
    chart = await member.ask(room_id, "!budget diagram")
    assert chart.body.startswith(f"Diagram: beviljat och utfall per insats {year}"), chart.body
    await member.wait(lambda: images(member, room_id), what="the chart")
    (image,) = images(member, room_id)
    assert image.body == f"budget-{year}.png"
    assert image.source["content"]["info"]["mimetype"] == "image/png"
    data = (await member.client.download(image.url)).body
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def images(person: Person, room_id: str) -> list[Any]:
    from nio import RoomMessageImage

    return [e for e in person.events.get(room_id, []) if isinstance(e, RoomMessageImage)]


async def test_history_from_before_the_bot_is_never_run(scene: Scene) -> None:
    """Commands written before the bot joined, and before its very first start, are
    history: the bot joins, greets, and runs only what comes after."""
    chair = scene.chair
    room_id = await chair.create_room(invite=[scene.bot_account.user_id])
    old = [await chair.say(room_id, line)
           for line in ("!organ Styrelsen", "!möte öppna Kansliet", "!beslut Gammalt beslut.")]
    bot = await scene.start_bot()  # first start ever: empty database
    await chair.wait(lambda: chair.notices(room_id), what="greeting")
    assert chair.notices(room_id)[0].body.startswith("Hej! Jag är Finsam-sekreteraren")
    # Invited again to a second room where history was written while the bot ran.
    second = await chair.create_room(invite=[])
    for line in ("!organ Styrelsen", "!möte öppna Kansliet"):
        old.append(await chair.say(second, line))
    await chair.invite(second, scene.bot_account.user_id)
    await chair.wait(lambda: chair.notices(second), what="greeting in the second room")
    for room in (room_id, second):
        status = await chair.ask(room, "!organ")
        assert status.body.startswith("Rummet är inte kopplat till något organ."), status.body
    assert not any(chair.replies_to(r, e) for r in (room_id, second) for e in old)
    assert bot.stats["commands"] == 2


def notified(scene: Scene, person: Person, event_id: str) -> list[Any] | None:
    """The push actions Synapse took for `person` on the event (GET /notifications), or
    None when its push rules did not notify them of it."""
    for notification in scene.synapse.notifications(person.account):
        if notification["event"]["event_id"] == event_id:
            return list(notification["actions"])
    return None


def highlighted(actions: list[Any] | None) -> bool:
    """A mention's notification: highlighted (and with sound), not just counted."""
    return actions is not None and "notify" in actions and any(
        isinstance(a, dict) and a.get("set_tweak") == "highlight" and a.get("value", True)
        for a in actions)


async def posted_by_bot(scene: Scene, person: Person, room_id: str, start: str) -> Any:
    """The one message the bot posted (not as a reply) whose body starts with `start`."""
    bot = scene.bot_account.user_id

    def found() -> list[Any]:
        return [e for e in person.messages_from(room_id, bot) if e.body.startswith(start)]

    await person.wait(found, what=f"the bot's {start!r}")
    (event,) = found()
    return event


def hurry_first(app: App, prefix: str) -> None:
    """Bring the first planned reminder whose ref starts with `prefix` forward to now."""
    with app.db.transaction() as session:
        reminder = session.exec(select(Reminder).where(
            Reminder.ref.startswith(prefix), Reminder.status == PLANNED)
            .order_by(Reminder.due_at)).first()
        assert reminder is not None, prefix
        reminder.due_at = datetime.now(UTC) + timedelta(seconds=1)
        session.add(reminder)
        mark_changed(session, reminder.id)


def test_only_a_reply_that_mentions_someone_is_an_m_text() -> None:
    reply = Reply(text="Påminnelse: Skicka kallelsen", html="<p>Påminnelse: Skicka kallelsen</p>")
    assert message_content(reply) == {
        "msgtype": "m.notice", "body": "Påminnelse: Skicka kallelsen",
        "format": "org.matrix.custom.html",
        "formatted_body": "<p>Påminnelse: Skicka kallelsen</p>"}
    # Teams ids (a UPN, an Entra object id) in the config are no Matrix ids.
    reply.mentions = ["anna@kommun.se", "0f3c1a2b-0000-4000-8000-000000000000"]
    assert message_content(reply)["msgtype"] == "m.notice"
    assert "m.mentions" not in message_content(reply)
    reply.mentions.append("@anna:kommun.se")
    content = message_content(reply)
    assert content["msgtype"] == "m.text"
    assert content["m.mentions"] == {"user_ids": ["@anna:kommun.se"]}


async def test_a_personal_reminder_notifies_the_person_and_a_reply_does_not(
        scene: Scene) -> None:
    """`!påminn mig` is posted in the room as an m.text that mentions the one who asked:
    Synapse's default push rules then notify them (highlighted), which they never do for an
    m.notice, the bot's ordinary replies."""
    rules = [r["rule_id"] for r in scene.synapse.push_rules(scene.member.account)["global"]
             ["override"]]
    # Why a mention cannot be an m.notice: the defaults silence notices first.
    assert rules.index(".m.rule.suppress_notices") < rules.index(".m.rule.is_user_mention")
    bot = await scene.start_bot()
    await bot.app.start()  # the reminder scheduler, as `bot run` does
    try:
        room_id = await scene.room()
        await scene.chair.ask(room_id, "!organ Styrelsen")
        confirmed = await scene.member.ask(room_id, "!påminn mig om 1 minut Läs handlingarna")
        assert "för Cecilia Sparf." in confirmed.body, confirmed.body
        assert confirmed.source["content"]["msgtype"] == "m.notice"
        scenario.hurry_reminder(bot.app, confirmed.body)
        posted = await posted_by_bot(scene, scene.member, room_id,
                                     "Påminnelse till Cecilia Sparf: Läs handlingarna")
        content = posted.source["content"]
        assert content["msgtype"] == "m.text" and "m.relates_to" not in content
        assert content["m.mentions"] == {"user_ids": [scene.member.user_id]}
        await scene.member.wait(lambda: notified(scene, scene.member, posted.event_id),
                                what="the member's notification of the reminder")
        assert highlighted(notified(scene, scene.member, posted.event_id))
        assert not highlighted(notified(scene, scene.chair, posted.event_id))
        # The bot's answer to the member's command notified nobody.
        assert notified(scene, scene.member, confirmed.event_id) is None
        # A reminder for the room mentions nobody: a notice, and no notification.
        room_wide = await scene.chair.ask(room_id, "!påminn om 1 minut Skicka kallelsen")
        scenario.hurry_reminder(bot.app, room_wide.body)
        plain = await posted_by_bot(scene, scene.chair, room_id, "Påminnelse: Skicka kallelsen")
        assert plain.source["content"]["msgtype"] == "m.notice"
        assert "m.mentions" not in plain.source["content"]
        await scene.member.wait(lambda: any(e.event_id == plain.event_id for e in
                                            scene.member.messages_from(
                                                room_id, scene.bot_account.user_id)),
                                what="the room reminder at the member")
        for person in (scene.chair, scene.member):
            assert notified(scene, person, plain.event_id) is None
            assert notified(scene, person, room_wide.event_id) is None
    finally:
        await bot.app.stop()


async def test_justering_and_uppdrag_reminders_notify_the_people_who_must_act(
        scene_with_secretary: Scene) -> None:
    """The justering reminder mentions the ordförande and justerare who have not signed;
    the uppdrag reminder the förbundschef the uppdrag went to (their config ids)."""
    scene = scene_with_secretary
    assert scene.secretary is not None
    bot = await scene.start_bot()
    await bot.app.start()
    try:
        room_id = await scene.room()
        await scene.chair.ask(room_id, "!organ Styrelsen")
        today = datetime.now(scenario.STOCKHOLM).date()
        due = today + timedelta(days=30)
        par = scene.secretary
        for text in (f"!möte öppna {today.isoformat()} 08:30 Digitalt",
                     "!närvaro Carolina Sondell, Cecilia Sparf",
                     "!justerare Cecilia Sparf", "!paragraf Lokalfrågan",
                     "!beslut Styrelsen uppdrar till förbundschefen att utreda lokalfrågan "
                     f"senast {due.isoformat()}.",
                     "!möte avsluta", "!protokoll klart"):
            reply = await par.ask(room_id, text)
            assert not reply.body.startswith(("Något gick fel", "Du får inte")), reply.body
        assert "Carolina Sondell (ordförande): läs protokollet" in reply.body, reply.body

        hurry_first(bot.app, "justering:")
        justering = await posted_by_bot(scene, scene.member, room_id,
                                        "Påminnelse: protokollet från Styrelsens sammanträde")
        assert "Carolina Sondell och Cecilia Sparf: läs protokollet" in justering.body
        content = justering.source["content"]
        assert content["msgtype"] == "m.text"
        assert content["m.mentions"] == {"user_ids": [scene.chair.user_id,
                                                      scene.member.user_id]}
        for person in (scene.chair, scene.member):
            await person.wait(lambda p=person: notified(scene, p, justering.event_id),
                              what="the justering reminder's notification")
            assert highlighted(notified(scene, person, justering.event_id))
        assert not highlighted(notified(scene, par, justering.event_id))

        hurry_first(bot.app, "uppdrag:")
        reminder = await posted_by_bot(scene, par, room_id, "Påminnelse från Styrelsen: "
                                                            "uppdrag 1 ska vara klart")
        assert "förbundschefen: utreda lokalfrågan" in reminder.body, reminder.body
        assert reminder.source["content"]["m.mentions"] == {"user_ids": [par.user_id]}
        await par.wait(lambda: notified(scene, par, reminder.event_id),
                       what="the uppdrag reminder's notification")
        assert highlighted(notified(scene, par, reminder.event_id))
        assert not highlighted(notified(scene, scene.member, reminder.event_id))
    finally:
        await bot.app.stop()
