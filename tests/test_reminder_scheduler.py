"""The scheduler for real (short delays) and driven by an injected clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.app import App
from storage.models_reminders import PlannedMeeting, Reminder
from storage.reminders import schedule_reminder
from storage.tenants import first_organ
from tests.conftest import STOCKHOLM, Chat
from tests.reminders_support import Clock, Inbox, reminder_app, service_of, wait_for


def _schedule(app: App, due: datetime, text: str, **kw: object) -> int:
    with app.db.transaction() as session:
        organ = first_organ(session)
        return schedule_reminder(session, organ_id=organ.organ_id, due_at=due, text=text,
                                 **kw).id


def _status(app: App, reminder_id: int) -> Reminder:
    with app.db.transaction() as session:
        return session.get(Reminder, reminder_id)


async def test_a_reminder_two_seconds_ahead_arrives(db_url: str) -> None:
    app = reminder_app(db_url)
    inbox = Inbox()
    app.add_sender("console", inbox.send)
    await app.start()
    try:
        # Created by another capability's API in its own transaction: the commit wakes
        # the scheduler, no restart or poll needed.
        due = datetime.now(UTC) + timedelta(seconds=2)
        rid = _schedule(app, due, "Skicka kallelsen")
        await asyncio.wait_for(inbox.arrived.wait(), timeout=10)
        arrived = datetime.now(UTC)
        assert inbox.posted[0][0] == "console"
        assert inbox.texts == ["Påminnelse: Skicka kallelsen"]
        assert inbox.posted[0][1].kind == "påminnelse"
        assert due <= arrived < due + timedelta(seconds=2)
        row = _status(app, rid)
        assert row.status == "skickad" and not row.late
        assert f"reminder:{rid}" not in service_of(app).job_ids()
    finally:
        await app.stop()
        app.close()


async def test_a_reminder_set_in_the_chat_arrives(db_url: str) -> None:
    app = reminder_app(db_url)
    inbox = Inbox()
    app.add_sender("console", inbox.send)
    await app.start()
    try:
        chat = Chat(app, sender="Cecilia Sparf")
        now = datetime.now(STOCKHOLM).replace(second=0, microsecond=0)
        chat.now = now - timedelta(minutes=1)  # so "kl HH:MM" of now is still ahead
        reply = chat.text(f"!påminn mig kl {now:%H:%M} Läs handlingarna")
        assert "för Cecilia Sparf" in reply
        await asyncio.wait_for(inbox.arrived.wait(), timeout=10)
        assert inbox.texts == ["Påminnelse till Cecilia Sparf: Läs handlingarna"]
    finally:
        await app.stop()
        app.close()


async def test_due_while_stopped_arrives_once_after_restart_marked_late(db_url: str) -> None:
    first = reminder_app(db_url)
    first.add_sender("console", Inbox().send)
    await first.start()
    due = datetime.now(UTC) + timedelta(seconds=1)
    rid = _schedule(first, due, "Justera protokollet")
    await wait_for(lambda: f"reminder:{rid}" in service_of(first).job_ids())
    await first.stop()
    first.close()
    late_after = timedelta(milliseconds=200)
    # The bot is down when it falls due, and stays down until the reminder is late.
    await wait_for(lambda: datetime.now(UTC) > due + late_after)

    for attempt in range(2):
        app = reminder_app(db_url)
        inbox = Inbox()
        app.add_sender("console", inbox.send)
        service_of(app).late_after = late_after
        await app.start()
        try:
            if attempt == 0:
                await asyncio.wait_for(inbox.arrived.wait(), timeout=10)
                (text,) = inbox.texts
                assert text.startswith("Påminnelse: Justera protokollet")
                assert "Försenad: skulle ha kommit" in text
                assert "men boten var inte igång då" in text
                assert _status(app, rid).late
            else:  # a second restart: never twice
                # No job is left that could fire it, and a firing anyway finds it sent.
                assert f"reminder:{rid}" not in service_of(app).job_ids()
                await service_of(app).fire(rid)
                assert inbox.texts == []
        finally:
            await app.stop()
            app.close()


async def test_cancelling_a_meeting_removes_its_reminders(db_url: str) -> None:
    app = reminder_app(db_url)
    inbox = Inbox()
    app.add_sender("console", inbox.send)
    service = service_of(app)
    service.horizon = timedelta(days=30)
    await app.start()
    try:
        chat = Chat(app, sender="Pär Eriksson")
        chat.now = datetime.now(STOCKHOLM)
        when = (chat.now + timedelta(days=10)).strftime("%Y-%m-%d 10:00")
        assert "är planerat" in chat.text(f"!sammanträde {when} Stadshuset")
        with app.db.transaction() as session:
            ids = [r.id for r in session.exec(select(Reminder).where(
                Reminder.ref == "sammanträde:1")).all()]
        assert len(ids) == 3
        jobs = {f"reminder:{i}" for i in ids}
        await wait_for(lambda: jobs <= set(service.job_ids()))
        assert "3 påminnelser är borttagna" in chat.text("!sammanträde ställ in 1")
        await wait_for(lambda: not jobs & set(service.job_ids()))
        # Even a job that fires anyway (another process, a stale store) says nothing.
        await service.fire(ids[0])
        assert inbox.texts == []
        assert {_status(app, i).status for i in ids} == {"borttagen"}
    finally:
        await app.stop()
        app.close()


async def test_meeting_reminders_by_the_clock_and_never_for_a_cancelled_one(db_url: str) -> None:
    app = reminder_app(db_url)
    inbox = Inbox()
    app.add_sender("console", inbox.send)
    clock = Clock(datetime(2026, 12, 1, 10, 0, tzinfo=STOCKHOLM))
    service = service_of(app)
    service.clock = clock
    chat = Chat(app, sender="Pär Eriksson")
    chat.now = clock.now
    chat.text("!sammanträde 2026-12-11 09:00 Stadshuset Kronan")
    chat.text("!sammanträde 2026-12-18 09:00 Digitalt")
    clock.now = datetime(2026, 12, 4, 9, 0, 30, tzinfo=STOCKHOLM)
    await service.run_due()
    assert inbox.texts == [
        "Påminnelse: Styrelsen sammanträder om 7 dagar, fredag 11 december 2026 kl. 09:00, "
        "Stadshuset Kronan.\nKallelse och handlingar bör vara utskickade. Kallelsen med "
        "föredragningslista är bifogad."]
    assert {a.filename for a in inbox.posted[0][1].attachments} == {
        f"kallelse-styrelsen-2026-12-11.{ext}" for ext in ("pdf", "docx", "html", "md")}
    clock.now = datetime(2026, 12, 10, 9, 0, 10, tzinfo=STOCKHOLM)
    await service.run_due()
    assert inbox.texts[1] == ("Påminnelse: Styrelsen sammanträder i morgon, fredag 11 december "
                              "2026 kl. 09:00, Stadshuset Kronan.")
    clock.now = datetime(2026, 12, 11, 8, 0, 10, tzinfo=STOCKHOLM)
    await service.run_due()
    assert inbox.texts[2] == ("Påminnelse: Styrelsen sammanträder om en timme, fredag 11 "
                              "december 2026 kl. 09:00, Stadshuset Kronan.")
    # The second meeting is cancelled behind the reminders' back (status only): still silent.
    with app.db.transaction() as session:
        meeting = session.get(PlannedMeeting, 2)
        meeting.status = "inställt"
        session.add(meeting)
    clock.now = datetime(2026, 12, 18, 9, 0, tzinfo=STOCKHOLM)
    await service.run_due()
    assert len(inbox.texts) == 3
    with app.db.transaction() as session:
        statuses = {r.status for r in session.exec(
            select(Reminder).where(Reminder.ref == "sammanträde:2")).all()}
    assert statuses == {"inställd"}
    app.close()


async def test_recurring_reminder_moves_on_and_skips_missed_weeks(db_url: str) -> None:
    app = reminder_app(db_url)
    inbox = Inbox()
    app.add_sender("console", inbox.send)
    clock = Clock(datetime(2026, 12, 3, 14, 0, tzinfo=STOCKHOLM))
    service = service_of(app)
    service.clock = clock
    chat = Chat(app, sender="Pär Eriksson")
    chat.now = clock.now
    rid = int(chat.text("!påminn varje måndag kl 9 Veckans ärenden").split()[1])
    clock.now = datetime(2026, 12, 7, 9, 0, 5, tzinfo=STOCKHOLM)
    await service.run_due()
    assert inbox.texts == ["Påminnelse: Veckans ärenden"]
    assert _status(app, rid).due_at == datetime(2026, 12, 14, 8, 0, tzinfo=UTC)
    clock.now = datetime(2026, 12, 30, 12, 0, tzinfo=STOCKHOLM)  # down two mondays
    await service.run_due()
    assert len(inbox.texts) == 2 and "Försenad" in inbox.texts[1]
    row = _status(app, rid)
    assert row.status == "planerad" and row.due_at == datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
    app.close()


async def test_the_31_january_chain(db_url: str) -> None:
    """Clock-driven from 1 December: the reminders come 30, 14, 7 and 1 days before
    söndag 31 januari 2027, moved to the working day before a weekend or holiday, and name
    the insatser that have not reported for 2026."""
    app = reminder_app(db_url)
    inbox = Inbox()
    app.add_sender("console", inbox.send)
    clock = Clock(datetime(2026, 12, 1, 8, 0, tzinfo=STOCKHOLM))
    service = service_of(app)
    service.clock = clock
    chat = Chat(app, sender="Pär Eriksson")
    fired: dict[str, str] = {}
    day = clock.now
    while day < datetime(2027, 2, 2, tzinfo=STOCKHOLM):
        clock.now = day.replace(hour=9, minute=0, second=30)
        service.housekeeping()  # once a day, as the service does
        before = len(inbox.texts)
        await service.run_due()
        for text in inbox.texts[before:]:
            fired[clock.now.date().isoformat()] = text
        if day.date().isoformat() == "2027-01-12":
            chat.now = clock.now.replace(hour=15)
            chat.text("!rapport inlämnad Äpplet")
        if day.date().isoformat() == "2027-01-25":
            chat.now = clock.now.replace(hour=15)
            chat.text("!rapport inlämnad Vidare Vy")
        day += timedelta(days=1)
    assert list(fired) == ["2026-12-30", "2027-01-15", "2027-01-22", "2027-01-29"]
    assert fired["2026-12-30"] == (
        "Påminnelse: Insatsernas årsrapporter senast söndag 31 januari 2027 (en söndag; sista "
        "arbetsdagen före är fredag 29 januari 2027), om 32 dagar (19 arbetsdagar).\n"
        "Insatsernas årsrapporter för 2026 ska ha kommit in.\n"
        "3 insatser har inte lämnat sin årsrapport ännu: Samverkansprojekt Äpplet, Steg framåt "
        "och Vidare Vy.")
    assert "om 16 dagar (10 arbetsdagar)" in fired["2027-01-15"]
    assert "2 insatser har inte lämnat sin årsrapport ännu: Steg framåt och Vidare Vy." \
        in fired["2027-01-15"]
    assert "En insats har inte lämnat sin årsrapport ännu: Steg framåt." in fired["2027-01-29"]
    assert "om 2 dagar (i dag är sista arbetsdagen)" in fired["2027-01-29"]
    assert all("Försenad" not in text for text in fired.values())
    app.close()


async def test_no_reminder_when_every_insats_has_reported(db_url: str) -> None:
    app = reminder_app(db_url, insatser=[{"namn": "Vidare Vy", "period": "2024–"}])
    inbox = Inbox()
    app.add_sender("console", inbox.send)
    clock = Clock(datetime(2027, 1, 20, 8, 0, tzinfo=STOCKHOLM))
    service = service_of(app)
    service.clock = clock
    service.housekeeping()
    chat = Chat(app, sender="Pär Eriksson")
    chat.now = clock.now
    assert chat.text("!rapport inlämnad Vidare Vy").splitlines() == [
        "Antecknat: Vidare Vy har lämnat sin årsrapport för 2026.",
        "Alla insatser har lämnat sin årsrapport för 2026."]
    clock.now = datetime(2027, 1, 29, 9, 1, tzinfo=STOCKHOLM)
    assert await service.run_due() == 2  # 7 and 1 days before
    assert inbox.texts == []
    app.close()


async def test_rows_written_behind_the_service_are_picked_up_by_the_poll(db_url: str) -> None:
    app = reminder_app(db_url)
    inbox = Inbox()
    app.add_sender("console", inbox.send)
    service_of(app).poll_seconds = 0.5
    await app.start()
    try:
        with app.db.transaction() as session:  # no schedule_reminder: no commit hook
            organ = first_organ(session)
            session.add(Reminder(organ_id=organ.organ_id, text="Anslaget tas ned",
                                 due_at=datetime.now(UTC) + timedelta(seconds=1)))
        await asyncio.wait_for(inbox.arrived.wait(), timeout=10)
        assert inbox.texts == ["Påminnelse: Anslaget tas ned"]
    finally:
        await app.stop()
        app.close()
