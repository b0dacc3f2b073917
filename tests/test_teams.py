"""The Teams transport over HTTP on 127.0.0.1: the real endpoint and JWT check of the
Microsoft 365 Agents SDK, a fake Azure Bot Service key and a Bot Connector double."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import ClientSession
from cryptography.hazmat.primitives.asymmetric import rsa
from microsoft_agents.activity import ChannelAccount, ConversationAccount, ConversationReference

from bot.app import App
from bot.config import load_config
from bot.messages import Reply
from bot.render import render
from bot.transports.teams import NotDelivered, TeamsTransport
from bot.transports.teams_settings import TeamsSettings
from storage import teams as store
from storage.models_reminders import UNDELIVERED, Reminder
from storage.tenants import bind_room, first_organ, organ_for_room
from tests import scenario
from tests.conftest import FIXTURES, make_app
from tests.reminders_support import service_of
from tests.teams_support import (
    APP_ID,
    CHANNEL,
    CONNECTOR_TOKEN,
    EVIL_HOST,
    MEETING_CHAT,
    PEOPLE,
    PERSONAL_CHAT,
    SERVICE_URL_HOSTS,
    TENANT_ID,
    ConnectorDouble,
    KeyServer,
    Sent,
    activity,
    fake_connections,
    post,
    trust_key_server,
)


@dataclass
class TeamsHarness:
    app: App
    transport: TeamsTransport
    keys: KeyServer
    connector: ConnectorDouble
    http: ClientSession

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.transport.port}/api/messages"

    async def send(self, kind: str, token: str | None = "valid", **kw: Any) -> tuple[int,
                                                                                    list[Sent]]:
        """Post one activity as Teams would; returns the status and what the bot sent."""
        body = activity(kind, service_url=self.connector.url,
                        when=kw.pop("when", scenario.MEETING_TIME), **kw)
        if token == "valid":
            token = self.keys.token(self.connector.url)
        before = len(self.connector.sent)
        status = await post(self.http, self.endpoint, body, token)
        return status, self.connector.sent[before:]

    async def say(self, speaker: str, text: str, **kw: Any) -> str:
        """A channel message @mentioning the bot; returns what the user reads."""
        status, sent = await self.send("channel", speaker=speaker, text=text, **kw)
        assert status in (200, 202), status
        assert len(sent) == 1, sent
        return sent[0].shown


def teams_config() -> Any:
    config = load_config(FIXTURES / "ornskoldsvik.toml")
    members = {m.name: m for m in config.forbund[0].organs[0].members}
    members["Pär Eriksson"].ids.append(PEOPLE["Pär Eriksson"].aad_object_id)
    members["Carolina Sondell"].ids.append(PEOPLE["Carolina Sondell"].upn)
    config.teams = {"app_id": APP_ID, "app_password": "hemlighet", "tenant_id": TENANT_ID}
    return config


@contextlib.asynccontextmanager
async def serving(app: App, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TeamsHarness]:
    """`app` on the Teams test endpoint with a trusted key server and a Bot Connector
    double; everything stopped and the app closed afterwards."""
    keys, connector = KeyServer(), ConnectorDouble()
    await keys.start()
    await connector.start()
    trust_key_server(monkeypatch, keys)
    settings = TeamsSettings(app_id=APP_ID, app_password="hemlighet", tenant_id=TENANT_ID,
                             port=0, host="127.0.0.1", conversations={CHANNEL: "styrelsen"},
                             service_url_hosts=SERVICE_URL_HOSTS)
    transport = TeamsTransport(app, settings, connections=fake_connections())
    await transport.start()
    async with ClientSession() as http:
        yield TeamsHarness(app, transport, keys, connector, http)
    await transport.stop()
    await connector.stop()
    await keys.stop()
    app.close()


@pytest.fixture
async def teams(db_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TeamsHarness]:
    async with serving(make_app(teams_config(), db_url), monkeypatch) as harness:
        yield harness


async def test_meeting_scenario_in_a_channel(teams: TeamsHarness) -> None:
    replies = await scenario.run_meeting(teams.say)
    assert replies[3] == "§ 22 Sammanträdet öppnas"
    sent = teams.connector.sent
    assert len(sent) == len(scenario.MEETING)
    # Replies go to the channel thread of the message, with the SDK's token.
    assert all(s.conversation_id == CHANNEL and s.reply_to for s in sent)
    assert all(s.authorization == f"Bearer {CONNECTOR_TOKEN}" for s in sent)
    first = sent[3].activity
    assert first["type"] == "message" and first["textFormat"] == "plain"
    assert first["from"]["id"] == f"28:{APP_ID}"
    assert first["recipient"]["id"] == PEOPLE["Pär Eriksson"].teams_id
    # Carolina is recognised by her UPN from the member list, once.
    assert teams.connector.member_lookups.count(PEOPLE["Carolina Sondell"].teams_id) == 1


async def test_meeting_today_with_budget_card_and_a_proactive_reminder(
        teams: TeamsHarness) -> None:
    """The scenario Matrix plays too: held today, so the reminder is due in real time."""
    now = datetime.now(scenario.STOCKHOLM)

    async def say(speaker: str, text: str) -> str:
        return await teams.say(speaker, text, when=now)

    await teams.app.start()  # the reminder scheduler, as `bot run` does
    try:
        steps = scenario.meeting(now.date(), "Digitalt via Teams")
        replies = await scenario.run_meeting(say, steps)
        insats = replies[[s.text for s in steps].index("!budget vidare vy")]
        assert "Kvar: 227 777 kr" in insats
        # A plain-text message: the template's **bold** would show as asterisks.
        assert insats.startswith(f"Vidare Vy {now.year} (Samordningsförbundet i Örnsköldsvik)")
        assert "**" not in insats
        # The year's budget is a table: an Adaptive Card table on Teams.
        status, (sent,) = await teams.send("channel", speaker=scenario.CECILIA, text="!budget",
                                           when=now)
        assert sent.card is not None and sent.card["type"] == "AdaptiveCard"
        (table,) = [b for b in sent.card["body"] if b["type"] == "Table"]
        cells = [[c["items"][0]["text"].replace("\xa0", " ") for c in row["cells"]]
                 for row in table["rows"]]
        assert ["Vidare Vy", "455 000 kr", "227 223 kr", "227 777 kr", "50 %"] in cells, cells
        (confirmed,) = await scenario.run_meeting(say, (scenario.REMINDER,))
        before = len(teams.connector.sent)
        scenario.hurry_reminder(teams.app, confirmed)
        await teams.connector.wait_for(before + 1)
        (posted,) = teams.connector.sent[before:]
        assert posted.text == scenario.REMINDER_POST
        assert posted.conversation_id == CHANNEL and posted.reply_to is None
    finally:
        await teams.app.stop()


async def test_protokoll_card_links_to_the_files(teams: TeamsHarness) -> None:
    await scenario.run_meeting(teams.say)
    card = teams.connector.sent[-1].card
    assert card is not None and card["type"] == "AdaptiveCard"
    body = card["body"]
    assert body[0]["text"] == "Protokoll för Styrelsen fredag 25 mars 2022, § 22–24."
    facts = {f["title"]: f["value"] for f in body[1]["facts"]}
    assert facts["Sammanträdesdatum"] == "2022-03-25 (fredag 25 mars 2022)"
    assert facts["Plats och tid"] == "Digitalt via Teams, kl. 08:30–11:30"
    assert facts["Justerare"] == "Cecilia Sparf"
    assert facts["Paragrafer"] == "22–24"
    texts = [b["text"] for b in body[2:]]
    assert texts == ["Paragrafer", "§ 22 Sammanträdet öppnas",
                     "§ 23 Beslut om fastställande av årsredovisning för verksamhetsåret 2021",
                     "§ 24 Ansökan om medel för Vidare Vy"]
    actions = card["actions"]
    by_title = {a["title"]: a for a in actions}
    assert set(by_title) == {
        "Ladda ner protokoll-styrelsen-2022-03-25.pdf",
        "Ladda ner protokoll-styrelsen-2022-03-25.docx",
        "Öppna protokoll-styrelsen-2022-03-25.html",
        "Ladda ner protokoll-styrelsen-2022-03-25.md"}
    assert all(a["type"] == "Action.OpenUrl" for a in actions)
    html_url = by_title["Öppna protokoll-styrelsen-2022-03-25.html"]["url"]
    assert re.match(rf"http://127\.0\.0\.1:{teams.transport.port}/filer/[\w-]{{40,}}/", html_url)
    async with teams.http.get(html_url) as response:
        assert response.status == 200
        assert response.content_type == "text/html"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        page = await response.text()
    assert "<h2>§ 23 Beslut om fastställande av årsredovisning" in page
    assert "Styrelsen fastställer årsredovisning enligt bilaga." in page
    async with teams.http.get(by_title["Ladda ner protokoll-styrelsen-2022-03-25.md"]["url"]
                              ) as response:
        assert response.status == 200
        scenario.check_protokoll(await response.text(), scenario.MEETING_TIME.date())
    # A guessed or altered link finds nothing.
    wrong = re.sub(r"/filer/[\w-]+/", "/filer/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/",
                   html_url)
    async with teams.http.get(wrong) as response:
        assert response.status == 404
        assert "Filen finns inte" in await response.text()


async def test_a_file_link_expires_after_90_days(teams: TeamsHarness) -> None:
    now = datetime.now(UTC)
    with teams.app.db.transaction() as session:
        old = store.store_file(session, "gammal.md", "text/markdown", b"# Gammal", CHANNEL,
                               now=now - store.FILE_LIFETIME - timedelta(days=1))
        recent = store.store_file(session, "ny.md", "text/markdown", b"# Ny", CHANNEL,
                                  now=now - store.FILE_LIFETIME + timedelta(days=1))
    base = f"http://127.0.0.1:{teams.transport.port}/filer"
    async with teams.http.get(f"{base}/{old}/gammal.md") as response:
        assert response.status == 404
        assert (await response.text()).startswith(
            "Filen finns inte. Länken kan ha gått ut (länkar gäller i 90 dagar)")
    async with teams.http.get(f"{base}/{recent}/ny.md") as response:
        assert response.status == 200 and await response.text() == "# Ny"


async def test_start_warns_when_public_url_is_missing(
        db_url: str, caplog: pytest.LogCaptureFixture) -> None:
    app = make_app(teams_config(), db_url)
    try:
        for public_url in ("", "https://sekreteraren.ovik.se"):
            caplog.clear()
            settings = TeamsSettings(app_id=APP_ID, app_password="hemlighet",
                                     tenant_id=TENANT_ID, port=0, host="127.0.0.1",
                                     public_url=public_url)
            transport = TeamsTransport(app, settings, connections=fake_connections())
            with caplog.at_level(logging.WARNING, logger="bot.transports.teams"):
                await transport.start()
            await transport.stop()
            warned = [r.getMessage() for r in caplog.records if "public_url" in r.getMessage()]
            if public_url:
                assert warned == []
            else:
                (message,) = warned
                assert message.startswith("Teams: public_url saknas i [teams]. Länkar till "
                                          "filer i påminnelser")
    finally:
        app.close()


async def test_unauthenticated_and_forged_requests_get_401(teams: TeamsHarness) -> None:
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for token in (None, "not-a-jwt",
                  teams.keys.token(teams.connector.url, key=forger),
                  teams.keys.token(teams.connector.url, key=forger, kid="other-key"),
                  teams.keys.token(teams.connector.url, audience="another-bot"),
                  teams.keys.token(teams.connector.url, expires_in=-3600)):
        status, sent = await teams.send("channel", token=token, text="!möte öppna")
        assert status == 401, token
        assert sent == []
    with teams.app.db.transaction() as session:
        organ = organ_for_room(session, "teams", CHANNEL)
        assert organ is not None
        from storage import meetings

        assert meetings.open_meeting_of(session, organ.organ_id) is None


async def test_mention_without_prefix_and_ordinary_chat(teams: TeamsHarness) -> None:
    # Mentioned: the prefix is optional; a bare mention gives the help.
    assert (await teams.say("Pär Eriksson", "paragrafnummer 22")).startswith(
        "Nästa paragraf blir § 22")
    help_card = (await teams.send("channel", text=""))[1][0].card
    assert help_card is not None
    # Not mentioned: commands need the prefix, and ordinary chat is ignored.
    status, sent = await teams.send("channel", text="Bra möte idag!", mention=False)
    assert status in (200, 202) and sent == []
    status, sent = await teams.send("channel", text="!paragrafnummer 30", mention=False)
    assert [s.text for s in sent] == ["Nästa paragraf blir § 30 (2022)."]


async def test_people_mentioned_in_a_command_are_its_arguments(teams: TeamsHarness) -> None:
    """Only the bot's own mention is removed; a person's mention becomes the name."""
    await teams.say("Pär Eriksson", "möte öppna 2022-03-25 08:30 Kansliet")
    said = await teams.say("Pär Eriksson", "närvaro <at>Carolina Sondell</at>, Cecilia Sparf",
                           mentions=("Carolina Sondell",))
    assert "Beslutande: Carolina Sondell ÖK ordförande, Cecilia Sparf AF\n" in said
    said = await teams.say("Carolina Sondell", "justerare <at>Cecilia Sparf</at>",
                           mentions=("Cecilia Sparf",))
    # Cecilia has no Teams id in the config, so the secretary is told she cannot justera.
    assert said.startswith("Justerare: Cecilia Sparf.\nCecilia Sparf har inget chatt-id i "
                           "konfigurationen och kan därför inte justera här.")
    # Without the bot's mention, a person's mention does not address the bot.
    status, sent = await teams.send("channel", text="Tack <at>Cecilia Sparf</at>!",
                                    mention=False, mentions=("Cecilia Sparf",))
    assert status in (200, 202) and sent == []


async def test_replies_in_a_thread_keep_the_thread(teams: TeamsHarness) -> None:
    status, sent = await teams.send("channel", text="!hjälp beslut", thread="1648190000000")
    assert status in (200, 202)
    assert sent[0].conversation_id == f"{CHANNEL};messageid=1648190000000"
    assert sent[0].text.startswith("!beslut: Antecknar ett beslut")


async def test_help_is_an_adaptive_card(teams: TeamsHarness) -> None:
    status, sent = await teams.send("channel", text="!hjälp")
    card = sent[0].card
    assert card is not None and card["version"] == "1.5"
    texts = [b["text"] for b in card["body"]]
    assert texts[0] == "Kommandon (skriv !hjälp <kommando> för mer):"
    assert "Paragrafer och beslut" in texts
    assert "• !beslut: Antecknar ett beslut i aktuell paragraf (eller i en ny, om ingen finns)." \
        in texts
    assert sent[0].activity["summary"] == texts[0]


async def test_meeting_scenario_in_a_meeting_chat(teams: TeamsHarness) -> None:
    status, sent = await teams.send("meeting", text="!möte")
    assert "inte kopplat till något organ" in sent[0].text
    assert sent[0].conversation_id == MEETING_CHAT
    # Teams has no power levels: the config's roles decide who binds the chat.
    status, sent = await teams.send("meeting", speaker="Cecilia Sparf", text="!organ Styrelsen")
    assert sent[0].text.startswith("Du får inte koppla rummet till Styrelsen"), sent[0].text
    status, sent = await teams.send("meeting", speaker="Carolina Sondell",
                                    text="!organ Styrelsen")
    assert sent[0].text.startswith("Rummet är nu kopplat till Styrelsen i Samordningsförbundet "
                                   "i Örnsköldsvik."), sent[0].text

    async def say(speaker: str, text: str) -> str:
        status, sent = await teams.send("meeting", speaker=speaker, text=text)
        assert status in (200, 202) and len(sent) == 1
        assert sent[0].conversation_id == MEETING_CHAT
        return sent[0].shown

    replies = await scenario.run_meeting(say)
    assert replies[-1].startswith("Protokoll för Styrelsen fredag 25 mars 2022, § 22–24.")


async def test_installation_welcome_and_removal(teams: TeamsHarness) -> None:
    status, sent = await teams.send("install")
    assert status in (200, 202) and sent == []
    status, sent = await teams.send("added")
    assert len(sent) == 1
    assert sent[0].text.startswith("Hej! Jag är Finsam-sekreteraren.")
    assert "Den här konversationen hör till Samordningsförbundet i Örnsköldsvik, Styrelsen." \
        in sent[0].text
    assert "Skriv !hjälp för att se alla kommandon." in sent[0].text
    with teams.app.db.transaction() as session:
        row = store.get_conversation(session, CHANNEL)
        assert row is not None and row.kind == "channel" and row.team_id == CHANNEL
        assert row.service_url == teams.connector.url
    status, sent = await teams.send("removed")
    assert sent == []
    with teams.app.db.transaction() as session:
        assert store.get_conversation(session, CHANNEL) is None
    # Without a reference nothing can be posted there, and deliver says so.
    before = len(teams.connector.sent)
    with pytest.raises(NotDelivered, match="no Teams conversation reference"):
        await teams.app.deliver("teams", CHANNEL, render("teams", "välkommen"))
    assert len(teams.connector.sent) == before


async def test_uninstall_forgets_but_an_app_upgrade_keeps_the_reference(
        teams: TeamsHarness) -> None:
    def stored() -> bool:
        with teams.app.db.transaction() as session:
            return store.get_conversation(session, CHANNEL) is not None

    await teams.send("install")
    assert stored()
    # An app update sends remove-upgrade then add-upgrade: the bot was never removed.
    status, sent = await teams.send("uninstall", action="remove-upgrade")
    assert status in (200, 202) and sent == [] and stored()
    await teams.send("install", action="add-upgrade")
    assert stored()
    await teams.send("uninstall")
    assert not stored()


async def test_a_reminder_the_connector_refuses_is_not_marked_sent(
        teams: TeamsHarness) -> None:
    now = datetime.now(scenario.STOCKHOLM)
    confirmed = await teams.say("Pär Eriksson", "!påminn om 1 minut Justera protokollet",
                                when=now)
    scenario.hurry_reminder(teams.app, confirmed, seconds=0)
    reminder_id = int(confirmed.split()[1])
    teams.connector.fail_status = 503
    before = len(teams.connector.sent)
    await service_of(teams.app).fire(reminder_id)
    assert teams.connector.refused >= 1 and len(teams.connector.sent) == before
    with teams.app.db.transaction() as session:
        reminder = session.get(Reminder, reminder_id)
        assert reminder is not None and reminder.status == UNDELIVERED


async def test_proactive_message_through_app_deliver(teams: TeamsHarness) -> None:
    await teams.say("Pär Eriksson", "!hjälp protokoll", thread="1648190000000")
    reminder = Reply(text="Påminnelse: styrelsemöte fredag 20 maj 2022 kl. 09:00.",
                     html="<p>Påminnelse: styrelsemöte fredag 20 maj 2022 kl. 09:00.</p>",
                     kind="påminnelse")
    before = len(teams.connector.sent)
    assert await teams.app.deliver("teams", CHANNEL, reminder)
    (sent,) = teams.connector.sent[before:]
    # A new post in the channel (not in the thread), with the SDK's token.
    assert sent.conversation_id == CHANNEL and sent.reply_to is None
    assert sent.text == "Påminnelse: styrelsemöte fredag 20 maj 2022 kl. 09:00."
    assert sent.authorization == f"Bearer {CONNECTOR_TOKEN}"
    assert sent.activity["from"]["id"] == f"28:{APP_ID}"
    assert sent.activity["conversation"]["id"] == CHANNEL


async def test_a_file_in_a_personal_chat_reaches_budget_import(teams: TeamsHarness) -> None:
    from tests.budget_support import BUDGET_2021

    data = BUDGET_2021.read_bytes()
    with teams.app.db.transaction() as session:  # as `!organ Styrelsen` does
        organ = first_organ(session, "styrelsen")
        bind_room(session, "teams", PERSONAL_CHAT, organ.organ_id, "test")

    async def personal(text: str, files: list[dict[str, Any]] | None = None) -> list[Sent]:
        extra = {"attachments": files} if files else {}
        status, sent = await teams.send("personal", text=text, mention=False, **extra)
        assert status in (200, 202), status
        return sent

    # The file and the command in one message.
    (sent,) = await personal("!budget import", [
        teams.connector.file_attachment("budget-2021.csv", data)])
    assert sent.conversation_id == PERSONAL_CHAT
    assert sent.shown.startswith("Importerat budget-2021.csv (11 rader, 2021): 11 nya "
                                 "beviljade belopp och 11 nya utfall"), sent.shown
    assert teams.connector.downloads == ["budget-2021.csv"]
    # A file alone is kept for the sender's next message (no prefix needed in 1:1).
    assert await personal("", [teams.connector.file_attachment("budget.csv", data)]) == []
    (again,) = await personal("budget import")
    assert again.shown.startswith("Importerat budget.csv (11 rader, 2021): 0 nya beviljade "
                                  "belopp och 0 nya utfall; 22 fanns redan")
    # Only the next message: after other chat the file is gone.
    await personal("", [teams.connector.file_attachment("budget.csv", data)])
    await personal("Tack!")
    (none,) = await personal("budget import")
    assert none.shown.startswith("Jag hittar ingen budgetfil till !budget import.")
    assert teams.connector.downloads == ["budget-2021.csv", "budget.csv"]


async def test_calendar_and_budget_chart_are_served_as_files(teams: TeamsHarness) -> None:
    """Files a bot cannot attach in a channel: a card with a link the bot serves."""
    assert (await teams.say("Pär Eriksson", "!sammanträde 2022-05-20 09:00 Stadshuset")
            ).startswith("Sammanträde 1 är planerat: Styrelsen, fredag 20 maj 2022 kl. 09:00")
    status, (sent,) = await teams.send("channel", text="!kalender")
    card = sent.card
    assert card is not None
    assert card["body"][0]["text"].startswith("Kalender för Styrelsen: 1 sammanträde")
    (link,) = card["actions"]
    assert link["title"] == "Ladda ner kalender-ornskoldsvik-styrelsen.ics"
    async with teams.http.get(link["url"]) as response:
        assert response.status == 200 and response.content_type == "text/calendar"
        ics = await response.text()
    assert "BEGIN:VCALENDAR" in ics and "LOCATION:Stadshuset" in ics
    for line in ("!möte öppna Kansliet", "!insats ny Vidare Vy", "!anslag Vidare Vy 455 000",
                 "!utfall Vidare Vy 227 223"):
        await teams.say("Pär Eriksson", line)
    status, (sent,) = await teams.send("channel", speaker="Cecilia Sparf", text="!budget diagram")
    card = sent.card
    assert card is not None
    assert card["body"][0]["text"].startswith("Diagram: beviljat och utfall per insats 2022")
    (image,) = [b for b in card["body"] if b["type"] == "Image"]
    assert image["altText"] == "budget-2022.png"
    async with teams.http.get(image["url"]) as response:
        assert response.status == 200 and response.content_type == "image/png"
        assert (await response.read())[:8] == b"\x89PNG\r\n\x1a\n"
    assert [a["url"] for a in card["actions"]] == [image["url"]]


async def test_uppdrag_and_reminders_are_card_tables(teams: TeamsHarness) -> None:
    for line in ("!möte öppna Kansliet", "!paragraf Lokalfrågan",
                 "!beslut Styrelsen uppdrar till förbundschefen att undersöka lokalfrågan "
                 "och återrapportera senast 2022-05-20."):
        await teams.say("Pär Eriksson", line)

    async def table_of(text: str) -> list[list[str]]:
        status, (sent,) = await teams.send("channel", speaker="Cecilia Sparf", text=text)
        assert sent.card is not None, sent.text
        (table,) = [b for b in sent.card["body"] if b["type"] == "Table"]
        return [[c["items"][0]["text"] for c in row["cells"]] for row in table["rows"]]

    assert await table_of("!uppdrag") == [
        ["Nr", "Vem", "Uppdrag", "Beslut", "Läge"],
        ["1", "förbundschefen", "undersöka lokalfrågan och återrapportera senast 2022-05-20",
         "§ 1, 2022-03-25", "senast fredag 20 maj 2022"]]
    reminders = await table_of("!påminnelser")
    assert reminders[0] == ["Nr", "När", "Påminnelse"]
    assert ["fredag 13 maj 2022 kl. 09:00",
            "uppdrag 1 ska vara klart senast fredag 20 maj 2022"] in [r[1:] for r in reminders]


async def test_activities_from_another_organisation_are_ignored(teams: TeamsHarness) -> None:
    """A single-tenant bot: a correctly signed activity from another tenant's Teams does
    nothing and gets no answer."""
    other = "11111111-0000-0000-0000-000000000000"
    body = activity("channel", service_url=teams.connector.url, when=scenario.MEETING_TIME,
                    text="!möte öppna Kansliet")
    body["conversation"]["tenantId"] = other
    body["channelData"]["tenant"]["id"] = other
    before = len(teams.connector.sent)
    status = await post(teams.http, teams.endpoint, body,
                        teams.keys.token(teams.connector.url))
    assert status in (200, 202) and teams.connector.sent[before:] == []
    with teams.app.db.transaction() as session:
        from storage import meetings

        organ = organ_for_room(session, "teams", CHANNEL)
        assert organ is not None and meetings.open_meeting_of(session, organ.organ_id) is None
    # The same message from the bot's own tenant is handled.
    assert (await teams.say("Pär Eriksson", "!möte öppna Kansliet")).startswith(
        "Sammanträdet är öppnat: Styrelsen")


# -- token binding: issuer, serviceurl claim, allowed service URLs --------------------------

OTHER_TENANT = "22222222-3333-4444-5555-666666666666"


@pytest.fixture
async def elsewhere() -> AsyncIterator[tuple[ConnectorDouble, ConnectorDouble]]:
    """Two more Bot Connectors: one on the allowed host (127.0.0.1, another port) and one
    on a host outside the allow-list, where an attacker would want the bot's token."""
    other, evil = ConnectorDouble(), ConnectorDouble(host=EVIL_HOST)
    await other.start()
    await evil.start()
    yield other, evil
    await other.stop()
    await evil.stop()


