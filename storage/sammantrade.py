"""Queries of the lawful sammanträde: numbered yrkanden, instämmanden, ersättare, jäv,
proposition, votering and röster, reservationer, anteckningar and the steps `!ångra`
takes back. The rules (who is beslutande in a §, who may vote or reserve) live in
bot.commands.sammantrade.procedure; this module only reads and writes rows."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func
from sqlmodel import Session, select

from storage.keys import name_key
from storage.models import Entry, Meeting, Paragraph, utcnow
from storage.models_sammantrade import (
    Anteckning,
    Ersattare,
    Instammande,
    Jav,
    ProcedureStep,
    Proposition,
    Reservation,
    Rost,
    Votering,
    YrkandeNumber,
)

OPEN, DONE, CANCELLED = "öppen", "klar", "avbruten"


# Yrkanden.

def number_yrkande(session: Session, entry: Entry) -> YrkandeNumber:
    """The next number in the entry's §; numbers of withdrawn yrkanden stay taken."""
    highest = session.exec(select(func.coalesce(func.max(YrkandeNumber.number), 0))
                           .where(YrkandeNumber.paragraph_id == entry.paragraph_id)).one()
    row = YrkandeNumber(paragraph_id=entry.paragraph_id, entry_id=entry.id, number=highest + 1)
    session.add(row)
    session.flush()
    return row


def drop_number(session: Session, entry_id: int) -> None:
    """A yrkande taken back with `!ångra` (a slip, not a withdrawal) frees its number."""
    row = session.exec(select(YrkandeNumber).where(YrkandeNumber.entry_id == entry_id)).first()
    if row is not None:
        for joined in session.exec(select(Instammande).where(
                Instammande.yrkande_id == row.id)).all():
            session.delete(joined)
        session.delete(row)
        session.flush()


def yrkande(session: Session, paragraph_id: int, number: int
            ) -> tuple[YrkandeNumber, Entry] | None:
    row = session.exec(select(YrkandeNumber).where(
        YrkandeNumber.paragraph_id == paragraph_id, YrkandeNumber.number == number)).first()
    if row is None:
        return None
    return row, session.get(Entry, row.entry_id)


def withdraw(session: Session, row: YrkandeNumber, entry: Entry, actor: str) -> None:
    row.withdrawn_at, row.withdrawn_by = utcnow(), actor
    entry.removed_at = row.withdrawn_at  # a withdrawn yrkande leaves the protokoll
    session.add_all([row, entry])
    session.flush()


def restore(session: Session, row: YrkandeNumber) -> Entry:
    entry = session.get(Entry, row.entry_id)
    row.withdrawn_at, row.withdrawn_by, entry.removed_at = None, "", None
    session.add_all([row, entry])
    session.flush()
    return entry


def add_instammande(session: Session, row: YrkandeNumber, name: str, actor: str
                    ) -> Instammande | None:
    """None when `name` already instämmer in it."""
    if session.exec(select(Instammande).where(Instammande.yrkande_id == row.id,
                                              Instammande.name == name)).first():
        return None
    joined = Instammande(yrkande_id=row.id, name=name, created_by=actor)
    session.add(joined)
    session.flush()
    return joined


# Ersättare and jäv.

def add_ersattare(session: Session, row: Ersattare) -> Ersattare:
    session.add(row)
    session.flush()
    return row


_ERSATTARE_OF = select(Ersattare).where(Ersattare.meeting_id == bindparam("meeting_id")) \
    .order_by(Ersattare.id)


def ersattare_of(session: Session, meeting_id: int) -> list[Ersattare]:
    """Asked on every !beslut (beslutsförhet): built once."""
    return list(session.exec(_ERSATTARE_OF, params={"meeting_id": meeting_id}).all())


def add_jav(session: Session, paragraph_id: int, name: str, actor: str) -> Jav | None:
    if session.exec(select(Jav).where(Jav.paragraph_id == paragraph_id,
                                      Jav.name == name)).first():
        return None
    row = Jav(paragraph_id=paragraph_id, name=name, created_by=actor)
    session.add(row)
    session.flush()
    return row


# Proposition and votering.

def add_proposition(session: Session, paragraph_id: int, number: int, actor: str
                    ) -> Proposition:
    row = Proposition(paragraph_id=paragraph_id, number=number, created_by=actor)
    session.add(row)
    session.flush()
    return row


def open_votering(session: Session, organ_id: int) -> Votering | None:
    return session.exec(select(Votering).where(Votering.organ_id == organ_id,
                                               Votering.status == OPEN)).first()


def start_votering(session: Session, organ_id: int, paragraph_id: int, ja: int, nej: int,
                   chair: str, actor: str) -> Votering:
    row = Votering(organ_id=organ_id, paragraph_id=paragraph_id, ja_number=ja,
                   nej_number=nej, open_lock=organ_id, chair=chair, created_by=actor)
    session.add(row)
    session.flush()  # the unique open_lock refuses a second open vote of the organ
    return row


