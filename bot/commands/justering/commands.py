"""!protokoll klart, !justera, !omedelbar justering, !anslagstavla: from a finished meeting
to a justerat protokoll on the anslagstavla."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

from bot.commands.common import resolve_paragraph
from bot.commands.justering import reminders as justering_reminders
from bot.commands.justering.plan import (
    justeringsplats,
    signing_day,
    split_meeting,
    start_of,
)
from bot.commands.protokoll import build as protocol
from bot.context import Context
from bot.core.args import ParagraphRef, parse_ref
from bot.core.commands import RECORD, Command, subcommand
from bot.dates import parse_date
from bot.errors import UserError
from bot.messages import Reply
from bot.render import render
from bot.swedish import fold
from bot.web.settings import board_url
from storage import justering, meetings, paragraphs
from storage.keys import name_key
from storage.models import Meeting

if TYPE_CHECKING:
    from bot.core.app import App

GROUP = "Justering och anslag"

justera_cmd = Command("justera", aliases=["justerar", "sign"], group=GROUP,
                      summary="Justerar protokollet (bara sammanträdets ordförande och "
                              "justerare).")
omedelbar = Command("omedelbar", aliases=["omedelbart"], group=GROUP, permission=RECORD,
                    summary="Justerar en enda paragraf direkt, så att beslutet gäller genast.")
anslagstavla_cmd = Command("anslagstavla", aliases=["anslagsbevis", "noticeboard"], group=GROUP,
                           summary="Visar eller antecknar när protokollets anslag sätts upp "
                                   "och tas ned.")


def setup(app: App) -> None:
    app.add_command(justera_cmd, omedelbar, anslagstavla_cmd, justeringsplats)
    app.extend_command(protocol_ready, anslag_posted, anslag_taken_down)
    app.reminder_kind("justering", justering_reminders.render_justering)
    app.reminder_kind("anslag", justering_reminders.render_anslag)


def utc(ctx: Context) -> datetime:
    return ctx.now.astimezone(UTC)


def meeting_on(ctx: Context, text: str, kommando: str) -> Meeting:
    day = parse_date(text)
    if day is None:
        raise UserError("ogiltigt_datum", text=text, kommando=kommando)
    found = meetings.meetings_on(ctx.session, ctx.organ.organ_id, day)
    if not found:
        raise UserError("inget_möte_den_dagen", datum=day)
    return found[-1]


def signers(ctx: Context, meeting: Meeting) -> list[justering.Signer]:
    return justering.signers(ctx.session, meeting.id)


def _missing(ctx: Context, meeting: Meeting) -> list[justering.Signer]:
    return justering.missing_signers(ctx.session, meeting.id)


def _document(ctx: Context, meeting: Meeting) -> tuple[protocol.Protocol, list]:
    document = protocol.build(ctx.session, ctx.organ, meeting, now=ctx.now)
    _, files = protocol.attachments(document)
    return document, files


@subcommand("protokoll", "klart", aliases=["klar"], permission=RECORD,
            usage=["!protokoll klart [ÅÅÅÅ-MM-DD]"], examples=["!protokoll klart"])
def protocol_ready(ctx: Context, rest: str) -> Reply:
    """`!protokoll klart [datum]`: post the draft and ask for justering."""
    if rest:
        meeting = meeting_on(ctx, rest, "protokoll klart")
    else:
        meeting = meetings.latest_meeting(ctx.session, ctx.organ.organ_id)
        if meeting is None:
            raise UserError("inga_möten")
    if meeting.status == "öppet":
        raise UserError("protokoll_mötet_pågår", datum=meeting.date)
    if ctx.organ.document == protocol.MINNESANTECKNINGAR:  # no justering: simply sent
        document, files = _document(ctx, meeting)
        reply = render("protokoll", "minnesanteckningar_klara", p=document)
        reply.attachments = files
        return reply
    if meeting.justerad_at is not None:
        raise UserError("justerat", datum=meeting.date)
    wanted = signers(ctx, meeting)
    if not wanted:
        raise UserError("inga_justerare", datum=meeting.date)
    justering.drop_stale(ctx.session, meeting.id)
    justering.save_request(ctx.session, meeting.id, utc(ctx), ctx.actor.name,
                           ctx.message.transport, ctx.message.room_id)
    justering_reminders.schedule_justering(ctx.session, ctx.organ, meeting, ctx.now,
                                           ctx.message.transport, ctx.message.room_id,
                                           ctx.actor.name)
    document, files = _document(ctx, meeting)
    reply = render("justering", "klart", protokoll=document, väntar=_missing(ctx, meeting),
                   har_justerare=any(s.function == "justerare" for s in wanted))
    for hook in ctx.services.hooks.protocol_ready:  # a skriftlig reservation not yet in
        note = hook(ctx, meeting)
        if note is not None:
            reply.text += "\n" + note.text
            reply.html += "\n" + note.html
    reply.attachments = files
    return reply


def _signing_as(ctx: Context) -> str | None:
    """The name the sender signs as (storage.keys.name_key), or None. Anyone can choose a
    display name, so on Matrix and Teams only a platform id the config gives a member
    signs (bot.identity); the console signs by the name typed."""
    return name_key(ctx.actor.person) or None


def _to_justera(ctx: Context, meeting_day: str) -> Meeting:
    """The meeting `!justera` means: the given date, else the newest protokoll waiting for
    this person's justering, else the newest waiting at all."""
    if meeting_day:
        day = parse_date(meeting_day)
        if day is None:
            raise UserError("ogiltigt_datum", text=meeting_day, kommando="justera för")
        found = meetings.meetings_on(ctx.session, ctx.organ.organ_id, day)
        if not found:
            raise UserError("justera_inget_möte", datum=day)
        return found[-1]
    waiting = justering.awaiting(ctx.session, ctx.organ.organ_id)
    me = _signing_as(ctx)
    for meeting in waiting:
        if any(name_key(s.name) == me for s in _missing(ctx, meeting)):
            return meeting
    if waiting:
        return waiting[0]
    latest = meetings.latest_meeting(ctx.session, ctx.organ.organ_id)
    if latest is not None and latest.justerad_at is not None:
        raise _already_justerat(ctx, latest)
    raise UserError("inte_klart_för_justering")


