"""!protokoll: the protokoll of a meeting, as PDF, DOCX, HTML and Markdown files.
(`!protokoll klart` is justering's: bot/commands/justering/commands.py adds it.)"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from bot.commands.protokoll import build as protocol
from bot.context import Context
from bot.core.args import Date
from bot.core.commands import Command
from bot.errors import UserError
from bot.messages import Reply
from bot.render import render
from storage import meetings
from storage.models import Meeting

if TYPE_CHECKING:
    from bot.core.app import App

protokoll = Command("protokoll", aliases=["protocol", "minutes"], group="Protokoll",
                    summary="Skriver protokollet för ett sammanträde (PDF, Word, HTML och "
                            "Markdown).")


def setup(app: App) -> None:
    app.add_command(protokoll)


@protokoll.bare(usage=["!protokoll"], examples=["!protokoll"])
def current(ctx: Context) -> Reply:
    """The open meeting's protokoll, else the latest meeting's."""
    return _send(ctx, meetings.open_meeting_of(ctx.session, ctx.organ.organ_id)
                 or _latest(ctx))


@protokoll.sub("senaste", aliases=["latest", "aktuellt"], args=[],
               usage=["!protokoll senaste"])
def latest(ctx: Context) -> Reply:
    return _send(ctx, _latest(ctx))


@protokoll.default(usage=["!protokoll ÅÅÅÅ-MM-DD"], args=[Date()],
                   examples=["!protokoll 2022-03-25"])
def of_day(ctx: Context, day: date) -> Reply:
    found = meetings.meetings_on(ctx.session, ctx.organ.organ_id, day)
    if not found:
        raise UserError("inget_möte_den_dagen", datum=day)
    return _send(ctx, found[-1])


def _latest(ctx: Context) -> Meeting:
    meeting = meetings.latest_meeting(ctx.session, ctx.organ.organ_id)
    if meeting is None:
        raise UserError("inga_möten")
    return meeting


def _send(ctx: Context, meeting: Meeting) -> Reply:
    document = protocol.build(ctx.session, ctx.organ, meeting, now=ctx.now)
    _, files = protocol.attachments(document)
    reply = render("protokoll", "skickat", p=document)
    reply.attachments = files
    return reply
