"""The rules of the sammanträde (Kommunallagen 5 kap; jäv 6 kap 28–32 §§): who is
beslutande in a § (tjänstgörande ersättare in, jäviga out), beslutsförhet, and the view
of a §'s procedure the protokoll, `!visa` and the replies render. Rows come from
storage.sammantrade."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from storage import meetings, paragraphs, sammantrade, tenants
from storage.keys import name_key
from storage.models import Meeting, Paragraph
from storage.models_sammantrade import (
    Anteckning,
    Ersattare,
    Jav,
    Proposition,
    Reservation,
    Rost,
    Votering,
)

LEDAMOT_ROLES = ("ordförande", "vice ordförande", "ledamot")
VOTES = ("ja", "nej", "avstår")


@dataclass
class Yrkande:
    number: int
    proposer: str
    text: str
    entry_id: int
    instammer: list[str] = field(default_factory=list)


@dataclass
class VoteView:
    votering: Votering
    rost: list[Rost]
    ja_text: str = ""
    nej_text: str = ""

    def names(self, vote: str) -> list[str]:
        return [r.name for r in self.rost if r.vote == vote]

    def count(self, vote: str) -> int:
        return len(self.names(vote))

    @property
    def winner(self) -> int | None:
        v = self.votering
        return {"ja": v.ja_number, "nej": v.nej_number}.get(v.result)


@dataclass
class Procedure:
    """One §'s procedure, in the order the protokoll gives it."""

    jav: list[Jav] = field(default_factory=list)
    yrkanden: list[Yrkande] = field(default_factory=list)
    proposition: Proposition | None = None
    votering: VoteView | None = None
    reservations: list[Reservation] = field(default_factory=list)
    anteckningar: list[Anteckning] = field(default_factory=list)

    def yrkande(self, number: int) -> Yrkande | None:
        return next((y for y in self.yrkanden if y.number == number), None)

    def number_of(self, entry_id: int) -> int | None:
        return next((y.number for y in self.yrkanden if y.entry_id == entry_id), None)

    @property
    def decided_for(self) -> Yrkande | None:
        """The yrkande the meeting decided for: by the counted vote, else by proposition."""
        if self.votering is not None and self.votering.winner is not None:
            return self.yrkande(self.votering.winner)
        if self.proposition is not None:
            return self.yrkande(self.proposition.number)
        return None

    @property
    def empty(self) -> bool:
        return not (self.jav or self.yrkanden or self.proposition or self.votering
                    or self.reservations or self.anteckningar)


def procedures(session: Session, paragraph_ids: list[int]) -> dict[int, Procedure]:
    """Each §'s procedure, by paragraph id; withdrawn yrkanden are left out."""
    rows = sammantrade.rows_of(session, paragraph_ids)
    result = {pid: Procedure() for pid in paragraph_ids}


    for number in rows.numbers:
        entry = paragraphs.entry_by_id(session, number.entry_id)
        if number.withdrawn_at is not None or entry is None or entry.removed_at is not None:
            continue
        joined = [i.name for i in rows.instammanden if i.yrkande_id == number.id]
        result[number.paragraph_id].yrkanden.append(
            Yrkande(number.number, entry.proposer, entry.text, entry.id, joined))
    for jav in rows.jav:
        result[jav.paragraph_id].jav.append(jav)
    for prop in rows.propositions:
        result[prop.paragraph_id].proposition = prop
    for votering in rows.voteringar:
        if votering.status == sammantrade.CANCELLED:
            continue
        proc = result[votering.paragraph_id]
        ja, nej = proc.yrkande(votering.ja_number), proc.yrkande(votering.nej_number)
        proc.votering = VoteView(votering, [r for r in rows.rost if r.votering_id == votering.id],
                                 ja.text if ja else "", nej.text if nej else "")
    for res in rows.reservations:
        result[res.paragraph_id].reservations.append(res)
    for note in rows.anteckningar:
        result[note.paragraph_id].anteckningar.append(note)
    return result


def procedure(session: Session, paragraph: Paragraph) -> Procedure:
    return procedures(session, [paragraph.id])[paragraph.id]


# Who decides.

@dataclass(frozen=True)
class Beslutande:
    """Who is beslutande in one §, and whether the organ is beslutsför there."""

    names: list[str]
    ledamoter: int  # the organ's ledamöter in the config (0: unknown)
    javiga: list[str]

    @property
    def known(self) -> bool:
        return self.ledamoter > 0

    @property
    def beslutsfor(self) -> bool:
        """More than half of the ledamöter take part (tjänstgörande ersättare counted)."""
        return not self.known or 2 * len(self.names) > self.ledamoter


def serving(rows: list[Ersattare], number: int) -> list[Ersattare]:
    """The ersättare who tjänstgör in § `number`."""
    return [r for r in rows if r.only_number == number
            or (r.only_number is None and (r.from_number is None or r.from_number <= number))]


def beslutande(session: Session, organ_id: int, meeting: Meeting, paragraph: Paragraph | None,
               number: int | None = None) -> Beslutande:
    number = paragraph.number if paragraph is not None else number
    names = [p.name for p in meetings.people_in(session, meeting.id, "beslutande")]
    if number is not None:
        for row in serving(sammantrade.ersattare_of(session, meeting.id), number):
            names = [n for n in names if name_key(n) != name_key(row.for_name)]
            if name_key(row.name) not in {name_key(n) for n in names}:
                names.append(row.name)
    javiga = []
    if paragraph is not None:
        javiga = sammantrade.jav_names(session, paragraph.id)
        names = [n for n in names if name_key(n) not in {name_key(j) for j in javiga}]
    ledamoter = sum(1 for m in tenants.members(session, organ_id) if m.role in LEDAMOT_ROLES)
    return Beslutande(names, ledamoter, javiga)


def is_among(name: str, names: list[str]) -> bool:
    return name_key(name) in {name_key(n) for n in names}


def meeting_ersattare(session: Session, meeting_id: int) -> list[Ersattare]:
    return sammantrade.ersattare_of(session, meeting_id)
