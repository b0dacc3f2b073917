"""Which `bot run` process is the active one (see storage/leader.py). Change it only together
with a migration (0010_leader)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.models import utcnow


class BotLeader(SQLModel, table=True):
    """The process that last became active: one row, replaced by each new active process.
    Whether it still is active is not stored (a killed process cannot say so): `bot status`
    asks the lock itself."""

    __tablename__ = "bot_leader"
    id: int | None = Field(default=None, primary_key=True)
    host: str = Field(max_length=255)
    pid: int
    backend_pid: int | None = None  # the PostgreSQL session holding the lock
    since: datetime = Field(default_factory=utcnow)
