"""!utdrag §N: a protokollsutdrag of one § as PDF and DOCX (bot.commands.utdrag.document)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.commands.common import resolve_paragraph
from bot.commands.utdrag import document as utdrag
from bot.context import Context
from bot.core.args import ParagraphRef, Ref
from bot.core.commands import Command
from bot.messages import Reply
from bot.render import render

if TYPE_CHECKING:
    from bot.core.app import App

utdrag_cmd = Command("utdrag", aliases=["protokollsutdrag", "extract"], group="Protokoll",
                     summary="Skriver ett protokollsutdrag av en paragraf (PDF och Word), "
                             "att skicka till medlemsorganisationerna.")


def setup(app: App) -> None:
    app.add_command(utdrag_cmd)


@utdrag_cmd.default(usage=["!utdrag §N [år]", "!utdrag ÅÅÅÅ-MM-DD §N"], args=[Ref(True)],
                    examples=["!utdrag §26", "!utdrag §26 2022", "!utdrag 2022-03-25 §26"])
def extract(ctx: Context, ref: ParagraphRef) -> Reply:
    paragraph = resolve_paragraph(ctx, ref)
    document = utdrag.build(ctx.session, ctx.organ, paragraph, ctx.now, ctx.actor.name)
    reply = render("utdrag", "skickat", u=document)
    reply.attachments = utdrag.attachments(document)
    return reply
