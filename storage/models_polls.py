"""Polls the transports posted for a vote (Matrix m.poll.start, a Teams card)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models import utcnow


class PollMessage(SQLModel, table=True):
    """Which posted poll belongs to which vote: a response to the poll becomes a vote on
    `key`, and closing the vote ends every poll posted for it. Kept in the store, so the
    polls still count after a restart."""

    __tablename__ = "poll_message"
    __table_args__ = (UniqueConstraint("transport", "message_id"),)
    id: int | None = Field(default=None, primary_key=True)
    transport: str = Field(max_length=20)
    # The Matrix room; for Teams the conversation the card went to, thread included
    # ("…;messageid=…"), since an update of the card must name it.
    room_id: str = Field(sa_column=Column(String(512), nullable=False))
    # The Matrix event id of the m.poll.start, or the Teams activity id of the card.
    message_id: str = Field(max_length=255)
    key: str = Field(max_length=255, index=True)  # "votering:<id>"
    answers: str = Field(sa_column=Column(Text, nullable=False))  # answer ids, one a line
    created_at: datetime = Field(default_factory=utcnow)
