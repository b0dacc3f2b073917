"""Builds the kallelse (with föredragningslista) of an organ's planned meeting and renders
it in every format, like the protokoll."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from bot import swedish
from bot.documents import office_attachments
from bot.messages import Attachment
from bot.render import document_attachments, render_document
from storage import kallelse, meetings, paragraphs, uppdrag
from storage.models import Meeting
from storage.models_justering import AgendaItem, KallelsePlan
from storage.tenants import OrganRef
from storage.uppdrag import UppdragView


@dataclass
class Kallelse:
    organ: OrganRef
    plan: KallelsePlan | None
    items: list[AgendaItem] = field(default_factory=list)
    uppdrag: list[UppdragView] = field(default_factory=list)
    previous: Meeting | None = None  # whose protokoll is "föregående protokoll"
    previous_range: str = ""
    today: date | None = None

    @property
    def day(self) -> date | None:
        return self.plan.meeting_date if self.plan else None

    @property
    def stem(self) -> str:
        return f"kallelse-{self.organ.organ_key}-{self.day.isoformat() if self.day else 'utkast'}"

    @property
    def title(self) -> str:
        when = f" {self.day.isoformat()}" if self.day else ""
        return f"Kallelse {self.organ.forbund_name}, {self.organ.organ_name}{when}"


def build(session: Session, organ: OrganRef, today: date) -> Kallelse:
    plan = kallelse.active_plan(session, organ.organ_id)
    previous = meetings.latest_meeting(session, organ.organ_id)
    if previous is not None and previous.status == "öppet":
        previous = None  # a meeting in progress has no protokoll to approve yet
    numbers = ([v.number for v in paragraphs.paragraphs_of_meeting(session, previous.id)]
               if previous else [])
    return Kallelse(organ, plan, kallelse.items(session, plan.id) if plan else [],
                    uppdrag.listed(session, organ.organ_id), previous,
                    swedish.paragraph_range(numbers), today)


def attachments(document: Kallelse) -> list[Attachment]:
    markdown, html = render_document("kallelse", k=document, title=document.title)
    footer = f"{document.organ.forbund_name}, {document.organ.organ_name}"
    return [*office_attachments(document.stem, markdown, document.title, footer),
            *document_attachments(document.stem, markdown, html)]
