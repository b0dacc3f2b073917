"""!budget, !anslag, !utfall, !insats, !insatser: the budget per insats of the room's
förbund. Every lookup is scoped to ctx.organ.forbund_id: another förbund's insats is never
found, shown or counted."""

from __future__ import annotations

import re
from datetime import UTC, date
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.amounts import AMOUNT_PATTERN, AmountError, parse_amount
from bot.budget_chart import bar_chart
from bot.budget_credit import chat_outcome_ore
from bot.commands import budget_import
from bot.commands.common import open_meeting
from bot.commands.paragraphs import _current_or_new
from bot.context import Context
from bot.core.args import Year
from bot.core.commands import RECORD, Command
from bot.dates import looks_like_date, parse_year
from bot.errors import UserError
from bot.messages import Attachment, Reply
from bot.natural_dates import MONTH_WORDS, WEEKDAYS, DateProblem, parse_when
from bot.render import render
from storage import budget, budget_lines, paragraphs
from storage.models import Entry, Paragraph
from storage.models_budget import STATUSES, Insats

if TYPE_CHECKING:
    from bot.core.app import App

GROUP = "Budget"
_AMOUNT_START = re.compile(rf"^(?P<amount>{AMOUNT_PATTERN})(?=\s|$)\s*(?P<rest>.*)$",
                           re.IGNORECASE | re.DOTALL)
_FIELDS = {"ägare": "owner", "agare": "owner", "organisation": "owner", "kontakt": "contact",
           "kontaktperson": "contact", "period": "period", "status": "status"}
_PERIOD = re.compile(r"^((?:19|20)\d{2})(?:\s*[-–—]\s*((?:19|20)\d{2})?)?$")
NOTICE_WORDS = ("uppsatt", "nedtaget", "nedtagen")
# A comment that starts like a date: '30 juni 2021', '30/6', 'fredag den 31 december'.
_DATE_START = re.compile(rf"^(?:(?:{'|'.join(WEEKDAYS)})\s+)?(?:den\s+)?\d", re.IGNORECASE)
_DATE_WORD = re.compile(r"^\d{1,4}[-/.]\d{1,2}(?:[-/.]\d{1,4})?$")
# A chat reply stays readable: the largest grants are listed, the totals cover all rows.
TABLE_ROWS = 40
CHART_BARS = 30

budget_cmd = Command("budget", aliases=["ekonomi"], group=GROUP,
                     summary="Visar beviljat, utfall och vad som är kvar, per insats eller för "
                             "året.")
# "Anslag" is also the notice on the anslagstavla: the grant is !bevilja, and !anslag stays
# as a synonym for those who say "anslag" of money.
anslag = Command("bevilja", aliases=["anslag", "grant"], group=GROUP, permission=RECORD,
                 summary="Beviljar en insats medel: beslutet i aktuell paragraf och det "
                         "beviljade beloppet i budgeten.")
utfall = Command("utfall", aliases=["kostnad", "outcome"], group=GROUP, permission=RECORD,
                 summary="Bokför ett utfall på en insats: en kostnad, eller med minustecken "
                         "en återbetalning.")
insats_cmd = Command("insats", aliases=["intervention"], group=GROUP,
                     summary="Lägger till en insats, ett alias eller uppgifter, eller visar en "
                             "insats.")
insatser = Command("insatser", aliases=["interventions"], group=GROUP,
                   summary="Listar förbundets insatser med alias, ägare, period och status.")


def setup(app: App) -> None:
    app.add_command(budget_cmd, anslag, utfall, insats_cmd, insatser)
    app.after_decision(_grant_follows_decision)


# --- shared helpers -----------------------------------------------------------------------


def _resolve(ctx: Context, name: str, kommando: str, rest: str = "") -> Insats:
    """The insats called `name`; `rest` (amount, year …) goes into the suggested command."""
    found = budget.match_insats(ctx.session, ctx.organ.forbund_id, name)
    if found.found is not None:
        return found.found
    if found.candidates:
        raise UserError("insats_flera", namn=name, kandidater=[i.name for i in found.candidates],
                        kommando=kommando)
    raise UserError("insats_okänd", namn=name,
                    förslag=found.suggestion.name if found.suggestion else None,
                    kommando=kommando, resten=" ".join(rest.split()))


