"""!dagordning and !kallelse: the föredragningslista of the next sammanträde."""

from __future__ import annotations

import re

from bot import kallelse as kallelse_document
from bot.commands.justering import require_record
from bot.context import Context
from bot.dates import looks_like_date, parse_date, parse_time
from bot.errors import UserError
from bot.messages import Reply
from bot.registry import command
from bot.render import render
from bot.swedish import fold
from storage import kallelse

GROUP = "Uppdrag och kallelse"
MAX_TITLE = 300
_REMOVE = re.compile(r"^(?:ta\s+)?bort\s+(?:punkt\s+)?(\d+)\.?$", re.IGNORECASE)
_PROPOSAL = re.compile(r"\s*(?:[-–:]\s*)?förslag(?:\s+till\s+beslut)?\s*:\s*", re.IGNORECASE)


@command("dagordning", aliases=["föredragningslista", "foredragningslista", "agenda"],
         group=GROUP,
         summary="Lägger till punkter på dagordningen för nästa sammanträde.",
         usage=["!dagordning <punkt>", "!dagordning <punkt> förslag: <förslag till beslut>",
                "!dagordning ta bort <nr>", "!dagordning"],
         examples=["!dagordning Årsredovisning 2021",
                   "!dagordning Rapport från I-Kraft förslag: Styrelsen tackar för rapporten.",
                   "!dagordning ta bort 5"])
def agenda(ctx: Context, args: str) -> Reply:
    text = args.strip()
    if not text:
        return _render(ctx)
    require_record(ctx, "dagordning")
    removal = _REMOVE.match(text)
    if removal:
        number = int(removal.group(1))
        plan = kallelse.active_plan(ctx.session, ctx.organ.organ_id)
        if plan is None:
            raise UserError("inget_planerat_möte")
        current = kallelse.items(ctx.session, plan.id)
        # The list shows the own items after the four standard ones, so "5" is the first.
        removed = kallelse.remove_item(ctx.session, plan, number - 4)
        if removed is None:
            raise UserError("ingen_sådan_dagordningspunkt", nummer=number, antal=len(current))
        return render("kallelse", "punkt_borttagen", item=removed)
    title, proposal = (_PROPOSAL.split(text, maxsplit=1) + [""])[:2]
    title = title.strip().rstrip(".:")
    if not title:
        raise UserError("saknar_text", kommando="dagordning")
    plan = kallelse.ensure_plan(ctx.session, ctx.organ.organ_id, ctx.actor.name,
                                ctx.message.transport, ctx.message.room_id)
    item = kallelse.add_item(ctx.session, plan, title[:MAX_TITLE], proposal.strip(),
                             ctx.actor.name)
    return render("kallelse", "punkt_tillagd", item=item,
                  antal=len(kallelse.items(ctx.session, plan.id)))


@command("kallelse", aliases=["kalla", "notice"], group=GROUP,
         summary="Skriver kallelsen med föredragningslista och öppna uppdrag.",
         usage=["!kallelse", "!kallelse ÅÅÅÅ-MM-DD [TT:MM] [plats]"],
         examples=["!kallelse", "!kallelse 2022-05-20 09:00 Stadshuset Kronan"])
def notice(ctx: Context, args: str) -> Reply:
    text = args.strip()
    if text:
        _plan_when(ctx, text)
    return _render(ctx)


def _plan_when(ctx: Context, text: str) -> None:
    require_record(ctx, "kallelse")
    words = text.split()
    if not looks_like_date(words[0]) and not words[0][:1].isdigit():
        raise UserError("ogiltigt_datum", text=words[0], kommando="kallelse")
    day = parse_date(words.pop(0))
    if day is None:
        raise UserError("ogiltigt_datum", text=text.split()[0], kommando="kallelse")
    if day < ctx.now.date():
        raise UserError("kallelse_datum_passerat", datum=day)
    start = None
    if words and fold(words[0]) in ("kl", "kl."):
        words.pop(0)
    if words and words[0][:1].isdigit():
        start = parse_time(words[0])
        if start is None:
            raise UserError("ogiltig_tid", text=words[0], kommando="kallelse")
        words.pop(0)
    plan = kallelse.ensure_plan(ctx.session, ctx.organ.organ_id, ctx.actor.name,
                                ctx.message.transport, ctx.message.room_id)
    kallelse.set_when(ctx.session, plan, day, start, " ".join(words)[:300],
                      ctx.message.transport, ctx.message.room_id)


def _render(ctx: Context) -> Reply:
    document = kallelse_document.build(ctx.session, ctx.organ, ctx.now.date())
    reply = render("kallelse", "skickad", k=document)
    reply.attachments = kallelse_document.attachments(document)
    return reply
