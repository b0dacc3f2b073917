"""Builds the protokoll of one meeting from the store and renders it: Markdown and HTML
from the template, PDF and DOCX from the same Markdown (bot.documents)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import swedish
from bot.documents import office_attachments
from bot.messages import Attachment
from bot.render import document_attachments, render_document
from storage import justering, meetings, paragraphs
from storage.meetings import FUNCTIONS
from storage.models import Meeting, MeetingPerson
from storage.models_justering import Anslag
from storage.paragraphs import ParagraphView
from storage.tenants import OrganRef


@dataclass(frozen=True)
class Signature:
    """Who justerade, in which function, and when (in the förbund's time zone)."""

    name: str
    function: str
    at: datetime


@dataclass
class Protocol:
    organ: OrganRef
    meeting: Meeting
    people: dict[str, list[MeetingPerson]] = field(default_factory=dict)
    paragraphs: list[ParagraphView] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)
    anslag: Anslag | None = None
    justerad_at: datetime | None = None  # local time

    @property
    def range(self) -> str:
        return swedish.paragraph_range([p.number for p in self.paragraphs])

    @property
    def stem(self) -> str:
        return f"protokoll-{self.organ.organ_key}-{self.meeting.date.isoformat()}"

    @property
    def title(self) -> str:
        return (f"Protokoll {self.organ.forbund_name}, {self.organ.organ_name} "
                f"{self.meeting.date.isoformat()}")

    def local(self, moment: datetime) -> datetime:
        """A stored UTC time in the förbund's time zone."""
        return moment.astimezone(ZoneInfo(self.organ.timezone))

    def signature_of(self, name: str) -> Signature | None:
        return next((s for s in self.signatures if s.name == name), None)


def build(session: Session, organ: OrganRef, meeting: Meeting) -> Protocol:
    tz = ZoneInfo(organ.timezone)
    people = {f: meetings.people_in(session, meeting.id, f) for f in FUNCTIONS}
    signed = [Signature(s.name, s.function, s.signed_at.astimezone(tz))
              for s in justering.signatures(session, meeting.id)]
    return Protocol(organ, meeting, people, paragraphs.paragraphs_of_meeting(session, meeting.id),
                    signatures=signed, anslag=justering.anslag_of(session, meeting.id),
                    justerad_at=meeting.justerad_at.astimezone(tz) if meeting.justerad_at
                    else None)


def render_protocol(protocol: Protocol) -> tuple[str, str]:
    return render_document("protokoll", p=protocol, title=protocol.title)


def attachments(protocol: Protocol) -> tuple[str, list[Attachment]]:
    """The protokoll in every format: PDF, DOCX, HTML and Markdown."""
    markdown, html = render_protocol(protocol)
    footer = f"{protocol.organ.forbund_name}, {protocol.organ.organ_name}"
    return markdown, [*office_attachments(protocol.stem, markdown, protocol.title, footer),
                      *document_attachments(protocol.stem, markdown, html)]