def _split_year(text: str) -> tuple[str, int | None]:
    """'Vidare Vy 2021' -> ('Vidare Vy', 2021)."""
    head, _, last = text.strip().rpartition(" ")
    year = parse_year(last)
    if year is not None:
        return head.strip(), year
    return text.strip(), None


def _amount(text: str, kommando: str, signed: bool = False) -> int:
    try:
        ore = parse_amount(text)
        return ore if signed else abs(ore)
    except AmountError as error:
        raise UserError("ogiltigt_belopp", text=text, kommando=kommando,
                        skäl="" if error.code == "inget_belopp" else error.reason) from None


def _name_and_amount(ctx: Context, args: str, kommando: str, signed: bool = False
                     ) -> tuple[Insats, int, str]:
    """'<insats> <belopp> <rest>': the name may have spaces and digits, so try every split
    and take the first whose name is an insats of the förbund. The amount keeps its sign
    only when `signed` (an utfall may be a credit; a grant is never negative)."""
    words = args.split()
    splits: list[tuple[str, str, str]] = []
    for cut in range(1, len(words)):
        match = _AMOUNT_START.match(" ".join(words[cut:]))
        if match:
            splits.append((" ".join(words[:cut]), match.group("amount"), match.group("rest")))
    if not splits:
        raise UserError("saknar_belopp", kommando=kommando)
    # An exact name or alias wins over a forgiving match, so that in 'Agenda 2030 5 000'
    # the name is 'Agenda 2030' (exact), not 'Agenda' (contained) with 2 030 kr.
    for name, amount, rest in reversed(splits):
        exact = budget.find_exact(ctx.session, ctx.organ.forbund_id, name)
        if exact is not None:
            return exact, _amount(amount, kommando, signed), rest.strip()
    for name, amount, rest in splits:
        found = budget.match_insats(ctx.session, ctx.organ.forbund_id, name)
        if found.found is not None:
            return found.found, _amount(amount, kommando, signed), rest.strip()
    name, amount, rest = splits[0]
    return (_resolve(ctx, name, kommando, f"{amount} {rest}"),
            _amount(amount, kommando, signed), rest.strip())


def _default_year(ctx: Context, insats: Insats | None = None) -> int:
    """This year when it has figures, else the latest year up to now that has."""
    if insats is not None:
        return budget.default_year(ctx.session, ctx.now.year, insats_id=insats.id)
    return budget.default_year(ctx.session, ctx.now.year, forbund_id=ctx.organ.forbund_id)


# --- !budget ------------------------------------------------------------------------------


@budget_cmd.default(usage=["!budget <insats> [år]", "!budget [år]"],
                     examples=["!budget Vidare Vy", "!budget äpplet 2021", "!budget 2021"])
def budget_command(ctx: Context, args: str) -> Reply:
    text = args.strip()
    if not text or parse_year(text) is not None:
        return _table(ctx, parse_year(text) if text else None)
    if looks_like_date(text) or (text.isdigit() and len(text) == 4):
        raise UserError("ogiltigt_år", text=text, exempel="budget 2021")
    return _insats(ctx, text)


def _insats(ctx: Context, text: str) -> Reply:
    # 'Psykeveckan 2020' is a name before it is a name and a year.
    exact = budget.find_exact(ctx.session, ctx.organ.forbund_id, text)
    name, year = (exact.name, None) if exact is not None else _split_year(text)
    if not name:  # "!budget 2021" is the table; this is e.g. "!budget  "
        return _table(ctx, year)
    insats = _resolve(ctx, name, "budget", str(year or ""))
    if year is None:
        year = _default_year(ctx, insats)
    figures = budget.insats_year(ctx.session, insats, year)
    aliases = budget.aliases_of(ctx.session, [insats.id])[insats.id]
    return render("budget", "insats", r=figures, alias=aliases, förbund=ctx.organ.forbund_name)


def _table(ctx: Context, year: int | None) -> Reply:
    if year is None:
        year = _default_year(ctx)
    table = budget.year_table(ctx.session, ctx.organ.forbund_id, year)
    return render("budget", "tabell", t=table, förbund=ctx.organ.forbund_name, max=TABLE_ROWS)


