"""!votering and !röst: an open roll-call vote in the chat, one per organ at a time.
Each beslutande of the § (jäviga out) votes by platform id (by name on the console), or the
secretary records a vote given by voice; a native poll or card answer comes in as
`!röst <svar>` with `via` set (see notes/poll-contract.md). At a tie the ordförande's vote
decides (utslagsröst)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.commands.common import ensure_not_justerad, resolve_paragraph
from bot.commands.sammantrade import procedure
from bot.commands.sammantrade.commands import GROUP, beslutsforhet_note
from bot.commands.sammantrade.common import current, example_at, person
from bot.context import Context
from bot.core.args import ParagraphRef, Ref, Text, require_text
from bot.core.commands import RECORD, Command, subcommand
from bot.errors import UserError
from bot.messages import Poll, Reply
from bot.render import render
from storage import meetings, paragraphs, sammantrade, tenants
from storage.keys import name_key
from storage.models import Meeting, Paragraph
from storage.models_sammantrade import ProcedureStep, Rost, Votering

if TYPE_CHECKING:
    from bot.core.app import App

_AGAINST = re.compile(r"^(?:yrkande\s*)?(\d+)\s+mot\s+(?:yrkande\s*)?(\d+)\s*$", re.IGNORECASE)
_VOTE_WORDS = {"ja": "ja", "nej": "nej", "avstår": "avstår", "avstar": "avstår",
               "avstå": "avstår", "avsta": "avstår"}

votering_cmd = Command("votering", aliases=["omröstning", "omrostning", "vote"], group=GROUP,
                       permission=RECORD,
                       summary="Öppen votering (namnupprop) mellan två yrkanden.")
rost_cmd = Command("röst", aliases=["rost", "rösta", "rosta"], group=GROUP,
                   summary="Röstar i den pågående voteringen: ja, nej eller avstår.")
roster_cmd = Command("röster", aliases=["roster", "röstade"], group=GROUP,
                     summary="Visar hur någon har röstat i organets voteringar.")
_TRAILING_YEAR = re.compile(r"^(?P<name>.+?)\s+(?P<year>\d{4})\s*$")


def setup(app: App) -> None:
    app.add_command(votering_cmd, rost_cmd, roster_cmd)
    app.extend_command(correct_vote)


def poll_key(votering: Votering) -> str:
    return f"votering:{votering.id}"


def _open(ctx: Context) -> Votering:
    found = sammantrade.open_votering(ctx.session, ctx.organ.organ_id)
    if found is None:
        raise UserError("ingen_votering")
    return found


def _context(ctx: Context, votering: Votering) -> tuple[Meeting, Paragraph, list[str]]:
    """The vote's meeting and §, and who may vote in it, not yet justerad."""
    target = paragraphs.paragraph_by_id(ctx.session, votering.paragraph_id)
    meeting = meetings.meeting_by_id(ctx.session, target.meeting_id)
    ensure_not_justerad(meeting, target)
    who = procedure.beslutande(ctx.session, ctx.organ.organ_id, meeting, target)
    return meeting, target, who.names


