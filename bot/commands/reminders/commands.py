"""!påminn and !påminnelser: reminders anyone in the room can ask for, in plain Swedish.
Its setup also adds the reminder service (bot/commands/reminders/service.py) and the reminder kinds
of the reminders capability."""

from __future__ import annotations

import re
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.commands.reminders import kinds
from bot.commands.reminders.service import ReminderService
from bot.commands.reminders.settings import validate
from bot.context import Context
from bot.core.commands import Command
from bot.errors import UserError
from bot.identity import person_key
from bot.messages import Reply
from bot.natural_dates import DateProblem, Recurrence, When, split_recurring, split_when
from bot.render import render
from bot.swedish import WEEKDAYS
from storage.models_reminders import Reminder
from storage.reminders import (
    get_reminder,
    owner_of,
    payload_of,
    planned_for_room,
    planned_meeting,
    remove_reminder,
    room_by_external,
    schedule_reminder,
)

if TYPE_CHECKING:
    from bot.core.app import App

GROUP = "Påminnelser och frister"
LIST_LIMIT = 30
_ID = re.compile(r"^#?(\d{1,9})$")

paminn = Command("påminn", aliases=["paminn", "påminnelse", "remind"], group=GROUP,
                 summary="Sätter en påminnelse för rummet eller dig själv.")
paminnelser = Command("påminnelser", aliases=["paminnelser", "reminders"], group=GROUP,
                      summary="Visar rummets kommande påminnelser med nummer.")


def setup(app: App) -> None:
    """The commands, the scheduler service (started and stopped with the bot) and the
    kinds of reminder this capability sends; the config's reminder keys are checked now."""
    validate(app.config)
    service = ReminderService(app)
    app.services.reminders = service
    app.on_start(service.start)
    app.on_stop(service.stop)
    app.reminder_kind("egen", kinds.own)
    app.reminder_kind("sammanträde", kinds.meeting_reminder)
    app.reminder_kind("frist", partial(kinds.deadline_reminder, config=app.config))
    app.add_command(paminn, paminnelser)


def read_when(ctx: Context, text: str, kommando: str) -> tuple[When, str]:
    """The date phrase at the start of `text` (in the organ's time zone) and the rest;
    a Swedish error with examples if there is none or it has passed."""
    tz = ZoneInfo(ctx.organ.timezone)
    try:
        found = split_when(text, ctx.now, tz)
    except DateProblem as problem:
        if problem.what == "tid":
            raise UserError("datum_ogiltig_tid", text=problem.text, kommando=kommando) from None
        if problem.what == "finns_inte":
            raise UserError("datum_tid_finns_inte", tid=problem.at, datum=problem.day,
                            kommando=kommando) from None
        if problem.what == "för_långt":
            raise UserError("datum_för_långt", text=problem.text, kommando=kommando) from None
        if problem.what == "klockslag":
            raise UserError("datum_klockslag_oklart", tal=problem.text, datum=problem.phrase,
                            kommando=kommando) from None
        raise UserError("datum_fel_veckodag", text=problem.text, datum=problem.day,
                        kommando=kommando) from None
    if found is None:
        raise UserError("datum_oläsligt", text=" ".join(text.split()[:5]), kommando=kommando)
    when, rest = found
    if when.at <= ctx.now:
        raise UserError("datum_passerat", när=when.at, kommando=kommando)
    return when, rest


def parse_id(text: str, kommando: str) -> int:
    match = _ID.match(text.strip())
    if not match:
        raise UserError("ogiltigt_id", text=text.strip(), kommando=kommando)
    return int(match.group(1))


def recurrence_view(rule: Recurrence) -> dict[str, Any]:
    day: Any = WEEKDAYS[rule.value] if rule.unit == "vecka" else rule.value
    return {"enhet": rule.unit, "dag": day, "tid": rule.at}


@paminn.default(usage=["!påminn <när> <text>", "!påminn mig <när> <text>",
                       "!påminn varje måndag kl 9 <text>", "!påminn varje månad den 1 <text>"],
                examples=["!påminn i morgon kl 9 Skicka kallelsen",
                          "!påminn mig fredag 13.00 Ring revisorn",
                          "!påminn den 20 mars kl 11 Budgetuppföljning",
                          "!påminn om två veckor Följ upp ansökan",
                          "!påminn varje måndag kl 9 Veckans ärenden"])