@budget_cmd.sub("diagram", usage=["!budget diagram [år]"], args=[Year()],
                 examples=["!budget diagram 2021"])
def _diagram(ctx: Context, year: int | None) -> Reply:
    if year is None:
        year = _default_year(ctx)
    table = budget.year_table(ctx.session, ctx.organ.forbund_id, year)
    if not table.rows:
        raise UserError("ingen_budget", år=year)
    title = render("budget", "diagramrubrik", år=year, förbund=ctx.organ.forbund_name).text
    reply = render("budget", "diagram", t=table, max=CHART_BARS)
    reply.attachments.append(Attachment(f"budget-{year}.png", "image/png",
                                        bar_chart(table, title, CHART_BARS)))
    return reply


# The file is read in Sub.prepare, before the transaction (bot/commands/budget_import.py).
budget_cmd.sub("import", permission=RECORD, usage=["!budget import [år] (med filen bifogad)"],
               prepare=budget_import.read_file)(budget_import.import_file)


@budget_cmd.sub("tilldelning", permission=RECORD, usage=["!budget tilldelning <belopp> [år]"],
                 examples=["!budget tilldelning 5 034 000 2021"])
def _tilldelning(ctx: Context, rest: str) -> Reply:
    return _year_figure(ctx, rest, "tilldelning")


@budget_cmd.sub("eget kapital", aliases=["egetkapital"], permission=RECORD,
                 usage=["!budget eget kapital <belopp> [år]"])
def _eget_kapital(ctx: Context, rest: str) -> Reply:
    return _year_figure(ctx, rest, "eget kapital")


@budget_cmd.sub("ångra", aliases=["angra"], permission=RECORD, args=[], usage=["!budget ångra"])
def _undo(ctx: Context) -> Reply:
    undone = budget_lines.undo_latest(ctx.session, ctx.organ.forbund_id)
    if undone is None:
        raise UserError("inget_att_ångra_i_budgeten")
    at = undone.at if undone.at.tzinfo else undone.at.replace(tzinfo=UTC)
    return render("budget", "ångrat", u=undone, när=at.astimezone(ctx.now.tzinfo))


@budget_cmd.sub("export")
def _export(ctx: Context, rest: str) -> Reply:
    raise UserError("budget_export_i_terminalen")


def _year_figure(ctx: Context, text: str, what: str) -> Reply:
    amount_text, year = _split_year(text)
    if not amount_text:
        raise UserError("saknar_belopp", kommando=f"budget {what}")
    ore = _amount(amount_text, f"budget {what}")
    year = year or ctx.now.year
    forbund = ctx.organ.forbund_id
    if what == "tilldelning":
        budget.set_year_figure(ctx.session, forbund, year, ctx.actor.name, tilldelning_ore=ore)
    else:
        budget.set_year_figure(ctx.session, forbund, year, ctx.actor.name, eget_kapital_ore=ore)
    table = budget.year_table(ctx.session, forbund, year)
    return render("budget", "årssiffra", vad=what, t=table)


# --- !bevilja (!anslag) ------------------------------------------------------------------


@anslag.default(usage=["!bevilja <insats> <belopp> [år]"],
                examples=["!bevilja Vidare Vy 455 000 2022", "!bevilja Äpplet 1,2 mkr 2023"])
def grant_command(ctx: Context, args: str) -> Reply:
    if args.strip().partition(" ")[0].casefold() in NOTICE_WORDS:
        # `!anslag uppsatt <datum>` is about the notice board, not money: the justering
        # capability adds those sub-commands; without it there is no notice board.
        raise UserError("anslagstavla_saknas")
    if not args.strip():
        raise UserError("saknar_belopp", kommando="bevilja")
    insats, ore, rest = _name_and_amount(ctx, args, "bevilja")
    meeting = open_meeting(ctx)
    rest = re.sub(r"^(?:för|år)\s+", "", rest.strip().rstrip("."), flags=re.IGNORECASE)
    year = meeting.date.year
    if rest:
        year = parse_year(rest)
        if year is None:
            raise UserError("ogiltigt_år", text=rest, exempel="bevilja Vidare Vy 455 000 2022")
    if ore == 0:
        raise UserError("ogiltigt_belopp", text="0", kommando="bevilja",
                        skäl=AmountError("0", "inte_positivt").reason)
    decision = render("budget", "beslutstext", organ=ctx.organ.organ_name, insats=insats.name,
                      belopp=ore, år=year).text
    target, created = _current_or_new(ctx, meeting, decision)
    entry = paragraphs.add_entry(ctx.session, target, "beslut", decision, "", ctx.actor.name,
                                 ctx.event_id)
    budget.add_grant(ctx.session, insats, year, ore, ctx.actor.name, decided_on=meeting.date,
                     paragraph=target, entry=entry, event_id=ctx.event_id)
    figures = budget.insats_year(ctx.session, insats, year)
    return render("budget", "anslag", paragraf=target, post=entry, ny=created, r=figures)


