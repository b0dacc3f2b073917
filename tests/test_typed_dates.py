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
