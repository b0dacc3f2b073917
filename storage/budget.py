"""Queries of the budget per insats. Every function takes the förbund it answers for, and
every sum is one SQL aggregate over an index on (förbund or insats, year): the answer time
depends on the rows of that insats or year, never on other förbund, insatser or years."""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, case, func, or_, union
from sqlmodel import Session, select

from storage.folding import fold
from storage.models import Entry, Meeting, Paragraph, utcnow
from storage.models_budget import BudgetGrant, BudgetOutcome, BudgetYear, Insats, InsatsAlias

TYPO_ACCEPT = 0.8  # a name this close to exactly one insats is taken as that insats
TYPO_SUGGEST = 0.55  # closer than this is offered as "menade du …?"


def name_key(text: str) -> str:
    """Case, diacritics, punctuation and spacing ignored: 'Förstärkt budget- och
    skuldrådgivning' -> 'forstarkt budget och skuldradgivning'."""
    return re.sub(r"[\W_]+", " ", fold(text)).strip()


# --- the register -------------------------------------------------------------------------


def insatser(session: Session, forbund_id: int) -> list[Insats]:
    return list(session.exec(select(Insats).where(Insats.forbund_id == forbund_id)
                             .order_by(Insats.name_key)).all())


def aliases_of(session: Session, insats_ids: Iterable[int]) -> dict[int, list[str]]:
    ids = list(insats_ids)
    found: dict[int, list[str]] = {i: [] for i in ids}
    if not ids:
        return found
    for row in session.exec(select(InsatsAlias).where(InsatsAlias.insats_id.in_(ids))
                            .order_by(InsatsAlias.id)).all():
        found[row.insats_id].append(row.alias)
    return found


def find_exact(session: Session, forbund_id: int, text: str) -> Insats | None:
    """The insats whose name or alias is `text` (case, diacritics, punctuation ignored)."""
    key = name_key(text)
    if not key:
        return None
    by_name = session.exec(select(Insats).where(Insats.forbund_id == forbund_id,
                                                Insats.name_key == key)).first()
    if by_name is not None:
        return by_name
    return session.exec(select(Insats).join(InsatsAlias, InsatsAlias.insats_id == Insats.id)
                        .where(InsatsAlias.forbund_id == forbund_id,
                               InsatsAlias.alias_key == key)).first()


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


@dataclass
class Match:
    """What a typed name found: one insats, several candidates, or a suggestion."""

    found: Insats | None = None
    candidates: list[Insats] = field(default_factory=list)
    suggestion: Insats | None = None


def match_insats(session: Session, forbund_id: int, text: str) -> Match:
    """Forgiving lookup within ONE förbund: exact name or alias, then a distinctive part of
    the name ('skuldrådgivning', 'äpplet'), then small typos ('Vidre Vy')."""
    exact = find_exact(session, forbund_id, text)
    if exact is not None:
        return Match(found=exact)
    query = name_key(text)
    if not query:
        return Match()
    register = insatser(session, forbund_id)
    aliases = aliases_of(session, [i.id for i in register])
    keyed = [(i, [i.name_key, *(name_key(a) for a in aliases[i.id])]) for i in register]
    words = query.split()
    containing = [i for i, keys in keyed
                  if any(all(w in key for w in words) for key in keys)]
    if len(containing) == 1:
        return Match(found=containing[0])
    if containing:
        whole = [i for i, keys in keyed if i in containing
                 and any(all(w in key.split() for w in words) for key in keys)]
        if len(whole) == 1:  # 'vy' names 'Vidare Vy', not 'Vyer i norr'
            return Match(found=whole[0])
        return Match(candidates=containing)
    scored = sorted(((max(_similarity(query, key) for key in keys), i) for i, keys in keyed),
                    key=lambda pair: (-pair[0], pair[1].name_key))
    if not scored:
        return Match()
    best_score, best = scored[0]
    close = [i for score, i in scored if score >= TYPO_ACCEPT and score > best_score - 0.05]
    if best_score >= TYPO_ACCEPT and len(close) == 1:
        return Match(found=best)
    if len(close) > 1:
        return Match(candidates=close)
    return Match(suggestion=best if best_score >= TYPO_SUGGEST else None)


