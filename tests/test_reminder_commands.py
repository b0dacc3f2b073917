"""!påminn, !påminnelser, !sammanträde, !frister, !rapport, !rapporter and !kalender."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.app import App
from bot.commands.reminders.deadlines import day_off, reminder_day, working_day_before
from bot.config import ConfigError, parse_config
from storage.models_reminders import Reminder
from tests.conftest import STOCKHOLM, Chat
from tests.reminders_support import CONFIG, reminder_app, service_of

NOW = datetime(2026, 12, 3, 14, 0, tzinfo=STOCKHOLM)  # a Thursday


@pytest.fixture
def rapp(db_url: str) -> Iterator[App]:
    application = reminder_app(db_url)
    yield application
    application.close()


@pytest.fixture
def room(rapp: App) -> Chat:
    chat = Chat(rapp, sender="Pär Eriksson")
    chat.now = NOW
    return chat


def reminders(app: App) -> list[Reminder]:
    with app.db.transaction() as session:
        return list(session.exec(select(Reminder).order_by(Reminder.id)).all())


def test_remind_room_and_me_and_list_and_remove(room: Chat, rapp: App) -> None:
    reply = room.text("!påminn i morgon kl 9 Skicka kallelsen")
    assert "satt till fredag 4 december 2026 kl. 09:00." in reply
    assert "Text: Skicka kallelsen" in reply
    own_id = int(reply.split()[1])
    mine = room.text("!påminn mig fredag 13.00 Ring revisorn", sender="Cecilia Sparf")
    assert "fredag 4 december 2026 kl. 13:00 för Cecilia Sparf" in mine
    mine_id = int(mine.split()[1])
    row = next(r for r in reminders(rapp) if r.id == mine_id)
    assert row.for_person == "Cecilia Sparf" and row.due_at.hour == 12  # 13:00 CET in UTC
    listing = room.text("!påminnelser")
    assert f"| {own_id} | fredag 4 december 2026 kl. 09:00 | Skicka kallelsen |" in listing
    assert "Ring revisorn" not in listing  # Cecilia's own, not Pär's
    assert "Ring revisorn (till Cecilia Sparf)" in room.text("!påminnelser", sender="Cecilia Sparf")
    # The built-in årsrapport chain is listed too, once the service has created it.
    service = service_of(rapp)
    service.clock = lambda: NOW
    service.housekeeping()
    listing = room.text("!påminnelser")
    assert "Insatsernas årsrapporter söndag 31 januari 2027" in listing
    removed = room.text(f"!påminn ta bort {own_id}")
    assert removed == f"Påminnelse {own_id} (fredag 4 december 2026 kl. 09:00) är borttagen."
    assert "Skicka kallelsen" not in room.text("!påminnelser")
    assert "finns ingen kommande påminnelse 999" in room.text("!påminn ta bort 999")
    assert "inget nummer" in room.text("!påminn ta bort x")


def test_personal_reminder_is_removed_only_by_its_owner_or_a_secretary(room: Chat) -> None:
    mine = room.text("!påminn mig i morgon kl 10 Läs handlingarna", sender="Cecilia Sparf")
    rid = mine.split()[1]
    assert "är Cecilia Sparfs egen" in room.text(f"!påminn ta bort {rid}", sender="Kalle")
    assert "är borttagen" in room.text(f"!påminn ta bort {rid}", sender="Pär Eriksson")


def test_a_personal_reminder_belongs_to_a_chat_id_not_to_a_display_name(
        room: Chat, rapp: App) -> None:
    """In Matrix and Teams `!påminn mig` is the sender's by platform id: another user who
    takes her display name, in any spelling, neither sees nor removes it. The console goes
    by the name typed, letter for letter."""
    import json

    from storage.tenants import bind_room

    with rapp.db.transaction() as session:
        bind_room(session, "matrix", "!styrelsen:ovik.test", 1, "config")

    def say(sender_id: str, name: str, text: str) -> str:
        from bot.messages import IncomingMessage

        reply = rapp.dispatcher.handle_sync(IncomingMessage(
            transport="matrix", room_id="!styrelsen:ovik.test", sender_id=sender_id,
            sender_name=name, text=text, event_id=f"{sender_id}{name}{text}", timestamp=NOW))
        assert reply is not None
        return reply.text

    mine = say("@cecilia:ovik.test", "Cecilia Sparf", "!påminn mig i morgon kl 10 Ring revisorn")
    assert "för Cecilia Sparf." in mine
    rid = int(mine.split()[1])
    for name in ("CECILIA SPARF", "Cecilia Sparf", "Cécilia Sparf"):
        assert "Ring revisorn" not in say("@mallory:evil.test", name, "!påminnelser")
        assert say("@mallory:evil.test", name, f"!påminn ta bort {rid}") == (
            f"Påminnelse {rid} är Cecilia Sparfs egen. Bara Cecilia Sparf eller sekreteraren "
            "kan ta bort den.")
    # Her id is hers under any display name; so is a reminder set before owners were kept.
    with rapp.db.transaction() as session:
        row = session.get(Reminder, rid)
        assert row is not None
        row.payload = json.dumps({"mention": "@cecilia:ovik.test"})
        session.add(row)
    assert "| Ring revisorn (till Cecilia Sparf) |" in say(
        "@cecilia:ovik.test", "Cissi", "!påminnelser")
    assert say("@cecilia:ovik.test", "Cissi", f"!påminn ta bort {rid}").startswith(
        f"Påminnelse {rid} (fredag 4 december 2026 kl. 10:00) är borttagen.")
    # The console: "cecilia sparf" is not Cecilia Sparf.
    console = room.text("!påminn mig i morgon kl 11 Läs handlingarna", sender="Cecilia Sparf")
    cid = int(console.split()[1])
    assert "Läs handlingarna" not in room.text("!påminnelser", sender="cecilia sparf")
    assert "är Cecilia Sparfs egen" in room.text(f"!påminn ta bort {cid}",
                                                 sender="cecilia sparf")
    assert "Läs handlingarna (till Cecilia Sparf)" in room.text("!påminnelser",
                                                                sender="Cecilia Sparf")


def test_built_in_reminders_are_removed_only_with_recording_permission(
        room: Chat, rapp: App) -> None:
    room.text("!sammanträde den 20 mars kl 9 Stadshuset")
    service = service_of(rapp)
    service.clock = lambda: NOW
    service.housekeeping()
    meeting = next(r for r in reminders(rapp) if r.kind == "sammanträde")
    frist = next(r for r in reminders(rapp) if r.kind == "frist")
    for rid in (meeting.id, frist.id):
        for sender in ("Cecilia Sparf", "Anna Gäst"):
            refused = room.text(f"!påminn ta bort {rid}", sender=sender)
            assert refused == (f"Påminnelse {rid} är en av botens egna (sammanträde, frist eller "
                               "protokoll). Bara ordförande och sekreterare i Styrelsen får ta "
                               "bort den; be sekreteraren göra det.")
    assert {r.status for r in reminders(rapp) if r.id in (meeting.id, frist.id)} == {"planerad"}
    # a room reminder anyone set stays removable by anyone in the room
    own = room.text("!påminn i morgon kl 9 Kaffe", sender="Anna Gäst").split()[1]
    assert "är borttagen" in room.text(f"!påminn ta bort {own}", sender="Cecilia Sparf")
    assert room.text(f"!påminn ta bort {meeting.id}").startswith(
        f"Påminnelse {meeting.id} (lördag 13 mars 2027 kl. 09:00) är borttagen.")
    assert "är borttagen" in room.text(f"!påminn ta bort {frist.id}", sender="Pär Eriksson")


def test_recurring(room: Chat, rapp: App) -> None:
    reply = room.text("!påminn varje måndag kl 9 Veckans ärenden")
    assert "satt varje måndag kl. 09:00. Första gången: måndag 7 december 2026 kl. 09:00." \
        in reply
    monthly = room.text("!påminn varje månad den 1 Månadsrapport")
    assert "varje månad den 1 kl. 09:00. Första gången: fredag 1 januari 2027 kl. 09:00" \
        in monthly
    assert "(varje måndag kl. 09:00) | Veckans ärenden |" in room.text("!påminnelser")
    last = room.text("!påminn varje månad den 31 Bokslut")
    assert "varje månad den 31 (sista dagen i kortare månader) kl. 09:00. Första gången: " \
        "torsdag 31 december 2026 kl. 09:00" in last, last
    assert "förstår inte ”varje vecka x”" in room.text("!påminn varje vecka x")
    rows = [r for r in reminders(rapp) if r.kind == "egen"]
    assert [r.recurrence for r in rows] == ["vecka:0:09:00", "månad:1:09:00", "månad:31:09:00"]


def test_errors_show_how_to_write_it(room: Chat, rapp: App) -> None:
    before = len(reminders(rapp))
    unreadable = room.text("!påminn snart Skicka kallelsen")
    assert unreadable.startswith("Jag förstår inte när ”snart Skicka kallelsen” är.")
    assert "- !påminn den 20 mars kl 11 …" in unreadable
    past = room.text("!påminn 2026-12-01 09:00 Gammalt")
    assert past.startswith("Tidpunkten tisdag 1 december 2026 kl. 09:00 har redan varit.")
    assert "”kl 25” är ingen tid" in room.text("!påminn i morgon kl 25 x")
    assert "det datumet är en lördag (lördag 5 december 2026)" in \
        room.text("!påminn fredag den 5 december x")
    assert "Vad ska jag påminna om fredag 4 december 2026 kl. 09:00?" in \
        room.text("!påminn i morgon kl 9")
    assert "Skriv när och vad" in room.text("!påminn")
    assert len(reminders(rapp)) == before  # nothing half-written


def test_plan_list_and_cancel_a_meeting(room: Chat, rapp: App) -> None:
    reply = room.text("!sammanträde den 20 mars kl 9 Stadshuset Kronan")
    assert reply.startswith("Sammanträde 1 är planerat: Styrelsen, lördag 20 mars 2027 kl. "
                            "09:00, Stadshuset Kronan.")
    assert ("Påminnelser i rummet: lördag 13 mars 2027 kl. 09:00, fredag 19 mars 2027 kl. "
            "09:00, lördag 20 mars 2027 kl. 08:00.") in reply
    room.text("!sammanträde 2026-12-11 09:00 Digitalt via Teams")
    listing = room.text("!sammanträden")
    assert listing.splitlines()[1:] == [
        "- 2: fredag 11 december 2026 kl. 09:00, Digitalt via Teams",
        "- 1: lördag 20 mars 2027 kl. 09:00, Stadshuset Kronan"]
    assert "sammanträde lördag 20 mars 2027 kl. 09:00" in room.text("!påminnelser")
    cancelled = room.text("!sammanträde ställ in 1")
    assert cancelled == ("Sammanträde 1 (lördag 20 mars 2027 kl. 09:00) är inställt. "
                         "3 påminnelser är borttagna.")
    statuses = {r.status for r in reminders(rapp) if r.ref == "sammanträde:1"}
    assert statuses == {"borttagen"}
    assert "Stadshuset" not in room.text("!sammanträden")
    assert "inget planerat sammanträde 1" in room.text("!sammanträde ställ in 1")
    # Only those who record the minutes plan meetings.
    assert "Du får inte använda !sammanträde" in room.text(
        "!sammanträde i morgon kl 9", sender="Cecilia Sparf")


def test_meeting_reminder_offsets_come_from_the_organ_config(db_url: str) -> None:
    organ = dict(CONFIG["forbund"][0]["organ"][0], sammantrade_paminnelser=["2 dagar"])
    app = reminder_app(db_url, organ=[organ])
    try:
        chat = Chat(app, sender="Pär Eriksson")
        chat.now = NOW
        reply = chat.text("!sammanträde 2026-12-11 09:00")
        assert "Påminnelser i rummet: onsdag 9 december 2026 kl. 09:00." in reply
    finally:
        app.close()


def test_frister_show_weekends_and_holidays(room: Chat) -> None:
    text = room.text("!frister 2027")
    assert text.splitlines()[0] == "Frister 2027 för Samordningsförbundet i Örnsköldsvik:"
    assert ("- Insatsernas årsrapporter: senast söndag 31 januari 2027 (en söndag; sista "
            "arbetsdagen före är fredag 29 januari 2027). Insatsernas årsrapporter för 2026 "
            "ska ha kommit in. Om 59 dagar. 0 av 3 insatser har lämnat.") in text
    assert "Årsredovisningen fastställs: före onsdag 31 mars 2027." in text
    assert ("- Delårsrapporten fastställs: senast tisdag 31 augusti 2027. Styrelsen fastställer "
            "delårsrapporten per den 30 juni 2027. Om 271 dagar.") in text
    assert "Verksamhetsplan och budget: senast tisdag 30 november 2027." in text
    assert ("Verksamhetsplan och budget: senast måndag 30 november 2026. Styrelsen antar "
            "verksamhetsplan och budget för 2027 och framåt. Passerad.") in \
        room.text("!frister 2026")
    assert "”20x” är inget år" in room.text("!frister 20x")


def test_holiday_arithmetic() -> None:
    from datetime import date

    assert day_off(date(2027, 1, 6)) == "trettondedag jul"
    assert day_off(date(2026, 12, 24)) == "julafton"
    assert day_off(date(2027, 5, 6)) == "Kristi himmelsfärdsdag"
    assert day_off(date(2027, 1, 30)) == "lördag"
    assert working_day_before(date(2027, 1, 1)) == date(2026, 12, 30)
    # 30, 14, 7 and 1 days before söndag 31 januari 2027.
    assert [reminder_day(date(2027, 1, 31), n) for n in (30, 14, 7, 1)] == [
        date(2026, 12, 30), date(2027, 1, 15), date(2027, 1, 22), date(2027, 1, 29)]


def test_reports(room: Chat) -> None:
    room.now = datetime(2027, 1, 10, 10, 0, tzinfo=STOCKHOLM)
    reply = room.text("!rapport inlämnad äpplet")
    assert reply.splitlines() == [
        "Antecknat: Samverkansprojekt Äpplet har lämnat sin årsrapport för 2026.",
        "Saknas fortfarande: Steg framåt och Vidare Vy."]
    assert "hade redan lämnat" in room.text("!rapport inlämnad Samverkansprojekt Äpplet 2026")
    status = room.text("!rapporter")
    assert status.splitlines() == [
        "Årsrapporter för 2026 (senast söndag 31 januari 2027):", "Inlämnade:",
        "- Samverkansprojekt Äpplet (söndag 10 januari 2027)", "Saknas:",
        "- Steg framåt (period 2026)", "- Vidare Vy (period från 2024)"]
    assert "1 av 3 insatser har lämnat" in room.text("!frister")
    assert "känner inte till insatsen ”Okänd”" in room.text("!rapport inlämnad Okänd")
    assert room.text("!rapport inlämnad Okänd") == (
        "Jag känner inte till insatsen ”Okänd”. Insatserna som ska lämna årsrapport är: "
        "Samverkansprojekt Äpplet, Steg framåt och Vidare Vy.")
    assert "Ange vilken insats" in room.text("!rapport inlämnad")
    room.text("!rapport inlämnad vidare vy")
    final = room.text("!rapport inlämnad Steg framåt")
    assert "Alla insatser har lämnat sin årsrapport för 2026." in final
    # Another year is separate.
    assert room.text("!rapporter 2025").split("Saknas:\n")[1] == (
        "- Samverkansprojekt Äpplet (period 2025–2027)\n- Vidare Vy (period från 2024)")


def test_calendar_file(room: Chat) -> None:
    room.text("!sammanträde 2026-12-11 09:00 Stadshuset")
    room.text("!sammanträde 2027-02-12 09:00 Digitalt")
    room.text("!sammanträde ställ in 2")
    reply = room.say("!kalender")
    assert reply.text.startswith("Kalender för Styrelsen: 2 sammanträden och 8 frister.")
    (ics,) = reply.attachments
    assert ics.filename == "kalender-ovik-styrelsen.ics"
    assert ics.mimetype == "text/calendar"
    from icalendar import Calendar

    cal = Calendar.from_ical(ics.data)
    events = [e for e in cal.walk("VEVENT")]
    meetings = [e for e in events if str(e["summary"]) == "Sammanträde, Styrelsen"]
    assert [str(e["status"]) for e in meetings] == ["CONFIRMED", "CANCELLED"]
    assert meetings[0].decoded("dtstart").isoformat() == "2026-12-11T08:00:00+00:00"
    assert str(meetings[0]["location"]) == "Stadshuset"
    deadlines = {(str(e["summary"]), e.decoded("dtstart").isoformat()) for e in events
                 if e not in meetings}
    assert ("Insatsernas årsrapporter", "2027-01-31") in deadlines
    assert ("Verksamhetsplan och budget", "2026-11-30") in deadlines


def test_config_errors_name_the_key() -> None:
    bad = {"forbund": [dict(CONFIG["forbund"][0],
                            frister={"arsrapport": {"datum": "31-01"}})]}
    with pytest.raises(ConfigError, match=r"forbund\[0\]\.frister\.arsrapport\.datum"):
        reminder_app_config(bad)
    bad = {"forbund": [dict(CONFIG["forbund"][0], frister={"bokslut": {}})]}
    with pytest.raises(ConfigError, match=r"forbund\[0\]\.frister\.bokslut är ingen känd"):
        reminder_app_config(bad)
    organ = dict(CONFIG["forbund"][0]["organ"][0], sammantrade_paminnelser=["en vecka"])
    bad = {"forbund": [dict(CONFIG["forbund"][0], organ=[organ])]}
    with pytest.raises(ConfigError, match=r"organ\[0\]\.sammantrade_paminnelser"):
        reminder_app_config(bad)


def reminder_app_config(data: dict) -> None:
    from bot.commands.reminders.settings import validate

    validate(parse_config(data, "test.toml"))


def test_bot_calendar_writes_the_file(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from bot.cli import main

    config = tmp_path / "c.toml"
    config.write_text(f'[bot]\ndatabase_url = "sqlite:///{tmp_path}/c.db"\n'
                      '[[forbund]]\nkey = "ovik"\nname = "Förbundet"\n'
                      '[[forbund.organ]]\nname = "Styrelsen"\n', encoding="utf-8")
    out = tmp_path / "k.ics"
    assert main(["calendar", "--config", str(config), "--out", str(out)]) == 0
    assert "BEGIN:VCALENDAR" in out.read_text(encoding="utf-8")
    assert "SUMMARY:Insatsernas årsrapporter" in out.read_text(encoding="utf-8")
    assert f"Sparat: {out}" in capsys.readouterr().out
    assert main(["calendar", "--config", str(config), "--organ", "nej"]) == 2


def test_unclear_or_too_distant_dates_are_asked_about(room: Chat, rapp: App) -> None:
    before = len(reminders(rapp))
    asked = room.text("!sammanträde 11 december 13 Kommunhuset")
    assert asked == ("Menar du kl 13? Skriv då !sammanträde 11 december kl 13 <text>. Hör "
                     "”13” till texten, skriv ett kolon efter datumet: !sammanträde 11 "
                     "december: 13 <text>.")
    assert "”kl 9am” är ingen tid" in room.text("!påminn i morgon kl 9am A")
    for phrase in ("om 9999999 dagar A", "om 99999999 timmar X", "den 31 december 9999 A"):
        far = room.text(f"!påminn {phrase}")
        assert far.startswith("Jag kan inte sätta en tid så långt fram som ”"), phrase
        assert "högst 10 år framåt går. Skriv till exempel !påminn om två veckor" in far
    assert "Jag kan inte sätta en tid så långt fram som ”om 99999999 timmar”" in \
        room.text("!sammanträde om 99999999 timmar X")
    assert len(reminders(rapp)) == before
    counted = room.text("!påminn den 20 mars 15 ärenden att ta upp")
    assert "satt till lördag 20 mars 2027 kl. 09:00." in counted
    assert "Text: 15 ärenden att ta upp" in counted
    planned = room.text("!sammanträde den 20:e mars kl 13 Kommunhuset")
    assert "lördag 20 mars 2027 kl. 13:00, Kommunhuset." in planned


def _stored_utc(app: App, reminder_id: int) -> str:
    row = next(r for r in reminders(app) if r.id == reminder_id)
    due = row.due_at if row.due_at.tzinfo is None else row.due_at.astimezone(UTC)
    return due.strftime("%Y-%m-%d %H:%M")


def test_hours_and_minutes_are_real_time_across_summer_time(room: Chat, rapp: App) -> None:
    room.now = datetime(2027, 3, 28, 1, 30, tzinfo=STOCKHOLM)  # 00:30 UTC; 02:00 -> 03:00
    one = room.text("!påminn om 1 timme A")
    assert "satt till söndag 28 mars 2027 kl. 03:30." in one
    assert _stored_utc(rapp, int(one.split()[1])) == "2027-03-28 01:30"
    two = room.text("!påminn om 2 timmar B")
    assert "satt till söndag 28 mars 2027 kl. 04:30." in two
    assert _stored_utc(rapp, int(two.split()[1])) == "2027-03-28 02:30"
    minutes = room.text("!påminn om 45 minuter C")
    assert "satt till söndag 28 mars 2027 kl. 03:15." in minutes
    assert _stored_utc(rapp, int(minutes.split()[1])) == "2027-03-28 01:15"
    before = len(reminders(rapp))
    missing = room.text("!påminn 2027-03-28 02:30 D")
    assert missing == ("Kl. 02:30 finns inte söndag 28 mars 2027: den natten ställs klockan "
                       "fram från 02:00 till 03:00. Ange en annan tid, till exempel "
                       "!påminn 2027-03-28 kl 03:30 <text>.")
    assert room.text("!påminn kl 2.15 E").startswith(  # today's 02:15 is skipped too
        "Kl. 02:15 finns inte söndag 28 mars 2027")
    assert len(reminders(rapp)) == before
    listing = room.text("!påminnelser")
    assert "| söndag 28 mars 2027 kl. 03:30 | A |" in listing
    assert "| söndag 28 mars 2027 kl. 04:30 | B |" in listing


def test_hours_are_real_time_when_winter_time_starts(room: Chat, rapp: App) -> None:
    room.now = datetime(2026, 10, 25, 1, 30, tzinfo=STOCKHOLM)  # 23:30 UTC; 03:00 -> 02:00
    one = room.text("!påminn om 1 timme A")
    assert "satt till söndag 25 oktober 2026 kl. 02:30." in one  # summer time, first 02:30
    assert _stored_utc(rapp, int(one.split()[1])) == "2026-10-25 00:30"
    two = room.text("!påminn om 2 timmar B")
    assert "satt till söndag 25 oktober 2026 kl. 02:30." in two  # winter time, second 02:30
    assert _stored_utc(rapp, int(two.split()[1])) == "2026-10-25 01:30"
    three = room.text("!påminn om 3 timmar C")
    assert "satt till söndag 25 oktober 2026 kl. 03:30." in three
    assert _stored_utc(rapp, int(three.split()[1])) == "2026-10-25 02:30"
    clock = room.text("!påminn 2026-10-25 04:00 D")
    assert "satt till söndag 25 oktober 2026 kl. 04:00." in clock
    assert _stored_utc(rapp, int(clock.split()[1])) == "2026-10-25 03:00"


def test_frister_without_a_year_show_the_coming_twelve_months(room: Chat) -> None:
    room.now = datetime(2026, 11, 24, 10, 0, tzinfo=STOCKHOLM)
    lines = [line for line in room.text("!frister").splitlines() if line]
    assert lines[0] == ("Frister de kommande tolv månaderna för Samordningsförbundet i "
                        "Örnsköldsvik:")
    assert [line.split(". ")[0] for line in lines[1:]] == [
        "- Verksamhetsplan och budget: senast måndag 30 november 2026",
        "- Insatsernas årsrapporter: senast söndag 31 januari 2027 (en söndag; sista "
        "arbetsdagen före är fredag 29 januari 2027)",
        "- Årsredovisningen fastställs: före onsdag 31 mars 2027",
        "- Delårsrapporten fastställs: senast tisdag 31 augusti 2027"]
    assert "Passerad" not in "\n".join(lines)
    assert "Om 6 dagar." in lines[1]
    assert "Insatsernas årsrapporter för 2026 ska ha kommit in. Om 68 dagar. 0 av 3 insatser " \
        "har lämnat." in lines[2]
    # a year still gives that calendar year, passed deadlines included
    assert room.text("!frister 2027").splitlines()[0] == \
        "Frister 2027 för Samordningsförbundet i Örnsköldsvik:"
    assert "Passerad" in room.text("!frister 2026")


def test_deadline_and_id_wording() -> None:
    from datetime import date

    from bot.commands.reminders.deadlines import Deadline
    from bot.render import render

    sunday = Deadline("arsrapport", date(2027, 1, 31), "söndag", date(2027, 1, 29), 2026)

    def told(today: date, working: int) -> str:
        return render("frister", "påminnelse", frist=sunday, dagar=(sunday.day - today).days,
                      arbetsdagar=working, saknas=[], sen=None, idag=today).text.splitlines()[0]

    assert told(date(2027, 1, 28), 1).endswith("om 3 dagar (1 arbetsdag).")
    assert told(date(2027, 1, 27), 2).endswith("om 4 dagar (2 arbetsdagar).")
    assert told(date(2027, 1, 29), 0).endswith("om 2 dagar (i dag är sista arbetsdagen).")
    assert told(date(2027, 1, 29), 0).startswith(
        "Påminnelse: Insatsernas årsrapporter senast söndag 31 januari 2027")
    assert render("frister", "kalender", organ="Styrelsen", möten=1, frister=1).text \
        .startswith("Kalender för Styrelsen: 1 sammanträde och 1 frist.")
    assert render("fel", "ogiltigt_id", text="", kommando="påminn ta bort").text == (
        "Ange numret på påminnelsen. Skriv till exempel !påminn ta bort 12; numren står i "
        "!påminnelser.")
    assert render("fel", "ogiltigt_id", text="", kommando="sammanträde ställ in").text \
        .startswith("Ange numret på sammanträdet. Skriv till exempel !sammanträde ställ in 12")


def test_missing_number_says_what_is_missing(room: Chat) -> None:
    assert room.text("!påminn ta bort") == (
        "Ange numret på påminnelsen. Skriv till exempel !påminn ta bort 12; numren står i "
        "!påminnelser.")
    assert room.text("!sammanträde ställ in").startswith("Ange numret på sammanträdet.")
    assert "”x” är inget nummer" in room.text("!påminn ta bort x")
