"""Queries of the Matrix transport: its sync position and the events it has acted on."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.models import HandledEvent, utcnow
from storage.models_matrix import MatrixSyncState


def sync_token(session: Session, user_id: str) -> str | None:
    row = session.exec(select(MatrixSyncState).where(MatrixSyncState.user_id == user_id)).first()
    return row.next_batch if row else None


def save_sync_token(session: Session, user_id: str, token: str) -> None:
    row = session.exec(select(MatrixSyncState).where(MatrixSyncState.user_id == user_id)).first()
    if row is None:
        row = MatrixSyncState(user_id=user_id, next_batch=token)
        session.add(row)
    row.next_batch = token
    row.updated_at = utcnow()
    session.flush()


def is_handled(session: Session, transport: str, event_id: str) -> bool:
    return session.exec(select(HandledEvent.id).where(
        HandledEvent.transport == transport, HandledEvent.event_id == event_id)).first() is not None


def mark_handled(session: Session, transport: str, event_id: str) -> None:
    """Record an event answered outside a command's transaction (an unknown command, …)."""
    if is_handled(session, transport, event_id):
        return
    try:
        with session.begin_nested():
            session.add(HandledEvent(transport=transport, event_id=event_id))
    except IntegrityError:  # someone else recorded it first: same result
        pass
