"""The planned next sammanträde of an organ and its föredragningslista."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import func
from sqlmodel import Session, select

from storage.models import Meeting
from storage.models_justering import AgendaItem, KallelsePlan


def _held_by(session: Session, plan: KallelsePlan) -> Meeting | None:
    """The meeting that holds a plan: opened after the plan was made, on or after its date."""
    query = select(Meeting).where(Meeting.organ_id == plan.organ_id,
                                  Meeting.id > plan.after_meeting_id)
    if plan.meeting_date is not None:
        query = query.where(Meeting.date >= plan.meeting_date)
    return session.exec(query.order_by(Meeting.id)).first()


def active_plan(session: Session, organ_id: int) -> KallelsePlan | None:
    """The organ's planned meeting, if it has not been held yet."""
    plan = session.exec(select(KallelsePlan).where(
        KallelsePlan.organ_id == organ_id, KallelsePlan.status == "planerat")
        .order_by(KallelsePlan.id.desc())).first()
    if plan is None:
        return None
    held = _held_by(session, plan)
    if held is not None:
        plan.status, plan.meeting_id = "hållet", held.id
        session.add(plan)
        session.flush()
        return None
    return plan


def ensure_plan(session: Session, organ_id: int, actor: str, transport: str,
                room_id: str) -> KallelsePlan:
    plan = active_plan(session, organ_id)
    if plan is not None:
        return plan
    newest = session.exec(select(func.coalesce(func.max(Meeting.id), 0))
                          .where(Meeting.organ_id == organ_id)).one()
    plan = KallelsePlan(organ_id=organ_id, after_meeting_id=newest, created_by=actor,
                          transport=transport, room_id=room_id)
    session.add(plan)
    session.flush()
    return plan


def set_when(session: Session, plan: KallelsePlan, day: date, start: time | None,
             place: str, transport: str, room_id: str) -> None:
    plan.meeting_date, plan.start_time = day, start
    if place:
        plan.place = place
    plan.transport, plan.room_id = transport, room_id
    session.add(plan)
    session.flush()


def items(session: Session, plan_id: int) -> list[AgendaItem]:
    return list(session.exec(select(AgendaItem).where(AgendaItem.kallelse_plan_id == plan_id)
                             .order_by(AgendaItem.position, AgendaItem.id)).all())


def add_item(session: Session, plan: KallelsePlan, title: str, proposal: str,
             actor: str) -> AgendaItem:
    position = len(items(session, plan.id)) + 1
    item = AgendaItem(kallelse_plan_id=plan.id, position=position, title=title,
                      proposal=proposal, added_by=actor)
    session.add(item)
    session.flush()
    return item


def remove_item(session: Session, plan: KallelsePlan, position: int) -> AgendaItem | None:
    current = items(session, plan.id)
    if not 1 <= position <= len(current):
        return None
    removed = current.pop(position - 1)
    session.delete(removed)
    for index, item in enumerate(current, start=1):
        item.position = index
        session.add(item)
    session.flush()
    return removed

