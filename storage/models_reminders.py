"""Tables of the reminder capability: reminders, planned sammanträden and received
årsrapporter. Change them only together with a migration (0003_reminders)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models import utcnow

# Reminder.status values.
PLANNED = "planerad"  # waiting for its time (recurring ones stay planned)
SENT = "skickad"
REMOVED = "borttagen"  # removed by a user, or its cause (meeting, deadline) went away
CANCELLED = "inställd"  # its meeting was cancelled when it fell due
SKIPPED = "överflödig"  # nothing to say when it fell due (every insats had reported)
UNDELIVERED = "ej levererad"  # the room's transport was not running in this process


class Reminder(SQLModel, table=True):
    """One message the bot posts by itself at `due_at`. The scheduler's jobs point at these
    rows by id; the row, not the job, is the truth (see bot.commands.reminders.service)."""

    __tablename__ = "reminder"
    __table_args__ = (Index("ix_reminder_status_due", "status", "due_at"),)
    id: int | None = Field(default=None, primary_key=True)
    organ_id: int = Field(foreign_key="organ.id", index=True)
    # The room to post in; None: every room of the organ.
    room_id: int | None = Field(default=None, foreign_key="room.id")
    # What renders it: "egen" (free text), "sammanträde", "frist", or a kind another
    # capability registered in its setup (app.reminder_kind).
    kind: str = Field(default="egen", max_length=40)
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    payload: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    for_person: str = Field(default="", max_length=200)  # "!påminn mig": who is reminded
    due_at: datetime
    # "" (once), "dag:09:00", "vecka:0:09:00" (0 = måndag), "månad:1:09:00".
    recurrence: str = Field(default="", max_length=40)
    # What it belongs to ("sammanträde:12", "frist:3:arsrapport:2027-01-31"), for
    # cancel_reminders; free for other capabilities ("justering:45").
    ref: str = Field(default="", max_length=200, index=True)
    # Set when a reminder must exist once only (built-in deadlines); unique.
    key: str | None = Field(default=None, max_length=255, unique=True)
    status: str = Field(default=PLANNED, max_length=20)
    created_by: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    late: bool = False


class PlannedMeeting(SQLModel, table=True):
    """A sammanträde planned ahead (`!sammanträde`); the held one is storage.models.Meeting."""

    __tablename__ = "planned_meeting"
    id: int | None = Field(default=None, primary_key=True)
    organ_id: int = Field(foreign_key="organ.id", index=True)
    starts_at: datetime
    place: str = Field(default="", max_length=300)
    status: str = Field(default="planerat", max_length=20)  # planerat | inställt
    created_by: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    cancelled_at: datetime | None = None


class ReportReceived(SQLModel, table=True):
    """An insats's årsrapport for `year`, received by the förbund."""

    __tablename__ = "report_received"
    __table_args__ = (UniqueConstraint("forbund_id", "insats_key", "year"),)
    id: int | None = Field(default=None, primary_key=True)
    forbund_id: int = Field(foreign_key="forbund.id", index=True)
    insats_key: str = Field(max_length=200)  # bot.swedish.fold of the name
    insats_name: str = Field(max_length=200)
    year: int
    received_at: datetime = Field(default_factory=utcnow)
    recorded_by: str = Field(default="", max_length=255)
    source_event_id: str = Field(default="", max_length=255)
