"""Matrix transport state kept in the bot's store (beside the events it has handled)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from storage.models import utcnow


class MatrixSyncState(SQLModel, table=True):
    """Where the sync of one bot account stopped: the next sync continues from here, so a
    restart neither replays history nor skips what was said while the bot was away."""

    __tablename__ = "matrix_sync_state"
    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(unique=True, max_length=255)
    next_batch: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


class MatrixPendingEvent(SQLModel, table=True):
    """An encrypted message the bot could not read yet (its room key was late). The sync
    position has moved past it, so it is kept here until it is read or given up on: a
    restart in between fetches it again instead of losing a command."""

    __tablename__ = "matrix_pending_event"
    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(max_length=255)  # the bot account that saw it
    room_id: str = Field(max_length=255)
    event_id: str = Field(unique=True, max_length=255)
    seen_at: datetime = Field(default_factory=utcnow)
