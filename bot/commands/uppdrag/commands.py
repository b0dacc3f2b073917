"""!uppdrag: assignments that follow from decisions. Decisions are read as they are
recorded (an after-decision hook, added in setup), so "Styrelsen uppdrar till
förbundschefen att …" becomes an uppdrag without a command of its own."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.commands.common import resolve_paragraph
from bot.commands.justering import reminders as justering_reminders
from bot.commands.justering.commands import utc
from bot.commands.uppdrag.recognition import due_date, recognise
from bot.context import Context
from bot.core.args import parse_ref
from bot.core.commands import RECORD, Command
from bot.errors import UserError
from bot.messages import Reply
from bot.render import render
from storage import meetings, uppdrag
from storage.models import Entry, Paragraph
from storage.models_justering import Uppdrag
from storage.paragraphs import LastAction

if TYPE_CHECKING:
    from bot.core.app import App

GROUP = "Uppdrag och kallelse"
_DUE = re.compile(r"^(?P<ref>(?:\d{4}-\d{1,2}-\d{1,2}\s+)?§\s*\d+\S*(?:\s+\d{4})?|\d+)"
                  r"\s+(?P<rest>senast\b.*)$", re.IGNORECASE)

uppdrag_cmd = Command("uppdrag", aliases=["assignments", "uppdragen"], group=GROUP,
                      summary="Visar öppna uppdrag från besluten, sätter slutdatum och stänger "
                              "dem.")


def setup(app: App) -> None:
    app.add_command(uppdrag_cmd)
    app.after_decision(from_decision)
    app.after_undo(after_undo)
    app.reminder_kind("uppdrag", justering_reminders.render_uppdrag)


def from_decision(ctx: Context, paragraph: Paragraph, entry: Entry, new: bool
                  ) -> Reply | None:
    """Record, update or drop the uppdrag a recorded or changed decision gives."""
    meeting = meetings.meeting_by_id(ctx.session, paragraph.meeting_id)
    found = recognise(entry.text, meeting.date)
    existing = None if new else uppdrag.for_entry(ctx.session, entry.id)
    if found is None:
        if existing is not None and existing.status == "öppet":
            number = existing.number
            justering_reminders.cancel_uppdrag(ctx.session, existing)
            uppdrag.remove_uppdrag(ctx.session, existing)
            return render("uppdrag", "borttaget", nummer=number)
        return None
    if existing is not None:
        uppdrag.change_uppdrag(ctx.session, existing, found.assignee, found.task, found.due_on)
        _remind(ctx, existing)
        return render("uppdrag", "antecknat", u=uppdrag.view(ctx.session, existing), ändrat=True)
    row = uppdrag.add(ctx.session, ctx.organ.organ_id, paragraph.id, entry.id, found.assignee,
                      found.task, found.due_on, ctx.actor.name, ctx.message.transport,
                      ctx.message.room_id)
    _remind(ctx, row)
    return render("uppdrag", "antecknat", u=uppdrag.view(ctx.session, row), ändrat=False)


def _remind(ctx: Context, row: Uppdrag) -> None:
    justering_reminders.schedule_uppdrag(ctx.session, ctx.organ, row, ctx.now, ctx.actor.name)


def after_undo(ctx: Context, action: LastAction) -> Reply | None:
    """A decision taken back with !ångra takes its uppdrag (and their reminders) along."""
    if action.entry is None or action.entry.kind != "beslut":
        return None
    row = uppdrag.for_entry(ctx.session, action.entry.id)
    if row is None or row.status != "öppet":
        return None
    justering_reminders.cancel_uppdrag(ctx.session, row)
    return render("uppdrag", "ångrat", nummer=row.number)


@uppdrag_cmd.bare(usage=["!uppdrag"], examples=["!uppdrag"])
def list_open(ctx: Context) -> Reply:
    return render("uppdrag", "lista", uppdrag=uppdrag.listed(ctx.session, ctx.organ.organ_id),
                  alla=False, idag=ctx.now.date())


@uppdrag_cmd.sub("öppna", aliases=["lista"])
def _list_open(ctx: Context, rest: str) -> Reply:
    return list_open(ctx)


@uppdrag_cmd.sub("alla", aliases=["all"], usage=["!uppdrag alla"])
def list_all(ctx: Context, rest: str) -> Reply:
    return render("uppdrag", "lista", alla=True, idag=ctx.now.date(),
                  uppdrag=uppdrag.listed(ctx.session, ctx.organ.organ_id, only_open=False))


@uppdrag_cmd.default(pattern=_DUE, permission=RECORD,
                     usage=["!uppdrag §N [år] senast <datum>", "!uppdrag <nr> senast <datum>"],
                     examples=["!uppdrag §28 senast 2022-05-20",
                               "!uppdrag §26 2022 senast 2023-05-20"])
def set_due(ctx: Context, due: re.Match[str]) -> Reply:
    return _set_due(ctx, due.group("ref"), due.group("rest"))


def _numbered(ctx: Context, text: str, kommando: str):  # type: ignore[no-untyped-def]
    if not text:
        raise UserError("uppdragsnummer_saknas", kommando=kommando)
    if not text.isdecimal():
        raise UserError("ogiltigt_uppdragsnummer", text=text, kommando=kommando)
    row = uppdrag.by_number(ctx.session, ctx.organ.organ_id, int(text))
    if row is None:
        raise UserError("uppdrag_finns_inte", nummer=int(text))
    return row


def _set_due(ctx: Context, ref: str, rest: str) -> Reply:
    day = due_date(rest, ctx.now.date())
    if day is None:
        raise UserError("ogiltigt_datum", text=rest[len("senast"):].strip(),
                        kommando=f"uppdrag {ref} senast")
    kept: list[Uppdrag] = []
    if "§" in ref:
        paragraph = resolve_paragraph(ctx, parse_ref(ref, "uppdrag", year_allowed=True))
        rows = uppdrag.of_paragraph(ctx.session, paragraph.id)
        if not rows:
            raise UserError("inga_uppdrag_i_paragraf", nummer=paragraph.number)
        # A § reference fills in missing dates only: a date given for one uppdrag (with
        # !uppdrag <nr> senast) must not be moved silently by a later §-wide command.
        kept = [r for r in rows if r.due_on is not None]
        rows = [r for r in rows if r.due_on is None]
        if not rows:
            raise UserError("uppdrag_har_redan_datum", paragraf=paragraph.number,
                            nummer=[r.number for r in kept], datum=day)
    else:
        rows = [_numbered(ctx, ref, "uppdrag")]
        if rows[0].status != "öppet":
            raise UserError("uppdrag_redan_klart", nummer=rows[0].number)
    for row in rows:
        uppdrag.set_due(ctx.session, row, day)
        _remind(ctx, row)
    return render("uppdrag", "datum_satt", uppdrag=[uppdrag.view(ctx.session, r) for r in rows],
                  datum=day, behållna=[uppdrag.view(ctx.session, r) for r in kept])


@uppdrag_cmd.sub("klart", aliases=["klar", "avklarat", "avslutat", "done"], permission=RECORD,
                 usage=["!uppdrag klart <nr> [§N]"],
                 examples=["!uppdrag klart 2", "!uppdrag klart 2 §33"])
def _close(ctx: Context, rest: str) -> Reply:
    number, _, ref = rest.partition(" ")
    row = _numbered(ctx, number.strip().lstrip("#"), "uppdrag klart")
    if row.status != "öppet":
        raise UserError("uppdrag_redan_klart", nummer=row.number)
    reported = (resolve_paragraph(ctx, parse_ref(ref, "uppdrag klart", year_allowed=True))
                if ref.strip() else None)
    uppdrag.close(ctx.session, row, ctx.actor.name, utc(ctx),
                  reported.id if reported else None)
    justering_reminders.cancel_uppdrag(ctx.session, row)
    return render("uppdrag", "klart", u=uppdrag.view(ctx.session, row))
