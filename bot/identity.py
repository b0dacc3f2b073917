"""Who the sender of a message is, for rights and for what a person does in person.

On Matrix and Teams the platform vouches for the sender's id (`IncomingMessage.sender_id`
and `sender_aliases`), and the config's `ids` name members by it. A display name is chosen
by its owner and identifies nobody, so it never finds a member. The console is the local
terminal: whoever types there runs the bot and holds its database, so the name typed
(`@Namn: …`) is who they are.

What a person does in person goes by `person_key` (what belongs to the sender: a
`!påminn mig`) and `Actor.person` (the name the sender signs as: justering, omedelbar
justering). A vote (`!röst`) is to use the same two: counted once per `person_key`, in the
name of `Actor.person`, and refused when that is empty."""

from __future__ import annotations

from sqlmodel import Session

from bot.messages import IncomingMessage
from storage import tenants
from storage.keys import name_key
from storage.models import Member

# Transports whose sender id is the name the person typed (see the module docstring).
NAMED_TRANSPORTS = frozenset({"console"})


def by_name(message: IncomingMessage) -> bool:
    """True where a name identifies the sender (the console), False on Matrix and Teams."""
    return message.transport in NAMED_TRANSPORTS


def find_member(session: Session, organ_id: int, message: IncomingMessage) -> Member | None:
    """The organ's member who sent `message`: by platform id, and on the console also by
    the exact name typed. Never by display name."""
    member = tenants.member_by_id(session, organ_id, message.sender_id,
                                  *message.sender_aliases)
    if member is None and by_name(message):
        member = tenants.member_by_name(session, organ_id, message.sender_id)
    return member


def person_key(message: IncomingMessage) -> str:
    """What the sender's own things are kept under: the platform id (on the console, the
    name typed), letter for letter."""
    return name_key(message.sender_id)


def has_platform_id(member: Member | None) -> bool:
    """Whether the config gives the person an id, so that Matrix and Teams can know them."""
    return member is not None and bool(tenants.member_ids(member))
