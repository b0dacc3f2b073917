"""Insatsernas årsrapporter: which insatser a förbund has and which have reported."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, or_
from sqlmodel import Session, select

from storage.folding import fold
from storage.models import Entry
from storage.models_budget import BudgetGrant, BudgetOutcome, Insats
from storage.models_reminders import ReportReceived


@dataclass(frozen=True)
class Owed:
    """An insats that owes an årsrapport for a year, and why: beviljat or utfall that year,
    or a period that covers it (`period` is then the insats's start and end year)."""

    name: str
    granted: bool
    spent: bool
    period: tuple[int, int | None] | None


def owing(session: Session, forbund_id: int, year: int) -> list[Owed]:
    """The register's insatser that owe an årsrapport for `year`: those with a live grant or
    an utfall in the year, and those whose period covers it (an open period, "2021–", only
    while the insats is not avslutad). An insats without money or period that year owes
    nothing, however long it has been in the register."""
    granted = set(session.exec(
        select(BudgetGrant.insats_id).outerjoin(Entry, Entry.id == BudgetGrant.entry_id)
        .where(BudgetGrant.forbund_id == forbund_id, BudgetGrant.year == year,
               Entry.removed_at.is_(None)).distinct()).all())
    spent = set(session.exec(
        select(BudgetOutcome.insats_id).where(BudgetOutcome.forbund_id == forbund_id,
                                              BudgetOutcome.year == year).distinct()).all())
    in_period = and_(Insats.start_year.is_not(None), Insats.start_year <= year,
                     or_(Insats.end_year >= year,
                         and_(Insats.end_year.is_(None), Insats.status != "avslutad")))
    rows = session.exec(select(Insats).where(
        Insats.forbund_id == forbund_id,
        or_(Insats.id.in_(granted | spent), in_period)).order_by(Insats.name_key)).all()
    return [Owed(i.name, i.id in granted, i.id in spent, _covering(i, year)) for i in rows]


def _covering(insats: Insats, year: int) -> tuple[int, int | None] | None:
    start, end = insats.start_year, insats.end_year
    if start is None or start > year:
        return None
    if end is None:
        return None if insats.status == "avslutad" else (start, None)
    return (start, end) if end >= year else None


def insats_names(session: Session, forbund_id: int, year: int) -> list[str]:
    """The names of the insatser that owe an årsrapport for `year` (owing)."""
    return [o.name for o in owing(session, forbund_id, year)]


def received(session: Session, forbund_id: int, year: int) -> list[ReportReceived]:
    return list(session.exec(
        select(ReportReceived).where(ReportReceived.forbund_id == forbund_id,
                                     ReportReceived.year == year)
        .order_by(ReportReceived.received_at)).all())


def mark_received(session: Session, forbund_id: int, name: str, year: int, recorded_by: str,
                  event_id: str, at: datetime) -> tuple[ReportReceived, bool]:
    """Record an insats's report; returns the row and whether it was new."""
    key = fold(name)
    existing = session.exec(select(ReportReceived).where(
        ReportReceived.forbund_id == forbund_id, ReportReceived.insats_key == key,
        ReportReceived.year == year)).first()
    if existing is not None:
        return existing, False
    row = ReportReceived(forbund_id=forbund_id, insats_key=key, insats_name=name, year=year,
                         recorded_by=recorded_by, source_event_id=event_id,
                         received_at=at.astimezone(UTC))
    session.add(row)
    session.flush()
    return row, True


def missing_owed(session: Session, forbund_id: int, year: int) -> list[Owed]:
    """The insatser (with why they owe one) whose årsrapport for `year` has not come in."""
    done = {r.insats_key for r in received(session, forbund_id, year)}
    return [o for o in owing(session, forbund_id, year) if fold(o.name) not in done]


def missing(session: Session, forbund_id: int, year: int) -> list[str]:
    """Insatser whose årsrapport for `year` has not come in."""
    return [o.name for o in missing_owed(session, forbund_id, year)]