async def post_from(teams: TeamsHarness, service_url: str, token: str | None,
                    kind: str = "channel", text: str = "!möte öppna Kansliet") -> int:
    body = activity(kind, service_url=service_url, when=scenario.MEETING_TIME, text=text)
    return await post(teams.http, teams.endpoint, body, token)


def meeting_is_open(teams: TeamsHarness) -> bool:
    from storage import meetings

    with teams.app.db.transaction() as session:
        organ = organ_for_room(session, "teams", CHANNEL)
        assert organ is not None
        return meetings.open_meeting_of(session, organ.organ_id) is not None


async def test_only_bot_framework_and_the_tenants_own_issuers_are_accepted(
        teams: TeamsHarness) -> None:
    url = teams.connector.url
    # Signed by a key the bot trusts, but not issued by Bot Framework or the bot's tenant.
    for issuer, tid in (("https://evil.example/", None),
                        (f"https://sts.windows.net/{OTHER_TENANT}/", OTHER_TENANT),
                        (f"https://login.microsoftonline.com/{OTHER_TENANT}/v2.0", OTHER_TENANT)):
        extra = {"tid": tid} if tid else {}
        status = await post_from(teams, url, teams.keys.token(url, issuer=issuer, **extra))
        assert status == 401, issuer
    assert teams.connector.requests == []
    assert not meeting_is_open(teams)
    # Bot Framework and the tenant's Entra issuers (v1 and v2) are.
    for issuer in ("https://api.botframework.com", f"https://sts.windows.net/{TENANT_ID}/",
                   f"https://login.microsoftonline.com/{TENANT_ID}/v2.0"):
        before = len(teams.connector.sent)
        status = await post_from(teams, url, teams.keys.token(url, issuer=issuer,
                                                               tid=TENANT_ID), text="!möte")
        assert status in (200, 202), issuer
        (sent,) = teams.connector.sent[before:]
        assert sent.text.startswith("Inget sammanträde är öppet"), sent.text


