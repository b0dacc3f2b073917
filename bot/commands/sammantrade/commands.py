"""!ersättare, !jäv, !instämmer, !proposition, !yrkande ta tillbaka, !reservation,
!anteckning: who decides a § and what the protokoll must hold of it (Kommunallagen
5 kap 67 §). The vote itself is votering.py, the corrections (!ändra §N
yrkande|reservation|anteckning) andra.py; the rules are
procedure.py."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.commands.common import ensure_not_justerad, open_meeting, resolve_paragraph
from bot.commands.sammantrade import procedure
from bot.commands.sammantrade.andra import (
    correct_anteckning,
    correct_reservation,
    correct_yrkande,
)
from bot.commands.sammantrade.common import NAME_TEXT, current, live_yrkande, person
from bot.context import Context
from bot.core.args import parse_ref, require_text
from bot.core.commands import RECORD, Command, subcommand
from bot.errors import UserError
from bot.messages import Reply
from bot.render import render
from storage import meetings, paragraphs, sammantrade, tenants
from storage.keys import name_key
from storage.models import Entry, Meeting, Paragraph
from storage.models_sammantrade import Anteckning, Ersattare, Reservation

if TYPE_CHECKING:
    from bot.core.app import App
    from storage.paragraphs import LastAction

GROUP = "Yrkanden, votering och reservation"
_FOR = re.compile(r"^(?P<who>.+?)\s+för\s+(?P<for>.+?)"
                  r"(?:\s+(?P<from>från\s+)?§\s*(?P<num>\d+))?\s*$", re.IGNORECASE)
_TRAILING_REF = re.compile(r"^(?P<name>.+?)\s+§\s*(?P<num>\d+)\s*$")

ersattare_cmd = Command("ersättare", aliases=["ersattare", "tjänstgör", "tjanstgor"],
                        group=GROUP, permission=RECORD,
                        summary="Antecknar att en ersättare tjänstgör för en ledamot.")
jav_cmd = Command("jäv", aliases=["jav", "jävig"], group=GROUP, permission=RECORD,
                  summary="Antecknar att någon anmäler jäv i aktuell paragraf.")
instammer_cmd = Command("instämmer", aliases=["instammer", "instäm"], group=GROUP,
                        permission=RECORD,
                        summary="Antecknar att någon instämmer i ett yrkande.")
proposition_cmd = Command("proposition", aliases=["prop"], group=GROUP, permission=RECORD,
                          summary="Ordföranden ställer proposition och finner att organet "
                                  "beslutar enligt ett yrkande (utan votering).")
reservation_cmd = Command("reservation", aliases=["reservera", "reserverar"], group=GROUP,
                          permission=RECORD,
                          summary="Antecknar en reservation mot beslutet i aktuell paragraf.")
anteckning_cmd = Command("anteckning", aliases=["protokollsanteckning"], group=GROUP,
                         permission=RECORD,
                         summary="Antecknar en protokollsanteckning under paragrafens beslut.")


@subcommand("yrkande", "ta tillbaka", aliases=["återta", "atert", "tillbaka"],
            permission=RECORD, usage=["!yrkande ta tillbaka <nr>"],
            examples=["!yrkande ta tillbaka 2"])
def withdraw(ctx: Context, rest: str) -> Reply:
    meeting, target = current(ctx)
    found = live_yrkande(ctx, target, rest, "yrkande ta tillbaka 2")
    row, entry = found
    sammantrade.withdraw(ctx.session, row, entry, ctx.actor.name)
    sammantrade.add_step(ctx.session, meeting.id, target.id, "återtaget", row.id, ctx.actor.name)
    return render("sammantrade", "återtaget", paragraf=target, nummer=row.number,
                  förslagsställare=entry.proposer, text=entry.text)


def setup(app: App) -> None:
    app.add_command(ersattare_cmd, jav_cmd, instammer_cmd, proposition_cmd, reservation_cmd,
                    anteckning_cmd)
    for form in (withdraw, correct_yrkande, correct_reservation, correct_anteckning):
        app.extend_command(form)
    app.services.hooks.after_entry.append(number_yrkande)
    app.after_undo(free_number)
    app.after_decision(warn_not_beslutsfor)
    app.services.hooks.undo_steps.append(undo_step)
    app.services.hooks.protocol_ready.append(written_reservations_missing)


# Yrkanden.

def number_yrkande(ctx: Context, target: Paragraph, entry: Entry, created: bool
                   ) -> Reply | None:
    """`!yrkande` numbers the yrkande in its § and words the reply with the number."""
    if entry.kind != "yrkande":
        return None
    row = sammantrade.number_yrkande(ctx.session, entry)
    return render("sammantrade", "yrkande", paragraf=target, nummer=row.number,
                  förslagsställare=entry.proposer, text=entry.text, ny=created)


def free_number(ctx: Context, action: LastAction) -> Reply | None:
    if action.entry is not None and action.entry.kind == "yrkande":
        sammantrade.drop_number(ctx.session, action.entry.id)
    return None


@instammer_cmd.default(usage=["!instämmer <namn> <nr>"],
                       examples=["!instämmer Cecilia Sparf 1"])
def join(ctx: Context, text: str) -> Reply:
    meeting, target = current(ctx)
    words = require_text(ctx, text).rsplit(None, 1)
    if len(words) != 2:
        raise UserError("saknar_text", kommando=ctx.sub.label, exempel=ctx.sub.example)
    name = person(ctx, meeting, words[0])
    row, entry = live_yrkande(ctx, target, words[1], ctx.sub.example)
    joined = sammantrade.add_instammande(ctx.session, row, name, ctx.actor.name)
    if joined is None:
        raise UserError("instämmer_redan", namn=name, yrkande=row.number)
    sammantrade.add_step(ctx.session, meeting.id, target.id, "instämmer", joined.id,
                         ctx.actor.name)
    return render("sammantrade", "instämmer", paragraf=target, namn=name, nummer=row.number)


@proposition_cmd.default(usage=["!proposition <nr>"], examples=["!proposition 1"])
def proposition(ctx: Context, text: str) -> Reply:
    meeting, target = current(ctx)
    row, entry = live_yrkande(ctx, target, require_text(ctx, text), "proposition 1")
    open_vote = sammantrade.open_votering(ctx.session, ctx.organ.organ_id)
    if open_vote is not None:
        raise UserError("votering_pågår", nummer=_number_of(ctx, open_vote.paragraph_id))
    made = sammantrade.add_proposition(ctx.session, target.id, row.number, ctx.actor.name)
    sammantrade.add_step(ctx.session, meeting.id, target.id, "proposition", made.id,
                         ctx.actor.name)
    reply = render("sammantrade", "proposition", paragraf=target, organ=ctx.organ.organ_name,
                   nummer=row.number, text=entry.text,
                   har_beslut=bool(paragraphs.view(ctx.session, target).of_kind("beslut")))
    _append(reply, beslutsforhet_note(ctx, meeting, target))
    return reply


def _number_of(ctx: Context, paragraph_id: int) -> int:
    found = paragraphs.paragraph_by_id(ctx.session, paragraph_id)
    return found.number if found else 0


# Who decides.

@ersattare_cmd.bare(usage=["!ersättare"])
def list_ersattare(ctx: Context) -> Reply:
    meeting = open_meeting(ctx)
    return render("sammantrade", "ersättare_lista",
                  rader=procedure.meeting_ersattare(ctx.session, meeting.id))


@ersattare_cmd.default(usage=["!ersättare <ersättare> för <ledamot> [från §N | §N]"],
                       examples=["!ersättare Johnny Eriksson för Jan-Olov Häggström",
                                 "!ersättare Johnny Eriksson för Jan-Olov Häggström från §27",
                                 "!ersättare Johnny Eriksson för Cecilia Sparf §28"])
def serve(ctx: Context, text: str) -> Reply:
    meeting = open_meeting(ctx)
    ensure_not_justerad(meeting)
    match = _FOR.match(text.strip())
    if match is None:
        raise UserError("ersättare_form")
    who = person(ctx, meeting, match.group("who"))
    for_name = person(ctx, meeting, match.group("for"))
    if name_key(who) == name_key(for_name):
        raise UserError("ersättare_för_sig_själv", namn=who)
    organ_id = ctx.organ.organ_id
    member, ledamot = (tenants.member_by_name(ctx.session, organ_id, n) for n in (who, for_name))
    if ledamot is None or ledamot.role not in procedure.LEDAMOT_ROLES:
        raise UserError("inte_ledamot", namn=for_name)
    number = int(match.group("num")) if match.group("num") else None
    only = number if number is not None and not match.group("from") else None
    start = number if match.group("from") else None
    if number is None:  # from the § being recorded on (or the next, before any §)
        now = paragraphs.current_paragraph(ctx.session, meeting.id)
        start = now.number if now is not None else paragraphs.next_number(
            ctx.session, organ_id, paragraphs.series_for(ctx.organ.numbering, meeting))
    org = (member.organisation_short or member.organisation) if member else ""
    for_org = ledamot.organisation_short or ledamot.organisation
    row = sammantrade.add_ersattare(ctx.session, Ersattare(
        meeting_id=meeting.id, name=who, organisation=org, for_name=for_name,
        for_organisation=for_org, from_number=start, only_number=only,
        created_by=ctx.actor.name))
    sammantrade.add_step(ctx.session, meeting.id, None, "ersättare", row.id, ctx.actor.name)
    other_org = bool(member and org and for_org and member.organisation != ledamot.organisation)
    return render("sammantrade", "ersättare", rad=row, annan_organisation=other_org,
                  inte_ersättare=member is None or member.role != "ersättare")


@jav_cmd.default(usage=["!jäv <namn> [§N]"],
                 examples=["!jäv Cecilia Sparf", "!jäv Cecilia Sparf §27"])
def jav(ctx: Context, text: str) -> Reply:
    meeting = open_meeting(ctx)
    text = require_text(ctx, text)
    ref = _TRAILING_REF.match(text)
    if ref:
        target = resolve_paragraph(ctx, parse_ref(f"§{ref.group('num')}", "jäv"))
        text = ref.group("name")
        ensure_not_justerad(meeting, target)
    else:
        meeting, target = current(ctx)
    name = person(ctx, meeting, text)
    row = sammantrade.add_jav(ctx.session, target.id, name, ctx.actor.name)
    if row is None:
        raise UserError("jäv_redan", namn=name, nummer=target.number)
    sammantrade.add_step(ctx.session, meeting.id, target.id, "jäv", row.id, ctx.actor.name)
    reply = render("sammantrade", "jäv", paragraf=target, namn=name)
    _append(reply, beslutsforhet_note(ctx, meeting, target))
    return reply


def beslutsforhet_note(ctx: Context, meeting: Meeting, target: Paragraph) -> Reply | None:
    """A plain word when the organ is not beslutsför in the §: the step still records."""
    who = procedure.beslutande(ctx.session, ctx.organ.organ_id, meeting, target)
    if who.beslutsfor:
        return None
    return render("sammantrade", "inte_beslutsför", organ=ctx.organ.organ_name, b=who,
                  paragraf=target)


def warn_not_beslutsfor(ctx: Context, target: Paragraph, entry: Entry, new: bool
                        ) -> Reply | None:
    meeting = meetings.meeting_by_id(ctx.session, target.meeting_id)
    return beslutsforhet_note(ctx, meeting, target)


# Reservation and protokollsanteckning.

@reservation_cmd.sub("text", usage=["!reservation text <namn>: <text>"],
                     examples=["!reservation text Camilla Steen: Jag reserverar mig till "
                               "förmån för mitt yrkande om avslag."])
def reservation_text(ctx: Context, rest: str) -> Reply:
    meeting, target = current(ctx)
    match = NAME_TEXT.match(rest.strip())
    if match is None or not match.group("text").strip():
        raise UserError("saknar_text", kommando="reservation text",
                        exempel="reservation text Camilla Steen: <text>")
    name = person(ctx, meeting, match.group("name"))
    row = sammantrade.reservation_of(ctx.session, target.id, name)
    if row is None:
        raise UserError("ingen_reservation", namn=name, nummer=target.number)
    row.text, row.written = match.group("text").strip(), True
    sammantrade.save(ctx.session, row)
    return render("sammantrade", "reservationstext", paragraf=target, namn=name)


@reservation_cmd.default(usage=["!reservation <namn>[: motivering]",
                                "!reservation <namn> skriftlig"],
                         examples=["!reservation Camilla Steen",
                                   "!reservation Camilla Steen: till förmån för mitt yrkande",
                                   "!reservation Camilla Steen skriftlig"])
def reserve(ctx: Context, text: str) -> Reply:
    meeting, target = current(ctx)
    text = require_text(ctx, text)
    match = NAME_TEXT.match(text)
    name_text, motivation = (match.group("name"), match.group("text").strip()) if match \
        else (text, "")
    written = False
    if name_text.rstrip().lower().endswith(" skriftlig"):
        name_text, written = name_text.rstrip()[:-len(" skriftlig")], True
    name = person(ctx, meeting, name_text)
    _may_reserve(ctx, meeting, target, name)
    if sammantrade.reservation_of(ctx.session, target.id, name) is not None:
        raise UserError("reservation_redan", namn=name, nummer=target.number)
    row = Reservation(paragraph_id=target.id, name=name, motivation=motivation,
                      written=written, created_by=ctx.actor.name)
    sammantrade.save(ctx.session, row)
    sammantrade.add_step(ctx.session, meeting.id, target.id, "reservation", row.id,
                         ctx.actor.name)
    return render("sammantrade", "reservation", paragraf=target, r=row)


def _may_reserve(ctx: Context, meeting: Meeting, target: Paragraph, name: str) -> None:
    """Only a beslutande who took part, and who did not vote for (or propose) the beslut."""
    who = procedure.beslutande(ctx.session, ctx.organ.organ_id, meeting, target)
    if procedure.is_among(name, who.javiga):
        raise UserError("reservation_jävig", namn=name, nummer=target.number)
    if not procedure.is_among(name, who.names):
        raise UserError("reservation_inte_beslutande", namn=name, nummer=target.number)
    proc = procedure.procedure(ctx.session, target)
    vote = proc.votering
    if vote is not None and vote.votering.status == sammantrade.OPEN:
        raise UserError("reservation_under_votering", nummer=target.number)
    if vote is not None and vote.votering.result:
        mine = next((r.vote for r in vote.rost if name_key(r.name) == name_key(name)), "")
        if mine == vote.votering.result:
            raise UserError("reservation_vinnare", namn=name, nummer=target.number,
                            röst=mine, yrkande=vote.winner)
        return
    won = proc.decided_for
    if won is not None and procedure.is_among(name, [won.proposer, *won.instammer]):
        raise UserError("reservation_eget_yrkande", namn=name, nummer=target.number,
                        yrkande=won.number)
    if won is None and not paragraphs.view(ctx.session, target).of_kind("beslut"):
        raise UserError("reservation_utan_beslut", nummer=target.number)


@anteckning_cmd.default(usage=["!anteckning <namn>: <text>"],
                        examples=["!anteckning Cecilia Sparf: Arbetsförmedlingen återkommer "
                                  "om medfinansieringen."])
def note(ctx: Context, text: str) -> Reply:
    meeting, target = current(ctx)
    match = NAME_TEXT.match(require_text(ctx, text))
    if match is None or not match.group("text").strip():
        raise UserError("anteckning_form")
    name = person(ctx, meeting, match.group("name"))
    row = Anteckning(paragraph_id=target.id, name=name, text=match.group("text").strip(),
                     created_by=ctx.actor.name)
    sammantrade.save(ctx.session, row)
    sammantrade.add_step(ctx.session, meeting.id, target.id, "anteckning", row.id,
                         ctx.actor.name)
    return render("sammantrade", "anteckning", paragraf=target, a=row)


def written_reservations_missing(ctx: Context, meeting: Meeting) -> Reply | None:
    """`!protokoll klart`: a skriftlig reservation must be in before justering."""
    missing = sammantrade.written_without_text(ctx.session, meeting.id)
    if not missing:
        return None
    return render("sammantrade", "skriftlig_saknas", saknas=missing)


# !ångra of a procedure step.

UNDO_MODELS = {"instämmer": "Instammande", "jäv": "Jav", "proposition": "Proposition",
               "reservation": "Reservation", "anteckning": "Anteckning",
               "ersättare": "Ersattare"}


def undo_step(ctx: Context, meeting: Meeting, action: LastAction | None) -> Reply | None:
    """Take back the actor's last procedure step if it came after their last entry."""
    from bot.commands.sammantrade import votering
    from storage import models_sammantrade as models

    step = sammantrade.last_step(ctx.session, meeting.id, ctx.actor.name)
    if step is None:
        return None
    if action is not None:
        moment = action.entry.created_at if action.entry else action.paragraph.created_at
        if not sammantrade.newer(step, moment):
            return None
    target = (paragraphs.paragraph_by_id(ctx.session, step.paragraph_id) if step.paragraph_id
              else None)
    ensure_not_justerad(meeting, target)
    sammantrade.mark_undone(ctx.session, step)
    if step.kind == "återtaget":
        row = sammantrade.get(ctx.session, models.YrkandeNumber, step.row_id)
        entry = sammantrade.restore(ctx.session, row)
        return render("sammantrade", "ångrat", steg=step.kind, paragraf=target,
                      text=f"{row.number}: {entry.text}")
    if step.kind in UNDO_MODELS:
        row = sammantrade.get(ctx.session, getattr(models, UNDO_MODELS[step.kind]), step.row_id)
        shown = getattr(row, "name", "") if row is not None else ""
        if row is not None:
            sammantrade.remove_row(ctx.session, row)
        return render("sammantrade", "ångrat", steg=step.kind, paragraf=target, text=shown)
    return votering.undo_vote_step(ctx, step, target)


def _append(reply: Reply, note_: Reply | None) -> None:
    if note_ is not None:
        reply.text += "\n" + note_.text
        reply.html += "\n" + note_.html
