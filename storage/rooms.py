"""Queries for binding chat rooms to organs in the chat (`!organ`)."""

from __future__ import annotations

from sqlmodel import Session, select

from storage.folding import fold
from storage.models import Forbund, Organ, Room
from storage.tenants import OrganRef, organ_by_id


def find_forbund(session: Session, text: str) -> list[Forbund]:
    """Förbund whose key or name is `text` (case and diacritics ignored)."""
    wanted = fold(text)
    return [f for f in session.exec(select(Forbund).order_by(Forbund.id)).all()
            if wanted in (fold(f.key), fold(f.name))]


def room_binding(session: Session, transport: str, external_id: str) -> Room | None:
    return session.exec(select(Room).where(
        Room.transport == transport, Room.external_id == external_id)).first()


def organ_rooms(session: Session, organ_id: int) -> list[Room]:
    """The chat rooms bound to an organ, in the order they were bound."""
    return list(session.exec(
        select(Room).where(Room.organ_id == organ_id).order_by(Room.id)).all())


def all_organs(session: Session) -> list[OrganRef]:
    """Every organ of every förbund, in config order."""
    ids = session.exec(select(Organ.id).order_by(Organ.forbund_id, Organ.id)).all()
    return [ref for i in ids if (ref := organ_by_id(session, i)) is not None]
