"""Reminders and planned sammanträden: the Python API other capabilities use.

Create and cancel reminders inside your own command transaction:

    from storage.reminders import schedule_reminder, cancel_reminders
    schedule_reminder(ctx.session, organ_id=ctx.organ.organ_id, due_at=when_utc,
                      text="Protokollet ska justeras i dag.", ref=f"justering:{meeting.id}")
    cancel_reminders(ctx.session, f"justering:{meeting.id}")

Nothing else is needed: the rows are the truth, and the running scheduler picks them up
(bot.commands.reminders.service syncs its jobs right after the transaction commits, and on a short
poll for writes from elsewhere). A reminder with kind "egen" posts its `text`; a capability
that needs to compose the message when it falls due registers a renderer for its own kind
in its setup (app.reminder_kind).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, update
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select

from storage.keys import name_key
from storage.models import Room
from storage.models_reminders import PLANNED, REMOVED, SKIPPED, PlannedMeeting, Reminder

_CHANGED = "reminders_changed"
# Called with the ids of the reminders a commit created or changed.
Listener = Callable[[set[int]], None]
_listeners: list[Listener] = []


def on_commit(listener: Listener) -> None:
    """Call `listener(ids)` after every commit that created or changed reminders."""
    _listeners.append(listener)


def remove_listener(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def mark_changed(session: Session, *ids: int | None) -> None:
    session.info.setdefault(_CHANGED, set()).update(i for i in ids if i is not None)


@event.listens_for(OrmSession, "after_commit")
def _after_commit(session: OrmSession) -> None:
    ids = session.info.pop(_CHANGED, None)
    if ids:
        for listener in list(_listeners):
            listener(set(ids))


@event.listens_for(OrmSession, "after_rollback")
def _after_rollback(session: OrmSession) -> None:
    session.info.pop(_CHANGED, None)


def schedule_reminder(session: Session, *, organ_id: int, due_at: datetime, text: str = "",
                      kind: str = "egen", ref: str = "", room_id: int | None = None,
                      for_person: str = "", recurrence: str = "", created_by: str = "",
                      key: str | None = None, payload: dict[str, Any] | None = None
                      ) -> Reminder:
    """Add a reminder for the organ's rooms (or one room) at `due_at` (aware; stored UTC).
    `ref` groups reminders for cancel_reminders; `key` makes creation idempotent."""
    if due_at.tzinfo is None:
        raise ValueError("due_at must be timezone-aware")
    reminder = Reminder(organ_id=organ_id, room_id=room_id, kind=kind, text=text,
                        payload=json.dumps(payload or {}, ensure_ascii=False),
                        for_person=for_person, due_at=due_at.astimezone(UTC),
                        recurrence=recurrence, ref=ref, key=key, created_by=created_by)
    session.add(reminder)
    session.flush()
    mark_changed(session, reminder.id)
    return reminder


def cancel_reminders(session: Session, ref: str) -> int:
    """Remove every still planned reminder with this `ref`; returns how many."""
    ids = list(session.exec(select(Reminder.id).where(
        Reminder.ref == ref, Reminder.status == PLANNED)).all())
    if ids:
        session.execute(update(Reminder).where(Reminder.id.in_(ids)).values(status=REMOVED))
        mark_changed(session, *ids)
    return len(ids)


def remove_reminder(session: Session, reminder: Reminder) -> None:
    reminder.status = REMOVED
    session.add(reminder)
    mark_changed(session, reminder.id)


def get_reminder(session: Session, reminder_id: int) -> Reminder | None:
    return session.get(Reminder, reminder_id)


def set_status(session: Session, reminder_id: int, status: str, only_from: str) -> None:
    """Give the reminder `status` if it still has `only_from`."""
    reminder = session.get(Reminder, reminder_id)
    if reminder is not None and reminder.status == only_from:
        reminder.status = status
        session.add(reminder)


def replan_reminder(session: Session, reminder: Reminder, due_at: datetime) -> None:
    """Plan a skipped reminder again, at `due_at`."""
    reminder.status, reminder.due_at = PLANNED, due_at
    session.add(reminder)
    mark_changed(session, reminder.id)


def skip_reminder(session: Session, reminder: Reminder) -> None:
    """Leave a planned reminder unsent because nothing asks for it any more."""
    reminder.status = SKIPPED
    session.add(reminder)
    mark_changed(session, reminder.id)


def claim_reminder(session: Session, reminder_id: int) -> Reminder | None:
    """The row locked for this transaction (PostgreSQL FOR UPDATE; SQLite transactions
    already hold the write lock), so two firings cannot both send it."""
    return session.exec(
        select(Reminder).where(Reminder.id == reminder_id).with_for_update()).first()


def payload_of(reminder: Reminder) -> dict[str, Any]:
    try:
        data = json.loads(reminder.payload or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def planned_among(session: Session, ids: set[int], until: datetime
                  ) -> list[tuple[int, datetime]]:
    """Like planned_before, limited to `ids`."""
    rows = session.exec(
        select(Reminder.id, Reminder.due_at)
        .where(Reminder.id.in_(sorted(ids)), Reminder.status == PLANNED,
               Reminder.due_at < until)).all()
    return [(rid, due) for rid, due in rows]


def planned_before(session: Session, until: datetime) -> list[tuple[int, datetime]]:
    """(id, due_at) of planned reminders due before `until`, soonest first."""
    rows = session.exec(
        select(Reminder.id, Reminder.due_at)
        .where(Reminder.status == PLANNED, Reminder.due_at < until)
        .order_by(Reminder.due_at)).all()
    return [(rid, due) for rid, due in rows]


def owner_of(reminder: Reminder) -> str:
    """Whose own reminder it is (`!påminn mig`): the key kept in its payload when it was
    set (bot.identity.person_key: the platform id, on the console the name typed). One set
    before owners were kept goes by the id it mentions; "" for a room's reminder."""
    if not reminder.for_person:
        return ""
    data = payload_of(reminder)
    owner = data.get("owner", data.get("mention", ""))
    return name_key(owner) if isinstance(owner, str) else ""