def votes(session: Session, votering_id: int) -> list[Rost]:
    return list(session.exec(select(Rost).where(Rost.votering_id == votering_id)
                             .order_by(Rost.id)).all())


def cast(session: Session, votering: Votering, name: str, vote: str, given_by: str,
         via: str) -> tuple[Rost, str]:
    """Record (or change) `name`'s vote; returns the row and the earlier vote ("" if none)."""
    row = session.exec(select(Rost).where(Rost.votering_id == votering.id,
                                          Rost.name == name)).first()
    previous = row.vote if row is not None else ""
    if row is None:
        row = Rost(votering_id=votering.id, name=name)
    row.vote, row.given_by, row.via, row.at = vote, given_by, via, utcnow()
    session.add(row)
    session.flush()
    return row, previous


def close_votering(session: Session, votering: Votering, status: str, result: str = "",
                   utslagsrost: bool = False, not_voting: list[str] = ()) -> None:
    votering.status, votering.open_lock = status, None
    votering.result, votering.utslagsrost = result, utslagsrost
    votering.closed_at = utcnow()
    for name in not_voting:  # entitled but silent: named in the protokoll as not voting
        session.add(Rost(votering_id=votering.id, name=name, vote=""))
    session.add(votering)
    session.flush()


def reopen_votering(session: Session, votering: Votering) -> None:
    for row in votes(session, votering.id):
        if row.vote == "":
            session.delete(row)
    votering.status, votering.open_lock, votering.result = OPEN, votering.organ_id, ""
    votering.utslagsrost, votering.closed_at = False, None
    session.add(votering)
    session.flush()


def delete_votering(session: Session, votering: Votering) -> None:
    for row in votes(session, votering.id):
        session.delete(row)
    session.delete(votering)
    session.flush()


# Reservation and anteckning.

def reservation_of(session: Session, paragraph_id: int, name: str) -> Reservation | None:
    return session.exec(select(Reservation).where(Reservation.paragraph_id == paragraph_id,
                                                  Reservation.name == name)).first()


def anteckningar_of(session: Session, paragraph_id: int, name: str) -> list[Anteckning]:
    return list(session.exec(select(Anteckning).where(Anteckning.paragraph_id == paragraph_id,
                                                      Anteckning.name == name)
                             .order_by(Anteckning.id)).all())


def votering_of(session: Session, paragraph_id: int) -> Votering | None:
    """The § 's latest vote that was not cancelled."""
    return session.exec(select(Votering).where(Votering.paragraph_id == paragraph_id,
                                               Votering.status != CANCELLED)
                        .order_by(Votering.id.desc())).first()


def votering_by_id(session: Session, votering_id: int) -> Votering | None:
    return session.get(Votering, votering_id)


def rost_by_id(session: Session, rost_id: int) -> Rost | None:
    return session.get(Rost, rost_id)


def save(session: Session, row: object) -> None:
    session.add(row)
    session.flush()


def written_without_text(session: Session, meeting_id: int
                         ) -> list[tuple[Paragraph, Reservation]]:
    """Announced skriftliga reservationer whose text is not yet in."""
    return list(session.exec(
        select(Paragraph, Reservation).join(Reservation, Reservation.paragraph_id == Paragraph.id)
        .where(Paragraph.meeting_id == meeting_id, Reservation.written.is_(True),
               Reservation.text == "").order_by(Paragraph.number, Reservation.id)).all())


_JAV_NAMES = select(Jav.name).where(Jav.paragraph_id == bindparam("paragraph_id")) \
    .order_by(Jav.id)


def jav_names(session: Session, paragraph_id: int) -> list[str]:
    """Who has declared jäv in one § (one prebuilt query: asked on every !beslut)."""
    return list(session.exec(_JAV_NAMES, params={"paragraph_id": paragraph_id}).all())


# Everything of some §§, for the protokoll, !visa and !sök.

@dataclass
class Rows:
    numbers: list[YrkandeNumber] = field(default_factory=list)
    instammanden: list[Instammande] = field(default_factory=list)
    jav: list[Jav] = field(default_factory=list)
    propositions: list[Proposition] = field(default_factory=list)
    voteringar: list[Votering] = field(default_factory=list)
    rost: list[Rost] = field(default_factory=list)
    reservations: list[Reservation] = field(default_factory=list)
    anteckningar: list[Anteckning] = field(default_factory=list)


def _of_ids(column: Any, order: Any) -> Any:
    """Rows whose `column` is among the list `ids`, built once: every !visa and protokoll
    asks all eight, and building a statement costs as much as running it."""
    return select(column.class_).where(column.in_(bindparam("ids", expanding=True))) \
        .order_by(order)


