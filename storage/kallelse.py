"""The föredragningslista of an organ's planned sammanträde. The meeting itself is the one
`!sammanträde` planned (storage.models_reminders.PlannedMeeting, storage.reminders)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from storage.models import Meeting
from storage.models_justering import AgendaItem
from storage.models_reminders import PlannedMeeting


def _local_date(meeting: PlannedMeeting, tz: ZoneInfo) -> date:
    return meeting.starts_at.astimezone(tz).date()


def _held_on(session: Session, organ_id: int, day: date) -> bool:
    return session.exec(select(Meeting.id).where(Meeting.organ_id == organ_id,
                                                 Meeting.date == day)).first() is not None


def next_meeting(session: Session, organ_id: int, now: datetime,
                 tz: ZoneInfo) -> PlannedMeeting | None:
    """The organ's next planned, not cancelled sammanträde: it has not begun, and no
    meeting of the organ has been opened on its day (then it is being held)."""
    coming = session.exec(select(PlannedMeeting).where(
        PlannedMeeting.organ_id == organ_id, PlannedMeeting.status == "planerat",
        PlannedMeeting.starts_at > now.astimezone(UTC))
        .order_by(PlannedMeeting.starts_at, PlannedMeeting.id)).all()
    for meeting in coming:
        if not _held_on(session, organ_id, _local_date(meeting, tz)):
            return meeting
    return None


def planned_on(session: Session, organ_id: int, day: date,
               tz: ZoneInfo) -> PlannedMeeting | None:
    """The organ's planned (not cancelled) sammanträde on a day, if there is one."""
    rows = session.exec(select(PlannedMeeting).where(
        PlannedMeeting.organ_id == organ_id, PlannedMeeting.status == "planerat")
        .order_by(PlannedMeeting.starts_at, PlannedMeeting.id)).all()
    return next((m for m in rows if _local_date(m, tz) == day), None)


def move(session: Session, meeting: PlannedMeeting, starts_at: datetime, place: str) -> None:
    meeting.starts_at = starts_at.astimezone(UTC)
    if place:
        meeting.place = place
    session.add(meeting)
    session.flush()


def items(session: Session, meeting_id: int) -> list[AgendaItem]:
    return list(session.exec(select(AgendaItem).where(AgendaItem.planned_meeting_id == meeting_id)
                             .order_by(AgendaItem.position, AgendaItem.id)).all())


def add_item(session: Session, meeting: PlannedMeeting, title: str, proposal: str,
             actor: str) -> AgendaItem:
    position = len(items(session, meeting.id)) + 1
    item = AgendaItem(planned_meeting_id=meeting.id, position=position, title=title,
                      proposal=proposal, added_by=actor)
    session.add(item)
    session.flush()
    return item


def remove_item(session: Session, meeting: PlannedMeeting, position: int) -> AgendaItem | None:
    current = items(session, meeting.id)
    if not 1 <= position <= len(current):
        return None
    removed = current.pop(position - 1)
    session.delete(removed)
    for index, item in enumerate(current, start=1):
        item.position = index
        session.add(item)
    session.flush()
    return removed
