"""Tables of the lawful sammanträde (Kommunallagen 5 kap 67 §): numbered yrkanden and who
instämmer, tjänstgörande ersättare, jäv, propositionsordning, votering with each röst,
reservationer and protokollsanteckningar, and the steps `!ångra` can take back.
Change them only together with a migration (0011_sammantrade)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models import utcnow


class YrkandeNumber(SQLModel, table=True):
    """The number of a yrkande (an `entry` of kind yrkande) in its §, kept when another
    is withdrawn; `withdrawn_at` set when it is taken back (it then leaves the protokoll)."""

    __tablename__ = "yrkande_number"
    __table_args__ = (UniqueConstraint("paragraph_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    paragraph_id: int = Field(foreign_key="paragraph.id", index=True)
    entry_id: int = Field(foreign_key="entry.id", unique=True)
    number: int
    withdrawn_at: datetime | None = None
    withdrawn_by: str = Field(default="", max_length=255)


class Instammande(SQLModel, table=True):
    """"Cecilia Sparf instämmer i yrkande 1"."""

    __tablename__ = "instammande"
    __table_args__ = (UniqueConstraint("yrkande_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    yrkande_id: int = Field(foreign_key="yrkande_number.id", index=True)
    name: str = Field(max_length=200)
    created_by: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)


class Ersattare(SQLModel, table=True):
    """An ersättare tjänstgör for a ledamot: from § `from_number` on (None: the whole
    meeting), or in § `only_number` alone."""

    __tablename__ = "ersattare"
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    name: str = Field(max_length=200)
    organisation: str = Field(default="", max_length=200)
    for_name: str = Field(max_length=200)
    for_organisation: str = Field(default="", max_length=200)
    from_number: int | None = None
    only_number: int | None = None
    created_by: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)


class Jav(SQLModel, table=True):
    """Someone anmäler jäv in a § and takes no part in handling it."""

    __tablename__ = "jav"
    __table_args__ = (UniqueConstraint("paragraph_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    paragraph_id: int = Field(foreign_key="paragraph.id", index=True)
    name: str = Field(max_length=200)
    created_by: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)


class Proposition(SQLModel, table=True):
    """The chair puts the yrkanden and finds the meeting decided for yrkande `number`,
    without a vote."""

    __tablename__ = "proposition"
    id: int | None = Field(default=None, primary_key=True)
    paragraph_id: int = Field(foreign_key="paragraph.id", index=True)
    number: int
    created_by: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)


class Votering(SQLModel, table=True):
    """An open roll-call vote: ja for yrkande `ja_number`, nej for `nej_number`. `open_lock`
    is the organ while the vote is open (unique: one open vote per organ). `result` is
    "ja" or "nej" once counted; `utslagsrost` when the chair's vote decided a tie."""

    __tablename__ = "votering"
    id: int | None = Field(default=None, primary_key=True)
    organ_id: int = Field(foreign_key="organ.id", index=True)
    paragraph_id: int = Field(foreign_key="paragraph.id", index=True)
    ja_number: int
    nej_number: int
    status: str = Field(default="öppen", max_length=20)  # öppen | klar | avbruten
    open_lock: int | None = Field(default=None, unique=True)
    result: str = Field(default="", max_length=10)
    utslagsrost: bool = False
    chair: str = Field(default="", max_length=200)
    created_by: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None


class Rost(SQLModel, table=True):
    """How one person voted: ja, nej, avstår, or "" (entitled, did not vote: written when
    the vote is counted). `given_by` is who recorded it (the voter, or the secretary for
    a vote given by voice); `via` is "poll"/"card" for a native poll or card answer."""

    __tablename__ = "rost"
    __table_args__ = (UniqueConstraint("votering_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    votering_id: int = Field(foreign_key="votering.id", index=True)
    name: str = Field(max_length=200, index=True)
    vote: str = Field(default="", max_length=10)
    given_by: str = Field(default="", max_length=255)
    via: str = Field(default="", max_length=10)
    at: datetime = Field(default_factory=utcnow)


class Reservation(SQLModel, table=True):
    """Someone reserverar sig against the beslut; `written` when a skriftlig reservation
    is announced, `text` its text once handed in."""

    __tablename__ = "reservation"
    __table_args__ = (UniqueConstraint("paragraph_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    paragraph_id: int = Field(foreign_key="paragraph.id", index=True)
    name: str = Field(max_length=200)
    motivation: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    written: bool = False
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_by: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)


class Anteckning(SQLModel, table=True):
    """A protokollsanteckning, shown under the §'s beslut."""

    __tablename__ = "anteckning"
    id: int | None = Field(default=None, primary_key=True)
    paragraph_id: int = Field(foreign_key="paragraph.id", index=True)
    name: str = Field(max_length=200)
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_by: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)


class ProcedureStep(SQLModel, table=True):
    """One step of the procedure a recorder took (kind and the row it made or changed),
    so that `!ångra` can take back the last one; `undone_at` once it is."""

    __tablename__ = "procedure_step"
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    paragraph_id: int | None = None
    kind: str = Field(max_length=30)
    row_id: int
    # The earlier value a step replaced (a changed röst), to put back on ångra.
    previous: str = Field(default="", max_length=20)
    actor: str = Field(max_length=255)
    at: datetime = Field(default_factory=utcnow)
    undone_at: datetime | None = None
