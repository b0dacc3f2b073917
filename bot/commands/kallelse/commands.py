"""!dagordning and !kallelse: the föredragningslista of the next planned sammanträde (the
one `!sammanträde` planned; `!kallelse <datum> <tid>` can plan it too)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.commands.kallelse import document as kallelse_document
from bot.commands.kallelse.sammantraden import schedule_meeting_reminders
from bot.context import Context
from bot.core.commands import RECORD, Command, require_record
from bot.dates import looks_like_date, parse_date, parse_time
from bot.errors import UserError
from bot.messages import Reply
from bot.render import render
from bot.swedish import fold
from storage import kallelse
from storage.models_reminders import PlannedMeeting
from storage.reminders import plan_meeting

if TYPE_CHECKING:
    from bot.core.app import App

GROUP = "Uppdrag och kallelse"
MAX_TITLE = 300
_REMOVE = re.compile(r"^(?:ta\s+)?bort\s+(?:punkt\s+)?(\d+)\.?$", re.IGNORECASE)
_PROPOSAL = re.compile(r"\s*(?:[-–:]\s*)?förslag(?:\s+till\s+beslut)?\s*:\s*", re.IGNORECASE)

dagordning = Command("dagordning", aliases=["föredragningslista", "foredragningslista", "agenda"],
                     group=GROUP,
                     summary="Lägger till punkter på dagordningen för nästa sammanträde.")
kallelse_cmd = Command("kallelse", aliases=["kalla", "notice"], group=GROUP,
                       summary="Skriver kallelsen till nästa planerade sammanträde, med "
                               "föredragningslista och öppna uppdrag.")


def setup(app: App) -> None:
    app.add_command(dagordning, kallelse_cmd)


@dagordning.default(usage=["!dagordning <punkt>",
                           "!dagordning <punkt> förslag: <förslag till beslut>",
                           "!dagordning ta bort <nr>"],
                    permission=RECORD,
                    examples=["!dagordning Årsredovisning 2021",
                              "!dagordning Rapport från I-Kraft förslag: Styrelsen tackar för "
                              "rapporten.",
                              "!dagordning ta bort 5"])
def agenda(ctx: Context, args: str) -> Reply:
    text = args.strip()
    meeting = _next(ctx)
    removal = _REMOVE.match(text)
    if removal:
        number = int(removal.group(1))
        current = kallelse.items(ctx.session, meeting.id)
        # The list shows the own items after the four standard ones, so "5" is the first;
        # övriga frågor and mötets avslutande follow them.
        if 1 <= number <= 4 or number in (len(current) + 5, len(current) + 6):
            raise UserError("standardpunkt_kan_inte_tas_bort", nummer=number,
                            antal=len(current))
        removed = kallelse.remove_item(ctx.session, meeting, number - 4)
        if removed is None:
            raise UserError("ingen_sådan_dagordningspunkt", nummer=number, antal=len(current))
        return render("kallelse", "punkt_borttagen", item=removed)
    title, proposal = (_PROPOSAL.split(text, maxsplit=1) + [""])[:2]
    title = title.strip().rstrip(".:")
    if not title:
        raise UserError("saknar_text", kommando="dagordning")
    item = kallelse.add_item(ctx.session, meeting, title[:MAX_TITLE], proposal.strip(),
                             ctx.actor.name)
    return render("kallelse", "punkt_tillagd", item=item,
                  antal=len(kallelse.items(ctx.session, meeting.id)),
                  när=meeting.starts_at.astimezone(_tz(ctx)))


@dagordning.bare(usage=["!dagordning"])
def show_agenda(ctx: Context) -> Reply:
    return _render(ctx, None)


def _tz(ctx: Context) -> ZoneInfo:
    return ZoneInfo(ctx.organ.timezone)


def _next(ctx: Context) -> PlannedMeeting:
    meeting = kallelse.next_meeting(ctx.session, ctx.organ.organ_id, ctx.now, _tz(ctx))
    if meeting is None:
        raise UserError("inget_planerat_möte")
    return meeting


@kallelse_cmd.default(usage=["!kallelse", "!kallelse ÅÅÅÅ-MM-DD [TT:MM] [plats]"],
                      examples=["!kallelse", "!kallelse 2022-05-20 09:00 Stadshuset Kronan"])
def notice(ctx: Context, args: str) -> Reply:
    text = args.strip()
    if not text:
        return _render(ctx, None)
    meeting, planned = _plan_when(ctx, text)
    return _render(ctx, meeting, planned)


def _plan_when(ctx: Context, text: str) -> tuple[PlannedMeeting, bool]:
    """The planned sammanträde on the given day: planned now if there is none (a time is
    then needed), its time and place changed if they are given."""
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
            raise UserError("ogiltig_tid", text=words[0], kommando="kallelse", datum=day)
        words.pop(0)
    place = " ".join(words)[:300]
    meeting = kallelse.planned_on(ctx.session, ctx.organ.organ_id, day, _tz(ctx))
    if meeting is None and start is None:
        raise UserError("kallelse_tid_saknas", datum=day)
    if (start is not None or place) and meeting is not None:
        require_record(ctx)
    if meeting is None:
        require_record(ctx)
        at = datetime.combine(day, start, tzinfo=_tz(ctx))
        if at <= ctx.now:
            raise UserError("kallelse_datum_passerat", datum=day)
        meeting = plan_meeting(ctx.session, ctx.organ.organ_id, at, place, ctx.actor.name)
        schedule_meeting_reminders(ctx, meeting)
        return meeting, True
    if start is not None:
        at = datetime.combine(day, start, tzinfo=_tz(ctx))
        moved = at != meeting.starts_at.astimezone(_tz(ctx))
        kallelse.move(ctx.session, meeting, at, place)
        if moved:
            schedule_meeting_reminders(ctx, meeting)
    elif place:
        kallelse.move(ctx.session, meeting, meeting.starts_at, place)
    return meeting, False


def _render(ctx: Context, meeting: PlannedMeeting | None, planned: bool = False) -> Reply:
    document = kallelse_document.build(ctx.session, ctx.organ, ctx.now, meeting)
    reply = render("kallelse", "skickad", k=document, planerat=planned)
    reply.attachments = kallelse_document.attachments(document)
    return reply
