"""Queries of the budget per insats. Every function takes the förbund it answers for, and
every sum is one SQL aggregate over an index on (förbund or insats, year): the answer time
depends on the rows of that insats or year, never on other förbund, insatser or years."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, case, func, union
from sqlmodel import Session, select

# The register's lookups live in storage.insats_names; callers keep finding them here.
from storage.insats_names import (  # noqa: F401
    TYPO_ACCEPT,
    TYPO_SUGGEST,
    Match,
    NameIndex,
    aliases_of,
    find_exact,
    insatser,
    match_insats,
    name_key,
)
from storage.models import Entry, Meeting, Paragraph, utcnow
from storage.models_budget import BudgetGrant, BudgetOutcome, BudgetYear, Insats, InsatsAlias

# --- the register -------------------------------------------------------------------------


def create_insats(session: Session, forbund_id: int, name: str, actor: str, *,
                  owner: str = "", contact: str = "", start_year: int | None = None,
                  end_year: int | None = None, status: str = "aktiv") -> Insats:
    insats = Insats(forbund_id=forbund_id, name=name.strip(), name_key=name_key(name),
                    owner=owner, contact=contact, start_year=start_year, end_year=end_year,
                    status=status, created_by=actor)
    session.add(insats)
    session.flush()
    return insats


def add_alias(session: Session, insats: Insats, alias: str) -> InsatsAlias:
    row = InsatsAlias(forbund_id=insats.forbund_id, insats_id=insats.id, alias=alias.strip(),
                      alias_key=name_key(alias))
    session.add(row)
    session.flush()
    return row


def update_insats(session: Session, insats: Insats, **values: object) -> Insats:
    for key, value in values.items():
        setattr(insats, key, value)
    session.add(insats)
    session.flush()
    return insats


# --- grants and outcomes ------------------------------------------------------------------


def _live_grants():  # type: ignore[no-untyped-def]
    """Grants whose decision still stands: unlinked ones, or linked to a live entry."""
    return (select(BudgetGrant)
            .outerjoin(Entry, Entry.id == BudgetGrant.entry_id)
            .where(Entry.removed_at.is_(None)))


def add_grant(session: Session, insats: Insats, year: int, amount_ore: int, actor: str, *,
              decided_on: date | None = None, paragraph: Paragraph | None = None,
              entry: Entry | None = None, comment: str = "", source: str = "chatt",
              event_id: str = "") -> BudgetGrant:
    grant = BudgetGrant(forbund_id=insats.forbund_id, insats_id=insats.id, year=year,
                        amount_ore=amount_ore, decided_on=decided_on,
                        paragraph_id=paragraph.id if paragraph else None,
                        entry_id=entry.id if entry else None, comment=comment[:300],
                        source=source, created_by=actor, source_event_id=event_id)
    session.add(grant)
    session.flush()
    return grant


def add_outcome(session: Session, insats: Insats, year: int, amount_ore: int, actor: str, *,
                booked_on: date | None = None, comment: str = "", source: str = "chatt",
                event_id: str = "") -> BudgetOutcome:
    outcome = BudgetOutcome(forbund_id=insats.forbund_id, insats_id=insats.id, year=year,
                            amount_ore=amount_ore, booked_on=booked_on, comment=comment[:300],
                            source=source, created_by=actor, source_event_id=event_id)
    session.add(outcome)
    session.flush()
    return outcome


@dataclass(frozen=True)
class GrantSource:
    """Where a grant comes from: the § that decided it, or its import comment."""

    amount_ore: int
    paragraph_number: int | None
    meeting_date: date | None
    decided_on: date | None
    comment: str
    source: str


class _Spending:
    """What remains of a grant, and how much of it is used (for InsatsYear and TableRow)."""

    granted_ore: int
    spent_ore: int

    @property
    def remaining_ore(self) -> int:
        return self.granted_ore - self.spent_ore

    @property
    def share_used(self) -> int | None:
        """Whole percent of the grant spent; None without a grant."""
        if self.granted_ore <= 0:
            return None
        return round(self.spent_ore * 100 / self.granted_ore)


@dataclass(frozen=True)
class InsatsYear(_Spending):
    insats: Insats
    year: int
    granted_ore: int
    spent_ore: int
    outcomes: int
    latest_on: date | None
    latest_comment: str
    grants: list[GrantSource]
    credited_ore: int = 0  # återbetalningar (credits), already netted in spent_ore


def insats_year(session: Session, insats: Insats, year: int) -> InsatsYear:
    """Granted, spent and the latest outcome of one insats in one year: three index reads
    (the granted sum is the sum of the grants listed)."""
    params = {"insats_id": insats.id, "year": year}
    spent, credited, count = session.exec(_SPENT, params=params).one()
    latest = session.exec(_LATEST, params=params).first()
    # session.execute: SQLModel's exec would keep only the first column of add_columns.
    sources = session.execute(_SOURCES, params).all()
    grants = [GrantSource(g.amount_ore, number, day, g.decided_on, g.comment, g.source)
              for g, number, day in sources]
    granted = sum(g.amount_ore for g in grants)
    return InsatsYear(insats=insats, year=year, granted_ore=int(granted), spent_ore=int(spent),
                      outcomes=int(count), latest_on=latest[0] if latest else None,
                      latest_comment=latest[1] if latest else "", grants=grants,
                      credited_ore=int(credited))


def _credited():  # type: ignore[no-untyped-def]
    """The sum of the credits (negative utfall) as a positive amount, in the same scan."""
    return func.coalesce(func.sum(case((BudgetOutcome.amount_ore < 0,
                                        -BudgetOutcome.amount_ore), else_=0)), 0)


# insats_year's reads, built once (building a statement costs as much as running it).
_OF_INSATS_YEAR = (BudgetOutcome.insats_id == bindparam("insats_id"),
                   BudgetOutcome.year == bindparam("year"))
_SPENT = select(func.coalesce(func.sum(BudgetOutcome.amount_ore), 0), _credited(),
                func.count()).where(*_OF_INSATS_YEAR)
_LATEST = select(BudgetOutcome.booked_on, BudgetOutcome.comment).where(*_OF_INSATS_YEAR) \
    .order_by(BudgetOutcome.booked_on.desc().nulls_last(), BudgetOutcome.id.desc()).limit(1)
_SOURCES = (_live_grants().add_columns(Paragraph.number, Meeting.date)
            .outerjoin(Paragraph, Paragraph.id == BudgetGrant.paragraph_id)
            .outerjoin(Meeting, Meeting.id == Paragraph.meeting_id)
            .where(BudgetGrant.insats_id == bindparam("insats_id"),
                   BudgetGrant.year == bindparam("year"))
            .order_by(BudgetGrant.id))


def years_of_insats(session: Session, insats_id: int) -> list[int]:
    """Years with a grant or an outcome for the insats, newest first."""
    query = union(
        select(BudgetGrant.year).outerjoin(Entry, Entry.id == BudgetGrant.entry_id)
        .where(BudgetGrant.insats_id == insats_id, Entry.removed_at.is_(None)).distinct(),
        select(BudgetOutcome.year).where(BudgetOutcome.insats_id == insats_id).distinct())
    return sorted({row[0] for row in session.execute(query).all()}, reverse=True)


def default_year(session: Session, this_year: int, *, forbund_id: int | None = None,
                 insats_id: int | None = None) -> int:
    """The year `!budget` shows without one: this year when the förbund (or insats) has a
    grant or an outcome in it, else the latest such year before it, else the first after.
    Every step is a seek in the (förbund or insats, year) indexes, never a scan of all the
    years' rows (a DISTINCT over a million outcomes took 200 ms on PostgreSQL)."""
    def first(model: type[BudgetGrant] | type[BudgetOutcome], *where: object,
              latest: bool) -> int | None:
        owner = (model.forbund_id == forbund_id if insats_id is None
                 else model.insats_id == insats_id)
        order = model.year.desc() if latest else model.year.asc()
        query = select(model.year)
        if model is BudgetGrant:  # a grant whose decision was undone does not count
            query = query.outerjoin(Entry, Entry.id == BudgetGrant.entry_id).where(
                Entry.removed_at.is_(None))
        return session.exec(query.where(owner, *where)  # type: ignore[arg-type]
                            .order_by(order).limit(1)).first()

    models = (BudgetGrant, BudgetOutcome)
    if any(first(m, m.year == this_year, latest=True) is not None for m in models):
        return this_year
    past = [y for m in models if (y := first(m, m.year < this_year, latest=True)) is not None]
    if past:
        return max(past)
    future = [y for m in models if (y := first(m, m.year > this_year, latest=False)) is not None]
    return min(future) if future else this_year


