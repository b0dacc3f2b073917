"""What the public anslagstavla on the web may read: the notices of justerade protokoll and
the coming sammanträden of one förbund.

Only what a kommun's anslagstavla shows is returned (organ, dates, place, § numbers, the
titles of the föredragningslista), as plain frozen values; never room or person ids,
budget figures or protokoll that are not justerade and anslagna."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from storage.models import Forbund, Meeting, Organ, Paragraph
from storage.models_justering import AgendaItem, Anslag
from storage.models_reminders import PlannedMeeting


@dataclass(frozen=True)
class Board:
    forbund_id: int
    key: str
    name: str
    archive_location: str
    timezone: str


@dataclass(frozen=True)
class JusteringNotice:
    """The notice that a protokoll is justerat (8 kap. 12 § kommunallagen)."""

    meeting_id: int
    organ_key: str
    organ_name: str
    meeting_date: date
    # 1 for the organ's first meeting that day, 2 for a second: the protokoll's address.
    ordinal: int
    justerad_at: datetime  # UTC
    posted_on: date
    remove_on: date
    taken_down_on: date | None
    numbers: tuple[int, ...]


@dataclass(frozen=True)
class CallNotice:
    """A coming sammanträde (`!sammanträde`, `!kallelse`) and its own agenda points."""

    organ_key: str
    organ_name: str
    starts_at: datetime  # UTC
    place: str
    items: tuple[str, ...]
    announced_at: datetime  # UTC: when it was planned


def board(session: Session, key: str) -> Board | None:
    row = session.exec(select(Forbund).where(Forbund.key == key)).first()
    if row is None:
        return None
    return Board(row.id, row.key, row.name, row.archive_location, row.timezone)


def _posted(forbund_id: int, today: date):  # type: ignore[no-untyped-def]
    """Justerade protokoll of the förbund whose anslag has been put up by `today`."""
    return (select(Meeting, Organ, Anslag)
            .join(Organ, Organ.id == Meeting.organ_id)
            .join(Anslag, Anslag.meeting_id == Meeting.id)
            .where(Organ.forbund_id == forbund_id, Meeting.justerad_at.is_not(None),
                   Anslag.posted_on <= today))


def _down(today: date):  # type: ignore[no-untyped-def]
    """The anslag is over: taken down (`!anslagstavla nedtagen`), or its last day passed."""
    return or_(and_(Anslag.taken_down_on.is_not(None), Anslag.taken_down_on <= today),
               Anslag.remove_on < today)


def current_notices(session: Session, forbund_id: int, today: date) -> list[JusteringNotice]:
    """The notices on the anslagstavla today, newest first: from the day the anslag is put
    up through its take-down date (the three weeks for överklagande)."""
    query = _posted(forbund_id, today).where(~_down(today))
    return _notices(session, query)


def archived_notices(session: Session, forbund_id: int, today: date) -> list[JusteringNotice]:
    """Notices that have been taken down, newest first."""
    return _notices(session, _posted(forbund_id, today).where(_down(today)))


def _notices(session: Session, query) -> list[JusteringNotice]:  # type: ignore[no-untyped-def]
    rows = session.exec(query.order_by(Anslag.posted_on.desc(), Meeting.date.desc(),
                                       Meeting.id.desc())).all()
    return [JusteringNotice(
        meeting_id=meeting.id, organ_key=organ.key, organ_name=organ.name,
        meeting_date=meeting.date, ordinal=_ordinal(session, meeting),
        justerad_at=_utc(meeting.justerad_at), posted_on=anslag.posted_on,
        remove_on=anslag.remove_on, taken_down_on=anslag.taken_down_on,
        numbers=_numbers(session, meeting.id)) for meeting, organ, anslag in rows]


def _ordinal(session: Session, meeting: Meeting) -> int:
    earlier = session.exec(select(func.count()).where(
        Meeting.organ_id == meeting.organ_id, Meeting.date == meeting.date,
        Meeting.id < meeting.id)).one()
    return earlier + 1


def _numbers(session: Session, meeting_id: int) -> tuple[int, ...]:
    return tuple(session.exec(select(Paragraph.number).where(Paragraph.meeting_id == meeting_id)
                              .order_by(Paragraph.number)).all())


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def public_meeting(session: Session, forbund_id: int, organ_key: str, day: date, ordinal: int,
                   today: date) -> tuple[int, int] | None:
    """(organ id, meeting id) of the protokoll at a public address, only if it is justerat
    and its anslag has been put up; the archive keeps it public after the take-down."""
    if ordinal < 1:
        return None
    rows = session.exec(select(Meeting.id, Meeting.organ_id)
                        .join(Organ, Organ.id == Meeting.organ_id)
                        .where(Organ.forbund_id == forbund_id, Organ.key == organ_key,
                               Meeting.date == day)
                        .order_by(Meeting.id)).all()
    if len(rows) < ordinal:
        return None
    meeting_id, organ_id = rows[ordinal - 1]
    public = session.exec(_posted(forbund_id, today).where(Meeting.id == meeting_id)).first()
    return (organ_id, meeting_id) if public is not None else None


def coming_meetings(session: Session, forbund_id: int, now: datetime,
                    tz: ZoneInfo) -> list[CallNotice]:
    """The förbund's planned, not cancelled sammanträden that have not begun and are not
    being held (no meeting of the organ opened that day), soonest first."""
    rows = session.exec(select(PlannedMeeting, Organ)
                        .join(Organ, Organ.id == PlannedMeeting.organ_id)
                        .where(Organ.forbund_id == forbund_id,
                               PlannedMeeting.status == "planerat",
                               PlannedMeeting.starts_at > now.astimezone(UTC))
                        .order_by(PlannedMeeting.starts_at, PlannedMeeting.id)).all()
    out = []
    for planned, organ in rows:
        day = _utc(planned.starts_at).astimezone(tz).date()
        held = session.exec(select(Meeting.id).where(Meeting.organ_id == organ.id,
                                                     Meeting.date == day)).first()
        if held is not None:
            continue
        items = session.exec(select(AgendaItem.title)
                             .where(AgendaItem.planned_meeting_id == planned.id)
                             .order_by(AgendaItem.position, AgendaItem.id)).all()
        out.append(CallNotice(organ.key, organ.name, _utc(planned.starts_at), planned.place,
                              tuple(items), _utc(planned.created_at)))
    return out

