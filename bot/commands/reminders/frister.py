"""!frister, !rapport, !rapporter and !kalender: the förbund's yearly deadlines, the
insatser's årsrapporter, and the calendar file."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.commands.reminders.calendar import build_calendar
from bot.commands.reminders.commands import GROUP
from bot.commands.reminders.deadlines import deadlines_in
from bot.commands.reminders.settings import DeadlineRule, find_forbund, forbund_settings
from bot.context import Context
from bot.core.args import Year, optional_year
from bot.core.commands import RECORD, Command
from bot.dates import parse_year
from bot.errors import UserError
from bot.messages import Attachment, Reply
from bot.render import render
from bot.swedish import fold
from storage import reports

if TYPE_CHECKING:
    from bot.core.app import App

frister = Command("frister", aliases=["deadlines"], group=GROUP,
                  summary="Visar förbundets frister under året: årsrapporter, årsredovisning, "
                          "delårsrapport, verksamhetsplan och budget.")
rapport = Command("rapport", aliases=["report"], group=GROUP, permission=RECORD,
                  summary="Antecknar att en insats har lämnat sin årsrapport.")
rapporter = Command("rapporter", aliases=["reports", "årsrapporter", "arsrapporter"],
                    group=GROUP,
                    summary="Visar vilka insatser som har lämnat sin årsrapport och vilka som "
                            "saknas.")
kalender = Command("kalender", aliases=["calendar", "ics"], group=GROUP,
                   summary="Ger en kalenderfil (.ics) med organets sammanträden och "
                           "förbundets frister.")


def setup(app: App) -> None:
    app.add_command(frister, rapport, rapporter, kalender)


def _rules(ctx: Context) -> tuple[DeadlineRule, ...]:
    fc = find_forbund(ctx.config, ctx.organ.forbund_key)
    return forbund_settings(ctx.config, fc).deadlines if fc else ()


def report_year(today: date) -> int:
    """The year an årsrapport is for by default: last year until the end of June, then this
    year (reports for it are due next 31 January)."""
    return today.year - 1 if today.month <= 6 else today.year


def _arsrapport_day(ctx: Context, year: int) -> date:
    rule = next((r for r in _rules(ctx) if r.key == "arsrapport"), None)
    return rule.on(year + 1) if rule else date(year + 1, 1, 31)


@frister.default(usage=["!frister [år]"], args=[Year()], examples=["!frister", "!frister 2027"])
def deadlines(ctx: Context, year: int | None) -> Reply:
    today = ctx.now.date()
    if year is not None:
        found = deadlines_in(_rules(ctx), year)
        reported = year - 1
    else:
        # Without a year: the coming twelve months, so that in November the next
        # årsrapport (31 January) shows rather than the year's passed deadlines.
        end = _one_year_after(today)
        found = sorted((d for y in (today.year, today.year + 1)
                        for d in deadlines_in(_rules(ctx), y) if today <= d.day < end),
                       key=lambda d: d.day)
        reported = next((d.report_year for d in found if d.report_year is not None),
                        report_year(today))
    names = reports.insats_names(ctx.session, ctx.organ.forbund_id, reported)
    done = {r.insats_key for r in reports.received(ctx.session, ctx.organ.forbund_id, reported)}
    counts = {"antal": len(names), "inne": sum(1 for n in names if fold(n) in done)}
    return render("frister", "lista", år=year, förbund=ctx.organ.forbund_name, frister=found,
                  idag=today, rapporter=counts)


def _one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return date(day.year + 1, 3, 1)


@rapport.default()
def _report_how(ctx: Context, args: str) -> Reply:
    raise UserError("rapport_hur")


@rapport.sub("inlämnad", aliases=["inkommen", "mottagen", "klar"],
             usage=["!rapport inlämnad <insats> [år]"],
             examples=["!rapport inlämnad Vidare Vy", "!rapport inlämnad Äpplet 2025"])
def report(ctx: Context, args: str) -> Reply:
    words = args.split()
    year = report_year(ctx.now.date())
    if words and (parse_year(words[-1]) is not None):
        year = parse_year(words[-1]) or year
        words = words[:-1]
    name_text = " ".join(words).strip()
    if not name_text:
        raise UserError("insats_saknas")
    name = _match_insats(ctx, name_text, year)
    _, new = reports.mark_received(ctx.session, ctx.organ.forbund_id, name, year,
                                   ctx.actor.name, ctx.event_id, ctx.now)
    return render("frister", "inlämnad", insats=name, år=year, ny=new,
                  kvar=reports.missing(ctx.session, ctx.organ.forbund_id, year))


def _match_insats(ctx: Context, text: str, year: int) -> str:
    """The insats a user means: the full name, or words that fit exactly one insats
    ('Äpplet' for 'Samverkansprojekt Äpplet'); case and accents do not matter."""
    names = reports.insats_names(ctx.session, ctx.organ.forbund_id, year)
    if not names:
        raise UserError("inga_insatser", år=year)
    wanted = fold(text)
    exact = [n for n in names if fold(n) == wanted]
    if exact:
        return exact[0]
    words = wanted.split()
    partial = [n for n in names if all(w in fold(n).split() for w in words)]
    if not partial:
        partial = [n for n in names if wanted in fold(n)]
    if len(partial) == 1:
        return partial[0]
    if partial:
        raise UserError("insats_tvetydig", text=text, träffar=partial)
    raise UserError("rapport_insats_okänd", text=text, insatser=names)


@rapporter.default(usage=["!rapporter [år]"], examples=["!rapporter", "!rapporter 2025"])
def report_status(ctx: Context, args: str) -> Reply:
    year = optional_year(args, "rapporter 2026", report_year(ctx.now.date()))
    if not reports.insats_names(ctx.session, ctx.organ.forbund_id, year):
        raise UserError("inga_insatser", år=year)
    tz = ZoneInfo(ctx.organ.timezone)
    inne = [{"insats_name": r.insats_name, "received_at": r.received_at.astimezone(tz)}
            for r in reports.received(ctx.session, ctx.organ.forbund_id, year)]
    return render("frister", "rapporter", år=year, inne=inne,
                  saknas=reports.missing_owed(ctx.session, ctx.organ.forbund_id, year),
                  frist=_arsrapport_day(ctx, year))


@kalender.default(usage=["!kalender"], examples=["!kalender"])
def calendar_file(ctx: Context, args: str) -> Reply:
    built = build_calendar(ctx.session, ctx.config, ctx.organ, ctx.now)
    reply = render("frister", "kalender", organ=ctx.organ.organ_name, möten=built.meetings,
                   frister=built.deadlines)
    reply.attachments.append(Attachment(built.filename, "text/calendar", built.data))
    return reply
