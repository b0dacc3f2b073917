"""Builds the kallelse (with föredragningslista) of an organ's planned sammanträde (the one
`!sammanträde` planned) and renders it in every format, like the protokoll."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import swedish
from bot.commands.protokoll.documents import office_attachments
from bot.commands.sammantrade import procedure
from bot.messages import Attachment
from bot.render import document_attachments, render_document
from storage import kallelse, meetings, paragraphs, uppdrag
from storage.models import Meeting
from storage.models_justering import AgendaItem
from storage.models_reminders import PlannedMeeting
from storage.paragraphs import ParagraphView
from storage.tenants import OrganRef
from storage.uppdrag import UppdragView


@dataclass
class Kallelse:
    organ: OrganRef
    meeting: PlannedMeeting | None  # None: a draft, no sammanträde planned yet
    items: list[AgendaItem] = field(default_factory=list)
    uppdrag: list[UppdragView] = field(default_factory=list)
    previous: Meeting | None = None  # whose protokoll is "föregående protokoll"
    previous_range: str = ""
    today: date | None = None
    # The previous meeting's §§ with a counted votering or a reservation, with their
    # procedure: one line each under "föregående protokoll".
    previous_procedures: list[tuple[ParagraphView, procedure.Procedure]] = field(
        default_factory=list)

    @property
    def starts(self) -> datetime | None:
        """When the meeting begins, in the organ's time zone."""
        if self.meeting is None:
            return None
        return self.meeting.starts_at.astimezone(ZoneInfo(self.organ.timezone))

    @property
    def day(self) -> date | None:
        return self.starts.date() if self.starts else None

    @property
    def place(self) -> str:
        return self.meeting.place if self.meeting else ""

    @property
    def stem(self) -> str:
        return f"kallelse-{self.organ.organ_key}-{self.day.isoformat() if self.day else 'utkast'}"

    @property
    def title(self) -> str:
        when = f" {self.day.isoformat()}" if self.day else ""
        return f"Kallelse {self.organ.forbund_name}, {self.organ.organ_name}{when}"


def build(session: Session, organ: OrganRef, now: datetime,
          meeting: PlannedMeeting | None = None) -> Kallelse:
    """The kallelse of `meeting`, or of the organ's next planned sammanträde."""
    tz = ZoneInfo(organ.timezone)
    if meeting is None:
        meeting = kallelse.next_meeting(session, organ.organ_id, now, tz)
    previous = meetings.latest_meeting(session, organ.organ_id)
    if previous is not None and previous.status == "öppet":
        previous = None  # a meeting in progress has no protokoll to approve yet
    views = paragraphs.paragraphs_of_meeting(session, previous.id) if previous else []
    procs = procedure.procedures(session, [v.paragraph.id for v in views])
    contested = [(v, procs[v.paragraph.id]) for v in views
                 if procs[v.paragraph.id].reservations or _counted(procs[v.paragraph.id])]
    return Kallelse(organ, meeting, kallelse.items(session, meeting.id) if meeting else [],
                    uppdrag.listed(session, organ.organ_id), previous,
                    swedish.paragraph_range([v.number for v in views]),
                    now.astimezone(tz).date(), contested)


def _counted(proc: procedure.Procedure) -> bool:
    return proc.votering is not None and bool(proc.votering.votering.result)


def attachments(document: Kallelse) -> list[Attachment]:
    markdown, html = render_document("kallelse", k=document, title=document.title)
    footer = f"{document.organ.forbund_name}, {document.organ.organ_name}"
    return [*office_attachments(document.stem, markdown, document.title, footer),
            *document_attachments(document.stem, markdown, html)]
