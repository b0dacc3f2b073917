"""!budget and !bevilja (!anslag): the budget per insats of the room's förbund, and a grant
decided in the current §. Every lookup is scoped to ctx.organ.forbund_id: another
förbund's insats is never found, shown or counted."""

from __future__ import annotations

import re
from datetime import UTC
from typing import TYPE_CHECKING

from bot.commands.budget import file_import
from bot.commands.budget.amounts import AmountError, parse_amount
from bot.commands.budget.chart import bar_chart
from bot.commands.budget.names import (
    GROUP,
    default_year,
    name_and_amount,
    resolve,
    split_year,
    typed_amount,
)
from bot.commands.common import open_meeting
from bot.commands.paragraphs import _current_or_new
from bot.context import Context
from bot.core.args import Year
from bot.core.commands import RECORD, Command
from bot.dates import looks_like_date, parse_year
from bot.errors import UserError
from bot.messages import Attachment, Reply
from bot.render import render
from bot.swedish import amount_ore
from storage import budget, budget_lines, paragraphs
from storage.models import Entry, Paragraph
from storage.models_budget import Insats

if TYPE_CHECKING:
    from bot.core.app import App

NOTICE_WORDS = ("uppsatt", "nedtaget", "nedtagen")
# A chat reply stays readable: the largest grants are listed, the totals cover all rows.
TABLE_ROWS = 40
CHART_BARS = 30
# An amount no grant has, rendered into the decision to find where its amount stands.
_MARKER_ORE = 987_654_321_01

budget_cmd = Command("budget", aliases=["ekonomi"], group=GROUP,
                     summary="Visar beviljat, utfall och vad som är kvar, per insats eller för "
                             "året.")
# "Anslag" is also the notice on the anslagstavla: the grant is !bevilja, and !anslag stays
# as a synonym for those who say "anslag" of money.
anslag = Command("bevilja", aliases=["anslag", "grant"], group=GROUP, permission=RECORD,
                 summary="Beviljar en insats medel: beslutet i aktuell paragraf och det "
                         "beviljade beloppet i budgeten.")


def setup(app: App) -> None:
    app.add_command(budget_cmd, anslag)
    app.after_decision(_grant_follows_decision)


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
    name, year = (exact.name, None) if exact is not None else split_year(text)
    if not name:  # "!budget 2021" is the table; this is e.g. "!budget  "
        return _table(ctx, year)
    insats = resolve(ctx, name, "budget", str(year or ""))
    if year is None:
        year = default_year(ctx, insats)
    figures = budget.insats_year(ctx.session, insats, year)
    aliases = budget.aliases_of(ctx.session, [insats.id])[insats.id]
    return render("budget", "insats", r=figures, alias=aliases, förbund=ctx.organ.forbund_name)


def _table(ctx: Context, year: int | None) -> Reply:
    if year is None:
        year = default_year(ctx)
    table = budget.year_table(ctx.session, ctx.organ.forbund_id, year)
    return render("budget", "tabell", t=table, förbund=ctx.organ.forbund_name, max=TABLE_ROWS)


@budget_cmd.sub("diagram", usage=["!budget diagram [år]"], args=[Year()],
                 examples=["!budget diagram 2021"])
def _diagram(ctx: Context, year: int | None) -> Reply:
    if year is None:
        year = default_year(ctx)
    table = budget.year_table(ctx.session, ctx.organ.forbund_id, year)
    if not table.rows:
        raise UserError("ingen_budget", år=year)
    title = render("budget", "diagramrubrik", år=year, förbund=ctx.organ.forbund_name).text
    reply = render("budget", "diagram", t=table, max=CHART_BARS)
    reply.attachments.append(Attachment(f"budget-{year}.png", "image/png",
                                        bar_chart(table, title, CHART_BARS)))
    return reply


