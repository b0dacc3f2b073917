"""What the justering, anslag, uppdrag and kallelse reminders say, and when they are due.

These functions only compute; the reminder engine sends. Each returns every reminder due
at `now` (an aware datetime, injected so tests can move the clock) with a stable `key`:
the engine sends a key once and skips it later. Only the newest step of a series is
returned (day 8 gives the 7-day justering reminder, not also the 3-day one), so an engine
that was down does not post a burst of stale reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import kallelse as kallelse_document
from bot.messages import Reply
from bot.render import render
from storage import justering, kallelse, uppdrag
from storage.tenants import OrganRef, organ_by_id

JUSTERING_AFTER_DAYS = (3, 7)  # after `!protokoll klart`
UPPDRAG_BEFORE_DAYS = (7, 0)  # before the due date, and on it
KALLELSE_BEFORE_DAYS = 7
REMINDER_TIME = time(9, 0)  # date-based reminders go out at 09:00 local time


@dataclass(frozen=True)
class DueReminder:
    key: str  # stable: "justering:12:7", "anslag:3", "uppdrag:5:0", "kallelse:2"
    organ_id: int
    transport: str
    room_id: str
    due_at: datetime  # aware
    reply: Reply


def _at(day: date, organ: OrganRef) -> datetime:
    return datetime.combine(day, REMINDER_TIME, tzinfo=ZoneInfo(organ.timezone))


def _reminder(key: str, organ: OrganRef, transport: str, room_id: str, due_at: datetime,
              reply: Reply) -> DueReminder:
    reply.kind = "påminnelse"
    reply.room_id = room_id
    return DueReminder(key, organ.organ_id, transport, room_id, due_at, reply)


def justering_reminders_due(session: Session, now: datetime) -> list[DueReminder]:
    """The ordförande and justerare who have not justerat, 3 and 7 days after
    `!protokoll klart`."""
    due: list[DueReminder] = []
    for request, meeting in justering.pending_requests(session):
        passed = [d for d in JUSTERING_AFTER_DAYS
                  if now >= request.requested_at + timedelta(days=d)]
        if not passed or not request.room_id:
            continue
        organ = organ_by_id(session, meeting.organ_id)
        missing = justering.missing_signers(session, meeting.id)
        if not missing:
            continue
        days = passed[-1]
        reply = render("justering", "påminnelse_justering", organ=organ, möte=meeting,
                       kvar=missing, dagar=days)
        due.append(_reminder(f"justering:{meeting.id}:{days}", organ, request.transport,
                             request.room_id, request.requested_at + timedelta(days=days),
                             reply))
    return due


def anslag_reminders_due(session: Session, now: datetime) -> list[DueReminder]:
    """An anslag that may be taken down: from its earliest take-down day, until it is."""
    due: list[DueReminder] = []
    for anslag, meeting in justering.anslag_up(session):
        organ = organ_by_id(session, meeting.organ_id)
        at = _at(anslag.remove_on, organ)
        if now < at or not anslag.room_id:
            continue
        reply = render("justering", "påminnelse_anslag", organ=organ, möte=meeting,
                       anslag=anslag)
        due.append(_reminder(f"anslag:{anslag.id}", organ, anslag.transport, anslag.room_id,
                             at, reply))
    return due


def uppdrag_reminders_due(session: Session, now: datetime) -> list[DueReminder]:
    """Open uppdrag a week before their due date and on it."""
    due: list[DueReminder] = []
    for view in uppdrag.open_with_due_date(session):
        row = view.uppdrag
        organ = organ_by_id(session, row.organ_id)
        steps = [(d, _at(row.due_on - timedelta(days=d), organ)) for d in UPPDRAG_BEFORE_DAYS]
        passed = [(d, at) for d, at in steps if now >= at]
        if not passed or not row.room_id:
            continue
        days, at = passed[-1]
        reply = render("uppdrag", "påminnelse", organ=organ, u=view,
                       idag=now.astimezone(ZoneInfo(organ.timezone)).date())
        due.append(_reminder(f"uppdrag:{row.id}:{days}", organ, row.transport, row.room_id,
                             at, reply))
    return due


def kallelse_reminders_due(session: Session, now: datetime,
                           days_before: int = KALLELSE_BEFORE_DAYS) -> list[DueReminder]:
    """The kallelse of a planned meeting, with its open uppdrag, `days_before` days ahead."""
    due: list[DueReminder] = []
    for plan in kallelse.dated_plans(session):
        organ = organ_by_id(session, plan.organ_id)
        at = _at(plan.meeting_date - timedelta(days=days_before), organ)
        today = now.astimezone(ZoneInfo(organ.timezone)).date()
        if now < at or today > plan.meeting_date or not plan.room_id:
            continue
        document = kallelse_document.build(session, organ, today)
        reply = render("kallelse", "påminnelse", k=document,
                       dagar=(plan.meeting_date - today).days)
        reply.attachments = kallelse_document.attachments(document)
        due.append(_reminder(f"kallelse:{plan.id}", organ, plan.transport, plan.room_id, at,
                             reply))
    return due


def all_reminders_due(session: Session, now: datetime) -> list[DueReminder]:
    return [*justering_reminders_due(session, now), *anslag_reminders_due(session, now),
            *uppdrag_reminders_due(session, now), *kallelse_reminders_due(session, now)]