@votering_cmd.default(usage=["!votering <nr> mot <nr>"], examples=["!votering 1 mot 2"])
def start(ctx: Context, text: str) -> Reply:
    meeting, target = current(ctx)
    match = _AGAINST.match(text.strip())
    if match is None:
        raise UserError("votering_form")
    ja, nej = int(match.group(1)), int(match.group(2))
    proc = procedure.procedure(ctx.session, target)
    for number in (ja, nej):
        if proc.yrkande(number) is None:
            raise UserError("inget_sådant_yrkande", nummer=target.number, yrkande=number,
                            finns=[y.number for y in proc.yrkanden])
    if ja == nej:
        raise UserError("votering_samma", yrkande=ja)
    existing = sammantrade.open_votering(ctx.session, ctx.organ.organ_id)
    if existing is not None:
        raise UserError("votering_pågår",
                        nummer=paragraphs.paragraph_by_id(ctx.session,
                                                         existing.paragraph_id).number)
    chair = meetings.people_in(ctx.session, meeting.id, "ordförande")
    row = sammantrade.start_votering(ctx.session, ctx.organ.organ_id, target.id, ja, nej,
                                     chair[0].name if chair else "", ctx.actor.name)
    sammantrade.add_step(ctx.session, meeting.id, target.id, "votering", row.id, ctx.actor.name)
    who = procedure.beslutande(ctx.session, ctx.organ.organ_id, meeting, target)
    organ = ctx.organ.organ_name
    reply = render("votering", "startad", paragraf=target, organ=organ, v=row,
                   röstberättigade=who.names, javiga=who.javiga)
    reply.poll = Poll(key=poll_key(row),
                      question=render("votering", "propositionsordning", organ=organ,
                                      ja=ja, nej=nej).text)
    note = beslutsforhet_note(ctx, meeting, target)
    if note is not None:
        reply.text += "\n" + note.text
        reply.html += "\n" + note.html
    return reply


@votering_cmd.bare(usage=["!votering"])
def status(ctx: Context) -> Reply:
    row = _open(ctx)
    _, target, entitled = _context(ctx, row)
    votes = {name_key(r.name): r.vote for r in sammantrade.votes(ctx.session, row.id)}
    return render("votering", "status", paragraf=target, v=row,
                  röstat=[n for n in entitled if name_key(n) in votes],
                  väntar=[n for n in entitled if name_key(n) not in votes])


@votering_cmd.sub("klar", aliases=["räkna", "rakna", "avsluta"], args=[],
                  usage=["!votering klar"], examples=["!votering klar"])
def count(ctx: Context) -> Reply:
    row = _open(ctx)
    meeting, target, entitled = _context(ctx, row)
    counted = {name_key(r.name): r for r in sammantrade.votes(ctx.session, row.id)
               if procedure.is_among(r.name, entitled)}
    result, tie_break = _tally(row, counted)
    silent = [n for n in entitled if name_key(n) not in counted]
    sammantrade.close_votering(ctx.session, row, sammantrade.DONE, result, tie_break, silent)
    sammantrade.add_step(ctx.session, meeting.id, target.id, "votering klar", row.id,
                         ctx.actor.name)
    view = procedure.procedure(ctx.session, target).votering
    reply = render("votering", "resultat", paragraf=target, organ=ctx.organ.organ_name,
                   r=view, har_beslut=bool(paragraphs.view(ctx.session, target).of_kind("beslut")))
    reply.poll_closed = poll_key(row)
    return reply


def _tally(row: Votering, counted: dict[str, Rost]) -> tuple[str, bool]:
    """The result ("ja"/"nej") of the counted votes and whether the ordförande's
    utslagsröst decided it; refused at a tie the ordförande did not vote in."""
    ja = sum(1 for r in counted.values() if r.vote == "ja")
    nej = sum(1 for r in counted.values() if r.vote == "nej")
    if ja != nej:
        return ("ja" if ja > nej else "nej"), False
    chair_vote = counted.get(name_key(row.chair))
    if chair_vote is None or chair_vote.vote not in ("ja", "nej"):
        raise UserError("lika_utan_ordförande", ordförande=row.chair, ja=ja, nej=nej)
    return chair_vote.vote, True


@subcommand("ändra", "röst", after_ref=True, permission=RECORD, args=[Ref(), Text()],
            usage=["!ändra §N röst <namn>: ja|nej|avstår"],
            examples=["!ändra §23 röst Camilla Steen: nej"])