def _already_justerat(ctx: Context, meeting: Meeting) -> UserError:
    """`!justera` on a justerat protokoll: which one, and whether the sender could have
    signed it at all."""
    wanted = signers(ctx, meeting)
    me = _signing_as(ctx)
    return UserError("redan_justerat", datum=meeting.date, justerande=[s.name for s in wanted],
                     undertecknare=any(name_key(s.name) == me for s in wanted))


def _justera_args(ctx: Context, text: str) -> tuple[str, str]:
    """'[för] <sammanträdesdatum>' names the meeting, 'den <datum>' the day of the
    justering; both may be given ('för 2022-03-25 den 2022-04-06')."""
    meeting_day, rest = split_meeting(text)
    words = rest.split()
    folded = [w.casefold() for w in words]
    at = folded.index("den") if "den" in folded else len(words)
    before, signed_day = " ".join(words[:at]), " ".join(words[at + 1:])
    if at < len(words) and not signed_day:
        raise UserError("datum_saknas", kommando="justera den", exempel=ctx.now.date())
    if meeting_day and before:
        raise UserError("oväntad_text", text=before, kommando="justera",
                        former=list(justera_cmd.usage))
    return meeting_day or before, signed_day


@justera_cmd.default(usage=["!justera", "!justera den ÅÅÅÅ-MM-DD",
                            "!justera för <sammanträdesdatum> [den ÅÅÅÅ-MM-DD]"],
                     examples=["!justera", "!justera den 2022-04-06",
                               "!justera för 2022-03-25"])