def remind(ctx: Context, args: str) -> Reply:
    text = args.strip()
    if not text:
        raise UserError("påminn_hur")
    words = text.split()
    person = ""
    if words[0].casefold() in ("mig", "me"):
        person = ctx.actor.name
        text = " ".join(words[1:])
        if not text:
            raise UserError("påminn_hur")
    tz = ZoneInfo(ctx.organ.timezone)
    try:
        recurring = split_recurring(text)
    except ValueError:
        raise UserError("upprepning_ogiltig", text=" ".join(text.split()[:5])) from None
    rule: Recurrence | None = None
    if recurring is not None:
        rule, body = recurring
        due = rule.next_after(ctx.now, tz)
    elif text.split()[0].casefold() == "varje":
        raise UserError("upprepning_ogiltig", text=" ".join(text.split()[:5]))
    else:
        when, body = read_when(ctx, text, "påminn mig" if person else "påminn")
        due = when.at
    if not body:
        raise UserError("påminnelse_saknar_text", när=due)
    room = room_by_external(ctx.session, ctx.message.transport, ctx.message.room_id)
    reminder = schedule_reminder(
        ctx.session, organ_id=ctx.organ.organ_id, room_id=room.id if room else None,
        due_at=due, text=body[:2000], for_person=person,
        recurrence=rule.serialize() if rule else "", created_by=ctx.actor.name,
        ref=f"egen:{ctx.event_id}",
        payload={"mention": ctx.message.sender_id, "owner": person_key(ctx.message)}
        if person else None)
    return render("paminnelser", "satt", id=reminder.id, när=due.astimezone(tz), text=body,
                  person=person, upprepning=recurrence_view(rule) if rule else None)


@paminn.sub("ta bort", aliases=["radera", "tabort"], usage=["!påminn ta bort <nummer>"],
            examples=["!påminn ta bort 12"])
def _remove(ctx: Context, rest: str) -> Reply:
    reminder_id = parse_id(rest, "påminn ta bort")
    reminder = get_reminder(ctx.session, reminder_id)
    room = room_by_external(ctx.session, ctx.message.transport, ctx.message.room_id)
    if (reminder is None or reminder.organ_id != ctx.organ.organ_id
            or reminder.status != "planerad"
            or reminder.room_id not in (None, room.id if room else None)):
        raise UserError("påminnelse_finns_inte", id=reminder_id)
    if reminder.for_person and owner_of(reminder) != person_key(ctx.message) \
            and not ctx.actor.can_record:
        raise UserError("påminnelse_inte_din", id=reminder_id, person=reminder.for_person)
    # The bot's own reminders (sammanträde, frist, justering, anslag, uppdrag) are the
    # board's, not one person's: only those who may plan meetings may remove them.
    if reminder.kind != "egen" and not ctx.actor.can_record:
        raise UserError("påminnelse_kräver_behörighet", id=reminder_id,
                        organ=ctx.organ.organ_name)
    remove_reminder(ctx.session, reminder)
    return render("paminnelser", "borttagen", id=reminder.id,
                  när=reminder.due_at.astimezone(ZoneInfo(ctx.organ.timezone)))


@paminnelser.default(usage=["!påminnelser"], examples=["!påminnelser"])
def list_reminders(ctx: Context, args: str) -> Reply:
    room = room_by_external(ctx.session, ctx.message.transport, ctx.message.room_id)
    # Personal reminders are the sender's by platform id only: a display name anyone can
    # take shows nobody else's (bot.identity).
    rows = planned_for_room(ctx.session, ctx.organ.organ_id, room.id if room else None,
                            person_key(ctx.message))
    tz = ZoneInfo(ctx.organ.timezone)
    views = [_view(ctx, r, tz) for r in rows[:LIST_LIMIT]]
    return render("paminnelser", "lista", rader=views, fler=max(0, len(rows) - LIST_LIMIT))


def _view(ctx: Context, reminder: Reminder, tz: ZoneInfo) -> dict[str, Any]:
    data = payload_of(reminder)
    rule = Recurrence.parse(reminder.recurrence) if reminder.recurrence else None
    view: dict[str, Any] = {
        "id": reminder.id, "när": reminder.due_at.astimezone(tz), "typ": reminder.kind,
        "text": reminder.text, "person": reminder.for_person,
        "upprepning": recurrence_view(rule) if rule else None}
    if reminder.kind == "sammanträde":
        meeting = planned_meeting(ctx.session, int(data.get("sammanträde", 0)))
        view["möte"] = (meeting.starts_at if meeting else reminder.due_at).astimezone(tz)
    if reminder.kind == "frist":
        view["frist"] = data.get("frist", "")
        view["fristdatum"] = date.fromisoformat(str(data.get("datum")))
    if reminder.kind not in ("egen", "sammanträde", "frist") and not reminder.text:
        view["text"] = reminder.kind
    return view

