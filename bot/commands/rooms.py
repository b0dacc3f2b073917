"""!organ and !lämna: which organ a chat room belongs to, and asking the bot to leave it.
Transport-agnostic: the transport tells the core who moderates the room."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.context import Context
from bot.core.commands import Command
from bot.errors import UserError
from bot.identity import find_member
from bot.messages import Reply
from bot.permissions import holds_office
from bot.render import render
from storage import rooms, tenants
from storage.models import Room
from storage.tenants import OrganRef

if TYPE_CHECKING:
    from bot.core.app import App

GROUP = "Rummet"

organ_cmd = Command("organ", aliases=["rum", "room"], needs_organ=False, group=GROUP,
                    summary="Visar vilket organ rummet hör till, eller kopplar rummet till ett "
                            "organ (ordförande, vice ordförande, sekreterare och "
                            "förbundschef).")
lamna = Command("lämna", aliases=["leave"], needs_organ=False, group=GROUP,
                summary="Ber boten lämna rummet (moderatorer).")


def setup(app: App) -> None:
    app.add_command(organ_cmd, lamna)


@organ_cmd.default(usage=["!organ", "!organ <organ>", "!organ <förbund> <organ>"],
                   examples=["!organ", "!organ Styrelsen", "!organ ornskoldsvik Styrelsen"])
def organ_command(ctx: Context, args: str) -> Reply:
    message = ctx.message
    binding = rooms.room_binding(ctx.session, message.transport, message.room_id)
    current = ctx.organ_ref
    text = " ".join(args.split())
    if not text:
        # Which förbund the bot serves is nobody's business but theirs: an unbound room
        # is shown only the organs its sender may bind it to.
        return render("rum", "koppling", organ=current,
                      från_konfiguration=binding is not None
                      and binding.bound_by == tenants.CONFIG,
                      alla=[] if current else _bindable(ctx))
    organ = _resolve(ctx, text, current)
    binder = find_member(ctx.session, organ.organ_id, message)
    if binder is None or not holds_office(binder):
        raise UserError("organ_behörighet", organ=organ)
    if current is not None and current.organ_id == organ.organ_id:
        return render("rum", "redan_kopplat", organ=organ)
    if binding is not None and binding.bound_by == tenants.CONFIG:
        # The config is synced on every start and would undo a binding made here.
        raise UserError("organ_i_konfigurationen", organ=current)
    if current is not None and not _may_bind(ctx, current):
        # Moving the room takes it from its organ: that is for the organ's own officers.
        raise UserError("organ_flytt_behörighet", organ=current, ny=organ)
    others = [r for r in rooms.organ_rooms(ctx.session, organ.organ_id)
              if (r.transport, r.external_id) != (message.transport, message.room_id)]
    tenants.bind_room(ctx.session, message.transport, message.room_id, organ.organ_id,
                      message.sender_id)
    reply = render("rum", "kopplat", organ=organ, tidigare=current)
    # A new room of an organ never appears unseen: its other rooms are told.
    reply.notices = [_notice(ctx, organ, binder.name, room) for room in others]
    return reply


def _may_bind(ctx: Context, organ: OrganRef) -> bool:
    """Who may bind a room to `organ`: its ordförande, vice ordförande, sekreterare and
    förbundschef and the people in its `secretaries`, known by platform id (on the console
    by name). Moderating a room says nothing: anyone can create one."""
    return holds_office(find_member(ctx.session, organ.organ_id, ctx.message))


def _bindable(ctx: Context) -> list[OrganRef]:
    return [o for o in rooms.all_organs(ctx.session) if _may_bind(ctx, o)]


def _notice(ctx: Context, organ: OrganRef, binder: str, room: Room) -> Reply:
    message = ctx.message
    notice = render("rum", "kopplat_meddelande", rum=message.room_name,
                    rum_id=message.room_id, organ=organ, av=binder)
    notice.transport, notice.room_id = room.transport, room.external_id
    return notice


def _resolve(ctx: Context, text: str, current: OrganRef | None) -> OrganRef:
    """'Styrelsen' (unique in the config, or in this room's förbund, or among the organs
    the sender may bind), 'ornskoldsvik Styrelsen' (förbund key or name, then organ) or
    'Samordningsförbundet X Styrelsen'."""
    session = ctx.session
    if current is not None:
        same = tenants.find_organs(session, current.forbund_id, text)
        if len(same) == 1:
            return same[0]
    found = tenants.find_organs(session, None, text)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        mine = [o for o in found if _may_bind(ctx, o)]
        if len(mine) == 1:
            return mine[0]
        if not mine:
            raise UserError("organ_behörighet_namn", namn=text)
        raise UserError("organ_flera", namn=text, kandidater=mine)
    words = text.split(" ")
    for cut in range(len(words) - 1, 0, -1):
        forbund_text, organ_text = " ".join(words[:cut]), " ".join(words[cut:])
        for forbund in rooms.find_forbund(session, forbund_text):
            matches = tenants.find_organs(session, forbund.id, organ_text)
            if len(matches) == 1:
                return matches[0]
    raise UserError("organ_finns_inte", namn=text, alla=_bindable(ctx))


@lamna.default(usage=["!lämna"], examples=["!lämna"])
def leave_command(ctx: Context, args: str) -> Reply:
    if not ctx.message.sender_is_moderator:
        raise UserError("bara_moderator", kommando="lämna")
    reply = render("rum", "lämnar", organ=ctx.organ_ref)
    reply.leave_room = True
    return reply