def planned_for_room(session: Session, organ_id: int, room_id: int | None,
                     owner: str) -> list[Reminder]:
    """A room's planned reminders: the room's own, the organ-wide ones, and the personal
    ones of `owner` (see owner_of), never another person's."""
    rows = session.exec(
        select(Reminder).where(Reminder.organ_id == organ_id, Reminder.status == PLANNED)
        .order_by(Reminder.due_at, Reminder.id)).all()
    return [r for r in rows if r.room_id in (None, room_id)
            and (not r.for_person or (owner and owner_of(r) == owner))]


def keys_with_prefix(session: Session, prefix: str) -> dict[str, Reminder]:
    rows = session.exec(select(Reminder).where(Reminder.key.startswith(prefix))).all()
    return {r.key: r for r in rows if r.key}


def room_by_external(session: Session, transport: str, external_id: str) -> Room | None:
    return session.exec(select(Room).where(
        Room.transport == transport, Room.external_id == external_id)).first()


def rooms_of(session: Session, reminder: Reminder) -> list[Room]:
    """Where a reminder goes: its room, or every room of its organ."""
    if reminder.room_id is not None:
        room = session.get(Room, reminder.room_id)
        return [room] if room is not None else []
    return list(session.exec(
        select(Room).where(Room.organ_id == reminder.organ_id).order_by(Room.id)).all())


# Planned sammanträden.

def plan_meeting(session: Session, organ_id: int, starts_at: datetime, place: str,
                 created_by: str) -> PlannedMeeting:
    meeting = PlannedMeeting(organ_id=organ_id, starts_at=starts_at.astimezone(UTC),
                             place=place, created_by=created_by)
    session.add(meeting)
    session.flush()
    return meeting


def planned_meeting(session: Session, meeting_id: int) -> PlannedMeeting | None:
    return session.get(PlannedMeeting, meeting_id)


def coming_meetings(session: Session, organ_id: int, after: datetime) -> list[PlannedMeeting]:
    return list(session.exec(
        select(PlannedMeeting).where(PlannedMeeting.organ_id == organ_id,
                                     PlannedMeeting.status == "planerat",
                                     PlannedMeeting.starts_at >= after)
        .order_by(PlannedMeeting.starts_at)).all())


def meetings_since(session: Session, organ_id: int, after: datetime) -> list[PlannedMeeting]:
    """Planned and cancelled, for the calendar file."""
    return list(session.exec(
        select(PlannedMeeting).where(PlannedMeeting.organ_id == organ_id,
                                     PlannedMeeting.starts_at >= after)
        .order_by(PlannedMeeting.starts_at)).all())


def cancel_meeting(session: Session, meeting: PlannedMeeting) -> int:
    """Cancel a planned sammanträde and its reminders; returns how many reminders went."""
    meeting.status = "inställt"
    meeting.cancelled_at = datetime.now(UTC)
    session.add(meeting)
    return cancel_reminders(session, meeting_ref(meeting.id))


def meeting_ref(meeting_id: int) -> str:
    return f"sammanträde:{meeting_id}"
