"""A protokollsutdrag: one § of a protokoll with the protokoll's header, the justering as
it stands and "Rätt utdraget intygar" with the secretary's name and the date, as PDF and
DOCX. A förbund sends it to its member organisations after a decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from bot.commands.protokoll import build as protocol
from bot.commands.protokoll.documents import PageFurniture, office_attachments
from bot.messages import Attachment
from bot.render import render, render_document
from storage import meetings
from storage.models import Paragraph
from storage.paragraphs import ParagraphView
from storage.tenants import OrganRef


@dataclass
class Extract:
    p: protocol.Protocol  # the whole protokoll: its header, justering and anslag
    v: ParagraphView  # the § extracted
    secretary: str  # who certifies the extract ("Rätt utdraget intygar")
    on: date  # the day of the certification

    @property
    def stem(self) -> str:
        return (f"protokollsutdrag-{self.p.organ.organ_key}-{self.p.meeting.date.isoformat()}"
                f"-paragraf-{self.v.number}")

    @property
    def title(self) -> str:
        return _words("titel", u=self)

    def furniture(self) -> PageFurniture:
        label = render("dokument", "sida", sida="{sida}", sidor="{sidor}").text
        return PageFurniture(
            left=(self.p.organ.forbund_name, self.p.organ.organ_name),
            middle=(_words("dokumentslag"), render("dokument", "datumrad", p=self.p).text),
            page_label=lambda page, pages: label.replace("{sida}", page).replace(
                "{sidor}", pages))


def _words(macro: str, **values: object) -> str:
    return render("utdrag", macro, **values).text


def build(session: Session, organ: OrganRef, paragraph: Paragraph, now: datetime,
          by: str) -> Extract:
    """The extract of `paragraph`, certified today by the meeting's secretary (else by
    `by`, who asks for it)."""
    meeting = meetings.meeting_by_id(session, paragraph.meeting_id)
    whole = protocol.build(session, organ, meeting, now)
    (view,) = [v for v in whole.paragraphs if v.paragraph.id == paragraph.id]
    secretary = meetings.people_in(session, meeting.id, "sekreterare")
    return Extract(whole, view, secretary[0].name if secretary else by, now.date())


def attachments(extract: Extract) -> list[Attachment]:
    markdown, _ = render_document("utdrag", u=extract, p=extract.p, v=extract.v,
                                  title=extract.title)
    footer = f"{extract.p.organ.forbund_name}, {extract.p.organ.organ_name}"
    return office_attachments(extract.stem, markdown, extract.title, footer,
                              extract.furniture())
