"""Sammanträden and who took part in them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import bindparam, delete, func
from sqlmodel import Session, select

from storage.models import Meeting, MeetingPerson, utcnow

# The order functions are printed in the protokoll header.
FUNCTIONS = ("beslutande", "ersättare", "övrig", "justerare", "sekreterare", "ordförande")


@dataclass(frozen=True)
class Person:
    name: str
    organisation: str = ""
    role: str = ""


def open_meeting(session: Session, organ_id: int, day: date, start: time | None, place: str,
                 actor: str) -> Meeting:
    meeting = Meeting(organ_id=organ_id, date=day, start_time=start, place=place,
                      open_lock=organ_id, opened_by=actor)
    session.add(meeting)
    session.flush()  # the unique open_lock refuses a second open meeting here
    return meeting


# Built once: most commands ask these, and building a statement costs as much as running it.
_OPEN_MEETING = select(Meeting).where(Meeting.organ_id == bindparam("organ_id"),
                                      Meeting.status == "öppet")
_PEOPLE = select(MeetingPerson).where(MeetingPerson.meeting_id == bindparam("meeting_id")) \
    .order_by(MeetingPerson.position, MeetingPerson.id)
_PEOPLE_AS = _PEOPLE.where(MeetingPerson.function == bindparam("function"))


def open_meeting_of(session: Session, organ_id: int) -> Meeting | None:
    return session.exec(_OPEN_MEETING, params={"organ_id": organ_id}).first()


def close_meeting(session: Session, meeting: Meeting, end: time | None) -> None:
    meeting.status = "avslutat"
    meeting.open_lock = None
    meeting.closed_at = utcnow()
    if end is not None:
        meeting.end_time = end
    session.add(meeting)
    session.flush()


def meetings_on(session: Session, organ_id: int, day: date) -> list[Meeting]:
    return list(session.exec(
        select(Meeting).where(Meeting.organ_id == organ_id, Meeting.date == day)
        .order_by(Meeting.id)
    ).all())


def latest_meeting(session: Session, organ_id: int) -> Meeting | None:
    return session.exec(
        select(Meeting).where(Meeting.organ_id == organ_id)
        .order_by(Meeting.date.desc(), Meeting.id.desc())
    ).first()


def meeting_by_id(session: Session, meeting_id: int) -> Meeting | None:
    return session.get(Meeting, meeting_id)


def meeting_count(session: Session, organ_id: int) -> int:
    return session.exec(select(func.count()).where(Meeting.organ_id == organ_id)).one()


def set_people(session: Session, meeting_id: int, function: str, people: list[Person],
               *, replace: bool) -> None:
    """Record people in one function; `replace` drops the function's earlier names first,
    otherwise names already there are updated and new ones appended."""
    if replace:
        session.exec(delete(MeetingPerson).where(
            MeetingPerson.meeting_id == meeting_id, MeetingPerson.function == function))
    existing = {p.name.casefold(): p for p in people_in(session, meeting_id, function)}
    position = len(existing)
    for person in people:
        row = existing.get(person.name.casefold())
        if row is None:
            row = MeetingPerson(meeting_id=meeting_id, function=function, name=person.name,
                                position=position)
            position += 1
        row.organisation, row.role = person.organisation, person.role
        session.add(row)
    session.flush()


def remove_people(session: Session, meeting_id: int, functions: tuple[str, ...],
                  names: list[str]) -> None:
    folded = {n.casefold() for n in names}
    for row in session.exec(select(MeetingPerson).where(
            MeetingPerson.meeting_id == meeting_id,
            MeetingPerson.function.in_(functions))).all():
        if row.name.casefold() in folded:
            session.delete(row)
    session.flush()


def people_in(session: Session, meeting_id: int, function: str | None = None
              ) -> list[MeetingPerson]:
    if function:
        return list(session.exec(_PEOPLE_AS, params={"meeting_id": meeting_id,
                                                     "function": function}).all())
    return list(session.exec(_PEOPLE, params={"meeting_id": meeting_id}).all())


def local_now(tz_now: datetime) -> tuple[date, time]:
    return tz_now.date(), tz_now.time().replace(second=0, microsecond=0)
