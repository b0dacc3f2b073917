"""What the sammanträde commands share (commands.py, andra.py and
votering.py): the § being recorded, a person's name as the organ spells it, a yrkande by its
number, the example a refusal suggests."""

from __future__ import annotations

import re

from bot.commands.common import ensure_not_justerad, open_meeting
from bot.commands.sammantrade import procedure
from bot.context import Context
from bot.errors import UserError
from storage import meetings, paragraphs, sammantrade, tenants
from storage.keys import name_key
from storage.models import Entry, Meeting, Paragraph
from storage.models_sammantrade import YrkandeNumber

# "<namn>: <text>", as in !reservation, !anteckning and !ändra.
NAME_TEXT = re.compile(r"^(?P<name>[^:\n]{2,80}):\s*(?P<text>.*)$", re.DOTALL)


def current(ctx: Context) -> tuple[Meeting, Paragraph]:
    """The open meeting and the § being recorded, not yet justerad."""
    meeting = open_meeting(ctx)
    target = paragraphs.current_paragraph(ctx.session, meeting.id)
    if target is None:
        raise UserError("ingen_paragraf", kommando=ctx.sub.label)
    ensure_not_justerad(meeting, target)
    return meeting, target


def person(ctx: Context, meeting: Meeting, name: str) -> str:
    """A typed name as the config or the närvaro spells it; refused if it is neither."""
    name = name.strip().strip(".")
    member = tenants.member_by_name(ctx.session, ctx.organ.organ_id, name)
    if member is not None:
        return member.name
    for row in meetings.people_in(ctx.session, meeting.id):
        if name_key(row.name) == name_key(name):
            return row.name
    similar = tenants.member_like(ctx.session, ctx.organ.organ_id, name)
    raise UserError("okänd_person", namn=name, förslag=similar.name if similar else "")


def example_at(ctx: Context, target: Paragraph, rest: str) -> str:
    """The command line an error suggests for the form being run (one after a § reference),
    at the § it names: 'ändra §5 röst Camilla Steen: nej'."""
    return f"{ctx.sub.command} §{target.number} {ctx.sub.name} {rest}"


def _number(text: str, example: str) -> int:
    raw = text.strip().removeprefix("yrkande").strip().rstrip(".")
    if not raw.isdecimal() or not 0 < int(raw) < 1000:
        raise UserError("ogiltigt_yrkandenummer", text=text.strip(), exempel=example)
    return int(raw)


def live_yrkande(ctx: Context, target: Paragraph, text: str, example: str
                 ) -> tuple[YrkandeNumber, Entry]:
    number = _number(text, example)
    found = sammantrade.yrkande(ctx.session, target.id, number)
    if found is None or found[0].withdrawn_at is not None or found[1].removed_at is not None:
        raise UserError("inget_sådant_yrkande", nummer=target.number, yrkande=number,
                        finns=[y.number for y in procedure.procedure(ctx.session,
                                                                     target).yrkanden])
    return found
