"""Insatsernas årsrapporter: which insatser a förbund has and which have reported."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlmodel import Session, select

from storage.folding import fold
from storage.models import Forbund
from storage.models_reminders import ReportReceived


def insats_names(session: Session, forbund_id: int, year: int,
                 config_names: Sequence[str] = ()) -> list[str]:
    """The insatser that owe an årsrapport for `year`: the budget register's active ones
    (storage.budget), plus any the config still names (`config_names`, the förbund's
    `insatser = [...]`) that the register lacks."""
    from storage import budget

    forbund = session.get(Forbund, forbund_id)
    if forbund is None:
        return []
    names = budget.insats_names(session, forbund_id, year)
    known = {fold(n) for n in names}
    names += [n for n in config_names if fold(n) not in known]
    return names


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


def missing(session: Session, forbund_id: int, year: int,
            config_names: Sequence[str] = ()) -> list[str]:
    """Insatser whose årsrapport for `year` has not come in."""
    done = {r.insats_key for r in received(session, forbund_id, year)}
    return [n for n in insats_names(session, forbund_id, year, config_names)
            if fold(n) not in done]
