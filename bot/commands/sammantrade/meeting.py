"""!möte, !närvaro, !justerare, !sekreterare, !ordförande: the sammanträde and its people."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.commands.common import open_meeting, split_names
from bot.commands.sammantrade import procedure
from bot.context import Context
from bot.core.args import require_text
from bot.core.commands import RECORD, Command
from bot.dates import looks_like_date, parse_date, parse_time
from bot.errors import UserError
from bot.identity import by_name, has_platform_id
from bot.messages import Reply
from bot.render import render
from storage import meetings, paragraphs, tenants
from storage.justering import SIGNING_FUNCTIONS
from storage.meetings import Person
from storage.models import Member

if TYPE_CHECKING:
    from bot.core.app import App

GROUP = "Sammanträdet"
ROLE_FUNCTION = {
    "ordförande": "beslutande", "vice ordförande": "beslutande", "ledamot": "beslutande",
    "ersättare": "ersättare", "förbundschef": "övrig", "sekreterare": "övrig",
    "adjungerad": "övrig",
}
_SECTION = re.compile(
    r"(tjänstgörande ersättare|beslutande|ersättare|övriga deltagare|övriga|övrig)\s*:",
    re.IGNORECASE)
_SECTION_FUNCTION = {"beslutande": "beslutande", "tjänstgörande ersättare": "beslutande",
                     "ersättare": "ersättare", "övriga deltagare": "övrig", "övriga": "övrig",
                     "övrig": "övrig"}


mote = Command("möte", aliases=["mote", "meeting"], group=GROUP, permission=RECORD,
               summary="Öppnar eller avslutar ett sammanträde.")
narvaro = Command("närvaro", aliases=["narvaro", "närvarande", "attendance"], group=GROUP,
                  permission=RECORD,
                  summary="Antecknar beslutande, ersättare och övriga deltagare.")
justerare_cmd = Command("justerare", aliases=["justerande"], group=GROUP, permission=RECORD,
                        summary="Väljer den eller de som justerar protokollet.")
sekreterare_cmd = Command("sekreterare", aliases=["secretary"], group=GROUP,
                          permission=RECORD, summary="Anger sammanträdets sekreterare.")
ordforande_cmd = Command("ordförande", aliases=["ordforande", "chair"], group=GROUP,
                         permission=RECORD, summary="Anger sammanträdets ordförande.")


def setup(app: App) -> None:
    app.add_command(mote, narvaro, justerare_cmd, sekreterare_cmd, ordforande_cmd)


@mote.sub("öppna", aliases=["oppna", "open", "start"],
          usage=["!möte öppna [ÅÅÅÅ-MM-DD [TT:MM]] [plats]"],
          examples=["!möte öppna Digitalt via Teams",
                    "!möte öppna 2022-03-25 08:30 Stadshuset Kronan"])
def _open(ctx: Context, rest: str) -> Reply:
    organ = ctx.organ
    existing = meetings.open_meeting_of(ctx.session, organ.organ_id)
    if existing is not None:
        raise UserError("redan_öppet_möte", datum=existing.date)
    words = rest.split()
    day, start = ctx.now.date(), ctx.now.time().replace(second=0, microsecond=0)
    if words and (looks_like_date(words[0]) or words[0][:1].isdigit()):
        day = parse_date(words[0])
        if day is None:
            raise UserError("ogiltigt_datum", text=words[0], kommando="möte öppna")
        words = words[1:]
        start = None
        if words and words[0].lower() in ("kl", "kl."):
            words = words[1:]
        if words and words[0][:1].isdigit():
            start = parse_time(words[0])
            if start is None:
                raise UserError("ogiltig_tid", text=words[0], kommando="möte öppna")
            words = words[1:]
    place = " ".join(words)[:300]
    meeting = meetings.open_meeting(ctx.session, organ.organ_id, day, start, place, ctx.actor.name)
    _default_officers(ctx, meeting.id)
    return render("mote", "öppnat", möte=meeting, organ=organ,
                  nästa=paragraphs.next_number(
                      ctx.session, organ.organ_id, paragraphs.series_for(organ.numbering, meeting)))


def _default_officers(ctx: Context, meeting_id: int) -> None:
    """Ordförande and sekreterare come from the config until someone names others."""
    members = tenants.members(ctx.session, ctx.organ.organ_id)
    chair = next((m for m in members if m.role == "ordförande"), None)
    secretary = next((m for m in members if m.role == "sekreterare" and not m.extra_secretary),
                     None) or next((m for m in members if m.role == "förbundschef"), None)
    for function, member in (("ordförande", chair), ("sekreterare", secretary)):
        if member is not None:
            meetings.set_people(ctx.session, meeting_id, function, [_person(member)],
                                replace=True)


@mote.sub("avsluta", aliases=["stäng", "stang", "close", "slut"],
          usage=["!möte avsluta [TT:MM]"], examples=["!möte avsluta 11:30"])
def _close(ctx: Context, rest: str) -> Reply:
    meeting = open_meeting(ctx)
    end = None
    if rest:
        end = parse_time(rest)
        if end is None:
            raise UserError("ogiltig_tid", text=rest, kommando="möte avsluta")
    elif meeting.date == ctx.now.date():
        end = ctx.now.time().replace(second=0, microsecond=0)
    meetings.close_meeting(ctx.session, meeting, end)
    numbers = [v.number for v in paragraphs.paragraphs_of_meeting(ctx.session, meeting.id)]
    return render("mote", "avslutat", möte=meeting, antal=len(numbers), nummer=numbers,
                  minnesanteckningar=ctx.organ.document == "minnesanteckningar")


@mote.bare(usage=["!möte"])
def _status(ctx: Context) -> Reply:
    meeting = open_meeting(ctx)
    views = paragraphs.paragraphs_of_meeting(ctx.session, meeting.id)
    people = meetings.people_in(ctx.session, meeting.id)
    current = paragraphs.current_paragraph(ctx.session, meeting.id)
    decides = procedure.beslutande(ctx.session, ctx.organ.organ_id, meeting, current,
                                   None if current else paragraphs.next_number(
                                       ctx.session, ctx.organ.organ_id,
                                       paragraphs.series_for(ctx.organ.numbering, meeting)))
    return render("mote", "status", möte=meeting, paragrafer=views, personer=people,
                  beslutande=decides)


def _person(member: Member) -> Person:
    return Person(member.name, member.organisation_short or member.organisation, member.role)


def _lookup(ctx: Context, name: str, unknown: str = "övrig") -> tuple[Person, str]:
    """A typed name as a Person, with the function its config role implies (`unknown` for
    a name the config does not know). The name is the member's letter for letter
    (storage.keys): "cecilia sparf" is nobody in the config, so a justerare cannot be
    someone else by a near spelling."""
    member = tenants.member_by_name(ctx.session, ctx.organ.organ_id, name)
    if member is None:
        return Person(name), unknown
    return _person(member), ROLE_FUNCTION.get(member.role, "övrig")


@narvaro.default(usage=["!närvaro <namn>, <namn>, …",
                         "!närvaro beslutande: <namn>, …; ersättare: <namn>; övriga: <namn>"],
                  examples=["!närvaro Carolina Sondell, Jan-Olov Häggström, Cecilia Sparf, "
                            "Camilla Steen",
                            "!närvaro övriga: Pär Eriksson, Johnny Eriksson"])
def attendance(ctx: Context, args: str) -> Reply:
    meeting = open_meeting(ctx)
    text = args.strip()
    # With no ledamöter or ersättare in the config nothing tells who decides: those named
    # are beslutande, and the secretary is told how to say otherwise.
    no_roles = not any(ROLE_FUNCTION.get(m.role) in ("beslutande", "ersättare")
                       for m in tenants.members(ctx.session, ctx.organ.organ_id))
    defaulted = False
    if text:
        added: dict[str, list[Person]] = {"beslutande": [], "ersättare": [], "övrig": []}
        for label, chunk in _sections(text):
            for name in split_names(chunk):
                person, function = _lookup(ctx, name, "beslutande" if no_roles else "övrig")
                added[label or function].append(person)
                defaulted = defaulted or (no_roles and label is None)
        for function, people in added.items():
            names = [p.name for p in people]
            meetings.remove_people(ctx.session, meeting.id,
                                   tuple(f for f in added if f != function), names)
            meetings.set_people(ctx.session, meeting.id, function, people, replace=False)
    reply = _attendance_list(ctx, meeting.id, "antecknad" if text else "visad")
    if defaulted:
        hint = render("mote", "närvaro_utan_roller", organ=ctx.organ.organ_name)
        reply.text += "\n" + hint.text
        reply.html += "\n" + hint.html
    return reply


@narvaro.sub("ta bort", aliases=["bort"], usage=["!närvaro ta bort <namn>"],
             examples=["!närvaro ta bort Lena Finne Jansson"])
def _remove_attendance(ctx: Context, rest: str) -> Reply:
    meeting = open_meeting(ctx)
    names = split_names(require_text(ctx, rest))
    before = {p.name.casefold(): p.name for p in meetings.people_in(ctx.session, meeting.id)
              if p.function in ("beslutande", "ersättare", "övrig")}
    meetings.remove_people(ctx.session, meeting.id, ("beslutande", "ersättare", "övrig"),
                           names)
    return _attendance_list(ctx, meeting.id, "borttagen",
                            borttagna=[before[n.casefold()] for n in names
                                       if n.casefold() in before],
                            saknas=[n for n in names if n.casefold() not in before])


@narvaro.bare(usage=["!närvaro"])
def _show_attendance(ctx: Context) -> Reply:
    return _attendance_list(ctx, open_meeting(ctx).id, "visad")


def _attendance_list(ctx: Context, meeting_id: int, händelse: str,
                     borttagna: list[str] | None = None, saknas: list[str] | None = None
                     ) -> Reply:
    return render("mote", "närvaro", personer=meetings.people_in(ctx.session, meeting_id),
                  händelse=händelse, borttagna=borttagna or [], saknas=saknas or [])


def _sections(text: str) -> list[tuple[str | None, str]]:
    """Split 'beslutande: A, B; övriga: C' into labelled chunks; unlabelled text gets None."""
    parts: list[tuple[str | None, str]] = []
    matches = list(_SECTION.finditer(text))
    if not matches:
        return [(None, text)]
    if matches[0].start() > 0:
        parts.append((None, text[:matches[0].start()]))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        parts.append((_SECTION_FUNCTION[match.group(1).lower()], text[match.end():end]))
    return parts


def _set_officer(ctx: Context, args: str, function: str, command_name: str,
                 many: bool) -> Reply:
    meeting = open_meeting(ctx)
    names = split_names(require_text(ctx, args))
    if not many and len(names) > 1:
        raise UserError("en_person", kommando=command_name)
    people = [_lookup(ctx, name)[0] for name in names]
    meetings.set_people(ctx.session, meeting.id, function, people, replace=True)
    reply = render("mote", "funktion", funktion=function, namn=[p.name for p in people])
    if function in SIGNING_FUNCTIONS and not by_name(ctx.message):
        _warn_without_id(ctx, reply, [p.name for p in people])
    return reply


def _warn_without_id(ctx: Context, reply: Reply, names: list[str]) -> None:
    """On Matrix and Teams a signer is known by platform id only: tell the secretary now,
    not when the protokoll waits, about anyone who cannot justera here."""
    missing: list[str] = []
    like: dict[str, str] = {}
    for name in names:
        member = tenants.member_by_name(ctx.session, ctx.organ.organ_id, name)
        if has_platform_id(member):
            continue
        missing.append(name)
        similar = tenants.member_like(ctx.session, ctx.organ.organ_id, name)
        if member is None and similar is not None:
            like[name] = similar.name
    if missing:
        note = render("justering", "utan_chatt_id", namn=missing, förslag=like)
        reply.text += "\n" + note.text
        reply.html += "\n" + note.html


@justerare_cmd.default(usage=["!justerare <namn>[, <namn>]"],
                       examples=["!justerare Cecilia Sparf"])
def justerare(ctx: Context, args: str) -> Reply:
    return _set_officer(ctx, args, "justerare", "justerare", many=True)


@sekreterare_cmd.default(usage=["!sekreterare <namn>"],
                         examples=["!sekreterare Pär Eriksson"])
def sekreterare(ctx: Context, args: str) -> Reply:
    return _set_officer(ctx, args, "sekreterare", "sekreterare", many=False)


@ordforande_cmd.default(usage=["!ordförande <namn>"],
                        examples=["!ordförande Carolina Sondell"])
def ordforande(ctx: Context, args: str) -> Reply:
    return _set_officer(ctx, args, "ordförande", "ordförande", many=False)
