"""!justeringsplats, and the day a signer justerade (`!justera den <datum>`): justering
that happens on another day than it is typed, or somewhere."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.context import Context
from bot.core.args import require_text
from bot.core.commands import RECORD, Command
from bot.dates import parse_date
from bot.errors import UserError
from bot.messages import Reply
from bot.render import render
from storage import justering, meetings
from storage.models import Meeting

# A justering recorded later than this after the meeting is a typing mistake.
LATEST_AFTER_MEETING = timedelta(days=366)

justeringsplats = Command(
    "justeringsplats", aliases=["justeringsort", "justeringstid"], group="Justering och anslag",
    permission=RECORD,
    summary="Anger justeringens plats (och dag) för protokollets sidhuvud.")


def split_meeting(text: str) -> tuple[str, str]:
    """'för 2022-03-25 <rest>' -> ('2022-03-25', '<rest>'); no 'för': ('', text)."""
    words = text.split(maxsplit=2)
    if len(words) >= 2 and words[0].casefold() == "för":
        return words[1], words[2] if len(words) > 2 else ""
    return "", text


def _meeting(ctx: Context, meeting_day: str) -> Meeting:
    """The named meeting, else the open one, else the latest."""
    if meeting_day:
        day = parse_date(meeting_day)
        if day is None:
            raise UserError("ogiltigt_datum", text=meeting_day, kommando="justeringsplats")
        found = meetings.meetings_on(ctx.session, ctx.organ.organ_id, day)
        if not found:
            raise UserError("inget_möte_den_dagen", datum=day)
        return found[-1]
    meeting = (meetings.open_meeting_of(ctx.session, ctx.organ.organ_id)
               or meetings.latest_meeting(ctx.session, ctx.organ.organ_id))
    if meeting is None:
        raise UserError("inga_möten")
    return meeting


@justeringsplats.default(usage=["!justeringsplats <plats> [ÅÅÅÅ-MM-DD]",
                                "!justeringsplats för <sammanträdesdatum> <plats>"],
                         examples=["!justeringsplats Stadshuset Kronan",
                                   "!justeringsplats Stadshuset Kronan 2022-04-06"])
def set_place(ctx: Context, text: str) -> Reply:
    meeting_day, rest = split_meeting(text.strip())
    meeting = _meeting(ctx, meeting_day)
    if meeting.justerad_at is not None:
        raise UserError("justerat", datum=meeting.date)
    place = require_text(ctx, rest)
    words = place.rsplit(maxsplit=1)
    planned_on = parse_date(words[-1]) if len(words) == 2 else None
    if planned_on is not None:
        place = words[0]
    elif parse_date(place) is not None:  # only a day
        place, planned_on = "", parse_date(place)
    plan = justering.set_plan(ctx.session, meeting.id, ctx.actor.name,
                              place=place or None, planned_on=planned_on)
    return render("justering", "justeringsplats", möte=meeting, plan=plan)


def signing_day(ctx: Context, meeting: Meeting, text: str) -> date:
    """The day a signer says they justerade: not before the meeting, not in the future,
    and within a year of the meeting."""
    day = parse_date(text)
    if day is None:
        raise UserError("ogiltigt_datum", text=text, kommando="justera den")
    today = ctx.now.date()
    if day < meeting.date:
        raise UserError("justerat_före_mötet", datum=day, möte=meeting.date)
    if day > today:
        raise UserError("justerat_i_framtiden", datum=day, idag=today)
    if day > meeting.date + LATEST_AFTER_MEETING:
        raise UserError("justerat_för_sent", datum=day, möte=meeting.date)
    return day


def start_of(ctx: Context, day: date) -> datetime:
    """The start of `day` in the förbund's time zone, in UTC as stored."""
    return datetime.combine(day, time(0, 0), ctx.now.tzinfo).astimezone(UTC)
