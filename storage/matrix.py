"""Queries of the Matrix transport: its sync position."""

from __future__ import annotations

from sqlmodel import Session, select

from storage.models import utcnow
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

