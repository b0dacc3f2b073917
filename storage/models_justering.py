"""Tables for justering, anslag, uppdrag and the agenda of a planned meeting (the meeting
itself is storage.models_reminders.PlannedMeeting). Change them only together with a
migration (0005_justering)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models import utcnow


class JusteringRequest(SQLModel, table=True):
    """`!protokoll klart`: the protokoll of a meeting is ready for justering. The room is
    where reminders to the justerare go."""

    __tablename__ = "justering_request"
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", unique=True)
    requested_at: datetime
    requested_by: str = Field(default="", max_length=255)
    transport: str = Field(default="", max_length=20)
    room_id: str = Field(default="", max_length=255)


class JusteringSignature(SQLModel, table=True):
    """One `!justera` by the ordförande or a justerare. `audit_mark` is the newest audit
    entry of the meeting's § when they signed: a later change makes the signature stale."""

    __tablename__ = "justering_signature"
    __table_args__ = (UniqueConstraint("meeting_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    name: str = Field(max_length=200)
    function: str = Field(max_length=20)  # ordförande | justerare
    signed_at: datetime
    sender_id: str = Field(default="", max_length=255)
    audit_mark: int = 0
    source_event_id: str = Field(default="", max_length=255)
    # `!justera den <datum>`: signed_at is the start of that day; the time is not known
    # (migration 0013_justering_dag).
    day_only: bool = False


class Anslag(SQLModel, table=True):
    """The notice on the anslagstavla that a protokoll is justerat. `remove_on` is the
    earliest take-down date: three weeks for överklagande."""

    __tablename__ = "anslag"
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", unique=True)
    posted_on: date
    remove_on: date
    taken_down_on: date | None = None
    place: str = Field(default="", max_length=300)
    recorded_by: str = Field(default="", max_length=255)
    recorded_at: datetime = Field(default_factory=utcnow)
    transport: str = Field(default="", max_length=20)
    room_id: str = Field(default="", max_length=255)


class Uppdrag(SQLModel, table=True):
    """An assignment that follows from a decision: who, what, by when, and where it was
    reported back. `number` runs per organ ("uppdrag 3")."""

    __tablename__ = "uppdrag"
    __table_args__ = (UniqueConstraint("organ_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    organ_id: int = Field(foreign_key="organ.id", index=True)
    number: int
    paragraph_id: int | None = Field(default=None, foreign_key="paragraph.id", index=True)
    entry_id: int | None = Field(default=None, foreign_key="entry.id", index=True)
    assignee: str = Field(max_length=300)
    task: str = Field(sa_column=Column(Text, nullable=False))
    due_on: date | None = None
    status: str = Field(default="öppet", max_length=20)  # öppet | klart
    created_by: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    closed_by: str = Field(default="", max_length=255)
    closed_at: datetime | None = None
    reported_paragraph_id: int | None = Field(default=None, foreign_key="paragraph.id")
    transport: str = Field(default="", max_length=20)
    room_id: str = Field(default="", max_length=255)


class AgendaItem(SQLModel, table=True):
    """One punkt on the föredragningslista of a planned sammanträde (`!dagordning`); the
    meeting is the one `!sammanträde` (or `!kallelse <datum>`) planned."""

    __tablename__ = "agenda_item"
    id: int | None = Field(default=None, primary_key=True)
    planned_meeting_id: int = Field(foreign_key="planned_meeting.id", index=True)
    position: int
    title: str = Field(max_length=300)
    proposal: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    added_by: str = Field(default="", max_length=255)
    added_at: datetime = Field(default_factory=utcnow)
