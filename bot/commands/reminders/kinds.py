"""How each kind of reminder becomes a message when it falls due.

A renderer gets the session (the reminder's row is locked in it), the reminder and a
`Firing` (the local time, whether it is late, the organ) and returns the Reply to post, or
None when there is nothing to say any more (a cancelled meeting, every insats reported).
Capabilities add their kinds in their setup:

    app.reminder_kind("justering", lambda session, reminder, firing: render(...))

A reminder of a kind no capability registered is posted as its text (`own`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot.commands.kallelse import document as kallelse_document
from bot.commands.reminders.deadlines import (
    Deadline,
    day_off,
    working_day_before,
    working_days_between,
)
from bot.config import Config
from bot.messages import Reply
from bot.render import render
from storage import reports
from storage.models_reminders import Reminder
from storage.reminders import payload_of, planned_meeting
from storage.tenants import OrganRef


@dataclass(frozen=True)
class Firing:
    now: datetime  # in the organ's time zone
    due: datetime  # when it should have gone out, same zone
    late: bool  # the bot was not running when it fell due
    organ: OrganRef


Renderer = Callable[[Session, Reminder, Firing], Reply | None]


def render_reminder(kinds: Mapping[str, Renderer], session: Session, reminder: Reminder,
                    firing: Firing) -> Reply | None:
    renderer = kinds.get(reminder.kind, own)
    return renderer(session, reminder, firing)


def _late(firing: Firing) -> datetime | None:
    return firing.due if firing.late else None


def own(session: Session, reminder: Reminder, firing: Firing) -> Reply:
    reply = render("paminnelser", "påminnelse", text=reminder.text, person=reminder.for_person,
                   sen=_late(firing))
    mention = payload_of(reminder).get("mention")
    if reminder.for_person and isinstance(mention, str) and mention:
        reply.mentions = [mention]  # "!påminn mig": the one who asked is notified
    return reply


def meeting_reminder(session: Session, reminder: Reminder, firing: Firing) -> Reply | None:
    data = payload_of(reminder)
    meeting = planned_meeting(session, int(data.get("sammanträde", 0)))
    if meeting is None or meeting.status != "planerat":
        return None
    starts = meeting.starts_at.astimezone(firing.now.tzinfo)
    if starts <= firing.now:
        return None  # came back after the meeting began: too late to remind
    # The week-before reminder (kallelse time) carries the kallelse and the open uppdrag.
    with_kallelse = int(data.get("minuter", 0)) >= 6 * 24 * 60
    document = (kallelse_document.build(session, firing.organ, firing.now, meeting)
                if with_kallelse else None)
    reply = render("sammantraden", "påminnelse", organ=firing.organ.organ_name, när=starts,
                   plats=meeting.place, id=meeting.id, kvar=_left(firing.now, starts),
                   kallelse=document, sen=_late(firing))
    if document is not None:
        reply.attachments = kallelse_document.attachments(document)
    return reply


def _left(now: datetime, then: datetime) -> dict[str, int]:
    """Time left as the reminder says it: whole days from the dates, else hours/minutes."""
    days = (then.date() - now.date()).days
    minutes = max(0, round((then - now) / timedelta(minutes=1)))
    return {"dagar": days, "timmar": minutes // 60, "minuter": minutes}


def deadline_reminder(session: Session, reminder: Reminder, firing: Firing, *,
                      config: Config) -> Reply | None:
    """A förbund deadline; the årsrapport one names the insatser that have not reported
    (storage.reports.owing: the register's insatser with money that year or a period
    covering it)."""
    data = payload_of(reminder)
    day = date.fromisoformat(str(data.get("datum")))
    key = str(data.get("frist", ""))
    per = date.fromisoformat(str(data["per"])) if data.get("per") else None
    deadline = Deadline(key, day, day_off(day), working_day_before(day),
                        day.year - 1 if key == "arsrapport" else None, per)
    today = firing.now.date()
    missing: list[str] = []
    if key == "arsrapport":
        missing = reports.missing(session, firing.organ.forbund_id, day.year - 1)
        if not missing:
            return None  # every insats has reported: nothing to remind about
    return render("frister", "påminnelse", frist=deadline, dagar=(day - today).days,
                  arbetsdagar=working_days_between(today, deadline.last_working_day),
                  saknas=missing, sen=_late(firing), idag=today)
