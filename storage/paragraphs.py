"""Numbered paragraphs (§), their entries, the audit trail and search."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import bindparam, func, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.folding import search_key
from storage.models import (
    AuditEntry,
    Entry,
    Meeting,
    NumberingStart,
    Organ,
    Paragraph,
    utcnow,
)

NUMBER_RETRIES = 20
# The entry kind of a sub-ärende's heading (`!punkt`): the entries after it belong to it.
PUNKT = "punkt"


@dataclass
class ParagraphView:
    """A § with its live entries, ready for templates."""

    paragraph: Paragraph
    meeting: Meeting
    entries: list[Entry] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Entry]:
        return [e for e in self.entries if e.kind == kind]

    @property
    def number(self) -> int:
        return self.paragraph.number

    @property
    def title(self) -> str:
        return self.paragraph.title

    @property
    def parts(self) -> list[ParagraphPart]:
        """The § as the sub-ärenden it was taken in (`!punkt`), in order; what was written
        before the first punkt is a part without heading. A § without punkter is one part."""
        parts = [ParagraphPart(None)]
        for entry in self.entries:
            if entry.kind == PUNKT:
                parts.append(ParagraphPart(entry))
            else:
                parts[-1].entries.append(entry)
        return [p for p in parts if p.heading or p.entries] or parts

    @property
    def punkter(self) -> list[ParagraphPart]:
        return [p for p in self.parts if p.heading is not None]


@dataclass
class ParagraphPart:
    """One sub-ärende of a § (its heading entry and the entries after it), read by the
    templates as a § is (`of_kind`)."""

    heading: Entry | None
    entries: list[Entry] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Entry]:
        return [e for e in self.entries if e.kind == kind]


def series_for(numbering: str, meeting: Meeting) -> str:
    """År-numbering runs through the meeting's calendar year; möte-numbering per meeting."""
    return str(meeting.date.year) if numbering == "år" else f"m{meeting.id}"


def highest_number(session: Session, organ_id: int, series: str) -> int:
    return session.exec(
        select(func.coalesce(func.max(Paragraph.number), 0))
        .where(Paragraph.organ_id == organ_id, Paragraph.series == series)
    ).one()


def next_number(session: Session, organ_id: int, series: str) -> int:
    start = session.exec(select(NumberingStart.next_number).where(
        NumberingStart.organ_id == organ_id, NumberingStart.series == series)).first()
    return max(highest_number(session, organ_id, series) + 1, start or 1)


def set_next_number(session: Session, organ_id: int, series: str, number: int) -> int | None:
    """Choose the next § number; returns the colliding highest number instead if `number`
    is not above every existing §."""
    highest = highest_number(session, organ_id, series)
    if number <= highest:
        return highest
    row = session.exec(select(NumberingStart).where(
        NumberingStart.organ_id == organ_id, NumberingStart.series == series)).first()
    if row is None:
        row = NumberingStart(organ_id=organ_id, series=series, next_number=number)
    row.next_number = number
    session.add(row)
    session.flush()
    return None


def create_paragraph(session: Session, organ_id: int, numbering: str, meeting: Meeting,
                     title: str, actor: str, event_id: str) -> Paragraph:
    """Take the next free number. Writers to one organ queue on its row (FOR UPDATE on
    PostgreSQL; SQLite has one writer at a time anyway), so the next number is read after
    the previous writer committed. The unique (organ, series, number) constraint stays the
    guard: should an insert still collide, we retry with the number after theirs."""
    series = series_for(numbering, meeting)
    session.exec(select(Organ.id).where(Organ.id == organ_id).with_for_update())
    for _ in range(NUMBER_RETRIES):
        number = next_number(session, organ_id, series)
        paragraph = Paragraph(organ_id=organ_id, meeting_id=meeting.id, series=series,
                              year=meeting.date.year, number=number, title=title,
                              created_by=actor, source_event_id=event_id)
        try:
            with session.begin_nested():
                session.add(paragraph)
                session.flush()
        except IntegrityError:
            continue  # the savepoint's rollback already dropped our row
        _audit(session, paragraph, None, "§ skapad", actor, None, title, event_id)
        return paragraph
    raise RuntimeError("no free paragraph number after retries")


