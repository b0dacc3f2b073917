"""Dates and times people type (issue 17): relative reminders keep their seconds, a
sammanträde on a day off, § with a year in !visa, !ändra and !uppdrag, the delårsrapport."""

from __future__ import annotations

from datetime import datetime

from tests.conftest import STOCKHOLM, Chat
from tests.reminders_support import Clock, Inbox, reminder_app, service_of


async def test_om_1_minut_fires_a_whole_minute_later(db_url: str) -> None:
    app = reminder_app(db_url)
    inbox = Inbox()
    app.add_sender("console", inbox.send)
    clock = Clock(datetime(2026, 12, 3, 14, 0, 56, tzinfo=STOCKHOLM))
    service = service_of(app)
    service.clock = clock
    try:
        chat = Chat(app, sender="Pär Eriksson")
        chat.now = clock.now
        reply = chat.text("!påminn om 1 minut Ring revisorn")
        rid = int(reply.split()[1])
        assert reply.splitlines()[0] == (
            f"Påminnelse {rid} är satt till torsdag 3 december 2026 kl. 14:01.")
        clock.now = datetime(2026, 12, 3, 14, 1, 0, tzinfo=STOCKHOLM)  # four seconds later
        assert await service.run_due() == 0
        clock.now = datetime(2026, 12, 3, 14, 1, 55, tzinfo=STOCKHOLM)
        assert await service.run_due() == 0
        clock.now = datetime(2026, 12, 3, 14, 1, 56, tzinfo=STOCKHOLM)
        assert await service.run_due() == 1
        assert inbox.texts == ["Påminnelse: Ring revisorn"]
        hours = chat.text("!påminn om 2 timmar Kaffe")
        assert "är satt till torsdag 3 december 2026 kl. 16:00." in hours.splitlines()[0]
        clock.now = datetime(2026, 12, 3, 16, 0, 30, tzinfo=STOCKHOLM)
        assert await service.run_due() == 0  # due 16:00:56, not 16:00:00
    finally:
        app.close()


def test_a_sammantrade_on_a_day_off_is_accepted_with_a_line_saying_so(db_url: str) -> None:
    app = reminder_app(db_url)
    try:
        chat = Chat(app, sender="Pär Eriksson")
        chat.now = datetime(2026, 12, 3, 14, 0, tzinfo=STOCKHOLM)
        saturday = chat.text("!sammanträde 2026-12-12 kl 10 Stadshuset").splitlines()
        assert saturday[:2] == [
            "Sammanträde 1 är planerat: Styrelsen, lördag 12 december 2026 kl. 10:00, "
            "Stadshuset.",
            "Obs: lördag 12 december 2026 är en lördag. Sammanträdet är planerat ändå; ställ "
            "in det om dagen är fel."]
        assert chat.text("!sammanträde 2027-01-06 kl 9").splitlines()[1] == (
            "Obs: onsdag 6 januari 2027 är trettondedag jul, en helgdag. Sammanträdet är "
            "planerat ändå; ställ in det om dagen är fel.")
        assert chat.text("!sammanträde 2026-12-24 kl 9").splitlines()[1] == (
            "Obs: torsdag 24 december 2026 är julafton, som inte är en arbetsdag. "
            "Sammanträdet är planerat ändå; ställ in det om dagen är fel.")
        assert chat.text("!sammanträde 2027-03-28 kl 9").splitlines()[1] == (
            "Obs: söndag 28 mars 2027 är påskdagen, en helgdag. Sammanträdet är planerat "
            "ändå; ställ in det om dagen är fel.")
        weekday = chat.text("!sammanträde 2026-12-11 kl 9").splitlines()
        assert weekday[0] == ("Sammanträde 5 är planerat: Styrelsen, fredag 11 december 2026 "
                              "kl. 09:00.")
        assert not any(line.startswith("Obs:") for line in weekday)
        listing = chat.text("!sammanträden")
        assert "- 1: lördag 12 december 2026 kl. 10:00, Stadshuset" in listing
    finally:
        app.close()


def _app(db_url: str, numbering: str):  # type: ignore[no-untyped-def]
    from bot.config import default_config
    from tests.conftest import make_app

    config = default_config()
    config.forbund[0].organs[0].numbering = numbering
    return make_app(config, db_url)


def test_visa_lists_every_meeting_with_that_paragraph_in_the_year(db_url: str) -> None:
    app = _app(db_url, "möte")
    try:
        chat = Chat(app)
        for day, decision in (("2020-02-14", "Styrelsen godkänner budgeten."),
                              ("2020-03-20", "Styrelsen godkänner bokslutet.")):
            chat.text(f"!möte öppna {day} 09:00")
            chat.text("!paragraf Öppnande")
            chat.text("!paragraf Ekonomi")
            chat.text(f"!beslut {decision}")
            chat.text("!möte avsluta 12:00")
        both = chat.text("!visa §2 2020")
        assert both.splitlines()[0] == "Styrelsen har en § 2 i 2 sammanträden 2020:"
        assert both.index("Sammanträdet fredag 14 februari 2020") < both.index(
            "Styrelsen godkänner budgeten.") < both.index(
            "Sammanträdet fredag 20 mars 2020") < both.index("Styrelsen godkänner bokslutet.")
        assert both.splitlines()[-1] == "Ändra en av dem med !ändra 2020-02-14 §2 <ny text>."
        assert chat.text("!ändra §2 2020 Styrelsen godkänner budgeten med ändringar.") == (
            "§ 2 2020 finns i 2 sammanträden: fredag 14 februari 2020 och fredag 20 mars "
            "2020. Skriv sammanträdets datum före §, till exempel !ändra 2020-02-14 §2.")
        assert chat.text("!ändra 2020-02-14 §2 Styrelsen godkänner budgeten med ändringar.") == (
            "§ 2: beslutet är ändrat.\nNu: Styrelsen godkänner budgeten med ändringar.\n"
            "Förut: Styrelsen godkänner budgeten.")
        assert chat.text("!visa §3 2020") == (
            "Det finns ingen § 3 (2020). Skriv !sök <ord> för att hitta rätt paragraf.")
        one = chat.text("!visa §1 2020")
        assert one.startswith("Styrelsen har en § 1 i 2 sammanträden 2020:")
    finally:
        app.close()


