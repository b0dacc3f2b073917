"""Tables of the Teams transport: conversation references for proactive messages, and the
files (protokoll) the bot serves behind unguessable links."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary, String, Text
from sqlmodel import Field, SQLModel

from storage.models import utcnow


class TeamsConversation(SQLModel, table=True):
    """Where and how to post into one Teams conversation without being asked: the SDK's
    ConversationReference as JSON, kept while the bot is installed there."""

    __tablename__ = "teams_conversation"
    id: int | None = Field(default=None, primary_key=True)
    # Channel id without ";messageid=…", meeting chat or group chat id.
    conversation_id: str = Field(sa_column=Column(String(512), unique=True, nullable=False))
    kind: str = Field(default="", max_length=20)  # channel | groupChat | personal
    team_id: str = Field(default="", max_length=512)
    tenant_id: str = Field(default="", max_length=64)
    service_url: str = Field(default="", max_length=500)
    name: str = Field(default="", max_length=300)
    reference: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class TeamsFile(SQLModel, table=True):
    """A document the bot links to from Teams (bots cannot attach files in channels)."""

    __tablename__ = "teams_file"
    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(unique=True, max_length=64)
    filename: str = Field(max_length=255)
    mimetype: str = Field(max_length=100)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    conversation_id: str = Field(default="", max_length=512)
    created_at: datetime = Field(default_factory=utcnow, index=True)
