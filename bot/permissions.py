"""Who may do what: recording is for the organ's chair and secretaries (config roles) and
for room moderators where the transport knows them; reading is for anyone in the room."""

from __future__ import annotations

from dataclasses import dataclass

from bot.messages import IncomingMessage
from storage.models import Member

RECORDING_ROLES = {"ordförande", "vice ordförande", "sekreterare", "förbundschef"}


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    role: str
    organisation: str
    can_record: bool
    # Recognised by an id the platform vouches for (config `ids`), not by a chosen name.
    is_member: bool = False


def actor_for(message: IncomingMessage, member: Member | None) -> Actor:
    if member is None:
        return Actor(id=message.sender_id, name=message.sender_name or message.sender_id,
                     role="", organisation="", can_record=message.sender_is_moderator)
    return Actor(
        id=message.sender_id, name=member.name, role=member.role,
        organisation=member.organisation_short or member.organisation,
        can_record=member.role in RECORDING_ROLES or member.extra_secretary
        or message.sender_is_moderator,
        is_member=True,
    )
