"""Justering, anslag and uppdrag reminders, sent by the one reminder engine
(bot/commands/reminders).

The commands that make a reminder due schedule it in their own transaction
(storage.reminders.schedule_reminder) and cancel it when it is no longer due
(cancel_reminders, by `ref`). The message itself is rendered when the reminder fires, from
the rows as they are then: a justerare who has signed in the meantime is not named, an
anslag already taken down or an uppdrag already closed says nothing."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.commands.reminders.kinds import Firing
from bot.commands.reminders.mentions import ids_of_assignee, ids_of_names
from bot.messages import Reply
from bot.render import render
from storage import justering, meetings, uppdrag
from storage.models import Meeting
from storage.models_justering import Anslag, Uppdrag
from storage.models_reminders import Reminder
from storage.reminders import cancel_reminders, payload_of, room_by_external, schedule_reminder
from storage.tenants import OrganRef

JUSTERING_AFTER_DAYS = (3, 7)  # after `!protokoll klart`
UPPDRAG_BEFORE_DAYS = (7, 0)  # before the due date, and on it
REMINDER_TIME = time(9, 0)  # date-based reminders go out at 09:00 local time


def justering_ref(meeting_id: int) -> str:
    return f"justering:{meeting_id}"


def anslag_ref(meeting_id: int) -> str:
    return f"anslag:{meeting_id}"


def uppdrag_ref(uppdrag_id: int) -> str:
    return f"uppdrag:{uppdrag_id}"


def _at(day: date, organ: OrganRef) -> datetime:
    return datetime.combine(day, REMINDER_TIME, tzinfo=ZoneInfo(organ.timezone))


def _room(session: Session, transport: str, external_id: str) -> int | None:
    """Our id of the room a reminder goes to; None (every room of the organ) if unknown."""
    room = room_by_external(session, transport, external_id) if external_id else None
    return room.id if room is not None else None


def _label(family: str, macro: str, **kw: Any) -> str:
    """The line `!påminnelser` shows for a reminder (the message is rendered when it fires)."""
    return render(family, macro, **kw).text


# Scheduling, called by the commands.

def schedule_justering(session: Session, organ: OrganRef, meeting: Meeting,
                       requested_at: datetime, transport: str, room_id: str,
                       actor: str) -> None:
    """`!protokoll klart`: remind whoever has not justerat 3 and 7 days later (counted from
    the newest `!protokoll klart`)."""
    cancel_reminders(session, justering_ref(meeting.id))
    room = _room(session, transport, room_id)
    for days in JUSTERING_AFTER_DAYS:
        schedule_reminder(session, organ_id=organ.organ_id, room_id=room,
                          due_at=requested_at + timedelta(days=days), kind="justering",
                          ref=justering_ref(meeting.id), created_by=actor,
                          text=_label("justering", "rubrik_justering", möte=meeting),
                          payload={"möte": meeting.id, "dagar": days})


def cancel_justering(session: Session, meeting_id: int) -> None:
    cancel_reminders(session, justering_ref(meeting_id))


def schedule_anslag(session: Session, organ: OrganRef, meeting: Meeting, anslag: Anslag,
                    now: datetime, actor: str) -> None:
    """The take-down reminder on the anslag's earliest take-down day (moved with it)."""
    cancel_reminders(session, anslag_ref(meeting.id))
    due = _at(anslag.remove_on, organ)
    if due <= now:
        return  # recorded after the fact: nothing left to remind about
    schedule_reminder(session, organ_id=organ.organ_id,
                      room_id=_room(session, anslag.transport, anslag.room_id), due_at=due,
                      kind="anslag", ref=anslag_ref(meeting.id), created_by=actor,
                      text=_label("justering", "rubrik_anslag", möte=meeting),
                      payload={"möte": meeting.id, "datum": anslag.remove_on.isoformat()})


def cancel_anslag(session: Session, meeting_id: int) -> None:
    cancel_reminders(session, anslag_ref(meeting_id))


def schedule_uppdrag(session: Session, organ: OrganRef, row: Uppdrag, now: datetime,
                     actor: str) -> None:
    """An open uppdrag with a due date: a week before and on the day (the steps still
    ahead). Replaces any earlier reminders of the uppdrag."""
    cancel_uppdrag(session, row)
    if row.due_on is None or row.status != "öppet":
        return
    room = _room(session, row.transport, row.room_id)
    label = _label("uppdrag", "rubrik_påminnelse", nummer=row.number, datum=row.due_on)
    for days in UPPDRAG_BEFORE_DAYS:
        due = _at(row.due_on - timedelta(days=days), organ)
        if due <= now:
            continue
        schedule_reminder(session, organ_id=organ.organ_id, room_id=room, due_at=due,
                          kind="uppdrag", ref=uppdrag_ref(row.id), created_by=actor,
                          text=label,
                          payload={"uppdrag": row.id, "dagar": days,
                                   "datum": row.due_on.isoformat()})


def cancel_uppdrag(session: Session, row: Uppdrag) -> None:
    if row.id is not None:
        cancel_reminders(session, uppdrag_ref(row.id))


# Rendering, when a reminder falls due (registered as reminder kinds by the justering and
# uppdrag capabilities' setup).

def _late(firing: Firing) -> datetime | None:
    return firing.due if firing.late else None


def render_justering(session: Session, reminder: Reminder, firing: Firing) -> Reply | None:
    data = payload_of(reminder)
    meeting = meetings.meeting_by_id(session, int(data.get("möte", 0)))
    if meeting is None or meeting.justerad_at is not None:
        return None
    if justering.request_of(session, meeting.id) is None:
        return None
    missing = justering.missing_signers(session, meeting.id)
    if not missing:
        return None
    reply = render("justering", "påminnelse_justering", organ=firing.organ, möte=meeting,
                   kvar=missing, dagar=int(data.get("dagar", 0)), sen=_late(firing))
    # Those who must justera are notified, not only named.
    reply.mentions = ids_of_names(session, firing.organ.organ_id, [s.name for s in missing])
    return reply


def render_anslag(session: Session, reminder: Reminder, firing: Firing) -> Reply | None:
    data = payload_of(reminder)
    meeting = meetings.meeting_by_id(session, int(data.get("möte", 0)))
    anslag = justering.anslag_of(session, meeting.id) if meeting else None
    if anslag is None or anslag.taken_down_on is not None \
            or anslag.remove_on.isoformat() != data.get("datum"):
        return None
    return render("justering", "påminnelse_anslag", organ=firing.organ, möte=meeting,
                  anslag=anslag, sen=_late(firing))


def render_uppdrag(session: Session, reminder: Reminder, firing: Firing) -> Reply | None:
    data = payload_of(reminder)
    row = uppdrag.open_by_id(session, int(data.get("uppdrag", 0)))
    if row is None or row.due_on is None or row.due_on.isoformat() != data.get("datum"):
        return None
    reply = render("uppdrag", "påminnelse", organ=firing.organ, u=uppdrag.view(session, row),
                   idag=firing.now.date(), sen=_late(firing))
    reply.mentions = ids_of_assignee(session, firing.organ.organ_id, row.assignee)
    return reply