# Built once: every recording command and !visa ask these, and building a statement costs
# as much as running it.
_CURRENT = select(Paragraph).where(Paragraph.meeting_id == bindparam("meeting_id")) \
    .order_by(Paragraph.number.desc())
_FIND = select(Paragraph).where(Paragraph.organ_id == bindparam("organ_id"),
                                Paragraph.series == bindparam("series"),
                                Paragraph.number == bindparam("number"))
_LIVE_ENTRIES = select(Entry).where(Entry.paragraph_id == bindparam("paragraph_id"),
                                    Entry.removed_at.is_(None)).order_by(Entry.position, Entry.id)
_LAST_POSITION = select(func.coalesce(func.max(Entry.position), 0)) \
    .where(Entry.paragraph_id == bindparam("paragraph_id"))


def current_paragraph(session: Session, meeting_id: int) -> Paragraph | None:
    return session.exec(_CURRENT, params={"meeting_id": meeting_id}).first()


def find_paragraph(session: Session, organ_id: int, series: str, number: int
                   ) -> Paragraph | None:
    return session.exec(_FIND, params={"organ_id": organ_id, "series": series,
                                       "number": number}).first()


def paragraph_by_id(session: Session, paragraph_id: int) -> Paragraph | None:
    return session.get(Paragraph, paragraph_id)


def entry_by_id(session: Session, entry_id: int) -> Entry | None:
    return session.get(Entry, entry_id)


def paragraphs_numbered_in_year(session: Session, organ_id: int, year: int, number: int
                                ) -> list[Paragraph]:
    """Every § `number` of the organ's meetings in `year`, oldest meeting first: with
    möte-numbering each meeting has its own § 1, § 2 …"""
    return list(session.exec(
        select(Paragraph).join(Meeting, Meeting.id == Paragraph.meeting_id)
        .where(Paragraph.organ_id == organ_id, Paragraph.year == year,
               Paragraph.number == number)
        .order_by(Meeting.date, Meeting.id)).all())


def live_entries(session: Session, paragraph_id: int) -> list[Entry]:
    return list(session.exec(_LIVE_ENTRIES, params={"paragraph_id": paragraph_id}).all())


def view(session: Session, paragraph: Paragraph) -> ParagraphView:
    meeting = session.get(Meeting, paragraph.meeting_id)
    return ParagraphView(paragraph, meeting, live_entries(session, paragraph.id))


def paragraphs_of_meeting(session: Session, meeting_id: int) -> list[ParagraphView]:
    meeting = session.get(Meeting, meeting_id)
    paragraphs = session.exec(select(Paragraph).where(Paragraph.meeting_id == meeting_id)
                              .order_by(Paragraph.number)).all()
    if not paragraphs:
        return []
    entries = session.exec(select(Entry).where(
        Entry.paragraph_id.in_([p.id for p in paragraphs]), Entry.removed_at.is_(None))
        .order_by(Entry.position, Entry.id)).all()
    by_paragraph: dict[int, list[Entry]] = {}
    for entry in entries:
        by_paragraph.setdefault(entry.paragraph_id, []).append(entry)
    return [ParagraphView(p, meeting, by_paragraph.get(p.id, [])) for p in paragraphs]


def add_entry(session: Session, paragraph: Paragraph, kind: str, text: str, proposer: str,
              actor: str, event_id: str) -> Entry:
    position = session.exec(_LAST_POSITION, params={"paragraph_id": paragraph.id}).one() + 1
    entry = Entry(paragraph_id=paragraph.id, kind=kind, text=text,
                  search_text=search_key(text), proposer=proposer, position=position,
                  created_by=actor, source_event_id=event_id)
    session.add(entry)
    session.flush()
    _audit(session, paragraph, entry.id, f"{kind} tillagd", actor, None, text, event_id)
    return entry


def change_entry(session: Session, paragraph: Paragraph, entry: Entry, text: str, actor: str,
                 event_id: str) -> str:
    old = entry.text
    entry.text, entry.search_text = text, search_key(text)
    session.add(entry)
    _audit(session, paragraph, entry.id, f"{entry.kind} ändrad", actor, old, text, event_id)
    return old


def log_change(session: Session, paragraph: Paragraph, action: str, actor: str, old: str,
               new: str, event_id: str) -> None:
    """A correction of something in the § that is not an entry (a reservation's
    motivering, an anteckning, a recorded vote), in the same log as the entries'."""
    _audit(session, paragraph, None, action, actor, old, new, event_id)