# The file is read in Sub.prepare, before the transaction (bot/commands/budget/file_import.py).
@budget_cmd.sub("import", permission=RECORD, usage=["!budget import [år] (med filen bifogad)"],
                prepare=file_import.read_file)
def _import(ctx: Context, rest: str) -> Reply:
    return file_import.import_file(ctx, rest)


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
    amount_text, year = split_year(text)
    if not amount_text:
        raise UserError("saknar_belopp", kommando=f"budget {what}")
    ore = typed_amount(amount_text, f"budget {what}")
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
    insats, ore, rest = name_and_amount(ctx, args, "bevilja")
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
    decision = _decision(ctx, insats.name, ore, year)
    target, created = _current_or_new(ctx, meeting, decision)
    entry = paragraphs.add_entry(ctx.session, target, "beslut", decision, "", ctx.actor.name,
                                 ctx.event_id)
    budget.add_grant(ctx.session, insats, year, ore, ctx.actor.name, decided_on=meeting.date,
                     paragraph=target, entry=entry, event_id=ctx.event_id)
    figures = budget.insats_year(ctx.session, insats, year)
    return render("budget", "anslag", paragraf=target, post=entry, ny=created, r=figures)


def _decision(ctx: Context, name: str, ore: int, year: int) -> str:
    return render("budget", "beslutstext", organ=ctx.organ.organ_name, insats=name,
                  belopp=ore, år=year).text


def _flat(text: str) -> str:
    return " ".join(text.split()).rstrip(".").casefold()


def _as_decision(ctx: Context, insats: Insats, text: str) -> tuple[int, int] | None:
    """(amount, year) when `text` is the decision !bevilja words for `insats` (by its name
    or an alias) with another amount or year. The template is rendered with each year the
    text names and a marker amount; the text must match it around the amount, and only
    the amount, as the user typed it, is read. So rewording the template keeps this right,
    and no template output is parsed."""
    flat = _flat(text)
    years = sorted({int(y) for y in re.findall(r"(?<!\d)(?:19|20)\d{2}(?!\d)", flat)})
    names = [insats.name, *budget.aliases_of(ctx.session, [insats.id])[insats.id]]
    marker = _flat(amount_ore(_MARKER_ORE))
    for name in names:
        for year in years:
            before, found, after = _flat(_decision(ctx, name, _MARKER_ORE, year)).partition(
                marker)
            if not found or len(before) + len(after) > len(flat) or not (
                    flat.startswith(before) and flat.endswith(after)):
                continue
            typed = flat[len(before):len(flat) - len(after)].strip()
            try:
                ore = abs(parse_amount(typed))
            except AmountError:
                continue
            if ore:
                return ore, year
    return None


def _grant_follows_decision(ctx: Context, paragraph: Paragraph, entry: Entry, new: bool
                            ) -> Reply | None:
    """`!ändra` of a decision made by !bevilja: the grant follows a new amount or year in
    the same form; any other text is refused, so § and budget never disagree. A new
    decision has no grant yet (!bevilja adds it after the entry)."""
    grant = None if new else budget.grant_of_entry(ctx.session, entry.id)
    if grant is None:
        return None
    insats = budget.insats_by_id(ctx.session, grant.insats_id)
    changed = _as_decision(ctx, insats, entry.text)
    if changed is None:
        decisions = paragraphs.view(ctx.session, paragraph).of_kind("beslut")
        point = next(n for n, d in enumerate(decisions, start=1) if d.id == entry.id)
        raise UserError("anslag_ändra", nummer=paragraph.number, punkt=point,
                        flera=len(decisions) > 1, insats=insats.name, belopp=grant.amount_ore,
                        år=grant.year,
                        exempel=_decision(ctx, insats.name, grant.amount_ore, grant.year))
    ore, year = changed
    budget.change_grant(ctx.session, grant, year, ore)
    return render("budget", "anslag_ändrat", r=budget.insats_year(ctx.session, insats,
                                                                    grant.year))
