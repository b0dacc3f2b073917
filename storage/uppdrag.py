"""Uppdrag (assignments) that follow from decisions: recorded, dated, listed and closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.models import Entry, Meeting, Paragraph
from storage.models_justering import Uppdrag

NUMBER_RETRIES = 20


@dataclass
class UppdragView:
    """An uppdrag with the § and meeting it came from, for templates."""

    uppdrag: Uppdrag
    paragraph: Paragraph | None
    meeting: Meeting | None
    reported: Paragraph | None = None

    @property
    def number(self) -> int:
        return self.uppdrag.number


def add(session: Session, organ_id: int, paragraph_id: int | None, entry_id: int | None,
        assignee: str, task: str, due_on: date | None, actor: str, transport: str,
        room_id: str) -> Uppdrag:
    """Take the next number of the organ; a concurrent writer's insert makes ours fail on
    the unique (organ, number), and we retry with the next."""
    for _ in range(NUMBER_RETRIES):
        number = session.exec(select(func.coalesce(func.max(Uppdrag.number), 0))
                              .where(Uppdrag.organ_id == organ_id)).one() + 1
        row = Uppdrag(organ_id=organ_id, number=number, paragraph_id=paragraph_id,
                      entry_id=entry_id, assignee=assignee[:300], task=task, due_on=due_on,
                      created_by=actor, transport=transport, room_id=room_id)
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:
            session.expunge(row)
            continue
        return row
    raise RuntimeError("no free uppdrag number after retries")


def for_entry(session: Session, entry_id: int) -> Uppdrag | None:
    return session.exec(select(Uppdrag).where(Uppdrag.entry_id == entry_id)).first()


def change_uppdrag(session: Session, row: Uppdrag, assignee: str, task: str,
                   due_on: date | None) -> None:
    row.assignee, row.task = assignee[:300], task
    if due_on is not None:
        row.due_on = due_on
    session.add(row)
    session.flush()


def remove_uppdrag(session: Session, row: Uppdrag) -> None:
    session.delete(row)
    session.flush()


def _views(session: Session, rows: list[Uppdrag]) -> list[UppdragView]:
    ids = {r.paragraph_id for r in rows} | {r.reported_paragraph_id for r in rows}
    ids.discard(None)
    found = session.exec(
        select(Paragraph, Meeting).join(Meeting, Meeting.id == Paragraph.meeting_id)
        .where(Paragraph.id.in_(ids))).all() if ids else []
    by_id = {p.id: (p, m) for p, m in found}
    views = []
    for row in rows:
        paragraph, meeting = by_id.get(row.paragraph_id, (None, None))
        reported = by_id.get(row.reported_paragraph_id, (None, None))[0]
        views.append(UppdragView(row, paragraph, meeting, reported))
    return views


def _live(query):  # type: ignore[no-untyped-def]
    """Leave out uppdrag whose decision was taken back with !ångra."""
    return query.outerjoin(Entry, Entry.id == Uppdrag.entry_id).where(
        Entry.removed_at.is_(None))


def listed(session: Session, organ_id: int, *, only_open: bool = True) -> list[UppdragView]:
    """Open uppdrag by due date (undated last), then number; or all of them by number."""
    query = _live(select(Uppdrag).where(Uppdrag.organ_id == organ_id))
    if only_open:
        query = query.where(Uppdrag.status == "öppet")
    rows = list(session.exec(query).all())
    if only_open:
        rows.sort(key=lambda u: (u.due_on is None, u.due_on or date.max, u.number))
    else:
        rows.sort(key=lambda u: u.number)
    return _views(session, rows)


def by_number(session: Session, organ_id: int, number: int) -> Uppdrag | None:
    return session.exec(_live(select(Uppdrag).where(
        Uppdrag.organ_id == organ_id, Uppdrag.number == number))).first()


def of_paragraph(session: Session, paragraph_id: int) -> list[Uppdrag]:
    return list(session.exec(_live(select(Uppdrag).where(
        Uppdrag.paragraph_id == paragraph_id, Uppdrag.status == "öppet"))
        .order_by(Uppdrag.number)).all())


def view(session: Session, row: Uppdrag) -> UppdragView:
    return _views(session, [row])[0]


def set_due(session: Session, row: Uppdrag, day: date) -> None:
    row.due_on = day
    session.add(row)
    session.flush()


def close(session: Session, row: Uppdrag, actor: str, at: datetime,
          reported_paragraph_id: int | None) -> None:
    row.status, row.closed_by, row.closed_at = "klart", actor, at
    row.reported_paragraph_id = reported_paragraph_id
    session.add(row)
    session.flush()


def open_by_id(session: Session, uppdrag_id: int) -> Uppdrag | None:
    """The uppdrag if it is still open and its decision was not taken back."""
    return session.exec(_live(select(Uppdrag).where(
        Uppdrag.id == uppdrag_id, Uppdrag.status == "öppet"))).first()
