"""!ändra §N yrkande|reservation|anteckning: corrections of a §'s procedure before
justering, logged like every change in the §."""

from __future__ import annotations

import re

from bot.commands.common import ensure_not_justerad, resolve_paragraph
from bot.commands.sammantrade.common import NAME_TEXT, example_at, live_yrkande, person
from bot.context import Context
from bot.core.args import ParagraphRef, Ref, Text
from bot.core.commands import RECORD, subcommand
from bot.errors import UserError
from bot.messages import Reply
from bot.render import render
from storage import meetings, paragraphs, sammantrade
from storage.models import Meeting, Paragraph


def _correctable(ctx: Context, ref: ParagraphRef) -> tuple[Meeting, Paragraph]:
    target = resolve_paragraph(ctx, ref)
    meeting = meetings.meeting_by_id(ctx.session, target.meeting_id)
    ensure_not_justerad(meeting, target)
    return meeting, target


def _name_and_text(ctx: Context, target: Paragraph, text: str) -> tuple[str, str]:
    match = NAME_TEXT.match(text.strip())
    if match is None or not match.group("text").strip():
        raise UserError("saknar_text", kommando=ctx.sub.command,
                        exempel=example_at(ctx, target, "Camilla Steen: <ny text>"))
    return match.group("name"), match.group("text").strip()


@subcommand("ändra", "yrkande", after_ref=True, permission=RECORD, args=[Ref(), Text()],
            usage=["!ändra §N yrkande <nr> <ny text>"],
            examples=["!ändra §23 yrkande 2 avslag till förslaget i sin helhet"])
def correct_yrkande(ctx: Context, ref: ParagraphRef, text: str) -> Reply:
    _, target = _correctable(ctx, ref)
    number, _, new = text.strip().partition(" ")
    example = example_at(ctx, target, "2 <ny text>")
    row, entry = live_yrkande(ctx, target, number, example)
    if not new.strip():
        raise UserError("saknar_text", kommando=ctx.sub.command, exempel=example)
    old = paragraphs.change_entry(ctx.session, target, entry, new.strip(), ctx.actor.name,
                                  ctx.event_id)
    return render("sammantrade", "yrkande_ändrat", paragraf=target, nummer=row.number,
                  text=entry.text, gammal=old)


@subcommand("ändra", "reservation", after_ref=True, permission=RECORD, args=[Ref(), Text()],
            usage=["!ändra §N reservation <namn>: <ny motivering>"],
            examples=["!ändra §23 reservation Camilla Steen: till förmån för mitt yrkande"])
def correct_reservation(ctx: Context, ref: ParagraphRef, text: str) -> Reply:
    meeting, target = _correctable(ctx, ref)
    name_text, new = _name_and_text(ctx, target, text)
    name = person(ctx, meeting, name_text)
    row = sammantrade.reservation_of(ctx.session, target.id, name)
    if row is None:
        raise UserError("ingen_reservation_att_ändra", namn=name, nummer=target.number)
    old, row.motivation = row.motivation, new
    sammantrade.save(ctx.session, row)
    paragraphs.log_change(ctx.session, target, "reservation ändrad", ctx.actor.name, old, new,
                          ctx.event_id)
    return render("sammantrade", "reservation_ändrad", paragraf=target, r=row, gammal=old)


@subcommand("ändra", "anteckning", aliases=["protokollsanteckning"], after_ref=True,
            permission=RECORD, args=[Ref(), Text()],
            usage=["!ändra §N anteckning <namn> [nr]: <ny text>"],
            examples=["!ändra §23 anteckning Johnny Eriksson: Regionen vill följa ansökan."])
def correct_anteckning(ctx: Context, ref: ParagraphRef, text: str) -> Reply:
    meeting, target = _correctable(ctx, ref)
    name_text, new = _name_and_text(ctx, target, text)
    which = re.match(r"^(?P<name>.+?)\s+(?P<nr>\d{1,2})$", name_text.strip())
    index = int(which.group("nr")) if which else None
    name = person(ctx, meeting, which.group("name") if which else name_text)
    rows = sammantrade.anteckningar_of(ctx.session, target.id, name)
    if not rows:
        raise UserError("ingen_anteckning", namn=name, nummer=target.number)
    if (index is None and len(rows) > 1) or (index is not None
                                             and not 1 <= index <= len(rows)):
        # Several of one person's: which is meant is told by its order in the §.
        raise UserError("vilken_anteckning", namn=name, nummer=target.number,
                        antal=len(rows))
    row = rows[(index or 1) - 1]
    old, row.text = row.text, new
    sammantrade.save(ctx.session, row)
    paragraphs.log_change(ctx.session, target, "anteckning ändrad", ctx.actor.name, old, new,
                          ctx.event_id)
    return render("sammantrade", "anteckning_ändrad", paragraf=target, a=row, gammal=old)
