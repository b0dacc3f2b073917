"""Who may do what. Recording is for the organ's ordförande, vice ordförande, sekreterare
and förbundschef and the people in its `secretaries`, as the config names them (by platform
id; on the console by name). A Matrix room's power level adds only the organ's own members,
and only in a room the config or one of those office holders bound. Reading is for anyone
in the room."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from bot.identity import by_name
from bot.messages import IncomingMessage
from storage import tenants
from storage.models import Member, Room

RECORDING_ROLES = {"ordförande", "vice ordförande", "sekreterare", "förbundschef"}


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    role: str
    organisation: str
    can_record: bool
    # Found among the organ's members by an id the platform vouches for (on the console:
    # by the name typed), not by a chosen display name.
    is_member: bool = False
    # The name the sender acts as in person (justering; see bot.identity): the member's
    # config name, or the name typed on the console; "" for someone Matrix or Teams
    # shows under a display name only.
    person: str = ""


def holds_office(member: Member | None) -> bool:
    """Chair, vice chair, secretary or förbundschef of the organ, or in its `secretaries`:
    those who record its minutes and bind rooms to it."""
    return member is not None and (member.role in RECORDING_ROLES or member.extra_secretary)


def binding_trusted(session: Session, organ_id: int, room: Room | None) -> bool:
    """A room the config bound, or one of the organ's office holders (by platform id).
    Anyone can create a room and moderate it; only in such a room does moderating it
    say something about the organ."""
    if room is None:
        return False
    if room.bound_by == tenants.CONFIG:
        return True
    return holds_office(tenants.member_by_id(session, organ_id, room.bound_by))


def actor_for(message: IncomingMessage, member: Member | None, *,
              trusted_moderator: bool = False) -> Actor:
    """`trusted_moderator`: the sender moderates a room whose binding is trusted
    (binding_trusted); it lets the organ's own members record, nobody else."""
    if member is None:
        return Actor(id=message.sender_id, name=message.sender_name or message.sender_id,
                     role="", organisation="", can_record=False,
                     person=message.sender_id if by_name(message) else "")
    return Actor(
        id=message.sender_id, name=member.name, role=member.role,
        organisation=member.organisation_short or member.organisation,
        can_record=holds_office(member) or trusted_moderator,
        is_member=True, person=member.name,
    )
