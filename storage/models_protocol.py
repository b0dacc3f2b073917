"""Tables the protokoll document needs beyond the meeting: where and when it is to be
justerat, the förbund's sealing certificate, and the sealed PDF of each justerat protokoll.
Change them only together with a migration (0009_sigill)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models import utcnow


class JusteringPlan(SQLModel, table=True):
    """"Justeringens plats och tid" of a meeting: where, and on which day, the protokoll is
    to be justerat (the header row of page 1). Both may be empty."""

    __tablename__ = "justering_plan"
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", unique=True)
    place: str = Field(default="", max_length=300)
    planned_on: date | None = None
    set_by: str = Field(default="", max_length=255)
    set_at: datetime = Field(default_factory=utcnow)


class ForbundSigill(SQLModel, table=True):
    """The certificate a förbund seals its protokoll with. `configured_path` is the
    PKCS#12 file of the config (its password stays in the environment); without one the
    bot makes a self-signed certificate at the first justering and keeps it here, key
    included (PEM, unencrypted: the database's own protection guards it)."""

    __tablename__ = "forbund_sigill"
    id: int | None = Field(default=None, primary_key=True)
    forbund_id: int = Field(foreign_key="forbund.id", unique=True)
    configured_path: str = Field(default="", max_length=1000)
    certificate_pem: str = Field(default="", sa_column=Column(Text, nullable=False,
                                                              default=""))
    key_pem: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow)


class SealedProtocol(SQLModel, table=True):
    """A sealed PDF of a justerat protokoll, kept so that every later request gets the very
    same bytes. `content_key` is a digest of what the PDF shows: a new row is made only when
    the document itself changes (say the anslag is moved)."""

    __tablename__ = "sealed_protocol"
    __table_args__ = (UniqueConstraint("meeting_id", "content_key"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    content_key: str = Field(max_length=64)
    pdf: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    sealed_at: datetime
    sealed_by: str = Field(default="", max_length=500)  # the certificate's subject