def correct_vote(ctx: Context, ref: ParagraphRef, text: str) -> Reply:
    """A vote recorded wrongly, put right before justering; a counted vote is counted
    again."""
    target = resolve_paragraph(ctx, ref)
    meeting = meetings.meeting_by_id(ctx.session, target.meeting_id)
    ensure_not_justerad(meeting, target)
    name_part, colon, word = text.rpartition(":")
    choice = _VOTE_WORDS.get(word.strip().lower().rstrip("."))
    if not colon or not name_part.strip():
        raise UserError("saknar_text", kommando=ctx.sub.command,
                        exempel=example_at(ctx, target, "Camilla Steen: nej"))
    if choice is None:
        raise UserError("ogiltig_röst", text=word.strip())
    row = sammantrade.votering_of(ctx.session, target.id)
    if row is None:
        raise UserError("ingen_votering_i_paragraf", nummer=target.number)
    voter = person(ctx, meeting, name_part)
    entitled = procedure.beslutande(ctx.session, ctx.organ.organ_id, meeting, target).names
    if not procedure.is_among(voter, entitled):
        raise UserError("röst_inte_beslutande", namn=voter, nummer=target.number,
                        röstberättigade=entitled)
    voter = next(n for n in entitled if name_key(n) == name_key(voter))
    cast, previous = sammantrade.cast(ctx.session, row, voter, choice, ctx.actor.name, "")
    paragraphs.log_change(ctx.session, target, "röst ändrad", ctx.actor.name,
                          f"{voter}: {previous or 'röstade inte'}", f"{voter}: {choice}",
                          ctx.event_id)
    if row.status != sammantrade.DONE:
        return render("votering", "röst_ändrad", paragraf=target, namn=voter, röst=choice,
                      tidigare=previous, organ="", r=None, nytt_resultat=False,
                      har_beslut=False)
    counted = {name_key(r.name): r for r in sammantrade.votes(ctx.session, row.id)
               if r.vote and procedure.is_among(r.name, entitled)}
    before = row.result
    row.result, row.utslagsrost = _tally(row, counted)
    sammantrade.save(ctx.session, row)
    view = procedure.procedure(ctx.session, target).votering
    return render("votering", "röst_ändrad", paragraf=target, namn=voter, röst=choice,
                  tidigare=previous, organ=ctx.organ.organ_name, r=view,
                  nytt_resultat=row.result != before,
                  har_beslut=bool(paragraphs.view(ctx.session, target).of_kind("beslut")))


@votering_cmd.sub("avbryt", aliases=["avbryta", "cancel"], args=[],
                  usage=["!votering avbryt"], examples=["!votering avbryt"])
def cancel(ctx: Context) -> Reply:
    row = _open(ctx)
    meeting, target, _ = _context(ctx, row)
    sammantrade.close_votering(ctx.session, row, sammantrade.CANCELLED)
    sammantrade.add_step(ctx.session, meeting.id, target.id, "votering avbruten", row.id,
                         ctx.actor.name)
    reply = render("votering", "avbruten", paragraf=target)
    reply.poll_closed = poll_key(row)
    return reply


@rost_cmd.default(usage=["!röst ja|nej|avstår", "!röst <namn>: ja|nej|avstår"],
                  examples=["!röst ja", "!röst Camilla Steen: nej"])
def vote(ctx: Context, text: str) -> Reply:
    text = require_text(ctx, text)
    name_part, _, word = text.rpartition(":") if ":" in text else ("", "", text)
    choice = _VOTE_WORDS.get(word.strip().lower().rstrip("."))
    if choice is None:
        raise UserError("ogiltig_röst", text=word.strip())
    row = _open(ctx)
    meeting, target, entitled = _context(ctx, row)
    if name_part:
        # A vote given by voice, recorded by the secretary.
        if not ctx.actor.can_record:
            raise UserError("röst_för_annan")
        voter = person(ctx, meeting, name_part)
    else:
        voter = ctx.actor.person
        if not voter:
            raise UserError("röst_okänd_avsändare")
    jav = procedure.beslutande(ctx.session, ctx.organ.organ_id, meeting, target).javiga
    if procedure.is_among(voter, jav):
        raise UserError("röst_jävig", namn=voter, nummer=target.number)
    if not procedure.is_among(voter, entitled):
        raise UserError("röst_inte_beslutande", namn=voter, nummer=target.number,
                        röstberättigade=entitled)
    voter = next(n for n in entitled if name_key(n) == name_key(voter))
    cast, previous = sammantrade.cast(ctx.session, row, voter, choice, ctx.actor.name,
                                      ctx.message.via)
    sammantrade.add_step(ctx.session, meeting.id, target.id, "röst", cast.id, ctx.actor.name,
                         previous=previous)
    votes = {name_key(r.name) for r in sammantrade.votes(ctx.session, row.id)}
    waiting = [n for n in entitled if name_key(n) not in votes]
    return render("votering", "röst", namn=voter, röst=choice, tidigare=previous,
                  kort=ctx.message.via in ("poll", "card"), väntar=waiting,
                  åt_annan=bool(name_part))


