"""!paragraf, !beslut, !yrkande, !info, !ändra, !ångra, !paragrafnummer: the § and its lines."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.commands.common import ensure_not_justerad, open_meeting, resolve_paragraph, title_from
from bot.context import Context
from bot.core.args import ParagraphRef, Ref, Text, require_text
from bot.core.commands import RECORD, Command
from bot.dates import parse_year
from bot.errors import UserError
from bot.messages import Reply
from bot.render import render
from bot.swedish import fold
from storage import meetings, paragraphs, tenants
from storage.models import Entry, Meeting, Paragraph

if TYPE_CHECKING:
    from bot.core.app import App

GROUP = "Paragrafer och beslut"
MAX_TITLE = 300
_PROPOSER = re.compile(r"^(?P<name>[^:\n]{2,80}):\s*(?P<text>.+)$", re.DOTALL)
_DECISION = re.compile(r"^beslut\s*(\d+)\s+(.*)$", re.IGNORECASE | re.DOTALL)
_POINT = re.compile(r"^(?:punkt|beslut|p\.?)\s*(\d+)\s+(.*)$", re.IGNORECASE | re.DOTALL)

paragraf = Command("paragraf", aliases=["§", "p", "rubrik", "paragraph"], group=GROUP,
                   permission=RECORD,
                   summary="Börjar nästa paragraf (§) i det öppna sammanträdet.")
beslut = Command("beslut", aliases=["decision", "decide"], group=GROUP, permission=RECORD,
                 summary="Antecknar ett beslut i aktuell paragraf (eller i en ny, om ingen "
                         "finns).")
yrkande = Command("yrkande", aliases=["yrka"], group=GROUP, permission=RECORD,
                  summary="Antecknar ett yrkande med förslagsställarens namn.")
info_cmd = Command("info", aliases=["information", "text"], group=GROUP,
                   permission=RECORD,
                   summary="Antecknar löpande text (information, föredragning) i aktuell "
                           "paragraf.")
andra = Command("ändra", aliases=["andra", "edit", "rätta"], group=GROUP, permission=RECORD,
                summary="Rättar ett beslut (eller en rubrik) innan protokollet är justerat.")
angra = Command("ångra", aliases=["angra", "undo"], group=GROUP, permission=RECORD,
                summary="Tar bort det du senast antecknade i det öppna sammanträdet.")
punkt_cmd = Command("punkt", aliases=["underpunkt", "ärende"], group=GROUP, permission=RECORD,
                    summary="Börjar ett ärende inom aktuell paragraf (informationsärenden, "
                            "övriga frågor) med egen rubrik, text och beslut.")
paragrafnummer = Command("paragrafnummer", aliases=["nummer", "numbering"], group=GROUP,
                         permission=RECORD,
                         summary="Anger numret på nästa paragraf (för en styrelse som börjar "
                                 "mitt i året).")


def setup(app: App) -> None:
    app.add_command(paragraf, beslut, yrkande, info_cmd, punkt_cmd, andra, angra,
                    paragrafnummer)


def _current_or_new(ctx: Context, meeting: Meeting, text: str) -> tuple[Paragraph, bool]:
    """The § being recorded, or a new one titled from the text when there is none."""
    current = paragraphs.current_paragraph(ctx.session, meeting.id)
    if current is not None:
        ensure_not_justerad(meeting, current)
        return current, False
    return _new_paragraph(ctx, meeting, title_from(text)), True


def _new_paragraph(ctx: Context, meeting: Meeting, title: str) -> Paragraph:
    ensure_not_justerad(meeting)
    return paragraphs.create_paragraph(ctx.session, ctx.organ.organ_id, ctx.organ.numbering,
                                       meeting, title[:MAX_TITLE], ctx.actor.name, ctx.event_id)


@paragraf.default(usage=["!paragraf <rubrik>"], args=[Text()],
                  examples=["!paragraf Sammanträdet öppnas", "!paragraf Val av justerare"])
def paragraph(ctx: Context, title: str) -> Reply:
    meeting = open_meeting(ctx)
    created = _new_paragraph(ctx, meeting, title_from(title, MAX_TITLE))
    return render("paragraf", "ny", paragraf=created)


def _record(ctx: Context, text: str, kind: str) -> Reply:
    meeting = open_meeting(ctx)
    proposer = ""
    if kind == "yrkande":
        proposer, text = _proposer(ctx, text)
    target, created = _current_or_new(ctx, meeting, text)
    entry = paragraphs.add_entry(ctx.session, target, kind, text, proposer, ctx.actor.name,
                                 ctx.event_id)
    reply = render("paragraf", "antecknat", paragraf=target, post=entry, ny=created)
    for hook in ctx.services.hooks.after_entry:  # a numbered yrkande words its own reply
        reply = hook(ctx, target, entry, created) or reply
    return _after_decision(ctx, target, entry, reply, new=True)


def _after_decision(ctx: Context, target: Paragraph, entry: Entry, reply: Reply, *,
                    new: bool) -> Reply:
    if entry.kind != "beslut":
        return reply
    for hook in ctx.services.hooks.after_decision:
        _append(reply, hook(ctx, target, entry, new))
    return reply


def _append(reply: Reply, note: Reply | None) -> None:
    if note is not None:
        reply.text += "\n" + note.text
        reply.html += "\n" + note.html


def _proposer(ctx: Context, text: str) -> tuple[str, str]:
    """'Cecilia Sparf: bifall' names the proposer when the name is a member or participant;
    otherwise the sender proposes."""
    match = _PROPOSER.match(text)
    if match:
        name = match.group("name").strip()
        member = tenants.member_by_name(ctx.session, ctx.organ.organ_id, name)
        known = member.name if member else _participant(ctx, name)
        if known:
            return known, match.group("text").strip()
    return ctx.actor.name, text


def _participant(ctx: Context, name: str) -> str:
    meeting = meetings.open_meeting_of(ctx.session, ctx.organ.organ_id)
    if meeting is None:
        return ""
    for person in meetings.people_in(ctx.session, meeting.id):
        if person.name.casefold() == name.casefold():
            return person.name
    return ""


@beslut.default(usage=["!beslut <text>"], args=[Text()],
                examples=["!beslut Styrelsen fastställer årsredovisningen",
                          "!beslut Att lägga protokollet till handlingarna utan anmärkning."])
def decision(ctx: Context, text: str) -> Reply:
    return _record(ctx, text, "beslut")


@yrkande.default(usage=["!yrkande <text>", "!yrkande <namn>: <text>"], args=[Text()],
                 examples=["!yrkande Cecilia Sparf: bifall till förslaget"])
def motion(ctx: Context, text: str) -> Reply:
    return _record(ctx, text, "yrkande")


@info_cmd.default(usage=["!info <text>"], args=[Text()],
                  examples=["!info Förbundschef Pär Eriksson gav en ekonomisk nulägesrapport."])
def info(ctx: Context, text: str) -> Reply:
    return _record(ctx, text, "info")


@punkt_cmd.default(usage=["!punkt <rubrik>"], args=[Text()],
                   examples=["!punkt Studiebesök i Sundsvall 28 april",
                             "!punkt Ekonomisk rapport"])
def sub_item(ctx: Context, title: str) -> Reply:
    """A sub-ärende of the current §: the !info, !beslut and !yrkande after it are its."""
    meeting = open_meeting(ctx)
    current = paragraphs.current_paragraph(ctx.session, meeting.id)
    if current is None:
        raise UserError("punkt_utan_paragraf", rubrik=title)
    ensure_not_justerad(meeting, current)
    entry = paragraphs.add_entry(ctx.session, current, paragraphs.PUNKT,
                                 title_from(title, MAX_TITLE), "", ctx.actor.name,
                                 ctx.event_id)
    number = len(paragraphs.view(ctx.session, current).punkter)
    return render("paragraf", "punkt_ny", paragraf=current, post=entry, nummer=number)


@andra.default(usage=["!ändra §N [år] <ny text>", "!ändra §N beslut <nr> <ny text>",
                      "!ändra §N rubrik <ny rubrik>",
                      "!ändra §N punkt <nr> [beslut <nr>] <ny text>",
                      "!ändra §N punkt <nr> rubrik <ny rubrik>"],
               args=[Ref(year_allowed=True), Text(optional=True)],
               examples=["!ändra §26 Styrelsen fastställer årsredovisning 2021 enligt bilaga.",
                         "!ändra §29 punkt 2 Jan-Olov och Johnny rapporterar i maj."])
def change(ctx: Context, ref: ParagraphRef, text: str) -> Reply:
    target = resolve_paragraph(ctx, ref)
    meeting = meetings.meeting_by_id(ctx.session, target.meeting_id)
    ensure_not_justerad(meeting, target)
    rest = require_text(ctx, text)
    if rest.lower().startswith("rubrik "):
        title = require_text(ctx, rest[7:])[:MAX_TITLE]
        old = paragraphs.change_title(ctx.session, target, title, ctx.actor.name, ctx.event_id)
        return render("paragraf", "rubrik_ändrad", paragraf=target, gammal=old)
    decisions = paragraphs.view(ctx.session, target).of_kind("beslut")
    point = _POINT.match(rest)
    punkter = paragraphs.view(ctx.session, target).punkter
    if punkter and point and fold(rest).startswith("punkt"):
        return _change_in_punkt(ctx, target, punkter, int(point.group(1)), point.group(2))
    if point:
        index, rest = int(point.group(1)), require_text(ctx, point.group(2))
        if not 1 <= index <= len(decisions):
            raise UserError("ingen_sådan_punkt", nummer=target.number, punkt=index,
                            antal=len(decisions))
    elif len(decisions) == 1:
        index = 1
    elif not decisions:
        raise UserError("inga_beslut", nummer=target.number)
    else:
        raise UserError("flera_beslut", nummer=target.number, beslut=[d.text for d in decisions])
    entry = decisions[index - 1]
    old = paragraphs.change_entry(ctx.session, target, entry, rest, ctx.actor.name,
                                  ctx.event_id)
    reply = render("paragraf", "ändrat", paragraf=target, post=entry, gammal=old)
    return _after_decision(ctx, target, entry, reply, new=False)


def _change_in_punkt(ctx: Context, target: Paragraph, punkter: list[paragraphs.ParagraphPart],
                     index: int, rest: str) -> Reply:
    """`!ändra §29 punkt 2 …` in a § with sub-ärenden: the punkt's heading (`rubrik`), its
    only beslut, or its beslut N (`beslut N`)."""
    if not 1 <= index <= len(punkter):
        raise UserError("ingen_sådan_underpunkt", nummer=target.number, punkt=index,
                        antal=len(punkter))
    part, rest = punkter[index - 1], require_text(ctx, rest)
    if fold(rest).startswith("rubrik "):
        heading = part.heading
        title = require_text(ctx, rest[7:])[:MAX_TITLE]
        old = paragraphs.change_entry(ctx.session, target, heading, title, ctx.actor.name,
                                      ctx.event_id)
        return render("paragraf", "punkt_rubrik_ändrad", paragraf=target, punkt=index,
                      post=heading, gammal=old)
    decisions = part.of_kind("beslut")
    chosen = _DECISION.match(rest)
    if chosen:
        which, rest = int(chosen.group(1)), require_text(ctx, chosen.group(2))
        if not 1 <= which <= len(decisions):
            raise UserError("ingen_sådan_punkt", nummer=target.number, punkt=which,
                            antal=len(decisions))
    elif len(decisions) == 1:
        which = 1
    elif not decisions:
        raise UserError("inga_beslut", nummer=target.number)
    else:
        raise UserError("flera_beslut_i_punkt", nummer=target.number, punkt=index,
                        beslut=[d.text for d in decisions])
    entry = decisions[which - 1]
    old = paragraphs.change_entry(ctx.session, target, entry, rest, ctx.actor.name,
                                  ctx.event_id)
    reply = render("paragraf", "ändrat", paragraf=target, post=entry, gammal=old)
    return _after_decision(ctx, target, entry, reply, new=False)


@angra.default(usage=["!ångra"], examples=["!ångra"])
def undo(ctx: Context, args: str) -> Reply:
    meeting = open_meeting(ctx)
    action = paragraphs.last_action(ctx.session, meeting, ctx.actor.name)
    for step in ctx.services.hooks.undo_steps:  # a newer procedure step (röst, jäv, …)
        undone = step(ctx, meeting, action)
        if undone is not None:
            return undone
    if action is None:
        raise UserError("inget_att_ångra")
    ensure_not_justerad(meeting, action.paragraph)
    paragraphs.undo(ctx.session, action, ctx.actor.name, ctx.event_id)
    reply = render("paragraf", "ångrat", ångrat=action)
    for hook in ctx.services.hooks.after_undo:
        _append(reply, hook(ctx, action))
    return reply


@paragrafnummer.default(usage=["!paragrafnummer <N> [år]"],
                        examples=["!paragrafnummer 22", "!paragrafnummer 1 2027"])
def numbering(ctx: Context, args: str) -> Reply:
    words = args.replace("§", " ").split()
    if not words or not words[0].isdecimal() or not 0 < int(words[0]) < 100_000 or len(words) > 2:
        raise UserError("ogiltigt_nummer", text=args.strip())
    year = parse_year(words[1]) if len(words) == 2 else None
    if len(words) == 2 and year is None:
        raise UserError("ogiltigt_år", text=words[1], exempel="paragrafnummer 22 2022")
    organ = ctx.organ
    meeting = meetings.open_meeting_of(ctx.session, organ.organ_id)
    if organ.numbering == "möte":
        if meeting is None:
            raise UserError("numrering_per_möte")
        series, where = paragraphs.series_for("möte", meeting), meeting.date.isoformat()
    else:
        year = year or (meeting.date.year if meeting else ctx.now.year)
        series, where = str(year), str(year)
    text = words[0]
    highest = paragraphs.set_next_number(ctx.session, organ.organ_id, series, int(text))
    if highest is not None:
        raise UserError("nummer_krockar", nummer=int(text), högsta=highest, var=where)
    return render("paragraf", "nummer_satt", nummer=int(text), var=where,
                  per_möte=organ.numbering == "möte")

