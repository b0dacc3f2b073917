"""Chat events already acted on (any transport), so none is ever handled twice."""

from __future__ import annotations

from sqlmodel import Session, select

from storage.models import HandledEvent


def is_handled(session: Session, transport: str, event_id: str) -> bool:
    return session.exec(select(HandledEvent.id).where(
        HandledEvent.transport == transport, HandledEvent.event_id == event_id)).first() is not None


def claim(session: Session, transport: str, event_id: str) -> bool:
    """Record the event in the caller's transaction; False if it was handled before. Committed
    together with the command's effects, so a redelivered event is never acted on twice."""
    if is_handled(session, transport, event_id):
        return False
    session.add(HandledEvent(transport=transport, event_id=event_id))
    session.flush()
    return True