def undo_vote_step(ctx: Context, step: ProcedureStep, target: Paragraph | None) -> Reply:
    """`!ångra` of a vote step: a röst (the earlier one comes back), a start (the vote is
    gone), a count or a cancel (the vote is open again)."""
    if step.kind == "röst":
        row = sammantrade.rost_by_id(ctx.session, step.row_id)
        votering = sammantrade.votering_by_id(ctx.session, row.votering_id)
        if votering.status != sammantrade.OPEN:
            raise UserError("votering_redan_räknad")
        name = row.name
        if step.previous:
            row.vote = step.previous
            sammantrade.save(ctx.session, row)
        else:
            sammantrade.remove_row(ctx.session, row)
        return render("votering", "ångrat", steg="röst", paragraf=target, namn=name,
                      tidigare=step.previous)
    votering = sammantrade.votering_by_id(ctx.session, step.row_id)
    reply: Reply
    if step.kind == "votering":
        sammantrade.delete_votering(ctx.session, votering)
        reply = render("votering", "ångrat", steg="start", paragraf=target, namn="",
                       tidigare="")
        reply.poll_closed = poll_key(votering)
        return reply
    if sammantrade.open_votering(ctx.session, votering.organ_id) is not None:
        raise UserError("votering_pågår", nummer=target.number if target else 0)
    sammantrade.reopen_votering(ctx.session, votering)
    return render("votering", "ångrat", steg=step.kind, paragraf=target, namn="", tidigare="")





@roster_cmd.default(usage=["!röster <namn> [år]"],
                    examples=["!röster Camilla Steen", "!röster Camilla Steen 2022"])
def votes_of(ctx: Context, text: str) -> Reply:
    """How one person voted in each counted votering of the organ (a public record)."""
    text = require_text(ctx, text).strip()
    match = _TRAILING_YEAR.match(text)
    name, year = (match.group("name"), int(match.group("year"))) if match else (text, None)
    name = name.strip().rstrip(".")
    member = tenants.member_by_name(ctx.session, ctx.organ.organ_id, name)
    if member is not None:
        name = member.name
    rows = [row for row in sammantrade.votes_of_person(ctx.session, ctx.organ.organ_id, name)
            if year is None or row[1].date.year == year]
    if not rows and member is None:
        similar = tenants.member_like(ctx.session, ctx.organ.organ_id, name)
        if similar is not None:  # "camilla steen": say whom they may mean
            raise UserError("okänd_person", namn=name, förslag=similar.name)
    procs = procedure.procedures(ctx.session, list({p.id for p, *_ in rows}))
    lines = []
    for target, meeting, row, cast in rows:
        proc = procs[target.id]
        ja, nej = proc.yrkande(row.ja_number), proc.yrkande(row.nej_number)
        lines.append((target, meeting, row, cast, ja.text if ja else "", nej.text if nej else "",
                      {"ja": row.ja_number, "nej": row.nej_number}.get(row.result)))
    return render("votering", "röster", namn=name, år=year, organ=ctx.organ.organ_name,
                  rader=lines)