def _similarity(query: str, key: str) -> float:
    """The best of the whole name and every run of as many words as the query has."""
    best = difflib.SequenceMatcher(None, query, key).ratio()
    size = len(query.split())
    words = key.split()
    for start in range(max(len(words) - size + 1, 0)):
        window = " ".join(words[start:start + size])
        best = max(best, difflib.SequenceMatcher(None, query, window).ratio())
    return best


def insats_names(session: Session, forbund_id: int, year: int) -> list[str]:
    """The förbund's active insatser in `year`, by name: those with a grant that year, and
    those marked aktiv whose period (if any) covers the year. For reminders and the like."""
    granted = select(BudgetGrant.insats_id).where(BudgetGrant.forbund_id == forbund_id,
                                                  BudgetGrant.year == year)
    rows = session.exec(select(Insats.name).where(
        Insats.forbund_id == forbund_id,
        or_(Insats.id.in_(granted),
            and_(Insats.status == "aktiv",
                 or_(Insats.start_year.is_(None), Insats.start_year <= year),
                 or_(Insats.end_year.is_(None), Insats.end_year >= year))))
        .order_by(Insats.name_key)).all()
    return list(rows)


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


@dataclass(frozen=True)
class InsatsYear:
    insats: Insats
    year: int
    granted_ore: int
    spent_ore: int
    outcomes: int
    latest_on: date | None
    latest_comment: str
    grants: list[GrantSource]
    credited_ore: int = 0  # återbetalningar (credits), already netted in spent_ore

    @property
    def remaining_ore(self) -> int:
        return self.granted_ore - self.spent_ore

    @property
    def share_used(self) -> int | None:
        """Whole percent of the grant spent; None without a grant."""
        if self.granted_ore <= 0:
            return None
        return round(self.spent_ore * 100 / self.granted_ore)


def insats_year(session: Session, insats: Insats, year: int) -> InsatsYear:
    """Granted, spent and the latest outcome of one insats in one year: three index reads."""
    live = _live_grants().where(BudgetGrant.insats_id == insats.id,
                                BudgetGrant.year == year).subquery()
    granted = session.exec(select(func.coalesce(func.sum(live.c.amount_ore), 0))).one()
    spent, credited, count = session.exec(
        select(func.coalesce(func.sum(BudgetOutcome.amount_ore), 0), _credited(), func.count())
        .where(BudgetOutcome.insats_id == insats.id, BudgetOutcome.year == year)).one()
    latest = session.exec(
        select(BudgetOutcome.booked_on, BudgetOutcome.comment)
        .where(BudgetOutcome.insats_id == insats.id, BudgetOutcome.year == year)
        .order_by(BudgetOutcome.booked_on.desc().nulls_last(), BudgetOutcome.id.desc())
        .limit(1)).first()
    # session.execute: SQLModel's exec would keep only the first column of add_columns.
    sources = session.execute(
        _live_grants().add_columns(Paragraph.number, Meeting.date)
        .outerjoin(Paragraph, Paragraph.id == BudgetGrant.paragraph_id)
        .outerjoin(Meeting, Meeting.id == Paragraph.meeting_id)
        .where(BudgetGrant.insats_id == insats.id, BudgetGrant.year == year)
        .order_by(BudgetGrant.id)).all()
    grants = [GrantSource(g.amount_ore, number, day, g.decided_on, g.comment, g.source)
              for g, number, day in sources]
    return InsatsYear(insats=insats, year=year, granted_ore=int(granted), spent_ore=int(spent),
                      outcomes=int(count), latest_on=latest[0] if latest else None,
                      latest_comment=latest[1] if latest else "", grants=grants,
                      credited_ore=int(credited))