async def test_a_token_is_good_only_for_its_own_service_url(
        teams: TeamsHarness, elsewhere: tuple[ConnectorDouble, ConnectorDouble]) -> None:
    other, _ = elsewhere
    real = teams.connector.url
    # A token Azure Bot Service sent for one Bot Connector, replayed with another serviceUrl
    # (same host, other port: the SDK compares hosts only), and a Bot Framework token
    # without the claim.
    for token in (teams.keys.token(real), teams.keys.token(None)):
        assert await post_from(teams, other.url, token) == 401
    assert other.requests == [] and teams.connector.requests == []
    assert not meeting_is_open(teams)
    # A token for the other Bot Connector is good there, and the answer goes there.
    assert await post_from(teams, other.url, teams.keys.token(other.url)) in (200, 202)
    (sent,) = other.sent
    assert sent.text.startswith("Sammanträdet är öppnat: Styrelsen"), sent.text
    assert teams.connector.requests == []


async def test_a_service_url_off_the_allow_list_never_gets_the_bots_token(
        teams: TeamsHarness, elsewhere: tuple[ConnectorDouble, ConnectorDouble]) -> None:
    _, evil = elsewhere
    real = teams.connector.url
    tokens = {
        "replayed": teams.keys.token(real),
        "naming the evil host": teams.keys.token(evil.url),
        "Entra, without serviceurl": teams.keys.token(
            None, issuer=f"https://sts.windows.net/{TENANT_ID}/", tid=TENANT_ID),
    }
    for what, token in tokens.items():
        for kind in ("channel", "added", "personal"):
            assert await post_from(teams, evil.url, token, kind=kind) == 401, (what, kind)
    assert evil.requests == []  # no reply, no member look-up, no bearer token
    assert teams.connector.requests == []
    assert not meeting_is_open(teams)
    with teams.app.db.transaction() as session:
        assert store.get_conversation(session, CHANNEL) is None
    # The Entra token without the claim works on an allowed host.
    assert await post_from(teams, real, tokens["Entra, without serviceurl"]) in (200, 202)
    assert [s.text.split(":")[0] for s in teams.connector.sent] == ["Sammanträdet är öppnat"]


