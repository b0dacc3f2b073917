"""!utfall: an outcome (a cost, or with a minus sign or 'återbetalning' returned money)
booked on an insats, on the day at the start of the comment or today."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.commands.budget.credit import chat_outcome_ore
from bot.commands.budget.names import GROUP, name_and_amount
from bot.context import Context
from bot.core.commands import RECORD, Command
from bot.errors import UserError
from bot.messages import Reply
from bot.natural_dates import MONTH_WORDS, WEEKDAYS, DateProblem, parse_when
from bot.render import render
from storage import budget

if TYPE_CHECKING:
    from bot.core.app import App

# A comment that starts like a date: '30 juni 2021', '30/6', 'fredag den 31 december'.
_DATE_START = re.compile(rf"^(?:(?:{'|'.join(WEEKDAYS)})\s+)?(?:den\s+)?\d", re.IGNORECASE)
_DATE_WORD = re.compile(r"^\d{1,4}[-/.]\d{1,2}(?:[-/.]\d{1,4})?$")

utfall = Command("utfall", aliases=["kostnad", "outcome"], group=GROUP, permission=RECORD,
                 summary="Bokför ett utfall på en insats: en kostnad, eller med minustecken "
                         "en återbetalning.")


def setup(app: App) -> None:
    app.add_command(utfall)


@utfall.default(usage=["!utfall <insats> <belopp> [datum] [kommentar]"],
                examples=["!utfall Vidare Vy 227 223 2021-06-30 Delårsbokslut",
                          "!utfall Äpplet 37 500 Faktura december",
                          "!utfall Vidare Vy -12 000 återbetalning"])
def outcome_command(ctx: Context, args: str) -> Reply:
    if not args.strip():
        raise UserError("saknar_belopp", kommando="utfall")
    insats, ore, rest = name_and_amount(ctx, args, "utfall", signed=True)
    day, rest = _booking_day(ctx, rest)
    ore = chat_outcome_ore(ore, rest)  # '-12 000' or 'återbetalning': returned money
    budget.add_outcome(ctx.session, insats, day.year, ore, ctx.actor.name, booked_on=day,
                       comment=rest[:300], event_id=ctx.event_id)
    figures = budget.insats_year(ctx.session, insats, day.year)
    return render("budget", "utfall", belopp=ore, datum=day, kommentar=rest[:300], r=figures)


def _booking_day(ctx: Context, text: str) -> tuple[date, str]:
    """The date at the start of the comment ('2021-06-30', '30 juni 2021', '30/6') and the
    rest; today without one. Without a year, the latest such day up to today: a cost is
    booked after it happened. A date that cannot be read is an error, never a comment."""
    today = ctx.now.date()
    words = text.split()
    if not _DATE_START.match(text):
        return today, text
    skip = next(i for i, w in enumerate(words) if w[0].isdigit())  # 'fredag den 30 juni'
    for n in range(min(len(words), skip + 3), skip, -1):
        phrase = " ".join(words[:n])
        try:
            when = parse_when(phrase, ctx.now, ZoneInfo(ctx.organ.timezone))
        except DateProblem:  # 'fredag 30 juni 2021' (a wednesday)
            raise UserError("ogiltigt_datum", text=phrase,
                            kommando="utfall Vidare Vy 227 223") from None
        if when is None or when.has_time:
            continue
        day = when.at.date()
        if not re.search(r"\d{4}", phrase) and day > today:
            for year in (today.year, today.year - 1):
                try:
                    candidate = day.replace(year=year)
                except ValueError:  # 29 februari
                    continue
                if candidate <= today:
                    day = candidate
                    break
        return day, " ".join(words[n:])
    digits = words[skip] if skip < len(words) else ""
    following = words[skip + 1].casefold() if skip + 1 < len(words) else ""
    if skip or _DATE_WORD.match(digits) or following.strip(".,") in MONTH_WORDS:
        bad = " ".join(words[:skip + (2 if following.strip(".,") in MONTH_WORDS else 1)])
        raise UserError("ogiltigt_datum", text=bad, kommando="utfall Vidare Vy 227 223")
    return today, text
