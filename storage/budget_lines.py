"""Budget files in the store: the rows a file brings (BudgetLine), their import as one short
write, the export, and taking an import back."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import insert
from sqlmodel import Session, select

from storage.budget import _live_grants
from storage.insats_names import NameIndex, name_key
from storage.models import Entry, Paragraph, utcnow
from storage.models_budget import BudgetGrant, BudgetOutcome, Insats


@dataclass(frozen=True)
class BudgetLine:
    """One row of a budget file, already checked: amounts in öre, positive, except an
    utfall that is a credit (återbetalning), which is negative (bot.budget_credit)."""

    line: int
    insats: str
    year: int
    granted_ore: int | None
    spent_ore: int | None
    day: date | None
    comment: str


@dataclass
class ImportResult:
    new_insatser: list[str] = field(default_factory=list)
    grants: int = 0
    outcomes: int = 0
    unchanged: int = 0
    years: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class NearName:
    """A name in a file that is no name or alias of an insats but resembles `like`."""

    line: int
    name: str
    like: list[str]


class NearNamesError(Exception):
    """The file names insatser only by forgiving matching; nothing was stored."""

    def __init__(self, near: list[NearName]) -> None:
        super().__init__(", ".join(n.name for n in near))
        self.near = near


def near_names(index: NameIndex, lines: list[BudgetLine]) -> list[NearName]:
    """The file's names that would create a new insats although one like it exists
    ('Samtalsbyrån' for 'Samtalsbyrån för unga'), each at the first line it is on. A name
    with a distinctive word no insats has is a new insats ('Processtöd vägen till arbete'
    beside 'Processtöd våld i nära relationer')."""
    near: list[NearName] = []
    seen: set[str] = set()
    for ln in lines:
        key = name_key(ln.insats)
        if key in seen:
            continue
        seen.add(key)
        if index.exact(ln.insats) is not None:
            continue
        like = index.like(ln.insats)
        if like:
            near.append(NearName(ln.line, ln.insats, [i.name for i in like]))
    return near


def import_lines(session: Session, forbund_id: int, lines: list[BudgetLine], actor: str,
                 event_id: str = "") -> ImportResult:
    """Add what the file has and the store lacks. A grant or outcome already stored with the
    same insats, year, amount and date (from an earlier import or from the chat) counts as
    the file's row, so importing a file twice, or re-importing an export, changes nothing.
    A name only like an existing insats raises NearNamesError before anything is stored:
    the economy office's 'Samtalsbyrån' must not silently become a second insats.

    The caller's write transaction lasts as long as this: the register is read once into a
    NameIndex, and the rows go in as two multi-row inserts, not one flush per row."""
    index = NameIndex.of(session, forbund_id)
    near = near_names(index, lines)
    if near:
        raise NearNamesError(near)
    result = ImportResult(years=sorted({ln.year for ln in lines}))
    by_key: dict[str, int] = {}
    new: dict[str, str] = {}
    for ln in lines:
        key = name_key(ln.insats)
        if key in by_key or key in new:
            continue
        insats = index.exact(ln.insats)
        if insats is None:
            new[key] = ln.insats.strip()
        else:
            by_key[key] = insats.id  # type: ignore[assignment]
    if new:  # one multi-row insert, not a flush per new insats
        created = session.execute(insert(Insats).returning(Insats.id, Insats.name_key), [
            {"forbund_id": forbund_id, "name": name, "name_key": key, "owner": "",
             "contact": "", "start_year": None, "end_year": None, "status": "aktiv",
             "created_by": actor, "created_at": utcnow()} for key, name in new.items()]).all()
        by_key.update((key, insats_id) for insats_id, key in created)
        result.new_insatser = list(new.values())
    have_grants = Counter(session.execute(
        select(BudgetGrant.insats_id, BudgetGrant.year, BudgetGrant.amount_ore,
               BudgetGrant.decided_on)
        .outerjoin(Entry, Entry.id == BudgetGrant.entry_id)
        .where(Entry.removed_at.is_(None), BudgetGrant.forbund_id == forbund_id,
               BudgetGrant.year.in_(result.years))).all())
    have_outcomes = Counter(session.execute(
        select(BudgetOutcome.insats_id, BudgetOutcome.year, BudgetOutcome.amount_ore,
               BudgetOutcome.booked_on)
        .where(BudgetOutcome.forbund_id == forbund_id,
               BudgetOutcome.year.in_(result.years))).all())
    now = utcnow()
    common = {"forbund_id": forbund_id, "source": "import", "created_by": actor,
              "created_at": now, "source_event_id": event_id}
    grants: list[dict[str, object]] = []
    outcomes: list[dict[str, object]] = []
    for ln in lines:
        insats_id = by_key[name_key(ln.insats)]
        row = {**common, "insats_id": insats_id, "year": ln.year, "comment": ln.comment[:300]}
        if ln.granted_ore is not None:
            key = (insats_id, ln.year, ln.granted_ore, ln.day)
            if have_grants[key] > 0:
                have_grants[key] -= 1
                result.unchanged += 1
            else:
                grants.append({**row, "amount_ore": ln.granted_ore, "decided_on": ln.day,
                               "paragraph_id": None, "entry_id": None})
        if ln.spent_ore is not None:
            key = (insats_id, ln.year, ln.spent_ore, ln.day)
            if have_outcomes[key] > 0:
                have_outcomes[key] -= 1
                result.unchanged += 1
            else:
                outcomes.append({**row, "amount_ore": ln.spent_ore, "booked_on": ln.day})
    for model, rows in ((BudgetGrant, grants), (BudgetOutcome, outcomes)):
        if rows:
            # Core, not the ORM's bulk path: the rows are plain values already.
            session.connection().execute(model.__table__.insert(), rows)  # type: ignore[attr-defined]
    result.grants, result.outcomes = len(grants), len(outcomes)
    return result


def export_lines(session: Session, forbund_id: int, year: int | None = None
                 ) -> list[BudgetLine]:
    """Every live grant and outcome, as rows of the import format (grants first)."""
    grants = _live_grants().add_columns(Insats.name, Paragraph.number).join(
        Insats, Insats.id == BudgetGrant.insats_id).outerjoin(
        Paragraph, Paragraph.id == BudgetGrant.paragraph_id).where(
        BudgetGrant.forbund_id == forbund_id)
    outcomes = select(BudgetOutcome, Insats.name).join(
        Insats, Insats.id == BudgetOutcome.insats_id).where(
        BudgetOutcome.forbund_id == forbund_id)
    if year is not None:
        grants = grants.where(BudgetGrant.year == year)
        outcomes = outcomes.where(BudgetOutcome.year == year)
    lines = [BudgetLine(0, name, g.year, g.amount_ore, None, g.decided_on,
                        g.comment or (f"§ {number}" if number else ""))
             for g, name, number in session.execute(
                 grants.order_by(BudgetGrant.year, Insats.name_key, BudgetGrant.id)).all()]
    lines += [BudgetLine(0, name, o.year, None, o.amount_ore, o.booked_on, o.comment)
              for o, name in session.exec(outcomes.order_by(
                  BudgetOutcome.year, Insats.name_key, BudgetOutcome.booked_on,
                  BudgetOutcome.id)).all()]
    return lines


@dataclass(frozen=True)
class UndoneChange:
    """What `undo_latest` removed: a whole import, or one utfall booked in the chat."""

    kind: str  # "import" | "utfall"
    grants: int
    outcomes: int
    at: datetime
    by: str
    insats: str = ""
    amount_ore: int = 0
    booked_on: date | None = None
    comment: str = ""


def undo_latest(session: Session, forbund_id: int) -> UndoneChange | None:
    """Remove the förbund's latest budget import (every row it added) or, if later, the
    latest utfall booked in the chat. Grants made by !anslag belong to a decision in the
    protokoll and are undone there (!ångra, !ändra), not here."""
    outcome = session.exec(
        select(BudgetOutcome).where(BudgetOutcome.forbund_id == forbund_id)
        .order_by(BudgetOutcome.created_at.desc(), BudgetOutcome.id.desc())).first()
    grant = session.exec(
        select(BudgetGrant).where(BudgetGrant.forbund_id == forbund_id,
                                  BudgetGrant.source == "import")
        .order_by(BudgetGrant.created_at.desc(), BudgetGrant.id.desc())).first()
    latest: BudgetOutcome | BudgetGrant | None = outcome
    if grant is not None and (latest is None or grant.created_at > latest.created_at):
        latest = grant
    if latest is None:
        return None
    if latest.source == "import" and latest.source_event_id:
        batch = latest.source_event_id
        grants = session.exec(select(BudgetGrant).where(
            BudgetGrant.forbund_id == forbund_id, BudgetGrant.source == "import",
            BudgetGrant.source_event_id == batch)).all()
        outcomes = session.exec(select(BudgetOutcome).where(
            BudgetOutcome.forbund_id == forbund_id, BudgetOutcome.source == "import",
            BudgetOutcome.source_event_id == batch)).all()
        for row in [*grants, *outcomes]:
            session.delete(row)
        return UndoneChange("import", len(grants), len(outcomes), latest.created_at,
                            latest.created_by)
    if not isinstance(latest, BudgetOutcome):
        session.delete(latest)
        return UndoneChange("import", 1, 0, latest.created_at, latest.created_by)
    insats = session.get(Insats, latest.insats_id)
    session.delete(latest)
    return UndoneChange("import" if latest.source == "import" else "utfall", 0, 1,
                        latest.created_at, latest.created_by,
                        insats=insats.name if insats else "", amount_ore=latest.amount_ore,
                        booked_on=latest.booked_on, comment=latest.comment)
