"""!protokoll: the protokoll of a meeting, as PDF, DOCX, HTML and Markdown files."""

from __future__ import annotations

from collections.abc import Callable

from bot import protocol
from bot.context import Context
from bot.dates import parse_date
from bot.errors import UserError
from bot.messages import Reply
from bot.registry import command
from bot.render import render
from storage import meetings

# Subcommands other capabilities add (`!protokoll klart`): first word -> handler(ctx, rest).
SUBCOMMANDS: dict[str, Callable[[Context, str], Reply]] = {}


@command("protokoll", aliases=["protocol", "minutes"], group="Protokoll",
         summary="Skriver protokollet för ett sammanträde (PDF, Word, HTML och Markdown).",
         usage=["!protokoll", "!protokoll senaste", "!protokoll ÅÅÅÅ-MM-DD",
                "!protokoll klart [ÅÅÅÅ-MM-DD]"],
         examples=["!protokoll", "!protokoll 2022-03-25", "!protokoll klart"])
def protocol_command(ctx: Context, args: str) -> Reply:
    first, _, rest = args.strip().partition(" ")
    subcommand = SUBCOMMANDS.get(first.lower())
    if subcommand is not None:
        return subcommand(ctx, rest.strip())
    organ = ctx.organ
    text = args.strip().lower()
    if text in ("", "senaste", "latest", "aktuellt"):
        meeting = (meetings.open_meeting_of(ctx.session, organ.organ_id)
                   if text == "" else None) or meetings.latest_meeting(ctx.session, organ.organ_id)
        if meeting is None:
            raise UserError("inga_möten")
    else:
        day = parse_date(text)
        if day is None:
            raise UserError("ogiltigt_datum", text=args.strip(), kommando="protokoll")
        found = meetings.meetings_on(ctx.session, organ.organ_id, day)
        if not found:
            raise UserError("inget_möte_den_dagen", datum=day)
        meeting = found[-1]
    document = protocol.build(ctx.session, organ, meeting, now=ctx.now)
    _, files = protocol.attachments(document)
    reply = render("protokoll", "skickat", p=document)
    reply.attachments = files
    return reply
