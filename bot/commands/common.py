"""Helpers shared by the command modules: the open meeting, § references, names."""

from __future__ import annotations

import re

from bot.context import Context
from bot.core.args import ParagraphRef
from bot.errors import UserError
from storage import meetings, paragraphs
from storage.models import Meeting, Paragraph


def open_meeting(ctx: Context) -> Meeting:
    meeting = meetings.open_meeting_of(ctx.session, ctx.organ.organ_id)
    if meeting is None:
        raise UserError("inget_öppet_möte")
    return meeting


def resolve_paragraph(ctx: Context, ref: ParagraphRef) -> Paragraph:
    """The one § a reference names in the room's organ; a möte-numbered `§2 2020` that two
    meetings have asks for the meeting's date."""
    found = resolve_paragraphs(ctx, ref)
    if len(found) > 1:
        dates = [meetings.meeting_by_id(ctx.session, p.meeting_id).date for p in found]
        raise UserError("paragraf_i_flera_möten", nummer=ref.number, år=ref.year,
                        datum=dates, kommando=ctx.sub.label)
    return found[0]


def resolve_paragraphs(ctx: Context, ref: ParagraphRef) -> list[Paragraph]:
    """The §§ a reference names in the room's organ (never none: that is an error).
    År-numbering: by year (given, or the meeting's, or the open meeting's, or this year).
    Möte-numbering: by meeting (the given date, else every meeting in the given year, else
    the open or latest meeting)."""
    organ = ctx.organ
    session = ctx.session
    meeting: Meeting | None = None
    if ref.meeting_date is not None:
        found = meetings.meetings_on(session, organ.organ_id, ref.meeting_date)
        if not found:
            raise UserError("inget_möte_den_dagen", datum=ref.meeting_date)
        meeting = found[-1]
    if organ.numbering == "år":
        year = ref.year or (meeting.date.year if meeting else None)
        if year is None:
            current = meetings.open_meeting_of(session, organ.organ_id)
            year = current.date.year if current else ctx.now.year
        series = str(year)
        where = f"{year}"
    elif meeting is None and ref.year is not None:
        several = paragraphs.paragraphs_numbered_in_year(session, organ.organ_id, ref.year,
                                                         ref.number)
        if not several:
            raise UserError("paragraf_finns_inte", nummer=ref.number, var=str(ref.year))
        return several
    else:
        if meeting is None:
            meeting = (meetings.open_meeting_of(session, organ.organ_id)
                       or meetings.latest_meeting(session, organ.organ_id))
        if meeting is None:
            raise UserError("paragraf_finns_inte", nummer=ref.number, var="")
        series = paragraphs.series_for("möte", meeting)
        where = meeting.date.isoformat()
    paragraph = paragraphs.find_paragraph(session, organ.organ_id, series, ref.number)
    if paragraph is None:
        raise UserError("paragraf_finns_inte", nummer=ref.number, var=where)
    return [paragraph]


def split_names(text: str) -> list[str]:
    """'A, B och C' -> ['A', 'B', 'C']."""
    parts = re.split(r",|;|\soch\s|\n", text)
    return [p.strip().strip(".") for p in parts if p.strip().strip(".")]


def title_from(text: str, limit: int = 80) -> str:
    """A § heading from a decision text: first sentence, shortened on a word boundary."""
    title = text.strip().split("\n")[0].rstrip(".")
    if len(title) > limit:
        title = title[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    return title[:1].upper() + title[1:]


def ensure_not_justerad(meeting: Meeting, paragraph: Paragraph | None = None) -> None:
    if meeting.justerad_at is not None or (paragraph is not None
                                           and paragraph.justerad_at is not None):
        raise UserError("justerat", nummer=paragraph.number if paragraph else None,
                        datum=meeting.date)