_GRANT_DECISION = re.compile(
    rf"^.+?\s+beviljar\s+(?P<name>.+?)\s+(?P<amount>{AMOUNT_PATTERN})\s+för\s+(?:år\s+)?"
    r"(?P<year>(?:19|20)\d{2})\.?$", re.IGNORECASE | re.DOTALL)


def _grant_follows_decision(ctx: Context, paragraph: Paragraph, entry: Entry) -> Reply | None:
    """`!ändra` of a decision made by !anslag: the grant follows a new amount or year in
    the same form; any other text is refused, so § and budget never disagree."""
    grant = budget.grant_of_entry(ctx.session, entry.id)
    if grant is None:
        return None
    insats = ctx.session.get(Insats, grant.insats_id)
    assert insats is not None
    match = _GRANT_DECISION.match(entry.text.strip())
    named = (budget.find_exact(ctx.session, ctx.organ.forbund_id, match.group("name"))
             if match else None)
    ore = 0
    if match and named is not None and named.id == insats.id:
        try:
            ore = abs(parse_amount(match.group("amount")))
        except AmountError:
            ore = 0
    if ore == 0:
        decisions = paragraphs.view(ctx.session, paragraph).of_kind("beslut")
        point = next(n for n, d in enumerate(decisions, start=1) if d.id == entry.id)
        raise UserError("anslag_ändra", nummer=paragraph.number, punkt=point,
                        flera=len(decisions) > 1, insats=insats.name, belopp=grant.amount_ore,
                        år=grant.year, exempel=render(
                            "budget", "beslutstext", organ=ctx.organ.organ_name,
                            insats=insats.name, belopp=grant.amount_ore, år=grant.year).text)
    assert match is not None
    budget.change_grant(ctx.session, grant, int(match.group("year")), ore)
    return render("budget", "anslag_ändrat", r=budget.insats_year(ctx.session, insats,
                                                                    grant.year))


# --- !utfall ------------------------------------------------------------------------------


@utfall.default(usage=["!utfall <insats> <belopp> [datum] [kommentar]"],
                examples=["!utfall Vidare Vy 227 223 2021-06-30 Delårsbokslut",
                          "!utfall Äpplet 37 500 Faktura december",
                          "!utfall Vidare Vy -12 000 återbetalning"])
def outcome_command(ctx: Context, args: str) -> Reply:
    if not args.strip():
        raise UserError("saknar_belopp", kommando="utfall")
    insats, ore, rest = _name_and_amount(ctx, args, "utfall", signed=True)
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


# --- the register -------------------------------------------------------------------------


def _show(ctx: Context, insats: Insats, ändrad: bool = False) -> Reply:
    aliases = budget.aliases_of(ctx.session, [insats.id])[insats.id]
    years = budget.years_of_insats(ctx.session, insats.id)
    return render("budget", "insatskort", i=insats, alias=aliases, år=years, ändrad=ändrad)


def _details(text: str) -> dict[str, object]:
    """'ägare: ÖK; kontakt: Anna; period: 2021–2023; status: avslutad' -> column values."""
    values: dict[str, object] = {}
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        key, sep, value = part.partition(":")
        field = _FIELDS.get(key.strip().casefold())
        if not sep or field is None:
            raise UserError("insats_uppgift_okänd", text=part)
        value = value.strip()[:200]
        if field == "period":
            match = _PERIOD.match(value)
            if match is None:
                raise UserError("insats_period", text=value)
            values["start_year"] = int(match.group(1))
            values["end_year"] = int(match.group(2)) if match.group(2) else (
                None if re.search(r"[-–—]", value) else int(match.group(1)))
        elif field == "status":
            if value.casefold() not in STATUSES:
                raise UserError("insats_status", text=value, former=list(STATUSES))
            values["status"] = value.casefold()
        else:
            values[field] = value
    return values


