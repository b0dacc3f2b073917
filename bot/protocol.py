"""Builds the protokoll of one meeting from the store and renders it (Markdown and HTML)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from bot import swedish
from bot.messages import Attachment
from bot.render import document_attachments, render_document
from storage import meetings, paragraphs
from storage.meetings import FUNCTIONS
from storage.models import Meeting, MeetingPerson
from storage.paragraphs import ParagraphView
from storage.tenants import OrganRef


@dataclass
class Protocol:
    organ: OrganRef
    meeting: Meeting
    people: dict[str, list[MeetingPerson]] = field(default_factory=dict)
    paragraphs: list[ParagraphView] = field(default_factory=list)

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


def build(session: Session, organ: OrganRef, meeting: Meeting) -> Protocol:
    people = {f: meetings.people_in(session, meeting.id, f) for f in FUNCTIONS}
    return Protocol(organ, meeting, people, paragraphs.paragraphs_of_meeting(session, meeting.id))


def render_protocol(protocol: Protocol) -> tuple[str, str]:
    return render_document("protokoll", p=protocol, title=protocol.title)


def attachments(protocol: Protocol) -> tuple[str, list[Attachment]]:
    markdown, html = render_protocol(protocol)
    return markdown, document_attachments(protocol.stem, markdown, html)