def _credited():  # type: ignore[no-untyped-def]
    """The sum of the credits (negative utfall) as a positive amount, in the same scan."""
    return func.coalesce(func.sum(case((BudgetOutcome.amount_ore < 0,
                                        -BudgetOutcome.amount_ore), else_=0)), 0)


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
class TableRow:
    name: str
    granted_ore: int
    spent_ore: int
    credited_ore: int = 0  # återbetalningar, already netted in spent_ore

    @property
    def remaining_ore(self) -> int:
        return self.granted_ore - self.spent_ore

    @property
    def share_used(self) -> int | None:
        if self.granted_ore <= 0:
            return None
        return round(self.spent_ore * 100 / self.granted_ore)


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


# --- import and export --------------------------------------------------------------------


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


def near_names(session: Session, forbund_id: int, lines: list[BudgetLine]) -> list[NearName]:
    """The file's names that would create a new insats although one like it exists
    ('Samtalsbyrån' for 'Samtalsbyrån för unga'), each at the first line it is on."""
    near: list[NearName] = []
    seen: set[str] = set()
    for ln in lines:
        key = name_key(ln.insats)
        if key in seen:
            continue
        seen.add(key)
        if find_exact(session, forbund_id, ln.insats) is not None:
            continue
        match = match_insats(session, forbund_id, ln.insats)
        like = ([match.found] if match.found else match.candidates
                or ([match.suggestion] if match.suggestion else []))
        if like:
            near.append(NearName(ln.line, ln.insats, [i.name for i in like]))
    return near


def import_lines(session: Session, forbund_id: int, lines: list[BudgetLine], actor: str,
                 event_id: str = "") -> ImportResult:
    """Add what the file has and the store lacks. A grant or outcome already stored with the
    same insats, year, amount and date (from an earlier import or from the chat) counts as
    the file's row, so importing a file twice, or re-importing an export, changes nothing.
    A name only like an existing insats raises NearNamesError before anything is stored:
    the economy office's 'Samtalsbyrån' must not silently become a second insats."""
    near = near_names(session, forbund_id, lines)
    if near:
        raise NearNamesError(near)
    result = ImportResult(years=sorted({ln.year for ln in lines}))
    by_key: dict[str, Insats] = {}
    for ln in lines:
        key = name_key(ln.insats)
        if key in by_key:
            continue
        insats = find_exact(session, forbund_id, ln.insats)
        if insats is None:
            insats = create_insats(session, forbund_id, ln.insats, actor)
            result.new_insatser.append(insats.name)
        by_key[key] = insats
    have_grants = Counter(
        (g.insats_id, g.year, g.amount_ore, g.decided_on) for g in session.exec(
            _live_grants().where(BudgetGrant.forbund_id == forbund_id,
                                 BudgetGrant.year.in_(result.years))).all())
    have_outcomes = Counter(session.exec(
        select(BudgetOutcome.insats_id, BudgetOutcome.year, BudgetOutcome.amount_ore,
               BudgetOutcome.booked_on)
        .where(BudgetOutcome.forbund_id == forbund_id,
               BudgetOutcome.year.in_(result.years))).all())
    for ln in lines:
        insats = by_key[name_key(ln.insats)]
        if ln.granted_ore is not None:
            key = (insats.id, ln.year, ln.granted_ore, ln.day)
            if have_grants[key] > 0:
                have_grants[key] -= 1
                result.unchanged += 1
            else:
                add_grant(session, insats, ln.year, ln.granted_ore, actor, decided_on=ln.day,
                          comment=ln.comment, source="import", event_id=event_id)
                result.grants += 1
        if ln.spent_ore is not None:
            key = (insats.id, ln.year, ln.spent_ore, ln.day)
            if have_outcomes[key] > 0:
                have_outcomes[key] -= 1
                result.unchanged += 1
            else:
                add_outcome(session, insats, ln.year, ln.spent_ore, actor, booked_on=ln.day,
                            comment=ln.comment, source="import", event_id=event_id)
                result.outcomes += 1
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


def forbund_choices(session: Session) -> list[tuple[int, str, str]]:
    """(id, key, name) of every förbund, for the command line's --forbund."""
    from storage.models import Forbund

    return [(f.id, f.key, f.name) for f in session.exec(select(Forbund).order_by(Forbund.id))]


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