def justera(ctx: Context, args: str) -> Reply:
    meeting_day, signed_day = _justera_args(ctx, args.strip())
    meeting = _to_justera(ctx, meeting_day)
    justering.hold_meeting(ctx.session, meeting)
    if meeting.justerad_at is not None:
        raise _already_justerat(ctx, meeting)
    if justering.request_of(ctx.session, meeting.id) is None:
        raise UserError("inte_klart_för_justering")
    day = signing_day(ctx, meeting, signed_day) if signed_day else None
    signed_at = start_of(ctx, day) if day else utc(ctx)
    wanted = signers(ctx, meeting)
    me = _signing_as(ctx)
    signer = next((s for s in wanted if name_key(s.name) == me), None)
    if signer is None:
        raise UserError("får_inte_justera", namn=ctx.actor.name,
                        justerande=[s.name for s in wanted], datum=meeting.date,
                        känd=me is not None, id=ctx.message.sender_id)
    stale = [n for n in justering.drop_stale(ctx.session, meeting.id)
             if name_key(n) != name_key(signer.name)]
    justering.sign(ctx.session, meeting.id, signer.name, signer.function, signed_at,
                   ctx.message.sender_id, ctx.event_id, day_only=day is not None)
    missing = _missing(ctx, meeting)
    if missing:
        return render("justering", "signerat", namn=signer.name, möte=meeting, kvar=missing,
                      inaktuella=stale, dag=day)
    justering.lock(ctx.session, meeting, utc(ctx))
    justering_reminders.cancel_justering(ctx.session, meeting.id)
    # Posted by the bot on the secretary's behalf: the BEVIS names the meeting's secretary.
    secretary = meetings.people_in(ctx.session, meeting.id, "sekreterare")
    anslag = justering.post_anslag(ctx.session, meeting.id, ctx.now.date(),
                                   secretary[0].name if secretary else ctx.actor.name,
                                   ctx.message.transport, ctx.message.room_id)
    justering_reminders.schedule_anslag(ctx.session, ctx.organ, meeting, anslag, ctx.now,
                                        ctx.actor.name)
    document, files = _document(ctx, meeting)
    reply = render("justering", "justerat", protokoll=document, anslag=document.anslag,
                   länk=board_url(ctx.config, ctx.organ.forbund_key))
    reply.attachments = files
    return reply


@omedelbar.default(usage=["!omedelbar justering §N"], examples=["!omedelbar justering §26"])
def immediate(ctx: Context, args: str) -> Reply:
    # RECORD: on Matrix and Teams only an office holder the config knows by platform id,
    # or one of the organ's members moderating a room it bound (bot.permissions); never
    # someone known by a display name.
    text = args.strip()
    for word in ("justering av", "justering", "justera", "av"):
        if text.lower().startswith(word + " ") or text.lower() == word:
            text = text[len(word):].strip()
            break
    ref: ParagraphRef = parse_ref(text, "omedelbar justering")
    target = resolve_paragraph(ctx, ref)
    meeting = meetings.meeting_by_id(ctx.session, target.meeting_id)
    if meeting.justerad_at is not None or target.justerad_at is not None:
        raise UserError("justerat", nummer=target.number, datum=meeting.date)
    view = paragraphs.view(ctx.session, target)
    if not view.of_kind("beslut"):
        raise UserError("omedelbar_utan_beslut", nummer=target.number)
    # The decision to justera at once is itself a beslut of the §, as in the protokoll.
    line = render("justering", "omedelbar_beslut", organ=ctx.organ.organ_name,
                  nummer=target.number).text
    if not any("omedelbar justering" in fold(b.text) for b in view.of_kind("beslut")):
        paragraphs.add_entry(ctx.session, target, "beslut", line, "", ctx.actor.name,
                             ctx.event_id)
        view = paragraphs.view(ctx.session, target)
    at = _immediate_at(ctx, meeting)
    justering.justera_paragraph(ctx.session, target, at, ctx.actor.name, ctx.event_id)
    return render("justering", "omedelbar", paragraf=view, när=at.astimezone(ctx.now.tzinfo))


def _immediate_at(ctx: Context, meeting: Meeting) -> datetime:
    """An omedelbar justering is made at the meeting: typed later (the secretary catching
    up), it is still dated the day of the meeting, at its end."""
    if ctx.now.date() == meeting.date:
        return utc(ctx)
    clock = meeting.end_time or meeting.start_time or time(12, 0)
    return datetime.combine(meeting.date, clock, ctx.now.tzinfo).astimezone(UTC)


# --- anslag -----------------------------------------------------------------------------


@anslagstavla_cmd.bare(usage=["!anslagstavla"], examples=["!anslagstavla"])
def anslagstavla(ctx: Context) -> Reply:
    return _status(ctx, "")


@anslagstavla_cmd.sub("status")
def _status_of(ctx: Context, rest: str) -> Reply:
    return _status(ctx, rest)


def _split_for(text: str) -> tuple[str, str, str]:
    """'2022-04-06 för 2022-03-25 på webbplatsen' -> date, meeting date, place."""
    words = text.split()
    day = words.pop(0) if words and words[0].lower() not in ("för", "på") else ""
    meeting_day = ""
    if len(words) >= 2 and words[0].lower() == "för":
        meeting_day = words[1]
        words = words[2:]
    place = " ".join(words[1:]) if words and words[0].lower() == "på" else " ".join(words)
    return day, meeting_day, place