@insats_cmd.sub("ny", aliases=["nytt", "new", "lägg", "lagg"], permission=RECORD,
                 usage=["!insats ny <namn>[; ägare: …; kontakt: …; period: 2021–2023]"],
                 examples=["!insats ny Vidare Vy; ägare: Örnsköldsviks kommun; "
                           "period: 2020–2022"])
def _new_insats(ctx: Context, text: str) -> Reply:
    name, _, details = text.partition(";")
    name = re.sub(r"\s+", " ", name).strip()
    if not name:
        raise UserError("saknar_insatsnamn")
    if len(name) > 200:
        raise UserError("insatsnamn_för_långt")
    taken = budget.find_exact(ctx.session, ctx.organ.forbund_id, name)
    if taken is not None:
        raise UserError("insats_finns", namn=name, insats=taken.name)
    values = _details(details)
    insats = budget.create_insats(ctx.session, ctx.organ.forbund_id, name, ctx.actor.name,
                                  **values)  # type: ignore[arg-type]
    return render("budget", "insats_ny", i=insats)


@insats_cmd.sub("alias", permission=RECORD, usage=["!insats alias <namn> = <alias>"],
                 examples=["!insats alias Samverkansprojekt Äpplet = Projekt Äpplet"])
def _alias(ctx: Context, text: str) -> Reply:
    text = text.strip()
    forbund = ctx.organ.forbund_id
    name = alias = ""
    for sep in ("=", ":", ";"):
        if sep in text:
            name, _, alias = (p.strip() for p in text.partition(sep))
            break
    insats: Insats | None = None
    if name:
        insats = _resolve(ctx, name, "insats alias")
    else:
        words = text.split()
        # The longest start that is exactly a name, else the shortest that names one insats.
        for cut in range(len(words) - 1, 0, -1):
            insats = budget.find_exact(ctx.session, forbund, " ".join(words[:cut]))
            if insats is not None:
                break
        else:
            for cut in range(1, len(words)):
                insats = budget.match_insats(ctx.session, forbund, " ".join(words[:cut])).found
                if insats is not None:
                    break
        if insats is None:
            raise UserError("alias_form")
        alias = " ".join(words[cut:])
    alias = re.sub(r"\s+", " ", alias).strip()
    if not alias or insats is None:
        raise UserError("alias_form")
    if len(alias) > 200:
        raise UserError("insatsnamn_för_långt")
    taken = budget.find_exact(ctx.session, forbund, alias)
    if taken is not None:
        raise UserError("alias_finns", alias=alias, insats=taken.name)
    budget.add_alias(ctx.session, insats, alias)
    return render("budget", "alias_ny", i=insats, alias=alias)


@insats_cmd.sub("ändra", aliases=["andra", "edit"], permission=RECORD,
                 usage=["!insats ändra <namn>; status: avslutad"],
                 examples=["!insats ändra Vidare Vy; kontakt: Anna Andersson"])
def _change_insats(ctx: Context, rest: str) -> Reply:
    name, _, details = rest.partition(";")
    insats = _resolve(ctx, name.strip(), "insats ändra")
    values = _details(details)
    if not values:
        raise UserError("insats_uppgifter_saknas")
    budget.update_insats(ctx.session, insats, **values)
    return _show(ctx, insats, ändrad=True)


@insats_cmd.default(usage=["!insats <namn>"])
def insats_command(ctx: Context, args: str) -> Reply:
    if not args.strip():
        return insatser_command(ctx, "")
    return _show(ctx, _resolve(ctx, args.strip(), "insats"))


@insatser.default(usage=["!insatser"], examples=["!insatser"])
def insatser_command(ctx: Context, args: str) -> Reply:
    register = budget.insatser(ctx.session, ctx.organ.forbund_id)
    aliases = budget.aliases_of(ctx.session, [i.id for i in register])
    return render("budget", "insatser", lista=register, alias=aliases,
                  förbund=ctx.organ.forbund_name)
