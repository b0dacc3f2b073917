"""Justering of a protokoll (who signed and when), omedelbar justering of one §, and the
anslag that makes the justering public."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from storage.keys import name_key
from storage.meetings import people_in
from storage.models import AuditEntry, Meeting, Paragraph
from storage.models_justering import Anslag, JusteringRequest, JusteringSignature
from storage.models_protocol import JusteringPlan

# Kommunallagen 13 kap. 5 §: three weeks for överklagande from the day the anslag is posted.
OVERKLAGANDE_DAYS = 21
# Audit action of an omedelbar justering: not a change of the text, so no signature goes stale.
IMMEDIATE_ACTION = "omedelbart justerad"


# Who justerar a protokoll: the meeting's ordförande and its justerare.
SIGNING_FUNCTIONS = ("ordförande", "justerare")


@dataclass(frozen=True)
class Signer:
    name: str
    function: str


def signers(session: Session, meeting_id: int) -> list[Signer]:
    """The ordförande and the justerare of the meeting, each once."""
    seen: dict[str, Signer] = {}
    for function in SIGNING_FUNCTIONS:
        for person in people_in(session, meeting_id, function):
            seen.setdefault(name_key(person.name), Signer(person.name, function))
    return list(seen.values())


def missing_signers(session: Session, meeting_id: int) -> list[Signer]:
    """Those who have not justerat (or whose justering went stale). A name is one person
    letter for letter (storage.keys), as the signing itself goes."""
    signed = {name_key(s.name) for s in signatures(session, meeting_id)}
    return [s for s in signers(session, meeting_id) if name_key(s.name) not in signed]


def request_of(session: Session, meeting_id: int) -> JusteringRequest | None:
    return session.exec(select(JusteringRequest).where(
        JusteringRequest.meeting_id == meeting_id)).first()


def save_request(session: Session, meeting_id: int, at: datetime, by: str, transport: str,
                 room_id: str) -> JusteringRequest:
    """Record (or renew) that the protokoll is ready; reminders count from the newest."""
    row = request_of(session, meeting_id) or JusteringRequest(meeting_id=meeting_id,
                                                              requested_at=at)
    row.requested_at, row.requested_by = at, by
    row.transport, row.room_id = transport, room_id
    session.add(row)
    session.flush()
    return row


def signatures(session: Session, meeting_id: int) -> list[JusteringSignature]:
    return list(session.exec(select(JusteringSignature).where(
        JusteringSignature.meeting_id == meeting_id)
        .order_by(JusteringSignature.signed_at, JusteringSignature.id)).all())


def audit_mark(session: Session, meeting_id: int) -> int:
    """The newest change to the meeting's paragraphs (an increasing audit id, so it does not
    depend on clocks)."""
    return session.exec(
        select(func.coalesce(func.max(AuditEntry.id), 0))
        .join(Paragraph, Paragraph.id == AuditEntry.paragraph_id)
        .where(Paragraph.meeting_id == meeting_id,
               AuditEntry.action != IMMEDIATE_ACTION)).one()


def drop_stale(session: Session, meeting_id: int) -> list[str]:
    """Remove signatures made before the protokoll last changed; returns their names."""
    mark = audit_mark(session, meeting_id)
    stale = [s for s in signatures(session, meeting_id) if s.audit_mark < mark]
    for signature in stale:
        session.delete(signature)
    session.flush()
    return [s.name for s in stale]


def hold_meeting(session: Session, meeting: Meeting) -> None:
    """Row-lock the meeting for the rest of the transaction (PostgreSQL), so two justerare
    signing at the same moment cannot both miss that the other has signed, and read it
    again as it is under the lock. SQLite transactions are IMMEDIATE and serialise anyway."""
    session.exec(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update()).first()
    session.refresh(meeting)


def sign(session: Session, meeting_id: int, name: str, function: str, at: datetime,
         sender_id: str, event_id: str, *, day_only: bool = False) -> JusteringSignature:
    """Record a justering at `at`; `day_only`: only its day is known (`at` is its start)."""
    row = session.exec(select(JusteringSignature).where(
        JusteringSignature.meeting_id == meeting_id, JusteringSignature.name == name)).first()
    if row is None:
        row = JusteringSignature(meeting_id=meeting_id, name=name, function=function,
                                 signed_at=at)
    row.function, row.signed_at, row.sender_id = function, at, sender_id
    row.day_only = day_only
    row.audit_mark = audit_mark(session, meeting_id)
    row.source_event_id = event_id
    session.add(row)
    session.flush()
    return row


def lock(session: Session, meeting: Meeting, at: datetime) -> None:
    """The protokoll is justerat: `ensure_not_justerad` refuses every later change. It is
    justerat when the last signer justerade (which is `at` unless the signers gave the
    days they justerade on)."""
    moments = [s.signed_at for s in signatures(session, meeting.id)]
    meeting.justerad_at = max(moments) if moments else at
    session.add(meeting)
    session.flush()


def justera_paragraph(session: Session, paragraph: Paragraph, at: datetime, actor: str,
                      event_id: str) -> None:
    paragraph.justerad_at = at
    session.add(paragraph)
    session.add(AuditEntry(
        organ_id=paragraph.organ_id, paragraph_ref=f"{paragraph.series} § {paragraph.number}",
        paragraph_id=paragraph.id, action=IMMEDIATE_ACTION, actor=actor,
        new_text=at.isoformat(), source_event_id=event_id))
    session.flush()


def awaiting(session: Session, organ_id: int) -> list[Meeting]:
    """Meetings whose protokoll is ready for justering but not yet justerat, newest first."""
    return list(session.exec(
        select(Meeting).join(JusteringRequest, JusteringRequest.meeting_id == Meeting.id)
        .where(Meeting.organ_id == organ_id, Meeting.justerad_at.is_(None))
        .order_by(Meeting.date.desc(), Meeting.id.desc())).all())


def latest_justerad(session: Session, organ_id: int) -> Meeting | None:
    return session.exec(select(Meeting).where(
        Meeting.organ_id == organ_id, Meeting.justerad_at.is_not(None))
        .order_by(Meeting.date.desc(), Meeting.id.desc())).first()


def justerade_in_year(session: Session, organ_id: int, year: int) -> list[Meeting]:
    return list(session.exec(select(Meeting).where(
        Meeting.organ_id == organ_id, Meeting.justerad_at.is_not(None),
        Meeting.date >= date(year, 1, 1), Meeting.date <= date(year, 12, 31))
        .order_by(Meeting.date, Meeting.id)).all())


def anslag_of(session: Session, meeting_id: int) -> Anslag | None:
    return session.exec(select(Anslag).where(Anslag.meeting_id == meeting_id)).first()


def post_anslag(session: Session, meeting_id: int, posted_on: date, by: str, transport: str,
                room_id: str, place: str = "") -> Anslag:
    """Record (or move) the anslag; it may be taken down three weeks later at the earliest."""
    row = anslag_of(session, meeting_id) or Anslag(meeting_id=meeting_id, posted_on=posted_on,
                                                   remove_on=posted_on)
    row.posted_on = posted_on
    row.remove_on = posted_on + timedelta(days=OVERKLAGANDE_DAYS)
    row.taken_down_on = None
    row.recorded_by, row.transport, row.room_id = by, transport, room_id
    if place:
        row.place = place
    session.add(row)
    session.flush()
    return row


def take_down(session: Session, anslag: Anslag, day: date) -> None:
    anslag.taken_down_on = day
    session.add(anslag)
    session.flush()



def plan_of(session: Session, meeting_id: int) -> JusteringPlan | None:
    """Justeringens plats och tid, if anyone has set them."""
    return session.exec(select(JusteringPlan).where(
        JusteringPlan.meeting_id == meeting_id)).first()


def set_plan(session: Session, meeting_id: int, by: str, place: str | None = None,
             planned_on: date | None = None) -> JusteringPlan:
    """Set the place and/or the day of the justering; what is not given is kept."""
    row = plan_of(session, meeting_id) or JusteringPlan(meeting_id=meeting_id)
    if place is not None:
        row.place = place[:300]
    if planned_on is not None:
        row.planned_on = planned_on
    row.set_by = by
    session.add(row)
    session.flush()
    return row