def _justerad_meeting(ctx: Context, meeting_day: str, kommando: str) -> Meeting:
    if meeting_day:
        meeting = meeting_on(ctx, meeting_day, kommando)
    else:
        meeting = justering.latest_justerad(ctx.session, ctx.organ.organ_id)
        if meeting is None:
            raise UserError("anslag_utan_justering", datum=None)
    if meeting.justerad_at is None:
        raise UserError("anslag_utan_justering", datum=meeting.date)
    return meeting


def _date_or_today(ctx: Context, text: str, kommando: str) -> date:
    if not text or fold(text) in ("idag", "i dag"):
        return ctx.now.date()
    day = parse_date(text)
    if day is None:
        raise UserError("ogiltigt_datum", text=text, kommando=kommando)
    return day


@anslagstavla_cmd.sub("uppsatt", aliases=["uppsatts", "upp", "satt", "posted"],
                      permission=RECORD,
                      usage=["!anslagstavla uppsatt <datum> [för <sammanträdesdatum>]"],
                      examples=["!anslagstavla uppsatt 2022-04-06",
                                "!anslagstavla uppsatt 2022-04-06 för 2022-03-25"])
def _posted(ctx: Context, rest: str) -> Reply:
    day_text, meeting_day, place = _split_for(rest)
    meeting = _justerad_meeting(ctx, meeting_day, "anslagstavla uppsatt")
    justerad_on = meeting.justerad_at.astimezone(ctx.now.tzinfo).date()
    if not day_text:
        raise UserError("datum_saknas", kommando="anslagstavla uppsatt", exempel=justerad_on)
    day = _date_or_today(ctx, day_text, "anslagstavla uppsatt")
    if day < justerad_on:
        raise UserError("anslag_före_justering", datum=day, justerat=justerad_on)
    anslag = justering.post_anslag(ctx.session, meeting.id, day, ctx.actor.name,
                                   ctx.message.transport, ctx.message.room_id, place[:300])
    justering_reminders.schedule_anslag(ctx.session, ctx.organ, meeting, anslag, ctx.now,
                                        ctx.actor.name)
    return render("justering", "anslag_uppsatt", möte=meeting, anslag=anslag,
                  organ=ctx.organ, länk=board_url(ctx.config, ctx.organ.forbund_key))


@anslagstavla_cmd.sub("nedtagen", aliases=["nedtaget", "ned", "ner", "nertagen", "removed"],
                      permission=RECORD, usage=["!anslagstavla nedtagen [<datum>]"],
                      examples=["!anslagstavla nedtagen 2022-04-27"])
def _taken_down(ctx: Context, rest: str) -> Reply:
    day_text, meeting_day, _ = _split_for(rest)
    day = _date_or_today(ctx, day_text, "anslagstavla nedtagen")
    meeting = _justerad_meeting(ctx, meeting_day, "anslagstavla nedtagen")
    anslag = justering.anslag_of(ctx.session, meeting.id)
    if anslag is None:
        raise UserError("anslag_utan_justering", datum=meeting.date)
    if day < anslag.remove_on:
        raise UserError("anslag_för_tidigt_ned", datum=day, tidigast=anslag.remove_on)
    if day > ctx.now.date():
        # Taking it down is recorded when it has happened; the reminder keeps watch till then.
        raise UserError("anslag_ned_i_framtiden", datum=day, idag=ctx.now.date())
    justering.take_down(ctx.session, anslag, day)
    justering_reminders.cancel_anslag(ctx.session, meeting.id)
    return render("justering", "anslag_nedtaget", möte=meeting, anslag=anslag,
                  länk=board_url(ctx.config, ctx.organ.forbund_key))


def _status(ctx: Context, rest: str) -> Reply:
    if rest:
        meeting = meeting_on(ctx, rest, "anslagstavla")
    else:
        meeting = justering.latest_justerad(ctx.session, ctx.organ.organ_id)
    waiting = justering.awaiting(ctx.session, ctx.organ.organ_id)
    anslag = justering.anslag_of(ctx.session, meeting.id) if meeting else None
    return render("justering", "anslag_status", möte=meeting, anslag=anslag,
                  väntar=[(m, _missing(ctx, m)) for m in waiting], idag=ctx.now.date(),
                  länk=board_url(ctx.config, ctx.organ.forbund_key))


# Hidden (no usage): typed as `!anslag uppsatt`, the grant command's synonym, it still means
# the notice board, and help never lists it under !bevilja.
anslag_posted = subcommand("bevilja", "uppsatt")(_posted)
anslag_taken_down = subcommand("bevilja", "nedtagen", aliases=["nedtaget"])(_taken_down)
