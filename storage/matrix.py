"""Queries of the Matrix transport: its sync position and the messages it could not read
yet."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, delete, select

from storage import outbox
from storage.models import utcnow
from storage.models_matrix import MatrixPendingEvent, MatrixSyncState


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


def save_sync_progress(session: Session, user_id: str, token: str,
                       sent_outbox_ids: list[int]) -> None:
    """The sync token and the outbox replies delivered since the last one, together."""
    save_sync_token(session, user_id, token)
    outbox.sent_all(session, sent_outbox_ids)


def keep_pending(session: Session, user_id: str, room_id: str, event_id: str) -> None:
    exists = session.exec(select(MatrixPendingEvent.id).where(
        MatrixPendingEvent.event_id == event_id)).first()
    if exists is None:
        session.add(MatrixPendingEvent(user_id=user_id, room_id=room_id, event_id=event_id))


def drop_pending(session: Session, event_id: str) -> None:
    session.exec(delete(MatrixPendingEvent).where(  # type: ignore[call-overload]
        MatrixPendingEvent.event_id == event_id))


def pending_events(session: Session, user_id: str) -> list[tuple[str, str, datetime]]:
    """(room id, event id, first seen) of the messages still waiting for a key, oldest first."""
    rows = session.exec(select(MatrixPendingEvent).where(MatrixPendingEvent.user_id == user_id)
                        .order_by(MatrixPendingEvent.id)).all()
    return [(r.room_id, r.event_id, r.seen_at) for r in rows]


def last_sync(session: Session, user_id: str) -> datetime | None:
    """When the bot account's sync last ended (each sync stores its position)."""
    row = session.exec(select(MatrixSyncState).where(MatrixSyncState.user_id == user_id)).first()
    return row.updated_at if row else None
