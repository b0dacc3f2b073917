"""Replies committed together with their command but not yet confirmed sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from storage.models import utcnow


class OutboxReply(SQLModel, table=True):
    """A reply the transport has not yet reported delivered. If the bot dies between the
    command's commit and the send, the transport sends it after the restart."""

    __tablename__ = "outbox_reply"
    id: int | None = Field(default=None, primary_key=True)
    transport: str = Field(max_length=20, index=True)
    reply: str = Field(sa_column=Column(Text, nullable=False))  # JSON, see bot/messages.py
    created_at: datetime = Field(default_factory=utcnow)