def change_title(session: Session, paragraph: Paragraph, title: str, actor: str,
                 event_id: str) -> str:
    old = paragraph.title
    paragraph.title = title
    session.add(paragraph)
    _audit(session, paragraph, None, "rubrik ändrad", actor, old, title, event_id)
    return old


@dataclass(frozen=True)
class LastAction:
    """What `actor` added last in a meeting: an entry, or a § that is still empty."""

    paragraph: Paragraph
    entry: Entry | None

    @property
    def kind(self) -> str:
        return self.entry.kind if self.entry else "paragraf"

    @property
    def text(self) -> str:
        return self.entry.text if self.entry else self.paragraph.title

    @property
    def number(self) -> int:
        return self.paragraph.number


def last_action(session: Session, meeting: Meeting, actor: str) -> LastAction | None:
    paragraphs = {p.id: p for p in session.exec(
        select(Paragraph).where(Paragraph.meeting_id == meeting.id)).all()}
    if not paragraphs:
        return None
    entry = session.exec(select(Entry).where(
        Entry.paragraph_id.in_(list(paragraphs)), Entry.created_by == actor,
        Entry.removed_at.is_(None)).order_by(Entry.created_at.desc(), Entry.id.desc())).first()
    own = [p for p in paragraphs.values() if p.created_by == actor]
    newest = max(own, key=lambda p: (p.created_at, p.id), default=None)
    # An empty § is only removed when it is the last one, so no number is left out.
    if (newest is not None and (entry is None or newest.created_at > entry.created_at)
            and newest.number == max(p.number for p in paragraphs.values())
            and not _has_any_entries(session, newest)):
        return LastAction(newest, None)
    return LastAction(paragraphs[entry.paragraph_id], entry) if entry else None


def undo(session: Session, action: LastAction, actor: str, event_id: str) -> None:
    if action.entry is None:
        _audit(session, action.paragraph, None, "§ borttagen", actor, action.paragraph.title,
               None, event_id)
        session.delete(action.paragraph)
    else:
        action.entry.removed_at = utcnow()
        session.add(action.entry)
        _audit(session, action.paragraph, action.entry.id, f"{action.entry.kind} ångrad", actor,
               action.entry.text, None, event_id)
    session.flush()


def _has_any_entries(session: Session, paragraph: Paragraph) -> bool:
    return session.exec(select(func.count()).where(Entry.paragraph_id == paragraph.id)).one() > 0


def search(session: Session, organ_id: int, words: list[str], limit: int = 10
           ) -> tuple[list[tuple[Paragraph, Meeting, Entry]], int]:
    """Decisions (and other entries) containing every word; newest first, with the total."""
    query = (select(Paragraph, Meeting, Entry)
             .join(Entry, Entry.paragraph_id == Paragraph.id)
             .join(Meeting, Meeting.id == Paragraph.meeting_id)
             .where(Paragraph.organ_id == organ_id, Entry.removed_at.is_(None)))
    for word in words:
        query = query.where(Entry.search_text.contains(search_key(word), autoescape=True))
    rows = session.exec(query.order_by(Meeting.date.desc(), Paragraph.number.desc(),
                                       Entry.position)).all()
    return list(rows[:limit]), len(rows)


def audit_trail(session: Session, paragraph_id: int) -> list[AuditEntry]:
    return list(session.exec(select(AuditEntry).where(AuditEntry.paragraph_id == paragraph_id)
                             .order_by(AuditEntry.at, AuditEntry.id)).all())


# An insert on the table, past the ORM: nothing reads the row back in the transaction,
# and the ORM's object and flush cost twice the insert on every recorded entry.
_AUDIT_INSERT = insert(AuditEntry.__table__)  # type: ignore[attr-defined]


def _audit(session: Session, paragraph: Paragraph, entry_id: int | None, action: str,
           actor: str, old: str | None, new: str | None, event_id: str) -> None:
    session.connection().execute(_AUDIT_INSERT, {
        "organ_id": paragraph.organ_id,
        "paragraph_ref": f"{paragraph.series} § {paragraph.number}",
        "paragraph_id": paragraph.id, "entry_id": entry_id, "action": action, "actor": actor,
        "at": utcnow(), "old_text": old, "new_text": new, "source_event_id": event_id})