@dataclass(frozen=True)
class TableRow(_Spending):
    name: str
    granted_ore: int
    spent_ore: int
    credited_ore: int = 0  # återbetalningar, already netted in spent_ore


@dataclass(frozen=True)
class YearTable:
    year: int
    rows: list[TableRow]
    tilldelning_ore: int | None
    eget_kapital_ore: int | None

    @property
    def granted_ore(self) -> int:
        return sum(r.granted_ore for r in self.rows)

    @property
    def spent_ore(self) -> int:
        return sum(r.spent_ore for r in self.rows)

    @property
    def credited_ore(self) -> int:
        return sum(r.credited_ore for r in self.rows)

    @property
    def remaining_ore(self) -> int:
        return self.granted_ore - self.spent_ore

    @property
    def share_used(self) -> int | None:
        return round(self.spent_ore * 100 / self.granted_ore) if self.granted_ore > 0 else None

    @property
    def unallocated_ore(self) -> int | None:
        """What of the tilldelning no insats has been granted."""
        if self.tilldelning_ore is None:
            return None
        return self.tilldelning_ore - self.granted_ore

    @property
    def tilldelning_split(self) -> tuple[int, int, int] | None:
        """Staten 50 %, regionen 25 %, kommunerna 25 % (the law's split), in öre."""
        if self.tilldelning_ore is None:
            return None
        state, region = self.tilldelning_ore // 2, self.tilldelning_ore // 4
        return state, region, self.tilldelning_ore - state - region

    @property
    def eget_kapital_share(self) -> int | None:
        if self.eget_kapital_ore is None or not self.tilldelning_ore:
            return None
        return round(self.eget_kapital_ore * 100 / self.tilldelning_ore)


