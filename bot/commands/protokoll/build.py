"""Builds the protokoll (or minnesanteckningar) of one meeting from the store and renders
it: Markdown and HTML from the template, PDF and DOCX from the same Markdown
(documents.py). A justerat protokoll's PDF is sealed (seal.py) and the sealed bytes are
kept, so that it is the same file every time it is asked for."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import swedish
from bot.commands.protokoll.documents import PageFurniture, office_attachments
from bot.commands.sammantrade import procedure as procedure_rules
from bot.messages import Attachment
from bot.render import document_attachments, render, render_document
from storage import justering, meetings, paragraphs, sigill
from storage.meetings import FUNCTIONS
from storage.models import Meeting, MeetingPerson
from storage.models_justering import Anslag
from storage.models_protocol import JusteringPlan
from storage.paragraphs import ParagraphPart, ParagraphView
from storage.tenants import OrganRef

log = logging.getLogger(__name__)
MINNESANTECKNINGAR = "minnesanteckningar"


@dataclass(frozen=True)
class Signature:
    """Who justerade, in which function, when (in the förbund's time zone) and from which
    chat account (the platform's id of the sender)."""

    name: str
    function: str
    at: datetime
    account: str = ""
    day_only: bool = False  # `!justera den <datum>`: the day is known, not the time


@dataclass
class Protocol:
    organ: OrganRef
    meeting: Meeting
    people: dict[str, list[MeetingPerson]] = field(default_factory=dict)
    paragraphs: list[ParagraphView] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)
    anslag: Anslag | None = None
    justerad_at: datetime | None = None  # local time
    plan: JusteringPlan | None = None  # justeringens plats och tid
    sealed: bytes | None = None  # the sealed PDF of a justerat protokoll
    # The procedure of each § (jäv, numbered yrkanden, votering, reservationer, …) by
    # paragraph id, and the tjänstgörande ersättare (sammantrade/procedure.py).
    procedures: dict[int, procedure_rules.Procedure] = field(default_factory=dict)
    ersattare: list = field(default_factory=list)

    def procedure(self, view: ParagraphView) -> procedure_rules.Procedure:
        return self.procedures.get(view.paragraph.id) or procedure_rules.Procedure()

    def procedure_of_part(self, view: ParagraphView,
                          part: ParagraphPart) -> procedure_rules.Procedure:
        """The §'s procedure (proposition, votering, reservationer, anteckningar) goes with
        the sub-ärende whose yrkanden it numbers, else with the last one; the others get
        none, so nothing is written twice."""
        whole = self.procedure(view)
        parts = view.parts
        if len(parts) <= 1:
            return whole
        owner = next((q for q in parts
                      if any(whole.number_of(e.id) for e in q.of_kind("yrkande"))), parts[-1])
        if owner is part:
            return whole
        # Its own yrkanden keep their numbers (numbered per §); the rest is the owner's.
        ids = {e.id for e in part.of_kind("yrkande")}
        return procedure_rules.Procedure(
            yrkanden=[y for y in whole.yrkanden if y.entry_id in ids])

    @property
    def serving_names(self) -> list[str]:
        """Ersättare who tjänstgör are listed under Beslutande, not Övriga deltagare."""
        return [r.name for r in self.ersattare]

    @property
    def minnesanteckningar(self) -> bool:
        """Notes of an organ that keeps no protokoll: no justering, anslag or seal."""
        return self.organ.document == MINNESANTECKNINGAR

    @property
    def sealable(self) -> bool:
        return self.justerad_at is not None and not self.minnesanteckningar

    @property
    def range(self) -> str:
        return swedish.paragraph_range([p.number for p in self.paragraphs])

    @property
    def stem(self) -> str:
        kind = MINNESANTECKNINGAR if self.minnesanteckningar else "protokoll"
        return f"{kind}-{self.organ.organ_key}-{self.meeting.date.isoformat()}"

    @property
    def title(self) -> str:
        return (f"{_words('rubrik', p=self)} {self.organ.forbund_name}, "
                f"{self.organ.organ_name} {self.meeting.date.isoformat()}")

    def local(self, moment: datetime) -> datetime:
        """A stored UTC time in the förbund's time zone."""
        return moment.astimezone(ZoneInfo(self.organ.timezone))

    def signature_of(self, name: str) -> Signature | None:
        return next((s for s in self.signatures if s.name == name), None)

    def furniture(self) -> PageFurniture:
        """Every page: förbund and organ, the kind of document and its date, "Sida x(y)",
        and on a protokoll the box for the justerarnas signatures (with the initials of
        those who have justerat)."""
        label = _words("sida", sida="{sida}", sidor="{sidor}")
        return PageFurniture(
            left=(self.organ.forbund_name, self.organ.organ_name),
            middle=(_words("dokumentslag", p=self), _words("datumrad", p=self)),
            page_label=lambda page, pages: label.replace("{sida}", page).replace(
                "{sidor}", pages),
            box_label="" if self.minnesanteckningar else _words("justerandes_signatur"),
            box_text="  ".join(initials(s.name) for s in self.signatures)
            if self.justerad_at else "",
        )


def _words(macro: str, **values: object) -> str:
    return render("dokument", macro, **values).text


def initials(name: str) -> str:
    """"Carolina Sondell" -> "CS", "Jan-Olov Häggström" -> "J-OH"."""
    return "".join("-".join(part[:1].upper() for part in word.split("-") if part)
                   for word in name.split())


def build(session: Session, organ: OrganRef, meeting: Meeting,
          now: datetime | None = None, *, public: bool = False) -> Protocol:
    """The protokoll as it stands. A justerat one is sealed here the first time (at the
    justering) and whenever what it shows has changed since (say the anslag was moved);
    `now` is the seal's time (the clock of the request; default the system clock).
    `public`: the anslagstavla's version, which names no chat account (a platform id is
    personal data the web must not show); it is sealed as its own version."""
    tz = ZoneInfo(organ.timezone)
    people = {f: meetings.people_in(session, meeting.id, f) for f in FUNCTIONS}
    signed = [Signature(s.name, s.function, s.signed_at.astimezone(tz),
                        "" if public or s.sender_id.casefold() == s.name.casefold()
                        else s.sender_id, s.day_only)
              for s in justering.signatures(session, meeting.id)]
    protocol = Protocol(
        organ, meeting, people, paragraphs.paragraphs_of_meeting(session, meeting.id),
        signatures=signed, anslag=justering.anslag_of(session, meeting.id),
        justerad_at=meeting.justerad_at.astimezone(tz) if meeting.justerad_at else None,
        plan=justering.plan_of(session, meeting.id))
    protocol.procedures = procedure_rules.procedures(
        session, [v.paragraph.id for v in protocol.paragraphs])
    protocol.ersattare = procedure_rules.meeting_ersattare(session, meeting.id)
    if protocol.sealable:
        protocol.sealed = _sealed(session, protocol, now or datetime.now(UTC))
    return protocol


def render_protocol(protocol: Protocol) -> tuple[str, str]:
    return render_document("protokoll", p=protocol, title=protocol.title)


def attachments(protocol: Protocol) -> tuple[str, list[Attachment]]:
    """The protokoll in every format: PDF (the sealed one once justerat), DOCX, HTML and
    Markdown."""
    markdown, html = render_protocol(protocol)
    footer = f"{protocol.organ.forbund_name}, {protocol.organ.organ_name}"
    return markdown, [*office_attachments(protocol.stem, markdown, protocol.title, footer,
                                          protocol.furniture(), pdf=protocol.sealed),
                      *document_attachments(protocol.stem, markdown, html)]


def sealed_pdf(session: Session, organ: OrganRef, meeting: Meeting,
               now: datetime | None = None) -> bytes | None:
    """The sealed PDF of a justerat protokoll, the same bytes on every call while the
    protokoll is unchanged; None if the meeting is not justerat, the organ keeps
    minnesanteckningar, or the seal could not be made (logged)."""
    if meeting.justerad_at is None or organ.document == MINNESANTECKNINGAR:
        return None
    return build(session, organ, meeting, now).sealed


def _content_key(markdown: str, furniture: PageFurniture) -> str:
    """What the PDF shows: its text and its page furniture."""
    shown = [markdown, *furniture.left, *furniture.middle, furniture.box_label,
             furniture.box_text, furniture.page_label("x", "y")]
    return hashlib.sha256("\x1f".join(shown).encode("utf-8")).hexdigest()


def _sealed(session: Session, protocol: Protocol, now: datetime) -> bytes | None:
    from bot.commands.protokoll import seal
    from bot.commands.protokoll.documents_pdf import to_pdf

    markdown, _ = render_protocol(protocol)
    furniture = protocol.furniture()
    key = _content_key(markdown, furniture)
    kept = sigill.sealed(session, protocol.meeting.id, key)
    if kept is not None:
        return kept.pdf
    try:
        sealer = seal.sealer_for(session, protocol.organ, now)
        data = seal.seal(to_pdf(markdown, protocol.title, furniture), sealer,
                         reason=_words("sigill_skal", p=protocol),
                         records=_records(protocol), at=now)
    except seal.SealError:
        # The justering stands; the PDF goes out unsealed and the seal is tried again the
        # next time the protokoll is asked for.
        log.exception("could not seal the protokoll of meeting %s", protocol.meeting.id)
        return None
    return sigill.save_sealed(session, protocol.meeting.id, key, data, now,
                              sealer.subject).pdf


def _records(protocol: Protocol) -> str:
    """The justering records in the seal's signed attributes (JSON): who justerade, in
    which function, from which chat account, and when."""
    return json.dumps({
        "förbund": protocol.organ.forbund_name,
        "organ": protocol.organ.organ_name,
        "sammanträdesdatum": protocol.meeting.date.isoformat(),
        "paragrafer": protocol.range,
        "justerat": protocol.justerad_at.isoformat() if protocol.justerad_at else None,
        "justering": [{"namn": s.name, "funktion": s.function, "tid": s.at.isoformat(),
                       **({"konto": s.account} if s.account else {})}
                      for s in protocol.signatures],
    }, ensure_ascii=False)