def test_a_paragraph_from_last_year_by_its_year(db_url: str) -> None:
    app = _app(db_url, "år")
    try:
        chat = Chat(app)
        chat.now = datetime(2022, 12, 15, 9, 0, tzinfo=STOCKHOLM)
        chat.text("!möte öppna 2022-12-15 09:00")
        chat.text("!paragrafnummer 26")
        chat.text("!paragraf Uppföljning")
        chat.text("!beslut Styrelsen uppdrar till förbundschefen att ta fram en plan.")
        chat.text("!möte avsluta 12:00")
        chat.now = datetime(2023, 1, 20, 9, 0, tzinfo=STOCKHOLM)
        chat.text("!möte öppna 2023-01-20 09:00")
        chat.text("!paragraf Öppnande")
        assert chat.text("!ändra §26 2022 Styrelsen uppdrar till förbundschefen att ta fram "
                         "en plan till maj.") == (
            "§ 26: beslutet är ändrat.\nNu: Styrelsen uppdrar till förbundschefen att ta fram "
            "en plan till maj.\nFörut: Styrelsen uppdrar till förbundschefen att ta fram en "
            "plan.\nUppdrag 1 är uppdaterat: förbundschefen ska ta fram en plan till maj.\n"
            "Inget slutdatum angavs. Ange det med !uppdrag 1 senast ÅÅÅÅ-MM-DD.")
        assert "Sammanträdet torsdag 15 december 2022" in chat.text("!visa §26 2022")
        assert chat.text("!ändra §26 Text").startswith("Det finns ingen § 26 (2023).")
        assert chat.text("!uppdrag §26 2022 senast 2023-05-20") == (
            "Uppdrag 1 ska vara klart senast lördag 20 maj 2023.")
        chat.text("!beslut Styrelsen förklarar sammanträdet öppnat.")
        # "2021 års …" starts the new text; it is not the year of the §.
        assert chat.text("!ändra §1 2021 års plan gäller.") == (
            "§ 1: beslutet är ändrat.\nNu: 2021 års plan gäller.\n"
            "Förut: Styrelsen förklarar sammanträdet öppnat.")
    finally:
        app.close()


async def test_the_delarsrapport_is_fastställd_by_styrelsen_after_the_summer(
        db_url: str) -> None:
    from datetime import timedelta

    app = reminder_app(db_url, frister={"arsrapport": {"aktiv": False},
                                        "arsredovisning": {"aktiv": False},
                                        "verksamhetsplan": {"aktiv": False}})
    inbox = Inbox()
    app.add_sender("console", inbox.send)
    clock = Clock(datetime(2027, 8, 1, 8, 0, tzinfo=STOCKHOLM))
    service = service_of(app)
    service.clock = clock
    try:
        fired: dict[str, str] = {}
        day = clock.now
        while day < datetime(2027, 9, 2, tzinfo=STOCKHOLM):
            clock.now = day.replace(hour=9, minute=0, second=30)
            service.housekeeping()
            before = len(inbox.texts)
            await service.run_due()
            for text in inbox.texts[before:]:
                fired[clock.now.date().isoformat()] = text
            day += timedelta(days=1)
        assert fired == {
            "2027-08-17": "Påminnelse: Delårsrapporten fastställs senast tisdag 31 augusti "
                          "2027, om 14 dagar (10 arbetsdagar).\nStyrelsen fastställer "
                          "delårsrapporten per den 30 juni 2027.",
            "2027-08-24": "Påminnelse: Delårsrapporten fastställs senast tisdag 31 augusti "
                          "2027, om 7 dagar (5 arbetsdagar).\nStyrelsen fastställer "
                          "delårsrapporten per den 30 juni 2027."}
    finally:
        app.close()


def test_the_delarsrapport_date_and_balance_day_are_configurable(db_url: str) -> None:
    import pytest

    from bot.config import ConfigError

    app = reminder_app(db_url, frister={"delarsrapport": {"datum": "09-15", "per": "08-31"}})
    try:
        chat = Chat(app, sender="Pär Eriksson")
        chat.now = datetime(2027, 1, 10, 9, 0, tzinfo=STOCKHOLM)
        assert ("- Delårsrapporten fastställs: senast onsdag 15 september 2027. Styrelsen "
                "fastställer delårsrapporten per den 31 augusti 2027. Om 248 dagar.") in \
            chat.text("!frister 2027").splitlines()
    finally:
        app.close()
    with pytest.raises(ConfigError) as old:
        reminder_app(db_url, frister={"delarsbokslut": {"datum": "06-30"}})
    assert "forbund[0].frister.delarsbokslut heter nu delarsrapport" in str(old.value)
    with pytest.raises(ConfigError) as wrong:
        reminder_app(db_url, frister={"arsrapport": {"per": "06-30"}})
    assert "per finns bara för delarsrapport" in str(wrong.value)
    with pytest.raises(ConfigError) as day:
        reminder_app(db_url, frister={"delarsrapport": {"per": "06-31"}})
    assert 'ska vara månad och dag som "01-31", inte "06-31"' in str(day.value)