async def test_reminders_go_only_to_service_urls_of_validated_activities(
        teams: TeamsHarness, elsewhere: tuple[ConnectorDouble, ConnectorDouble]) -> None:
    _, evil = elsewhere
    text = "Påminnelse: styrelsemöte fredag 20 maj 2022 kl. 09:00."
    reminder = Reply(text=text, html=f"<p>{text}</p>", kind="påminnelse")
    # A reference with a service URL off the allow-list, as a version that did not check
    # it could have stored: the reminder is not delivered, and nothing reaches the host.
    evil_reference = ConversationReference(
        bot=ChannelAccount(id=f"28:{APP_ID}"), channel_id="msteams", service_url=evil.url,
        conversation=ConversationAccount(id=CHANNEL, conversation_type="channel",
                                         tenant_id=TENANT_ID))
    with teams.app.db.transaction() as session:
        store.save_conversation(session, CHANNEL,
                                evil_reference.model_dump_json(by_alias=True, exclude_none=True),
                                kind="channel",
                                team_id=CHANNEL, tenant_id=TENANT_ID, service_url=evil.url,
                                name="Styrelsen")
    with pytest.raises(NotDelivered, match=r"is not in \[teams\] service_url_hosts"):
        await teams.app.deliver("teams", CHANNEL, reminder)
    assert evil.requests == []
    # A validated activity from the channel stores its own service URL.
    status, sent = await teams.send("install")
    assert status in (200, 202)
    assert await teams.app.deliver("teams", CHANNEL, reminder)
    # A replayed token with the evil serviceUrl is refused and changes nothing.
    assert await post_from(teams, evil.url, teams.keys.token(teams.connector.url),
                           kind="install") == 401
    assert await post_from(teams, evil.url, teams.keys.token(teams.connector.url),
                           text="!hjälp") == 401
    with teams.app.db.transaction() as session:
        row = store.get_conversation(session, CHANNEL)
        assert row is not None and row.service_url == teams.connector.url
    assert await teams.app.deliver("teams", CHANNEL, reminder)
    posted = [s for s in teams.connector.sent if s.reply_to is None]
    assert [s.text for s in posted] == [text, text]
    assert all(s.conversation_id == CHANNEL for s in posted)
    assert evil.requests == []
