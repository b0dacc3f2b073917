"""The organ's planned sammanträden and the förbund's deadlines as an iCalendar file, for
`bot calendar` and `!kalender`; members import or subscribe to it in Outlook."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session

from bot.commands.reminders.deadlines import Deadline, deadlines_in
from bot.commands.reminders.settings import find_forbund, forbund_settings
from bot.config import Config
from bot.render import render
from storage.reminders import meetings_since
from storage.tenants import OrganRef, first_organ

MEETING_LENGTH = timedelta(hours=2)  # a planned meeting has no end time; Outlook needs one
PRODID = "-//Finsam-sekreteraren//Kalender//SV"


@dataclass(frozen=True)
class CalendarFile:
    filename: str
    data: bytes
    meetings: int
    deadlines: int


def build_calendar(session: Session, config: Config, organ: OrganRef,
                   now: datetime) -> CalendarFile:
    from icalendar import Calendar, Event  # only when a calendar is asked for

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{organ.forbund_name}, {organ.organ_name}")
    cal.add("x-wr-timezone", organ.timezone)
    stamp = now.astimezone(UTC)
    meetings = meetings_since(session, organ.organ_id, now - timedelta(days=365))
    title = render("sammantraden", "kalender_titel", organ=organ.organ_name).text
    for meeting in meetings:
        event = Event()
        event.add("uid", f"sammantrade-{meeting.id}-{organ.forbund_key}@finsam-bot")
        event.add("dtstamp", stamp)
        event.add("dtstart", meeting.starts_at.astimezone(UTC))
        event.add("dtend", meeting.starts_at.astimezone(UTC) + MEETING_LENGTH)
        event.add("summary", title)
        if meeting.place:
            event.add("location", meeting.place)
        # A cancelled meeting stays in the file, so subscribed calendars drop it.
        event.add("status", "CANCELLED" if meeting.status == "inställt" else "CONFIRMED")
        cal.add_component(event)
    deadlines: list[Deadline] = []
    fc = find_forbund(config, organ.forbund_key)
    if fc is not None:
        rules = forbund_settings(config, fc).deadlines
        year = now.astimezone(UTC).year
        deadlines = deadlines_in(rules, year) + deadlines_in(rules, year + 1)
    for deadline in deadlines:
        event = Event()
        event.add("uid", f"frist-{deadline.key}-{deadline.day.isoformat()}-"
                         f"{organ.forbund_key}@finsam-bot")
        event.add("dtstamp", stamp)
        event.add("dtstart", deadline.day)
        event.add("dtend", deadline.day + timedelta(days=1))
        event.add("summary", render("frister", "titel", nyckel=deadline.key).text)
        event.add("description", render("frister", "beskrivning", frist=deadline).text)
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    filename = f"kalender-{organ.forbund_key}-{organ.organ_key}.ics"
    return CalendarFile(filename, cal.to_ical(), len(meetings), len(deadlines))


def write_calendar(app: Any, organ_key: str | None, out: str | None) -> int:
    """`bot calendar`: write the file and say where; 2 if the organ is unknown."""
    with app.db.transaction() as session:
        organ = first_organ(session, organ_key)
        if organ is None:
            print(render("drift", "kalender_okänt_organ", organ=organ_key).text, file=sys.stderr)
            return 2
        built = build_calendar(session, app.config, organ, datetime.now(UTC))
    path = Path(out or built.filename)
    path.write_bytes(built.data)
    print(render("drift", "kalender_sparad", sökväg=str(path), sammanträden=built.meetings,
                 frister=built.deadlines).text)
    return 0
