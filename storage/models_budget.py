"""Tables of the budget per insats: the register, grants, outcomes and the förbund's year.

Amounts are integer öre (BIGINT), never floats. Every row carries its förbund, so each
query is scoped to one förbund and an index answers it without touching other förbund."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models import utcnow

STATUSES = ("aktiv", "planerad", "avslutad")


class Insats(SQLModel, table=True):
    """An insats (intervention) the förbund finances."""

    __tablename__ = "insats"
    __table_args__ = (UniqueConstraint("forbund_id", "name_key"),)
    id: int | None = Field(default=None, primary_key=True)
    forbund_id: int = Field(foreign_key="forbund.id", index=True)
    name: str = Field(max_length=200)
    name_key: str = Field(max_length=200)  # bot.swedish.fold of the name
    owner: str = Field(default="", max_length=200)  # ägande organisation
    contact: str = Field(default="", max_length=200)
    start_year: int | None = None
    end_year: int | None = None
    status: str = Field(default="aktiv", max_length=20)
    created_by: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)


class InsatsAlias(SQLModel, table=True):
    """Another name documents use for an insats ('Äpplet', 'Projekt Äpplet')."""

    __tablename__ = "insats_alias"
    __table_args__ = (UniqueConstraint("forbund_id", "alias_key"),)
    id: int | None = Field(default=None, primary_key=True)
    forbund_id: int = Field(foreign_key="forbund.id", index=True)
    insats_id: int = Field(foreign_key="insats.id", index=True)
    alias: str = Field(max_length=200)
    alias_key: str = Field(max_length=200)


class BudgetGrant(SQLModel, table=True):
    """Beviljade medel for one year. `paragraph_id`/`entry_id` link the grant to the
    decision in the protokoll; the grant counts only while that decision is not undone."""

    __tablename__ = "budget_grant"
    __table_args__ = (
        Index("ix_budget_grant_forbund_year", "forbund_id", "year", "insats_id"),
        Index("ix_budget_grant_insats_year", "insats_id", "year"),
    )
    id: int | None = Field(default=None, primary_key=True)
    forbund_id: int = Field(foreign_key="forbund.id")
    insats_id: int = Field(foreign_key="insats.id")
    year: int
    amount_ore: int = Field(sa_column=Column(BigInteger, nullable=False))
    decided_on: date | None = None
    paragraph_id: int | None = Field(default=None, foreign_key="paragraph.id", index=True)
    entry_id: int | None = Field(default=None, foreign_key="entry.id")
    comment: str = Field(default="", max_length=300)
    source: str = Field(default="chatt", max_length=20)  # chatt | import
    created_by: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    source_event_id: str = Field(default="", max_length=255)


class BudgetOutcome(SQLModel, table=True):
    """Utfall: a cost booked against an insats (positive), or a credit, returned money
    (negative: bot.commands.budget.credit)."""

    __tablename__ = "budget_outcome"
    __table_args__ = (
        # Covering indexes: the sums per insats and per förbund-year read only the index.
        Index("ix_budget_outcome_insats_year", "insats_id", "year", "booked_on", "amount_ore"),
        Index("ix_budget_outcome_forbund_year", "forbund_id", "year", "insats_id",
              "amount_ore"),
    )
    id: int | None = Field(default=None, primary_key=True)
    forbund_id: int = Field(foreign_key="forbund.id")
    insats_id: int = Field(foreign_key="insats.id")
    year: int
    amount_ore: int = Field(sa_column=Column(BigInteger, nullable=False))
    booked_on: date | None = None
    comment: str = Field(default="", max_length=300)
    source: str = Field(default="chatt", max_length=20)  # chatt | import
    created_by: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    source_event_id: str = Field(default="", max_length=255)


class BudgetYear(SQLModel, table=True):
    """The förbund's own figures for a year: tilldelning (member contributions) and the
    eget kapital at the year's end."""

    __tablename__ = "budget_year"
    __table_args__ = (UniqueConstraint("forbund_id", "year"),)
    id: int | None = Field(default=None, primary_key=True)
    forbund_id: int = Field(foreign_key="forbund.id")
    year: int
    tilldelning_ore: int | None = Field(default=None, sa_column=Column(BigInteger))
    eget_kapital_ore: int | None = Field(default=None, sa_column=Column(BigInteger))
    updated_by: str = Field(default="", max_length=255)
    updated_at: datetime = Field(default_factory=utcnow)
