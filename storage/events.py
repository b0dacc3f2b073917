"""Chat events already acted on (any transport), so none is ever handled twice."""

from __future__ import annotations

from sqlmodel import Session, select

from storage.models import HandledEvent, utcnow


def is_handled(session: Session, transport: str, event_id: str) -> bool:
    return session.exec(select(HandledEvent.id).where(
        HandledEvent.transport == transport, HandledEvent.event_id == event_id)).first() is not None


def claim(session: Session, transport: str, event_id: str) -> bool:
    """Record the event in the caller's transaction; False if it was handled before. Committed
    together with the command's effects, so a redelivered event is never acted on twice.

    One INSERT … ON CONFLICT DO NOTHING, not a look-up and an insert: when another process
    claims the same event at the same moment, PostgreSQL makes this insert wait for that
    transaction and then reports "handled before" (or inserts, if the other rolled back),
    where a look-up first would pass and the insert fail on the unique key."""
    # Each dialect's module is imported only for its own database (the PostgreSQL one is
    # 2 MiB that a SQLite bot need not carry).
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    inserted = session.execute(
        insert(HandledEvent).values(transport=transport, event_id=event_id, handled_at=utcnow())
        .on_conflict_do_nothing(index_elements=["transport", "event_id"])
        .returning(HandledEvent.id)).first()
    return inserted is not None


def _reading(transport: str) -> str:
    return f"{transport}:läsning"


def claim_reading(session: Session, transport: str, event_id: str) -> bool:
    """Record, before a command reads an attached file outside its transaction, that the
    reading began; False if an earlier try began it. Committed on its own: a file that
    killed the process while it was read is then never read again on a redelivery (the
    command's own claim, with its effects, comes after the reading)."""
    return claim(session, _reading(transport), event_id)
