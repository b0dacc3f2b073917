"""!organ and !lämna: which organ a chat room belongs to, and asking the bot to leave it.
Transport-agnostic: the transport tells the core who moderates the room."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.context import Context
from bot.core.commands import Command
from bot.errors import UserError
from bot.messages import Reply
from bot.permissions import RECORDING_ROLES
from bot.render import render
from storage import rooms, tenants
from storage.tenants import OrganRef

if TYPE_CHECKING:
    from bot.core.app import App

GROUP = "Rummet"

organ_cmd = Command("organ", aliases=["rum", "room"], needs_organ=False, group=GROUP,
                    summary="Visar vilket organ rummet hör till, eller kopplar rummet till ett "
                            "organ (ordförande, sekreterare och förbundschef).")
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
        return render("rum", "koppling", organ=current,
                      från_konfiguration=binding is not None and binding.bound_by == "config",
                      alla=_all_organs(ctx))
    organ = _resolve(ctx, text, current)
    if not _may_bind(ctx, organ):
        raise UserError("organ_behörighet", organ=organ)
    if current is not None and current.organ_id == organ.organ_id:
        return render("rum", "redan_kopplat", organ=organ)
    if binding is not None and binding.bound_by == "config":
        # The config is synced on every start and would undo a binding made here.
        raise UserError("organ_i_konfigurationen", organ=current)
    tenants.bind_room(ctx.session, message.transport, message.room_id, organ.organ_id,
                      message.sender_id)
    return render("rum", "kopplat", organ=organ, tidigare=current)


def _may_bind(ctx: Context, organ: OrganRef) -> bool:
    """Who may bind a room to `organ`: its chair and secretaries as the config names them
    (by chat id), and room moderators the config knows as people of the same förbund.
    A moderator of a room anyone could create must not reach another förbund's minutes."""
    message = ctx.message
    ids = (message.sender_id, *message.sender_aliases)
    member = tenants.member_by_identity(ctx.session, organ.organ_id, *ids)
    if member is not None and (member.role in RECORDING_ROLES or member.extra_secretary):
        return True
    return message.sender_is_moderator and any(
        tenants.member_by_identity(ctx.session, other.organ_id, *ids) is not None
        for other in rooms.all_organs(ctx.session) if other.forbund_id == organ.forbund_id)


def _resolve(ctx: Context, text: str, current: OrganRef | None) -> OrganRef:
    """'Styrelsen' (unique in the config, or in this room's förbund), 'ornskoldsvik
    Styrelsen' (förbund key or name, then organ) or 'Samordningsförbundet X Styrelsen'."""
    session = ctx.session
    if current is not None:
        same = tenants.find_organs(session, current.forbund_id, text)
        if len(same) == 1:
            return same[0]
    found = tenants.find_organs(session, None, text)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise UserError("organ_flera", namn=text, kandidater=found)
    words = text.split(" ")
    for cut in range(len(words) - 1, 0, -1):
        forbund_text, organ_text = " ".join(words[:cut]), " ".join(words[cut:])
        for forbund in rooms.find_forbund(session, forbund_text):
            matches = tenants.find_organs(session, forbund.id, organ_text)
            if len(matches) == 1:
                return matches[0]
    raise UserError("organ_finns_inte", namn=text, alla=_all_organs(ctx))


def _all_organs(ctx: Context) -> list[OrganRef]:
    return rooms.all_organs(ctx.session)


@lamna.default(usage=["!lämna"], examples=["!lämna"])
def leave_command(ctx: Context, args: str) -> Reply:
    if not ctx.message.sender_is_moderator:
        raise UserError("bara_moderator", kommando="lämna")
    reply = render("rum", "lämnar", organ=ctx.organ_ref)
    reply.leave_room = True
    return reply
