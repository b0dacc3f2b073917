"""Tables of the bot's own store (SQLModel). Change them only together with a migration."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Forbund(SQLModel, table=True):
    __tablename__ = "forbund"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=100)
    name: str = Field(max_length=200)
    archive_location: str = Field(default="", max_length=200)
    timezone: str = Field(default="Europe/Stockholm", max_length=64)


class Organ(SQLModel, table=True):
    __tablename__ = "organ"
    __table_args__ = (UniqueConstraint("forbund_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    forbund_id: int = Field(foreign_key="forbund.id", index=True)
    key: str = Field(max_length=100)
    name: str = Field(max_length=200)
    kind: str = Field(default="styrelse", max_length=40)
    numbering: str = Field(default="år", max_length=10)
    # protokoll | minnesanteckningar (config `protokoll`), see 0009_sigill.
    document_kind: str = Field(default="protokoll", max_length=20)


class Room(SQLModel, table=True):
    """A chat room (console, Matrix room, Teams conversation) bound to one organ."""

    __tablename__ = "room"
    __table_args__ = (UniqueConstraint("transport", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    transport: str = Field(max_length=20)
    external_id: str = Field(max_length=255)
    organ_id: int = Field(foreign_key="organ.id", index=True)
    bound_by: str = Field(default="config", max_length=255)


class Member(SQLModel, table=True):
    __tablename__ = "member"
    id: int | None = Field(default=None, primary_key=True)
    organ_id: int = Field(foreign_key="organ.id", index=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=40)
    organisation: str = Field(default="", max_length=200)
    organisation_short: str = Field(default="", max_length=40)
    # Chat ids from the config (Matrix ids, Teams UPNs, object ids), one a line, as
    # storage.keys.id_key spells them. The name is not among them.
    ids: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    extra_secretary: bool = Field(default=False)


class Meeting(SQLModel, table=True):
    """A sammanträde of one organ; date and times are in the förbund's local time."""

    __tablename__ = "meeting"
    id: int | None = Field(default=None, primary_key=True)
    organ_id: int = Field(foreign_key="organ.id", index=True)
    date: date
    start_time: time | None = None
    end_time: time | None = None
    place: str = Field(default="", max_length=300)
    status: str = Field(default="öppet", max_length=20)  # öppet | avslutat
    # One open meeting per organ: set to organ_id while open, NULL after; unique.
    open_lock: int | None = Field(default=None, unique=True)
    opened_by: str = Field(default="", max_length=255)
    opened_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None
    justerad_at: datetime | None = None


class MeetingPerson(SQLModel, table=True):
    """Who took part and in which function: beslutande, ersättare, övrig, justerare,
    sekreterare, ordförande."""

    __tablename__ = "meeting_person"
    __table_args__ = (UniqueConstraint("meeting_id", "function", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    function: str = Field(max_length=20)
    name: str = Field(max_length=200)
    organisation: str = Field(default="", max_length=200)
    role: str = Field(default="", max_length=40)
    position: int = 0


class Paragraph(SQLModel, table=True):
    """A numbered § in a meeting. `series` is the year ("2022") in år-numbering and
    "m<meeting id>" in möte-numbering; (organ, series, number) is unique, so two writers
    can never take the same number."""

    __tablename__ = "paragraph"
    __table_args__ = (UniqueConstraint("organ_id", "series", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    organ_id: int = Field(foreign_key="organ.id", index=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    series: str = Field(max_length=20)
    year: int = Field(index=True)
    number: int
    title: str = Field(max_length=300)
    created_by: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    source_event_id: str = Field(default="", max_length=255)
    justerad_at: datetime | None = None  # set by omedelbar justering of this § alone


class Entry(SQLModel, table=True):
    """One line of a §: a decision (beslut), a motion (yrkande) or information text."""

    __tablename__ = "entry"
    id: int | None = Field(default=None, primary_key=True)
    paragraph_id: int = Field(foreign_key="paragraph.id", index=True)
    kind: str = Field(max_length=20)  # beslut | yrkande | info
    text: str = Field(sa_column=Column(Text, nullable=False))
    search_text: str = Field(sa_column=Column(Text, nullable=False))
    proposer: str = Field(default="", max_length=200)
    position: int = 0
    created_by: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    source_event_id: str = Field(default="", max_length=255)
    removed_at: datetime | None = None


class AuditEntry(SQLModel, table=True):
    """Every change to a § or its entries: who, when, old and new text, source event."""

    __tablename__ = "audit_entry"
    id: int | None = Field(default=None, primary_key=True)
    organ_id: int = Field(foreign_key="organ.id", index=True)
    paragraph_ref: str = Field(max_length=40)  # "2022 § 26", kept if the § is removed
    paragraph_id: int | None = Field(default=None, index=True)
    entry_id: int | None = None
    action: str = Field(max_length=30)
    actor: str = Field(max_length=255)
    at: datetime = Field(default_factory=utcnow)
    old_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    new_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    source_event_id: str = Field(default="", max_length=255)


class NumberingStart(SQLModel, table=True):
    """The next § number an organ chose for a year (`!paragrafnummer`)."""

    __tablename__ = "numbering_start"
    __table_args__ = (UniqueConstraint("organ_id", "series"),)
    id: int | None = Field(default=None, primary_key=True)
    organ_id: int = Field(foreign_key="organ.id")
    series: str = Field(max_length=20)
    next_number: int


class HandledEvent(SQLModel, table=True):
    """Chat events already acted on, so a restart or a redelivery never repeats one."""

    __tablename__ = "handled_event"
    __table_args__ = (UniqueConstraint("transport", "event_id"),)
    id: int | None = Field(default=None, primary_key=True)
    transport: str = Field(max_length=20)
    event_id: str = Field(max_length=255)
    handled_at: datetime = Field(default_factory=utcnow)