def year_table(session: Session, forbund_id: int, year: int) -> YearTable:
    """Every insats with a grant or an outcome in the year: two grouped sums."""
    live = _live_grants().where(BudgetGrant.forbund_id == forbund_id,
                                BudgetGrant.year == year).subquery()
    granted = dict(session.execute(
        select(live.c.insats_id, func.sum(live.c.amount_ore)).group_by(live.c.insats_id)).all())
    sums = session.execute(
        select(BudgetOutcome.insats_id, func.sum(BudgetOutcome.amount_ore), _credited())
        .where(BudgetOutcome.forbund_id == forbund_id, BudgetOutcome.year == year)
        .group_by(BudgetOutcome.insats_id)).all()
    spent = {i: total for i, total, _ in sums}
    credited = {i: back for i, _, back in sums}
    ids = set(granted) | set(spent)
    names = dict(session.execute(select(Insats.id, Insats.name).where(Insats.id.in_(ids)))
                 .all()) if ids else {}
    rows = [TableRow(names[i], int(granted.get(i) or 0), int(spent.get(i) or 0),
                     int(credited.get(i) or 0)) for i in ids]
    rows.sort(key=lambda r: (-r.granted_ore, name_key(r.name)))
    figures = budget_year(session, forbund_id, year)
    return YearTable(year=year, rows=rows,
                     tilldelning_ore=figures.tilldelning_ore if figures else None,
                     eget_kapital_ore=figures.eget_kapital_ore if figures else None)


def grant_of_entry(session: Session, entry_id: int) -> BudgetGrant | None:
    """The grant that the decision `entry_id` made with !anslag, if any."""
    return session.exec(select(BudgetGrant).where(BudgetGrant.entry_id == entry_id)).first()


def insats_by_id(session: Session, insats_id: int) -> Insats:
    """The insats a grant or outcome belongs to (it is never deleted)."""
    insats = session.get(Insats, insats_id)
    assert insats is not None
    return insats


def change_grant(session: Session, grant: BudgetGrant, year: int, amount_ore: int
                 ) -> BudgetGrant:
    grant.year, grant.amount_ore = year, amount_ore
    session.add(grant)
    session.flush()
    return grant


def grants_of_paragraph(session: Session, paragraph_id: int) -> list[tuple[BudgetGrant, str]]:
    """The grants a § decided, with the insats names (the link from § to budget)."""
    return [(g, n) for g, n in session.execute(
        _live_grants().add_columns(Insats.name).join(Insats, Insats.id == BudgetGrant.insats_id)
        .where(BudgetGrant.paragraph_id == paragraph_id).order_by(BudgetGrant.id)).all()]


# --- the förbund's year -------------------------------------------------------------------


def budget_year(session: Session, forbund_id: int, year: int) -> BudgetYear | None:
    return session.exec(select(BudgetYear).where(BudgetYear.forbund_id == forbund_id,
                                                 BudgetYear.year == year)).first()


def set_year_figure(session: Session, forbund_id: int, year: int, actor: str, *,
                    tilldelning_ore: int | None = None,
                    eget_kapital_ore: int | None = None) -> BudgetYear:
    row = budget_year(session, forbund_id, year) or BudgetYear(forbund_id=forbund_id, year=year)
    if tilldelning_ore is not None:
        row.tilldelning_ore = tilldelning_ore
    if eget_kapital_ore is not None:
        row.eget_kapital_ore = eget_kapital_ore
    row.updated_by, row.updated_at = actor, utcnow()
    session.add(row)
    session.flush()
    return row


def forbund_choices(session: Session) -> list[tuple[int, str, str]]:
    """(id, key, name) of every förbund, for the command line's --forbund."""
    from storage.models import Forbund

    return [(f.id, f.key, f.name) for f in session.exec(select(Forbund).order_by(Forbund.id))]
