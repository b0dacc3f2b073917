"""Justering, anslag and uppdrag reminders through the reminder engine: scheduled by the
commands that make them due, cancelled when they are not, rendered when they fire. Driven
by the engine's injected clock on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from bot.app import App
from bot.commands.reminders.mentions import ids_of_assignee, ids_of_names
from bot.config import parse_config
from storage.models_reminders import Reminder
from storage.tenants import first_organ
from tests.conftest import Chat, make_app
from tests.justering_support import CAROLINA, at, replay_meeting
from tests.reminders_support import Clock, Inbox, service_of


def _reminders(app: App, prefix: str) -> list[Reminder]:
    with app.db.transaction() as session:
        return list(session.exec(select(Reminder).where(Reminder.ref.startswith(prefix))
                                 .order_by(Reminder.due_at, Reminder.id)).all())


def _planned(app: App, prefix: str) -> list[datetime]:
    return [r.due_at for r in _reminders(app, prefix) if r.status == "planerad"]


def _utc(*moment: int) -> datetime:
    return at(*moment).astimezone(UTC)


async def test_justering_anslag_and_uppdrag_reminders_fire_from_the_engine(
        ovik: Chat, ovik_app: App) -> None:
    inbox = Inbox()
    ovik_app.add_sender("console", inbox.send)
    service = service_of(ovik_app)
    clock = Clock(at(2022, 3, 28, 10, 0))
    service.clock = clock

    async def run(*moment: int) -> list[str]:
        clock.now = at(*moment)
        before = len(inbox.texts)
        await service.run_due()
        return inbox.texts[before:]

    replay_meeting(ovik, until="!protokoll")
    ovik.now = at(2022, 3, 28, 10, 0)
    ovik.text("!protokoll klart")
    assert _planned(ovik_app, "justering:") == [_utc(2022, 3, 31, 10, 0),
                                                 _utc(2022, 4, 4, 10, 0)]
    ovik.text("!uppdrag §28 senast 2022-05-20")
    ovik.text("!uppdrag 3 senast 20 maj")
    assert _planned(ovik_app, "uppdrag:") == [_utc(2022, 5, 13, 9, 0)] * 2 + \
        [_utc(2022, 5, 20, 9, 0)] * 2

    assert await run(2022, 3, 31, 9, 59) == []
    assert await run(2022, 3, 31, 10, 0, 30) == [
        "Påminnelse: protokollet från Styrelsens sammanträde fredag 25 mars 2022 är inte "
        "justerat ännu (3 dagar sedan det blev klart).\nCarolina Sondell och Cecilia Sparf: "
        "läs protokollet (!protokoll 2022-03-25) och skriv !justera."]
    assert inbox.posted[0][0] == "console" and inbox.posted[0][1].kind == "påminnelse"
    # Those who must justera are mentioned by the ids the config knows (Cecilia has none).
    assert inbox.posted[0][1].mentions == [CAROLINA]

    # Rendered when it fires: whoever has justerat since is no longer named.
    ovik.now = at(2022, 4, 2, 9, 0)
    ovik.text("!justera", sender="Cecilia Sparf")
    (second,) = await run(2022, 4, 4, 10, 0, 30)
    assert "(7 dagar sedan det blev klart).\nCarolina Sondell: läs protokollet" in second

    # A second !protokoll klart counts from the new time; finishing the justering cancels.
    ovik.now = at(2022, 4, 5, 8, 0)
    ovik.text("!protokoll klart")
    assert _planned(ovik_app, "justering:") == [_utc(2022, 4, 8, 8, 0),
                                                 _utc(2022, 4, 12, 8, 0)]
    ovik.now = at(2022, 4, 6, 10, 12)
    assert "är justerat av" in ovik.text("!justera", sender=CAROLINA)
    assert _planned(ovik_app, "justering:") == []
    assert _planned(ovik_app, "anslag:") == [_utc(2022, 4, 27, 9, 0)]
    # The anslag goes up two days later: the take-down reminder moves with it.
    ovik.text("!anslagstavla uppsatt 2022-04-08")
    assert _planned(ovik_app, "anslag:") == [_utc(2022, 4, 29, 9, 0)]

    listed = ovik.text("!påminnelser")
    assert ("fredag 29 april 2022 kl. 09:00 | anslaget för protokollet från fredag 25 mars "
            "2022 får tas ned |") in listed
    assert ("fredag 13 maj 2022 kl. 09:00 | uppdrag 1 ska vara klart senast fredag 20 maj "
            "2022 |") in listed

    assert await run(2022, 4, 27, 9, 0, 30) == []
    assert await run(2022, 4, 29, 9, 0, 30) == [
        "Påminnelse: anslaget för protokollet från Styrelsens sammanträde fredag 25 mars 2022 "
        "får tas ned i dag, fredag 29 april 2022. Skriv !anslagstavla nedtagen när det är "
        "gjort."]
    ovik.now = at(2022, 4, 29, 10, 0)
    ovik.text("!anslagstavla nedtagen")

    # The next sammanträde, planned with !sammanträde, gets its agenda with !dagordning.
    ovik.text("!sammanträde 2022-05-25 13:00 Stadshuset Kronan")
    ovik.text("!dagordning Delårsrapport förslag: Styrelsen godkänner delårsrapporten.")

    # A closed uppdrag says nothing more; the open one is reminded a week before and on
    # the day.
    ovik.text("!uppdrag klart 3")
    assert {r.status for r in _reminders(ovik_app, "uppdrag:") if '"uppdrag": 3' in r.payload
            or r.text.startswith("uppdrag 3")} == {"borttagen"}
    (week,) = await run(2022, 5, 13, 9, 0, 30)
    assert inbox.posted[-1][1].attachments == []
    assert week.startswith("Påminnelse från Styrelsen: uppdrag 1 ska vara klart senast "
                           "fredag 20 maj 2022.\nförbundschefen: närmare undersöka")
    assert inbox.posted[-1][1].mentions == ["@par:ovik.test"]  # the förbundschef
    assert "(§ 28, 2022-03-25)" in week and "Skriv !uppdrag klart 1 när det är utfört." in week
    (kallelse,) = await run(2022, 5, 18, 13, 0, 30)
    assert kallelse.startswith(
        "Påminnelse: Styrelsen sammanträder om 7 dagar, onsdag 25 maj 2022 kl. 13:00, "
        "Stadshuset Kronan.\nKallelse och handlingar bör vara utskickade. Kallelsen med "
        "föredragningslista är bifogad.\n\nÖppna uppdrag att återrapportera:\n\n"
        "- Uppdrag 1 – förbundschefen: närmare undersöka")
    assert "(§ 28, 2022-03-25), senast fredag 20 maj 2022" in kallelse
    assert "Uppdrag 3 " not in kallelse and "Uppdrag 5 – förbundschefen" in kallelse
    files = {a.filename: a.data for a in inbox.posted[-1][1].attachments}
    assert set(files) == {f"kallelse-styrelsen-2022-05-25.{ext}"
                          for ext in ("pdf", "docx", "html", "md")}
    document = files["kallelse-styrelsen-2022-05-25.md"].decode()
    assert "onsdag 25 maj 2022 kl. 13:00" in document and "Stadshuset Kronan" in document
    assert "5. Delårsrapport" in document
    assert "*Förslag till beslut:* Styrelsen godkänner delårsrapporten." in document
    assert "4. Föregående protokoll (2022-03-25, § 22–30)" in document
    (day,) = await run(2022, 5, 20, 9, 0, 30)
    assert "ska vara klart i dag, fredag 20 maj 2022" in day
    assert await run(2022, 5, 24, 13, 0, 30) == [
        "Påminnelse: Styrelsen sammanträder i morgon, onsdag 25 maj 2022 kl. 13:00, "
        "Stadshuset Kronan."]
    assert await run(2022, 6, 1, 9, 0) == []  # the 1-hour one came too late: silent
    for prefix in ("justering:", "anslag:", "uppdrag:"):
        assert {r.status for r in _reminders(ovik_app, prefix)} <= {"skickad", "borttagen"}


async def test_undone_or_changed_decisions_take_their_uppdrag_reminders_along(
        ovik: Chat, ovik_app: App) -> None:
    inbox = Inbox()
    ovik_app.add_sender("console", inbox.send)
    service = service_of(ovik_app)
    ovik.now = at(2022, 5, 20, 9, 0)
    ovik.text("!möte öppna Stadshuset")
    ovik.text("!paragraf Utredning")
    reply = ovik.text("!beslut Styrelsen uppdrar till förbundschefen att utreda lokalfrågan "
                      "senast 2022-06-30.")
    assert "Uppdrag 1 antecknat" in reply and "Senast torsdag 30 juni 2022." in reply
    assert _planned(ovik_app, "uppdrag:1") == [_utc(2022, 6, 23, 9, 0), _utc(2022, 6, 30, 9, 0)]
    # A changed due date in the decision moves the reminders.
    ovik.text("!ändra §1 Styrelsen uppdrar till förbundschefen att utreda lokalfrågan senast "
              "2022-08-31.")
    assert _planned(ovik_app, "uppdrag:1") == [_utc(2022, 8, 24, 9, 0), _utc(2022, 8, 31, 9, 0)]
    undone = ovik.text("!ångra")
    assert "Uppdrag 1 från beslutet är borttaget, med sina påminnelser." in undone
    assert _planned(ovik_app, "uppdrag:") == []
    assert "Inga öppna uppdrag." in ovik.text("!uppdrag")

    # A decision changed so it gives no uppdrag any more drops it with its reminders.
    ovik.text("!beslut Förbundschefen uppdras att återkomma senast 30 juni 2022.")
    assert len(_planned(ovik_app, "uppdrag:2")) == 2
    assert "uppdrag 2 är borttaget" in ovik.text(
        "!ändra §1 Förbundschefen återkommer i frågan.")
    assert _planned(ovik_app, "uppdrag:") == []
    service.clock = Clock(at(2022, 9, 1, 9, 0))
    await service.run_due()
    assert inbox.texts == []


def test_reminders_mention_the_members_they_name_by_their_config_ids(db_url: str) -> None:
    members = [("Jan-Olov Häggström", "vice ordförande", ["@janolov:ovik.test"]),
               ("Johnny Eriksson", "ersättare", ["@johnny:ovik.test"]),
               ("Pär Eriksson", "förbundschef", ["@par:ovik.test", "par@ovik.se"]),
               ("Anna Andersson", "ordförande", ["anna@kommun.se"]),
               ("Anna Berg", "ledamot", ["@anna:ovik.test"]),
               ("Camilla Steen", "ledamot", [])]
    app = make_app(parse_config({"forbund": [{"name": "Samordningsförbundet", "organ": [{
        "name": "Styrelsen", "member": [{"name": n, "role": r, "ids": i}
                                        for n, r, i in members]}]}]}, "test.toml"), db_url)
    try:
        with app.db.transaction() as session:
            organ = first_organ(session)
            assert organ is not None

            def of(assignee: str) -> list[str]:
                return ids_of_assignee(session, organ.organ_id, assignee)

            both = ["@janolov:ovik.test", "@johnny:ovik.test"]
            assert of("Jan-Olov Häggström och Johnny Eriksson") == both
            assert of("Jan-Olov och Johnny") == both
            assert of("förbundschefen") == ["@par:ovik.test", "par@ovik.se"]
            assert of("Förbundschefen, ordföranden samt jan-olov") == [
                "@par:ovik.test", "par@ovik.se", "anna@kommun.se", "@janolov:ovik.test"]
            assert of("Anna") == []  # two members are called Anna: nobody is guessed
            assert of("Camilla Steen") == []  # no ids in the config: only named
            assert of("den delegation som ska delta på NNS årsmöte") == []
            assert ids_of_names(session, organ.organ_id,
                                ["Anna Berg", "Camilla Steen", "Okänd Person"]) == [
                "@anna:ovik.test"]
    finally:
        app.close()
