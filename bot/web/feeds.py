"""The anslagstavla as an Atom feed (for the förbund's own website or a member kommun to
embed or follow) and as an iCalendar file of coming sammanträden and anslag periods."""

from __future__ import annotations

from datetime import UTC, timedelta

from icalendar import Calendar, Event

from bot.web import pages
from bot.web.notices import BoardPage

MEETING_LENGTH = timedelta(hours=2)  # a planned meeting has no end time; calendars need one
PRODID = "-//Finsam-sekreteraren//Anslagstavla//SV"


def atom(board: BoardPage, self_url: str) -> str:
    return pages.feed(sida=board, self_url=self_url)


def calendar(board: BoardPage) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", pages.text("kalender_namn", sida=board))
    cal.add("x-wr-timezone", board.board.timezone)
    stamp = board.now.astimezone(UTC)
    for call in board.kallelser:
        event = Event()
        event.add("uid", call.uid.removeprefix("urn:uuid:") + "@finsam-bot")
        event.add("dtstamp", stamp)
        event.add("dtstart", call.notice.starts_at.astimezone(UTC))
        event.add("dtend", call.notice.starts_at.astimezone(UTC) + MEETING_LENGTH)
        event.add("summary", pages.text("kalender_kallelse", kallelse=call))
        if call.notice.place:
            event.add("location", call.notice.place)
        event.add("url", board.links.board + "#" + call.anchor)
        cal.add_component(event)
    for justering in board.justeringar:
        event = Event()
        event.add("uid", justering.uid.removeprefix("urn:uuid:") + "@finsam-bot")
        event.add("dtstamp", stamp)
        event.add("dtstart", justering.notice.posted_on)
        event.add("dtend", justering.last_day + timedelta(days=1))
        event.add("summary", pages.text("kalender_anslag", anslag=justering))
        event.add("description", pages.text("kalender_anslag_beskrivning", anslag=justering,
                                             sida=board))
        event.add("url", justering.html)
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
