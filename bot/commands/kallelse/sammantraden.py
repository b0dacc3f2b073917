"""!sammanträde and !sammanträden: planned meetings of the room's organ, with reminders."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.commands.reminders.commands import GROUP, parse_id, read_when
from bot.commands.reminders.deadlines import day_off
from bot.commands.reminders.settings import (
    MEETING_OFFSETS_DEFAULT,
    find_organ,
    meeting_offsets,
    parse_offset,
)
from bot.context import Context
from bot.core.commands import RECORD, Command
from bot.errors import UserError
from bot.messages import Reply
from bot.render import render
from storage.models_reminders import PlannedMeeting
from storage.reminders import (
    cancel_meeting,
    cancel_reminders,
    coming_meetings,
    meeting_ref,
    plan_meeting,
    planned_meeting,
    schedule_reminder,
)

if TYPE_CHECKING:
    from bot.core.app import App

sammantrade = Command("sammanträde", aliases=["sammantrade", "planera"], group=GROUP,
                      permission=RECORD,
                      summary="Planerar ett sammanträde för rummets organ, med påminnelser "
                              "före.")
sammantraden = Command("sammanträden", aliases=["sammantraden", "meetings"], group=GROUP,
                       summary="Visar organets kommande planerade sammanträden.")


def setup(app: App) -> None:
    app.add_command(sammantrade, sammantraden)


def _offsets(ctx: Context) -> list[timedelta]:
    found = find_organ(ctx.config, ctx.organ.forbund_key, ctx.organ.organ_key)
    if found is None:  # an organ no longer in the config: the defaults
        return [o for o in (parse_offset(v) for v in MEETING_OFFSETS_DEFAULT) if o]
    return meeting_offsets(ctx.config, *found)


@sammantrade.default(usage=["!sammanträde <när> [plats]"],
                     examples=["!sammanträde den 20 mars kl 9 Stadshuset Kronan",
                               "!sammanträde 2026-12-11 09:00 Digitalt via Teams"])
def plan(ctx: Context, args: str) -> Reply:
    text = args.strip()
    if not text:
        raise UserError("sammanträde_hur")
    when, place = read_when(ctx, text, "sammanträde")
    tz = ZoneInfo(ctx.organ.timezone)
    meeting = plan_meeting(ctx.session, ctx.organ.organ_id, when.at, place[:300],
                           ctx.actor.name)
    times = schedule_meeting_reminders(ctx, meeting)
    local = when.at.astimezone(tz)
    # Accepted all the same: an organ may meet on a Saturday; the line catches a typo.
    return render("sammantraden", "planerat", id=meeting.id, organ=ctx.organ.organ_name,
                  när=local, plats=meeting.place, påminnelser=times, ledig=day_off(local.date()))


def schedule_meeting_reminders(ctx: Context, meeting: PlannedMeeting) -> list[datetime]:
    """The organ's reminders before a planned meeting (those still ahead), replacing any it
    had; returns their local times. The 7-day one carries the kallelse."""
    cancel_reminders(ctx.session, meeting_ref(meeting.id))
    tz = ZoneInfo(ctx.organ.timezone)
    times = []
    for offset in _offsets(ctx):
        due = meeting.starts_at - offset
        if due <= ctx.now:
            continue
        schedule_reminder(ctx.session, organ_id=ctx.organ.organ_id, due_at=due,
                          kind="sammanträde", ref=meeting_ref(meeting.id),
                          created_by=ctx.actor.name,
                          payload={"sammanträde": meeting.id,
                                   "minuter": int(offset / timedelta(minutes=1))})
        times.append(due.astimezone(tz))
    return times


@sammantrade.sub("ställ in", aliases=["inställt", "ställin", "avboka", "cancel"],
                 usage=["!sammanträde ställ in <nummer>"], examples=["!sammanträde ställ in 3"])
def _cancel(ctx: Context, rest: str) -> Reply:
    meeting_id = parse_id(rest, "sammanträde ställ in")
    meeting = planned_meeting(ctx.session, meeting_id)
    if meeting is None or meeting.organ_id != ctx.organ.organ_id or meeting.status != "planerat":
        raise UserError("sammanträde_finns_inte", id=meeting_id)
    removed = cancel_meeting(ctx.session, meeting)
    return render("sammantraden", "inställt", id=meeting.id, antal=removed,
                  när=meeting.starts_at.astimezone(ZoneInfo(ctx.organ.timezone)))


@sammantraden.default(usage=["!sammanträden"], examples=["!sammanträden"])
def list_meetings(ctx: Context, args: str) -> Reply:
    tz = ZoneInfo(ctx.organ.timezone)
    views = [{"id": m.id, "när": m.starts_at.astimezone(tz), "plats": m.place}
             for m in coming_meetings(ctx.session, ctx.organ.organ_id, ctx.now)]
    return render("sammantraden", "lista", organ=ctx.organ.organ_name, möten=views)