_ROWS_OF = {
    "numbers": _of_ids(YrkandeNumber.paragraph_id, YrkandeNumber.number),
    "voteringar": _of_ids(Votering.paragraph_id, Votering.id),
    "instammanden": _of_ids(Instammande.yrkande_id, Instammande.id),
    "jav": _of_ids(Jav.paragraph_id, Jav.id),
    "propositions": _of_ids(Proposition.paragraph_id, Proposition.id),
    "rost": _of_ids(Rost.votering_id, Rost.id),
    "reservations": _of_ids(Reservation.paragraph_id, Reservation.id),
    "anteckningar": _of_ids(Anteckning.paragraph_id, Anteckning.id),
}


def rows_of(session: Session, paragraph_ids: list[int]) -> Rows:
    if not paragraph_ids:
        return Rows()

    def of(kind: str, ids: list[int]) -> list:
        return list(session.exec(_ROWS_OF[kind], params={"ids": ids}).all()) if ids else []

    numbers = of("numbers", paragraph_ids)
    voteringar = of("voteringar", paragraph_ids)
    return Rows(
        numbers=numbers, instammanden=of("instammanden", [n.id for n in numbers]),
        jav=of("jav", paragraph_ids), propositions=of("propositions", paragraph_ids),
        voteringar=voteringar, rost=of("rost", [v.id for v in voteringar]),
        reservations=of("reservations", paragraph_ids),
        anteckningar=of("anteckningar", paragraph_ids))


def votes_of_person(session: Session, organ_id: int, name: str
                    ) -> list[tuple[Paragraph, Meeting, Votering, Rost]]:
    """How `name` voted in every counted vote of the organ ("how did Camilla Steen vote
    in 2027?" is this query with a year filter)."""
    return list(session.exec(
        select(Paragraph, Meeting, Votering, Rost)
        .join(Votering, Votering.paragraph_id == Paragraph.id)
        .join(Meeting, Meeting.id == Paragraph.meeting_id)
        .join(Rost, Rost.votering_id == Votering.id)
        .where(Paragraph.organ_id == organ_id, Votering.status == DONE,
               Rost.name == name_key(name)).order_by(Meeting.date, Paragraph.number)).all())


def search_texts(session: Session, organ_id: int, words: list[str]
                 ) -> list[tuple[Paragraph, Meeting, Reservation | Anteckning]]:
    """Reservationer and anteckningar whose name, motivering or text holds every word
    (case-folded, å ä ö kept, as the entries' search): (§, meeting, row), newest first."""
    wanted = [unicodedata.normalize("NFC", w).casefold() for w in words]
    found: list[tuple[Paragraph, Meeting, Reservation | Anteckning]] = []
    for model in (Reservation, Anteckning):
        for paragraph, meeting, row in session.exec(
                select(Paragraph, Meeting, model)
                .join(model, model.paragraph_id == Paragraph.id)
                .join(Meeting, Meeting.id == Paragraph.meeting_id)
                .where(Paragraph.organ_id == organ_id)).all():
            haystack = unicodedata.normalize("NFC", " ".join(
                [row.name, getattr(row, "motivation", ""), row.text])).casefold()
            if all(w in haystack for w in wanted):
                found.append((paragraph, meeting, row))
    found.sort(key=lambda hit: (hit[1].date, hit[0].number), reverse=True)
    return found


# The steps `!ångra` takes back.

def add_step(session: Session, meeting_id: int, paragraph_id: int | None, kind: str,
             row_id: int, actor: str, previous: str = "") -> None:
    session.add(ProcedureStep(meeting_id=meeting_id, paragraph_id=paragraph_id, kind=kind,
                              row_id=row_id, actor=actor, previous=previous))
    session.flush()


def last_step(session: Session, meeting_id: int, actor: str) -> ProcedureStep | None:
    return session.exec(select(ProcedureStep).where(
        ProcedureStep.meeting_id == meeting_id, ProcedureStep.actor == actor,
        ProcedureStep.undone_at.is_(None))
        .order_by(ProcedureStep.at.desc(), ProcedureStep.id.desc())).first()


def mark_undone(session: Session, step: ProcedureStep) -> None:
    step.undone_at = utcnow()
    session.add(step)
    session.flush()


def get(session: Session, model: type, row_id: int) -> object | None:
    return session.get(model, row_id)


def remove_row(session: Session, row: object) -> None:
    session.delete(row)
    session.flush()


def newer(step: ProcedureStep, moment: datetime | None) -> bool:
    """Whether the step came after `moment` (None: nothing else to compare with)."""
    if moment is None:
        return True
    at, other = step.at, moment
    if (at.tzinfo is None) != (other.tzinfo is None):  # SQLite gives naive UTC back
        at, other = at.replace(tzinfo=None), other.replace(tzinfo=None)
    return at >= other
