"""Chat events already acted on (any transport), so none is ever handled twice."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam
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
    dialect = session.get_bind().dialect.name
    statement = _CLAIMS[dialect] if dialect in _CLAIMS else _claim_statement(dialect)
    inserted = session.connection().execute(statement, {
        "transport": transport, "event_id": event_id, "handled_at": utcnow()}).first()
    return inserted is not None


# Built once per dialect and run on the transaction's connection: building it and the ORM's
# path for an insert cost three times the insert itself, on every command.
_CLAIMS: dict[str, Any] = {}


def _claim_statement(dialect: str) -> Any:
    # Each dialect's module is imported only for its own database (the PostgreSQL one is
    # 2 MiB that a SQLite bot need not carry).
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = HandledEvent.__table__  # type: ignore[attr-defined]
    _CLAIMS[dialect] = statement = (
        insert(table).values(transport=bindparam("transport"), event_id=bindparam("event_id"),
                             handled_at=bindparam("handled_at"))
        .on_conflict_do_nothing(index_elements=["transport", "event_id"])
        .returning(table.c.id))
    return statement


def _reading(transport: str) -> str:
    return f"{transport}:läsning"


def claim_reading(session: Session, transport: str, event_id: str) -> bool:
    """Record, before a command reads an attached file outside its transaction, that the
    reading began; False if an earlier try began it. Committed on its own: a file that
    killed the process while it was read is then never read again on a redelivery (the
    command's own claim, with its effects, comes after the reading)."""
    return claim(session, _reading(transport), event_id)
