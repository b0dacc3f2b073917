"""Förbund, organs, rooms and members: synced from the config, looked up per message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import bindparam
from sqlmodel import Session, select

from storage.db import lock_setup
from storage.folding import fold
from storage.keys import id_key, name_key
from storage.models import Forbund, Member, Organ, Room
from storage.register import sync_insatser
from storage.sigill import set_configured_path

# Room.bound_by of a room named in the config file (`rooms`, `[teams.conversations]`).
CONFIG = "config"


@dataclass(frozen=True)
class OrganRef:
    """What a command needs to know about the room's organ, detached from the session."""

    organ_id: int
    organ_key: str
    organ_name: str
    kind: str
    numbering: str
    forbund_id: int
    forbund_key: str
    forbund_name: str
    archive_location: str
    timezone: str
    document: str = "protokoll"  # protokoll | minnesanteckningar


# What sync_config stores of the config file, as plain data that bot.core.app builds
# out of the bot's Config: the store stays independent of the bot package.
@dataclass(frozen=True)
class MemberSpec:
    name: str
    role: str = "ledamot"
    organisation: str = ""
    organisation_short: str = ""
    ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class OrganSpec:
    key: str
    name: str
    kind: str = "styrelse"
    numbering: str = "år"
    document: str = "protokoll"
    rooms: tuple[str, ...] = ()
    secretaries: tuple[str, ...] = ()
    members: tuple[MemberSpec, ...] = ()


@dataclass(frozen=True)
class InsatsSpec:
    name: str
    start_year: int | None = None
    end_year: int | None = None
    owner: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ForbundSpec:
    key: str
    name: str
    archive_location: str = ""
    timezone: str = "Europe/Stockholm"
    sigill: str = ""
    organs: tuple[OrganSpec, ...] = field(default_factory=tuple)
    insatser: tuple[InsatsSpec, ...] = ()


def sync_config(session: Session, forbund_specs: Sequence[ForbundSpec]) -> None:
    """Make the store's förbund, organs, config rooms, members and insatser match the config
    file.
    Rooms bound in the chat (`!organ`) are kept."""
    lock_setup(session.connection())  # a second process starting now waits, then updates
    for fc in forbund_specs:
        forbund = session.exec(select(Forbund).where(Forbund.key == fc.key)).first()
        if forbund is None:
            forbund = Forbund(key=fc.key, name=fc.name)
            session.add(forbund)
        forbund.name = fc.name
        forbund.archive_location = fc.archive_location
        forbund.timezone = fc.timezone
        session.flush()
        set_configured_path(session, forbund.id, fc.sigill)
        for oc in fc.organs:
            organ = session.exec(
                select(Organ).where(Organ.forbund_id == forbund.id, Organ.key == oc.key)
            ).first()
            if organ is None:
                organ = Organ(forbund_id=forbund.id, key=oc.key, name=oc.name)
                session.add(organ)
            organ.name, organ.kind, organ.numbering = oc.name, oc.kind, oc.numbering
            organ.document_kind = oc.document
            session.flush()
            for external_id in oc.rooms:
                transport = "console" if external_id == "console" else _transport_of(external_id)
                bind_room(session, transport, external_id, organ.id, CONFIG)
            _sync_members(session, organ.id, oc)
        sync_insatser(session, forbund.id, fc.insatser)


def _transport_of(external_id: str) -> str:
    return "matrix" if external_id.startswith("!") else "teams"


def _sync_members(session: Session, organ_id: int, oc: OrganSpec) -> None:
    session.info.pop(_MEMBERS, None)
    for old in session.exec(select(Member).where(Member.organ_id == organ_id)).all():
        session.delete(old)
    # Only the platform ids go into `ids`: a name is matched by member_by_name, and only
    # where the transport vouches for names (the console), never as if it were an id.
    for mc in oc.members:
        ids = {id_key(i) for i in mc.ids if id_key(i)}
        session.add(Member(
            organ_id=organ_id, name=mc.name, role=mc.role, organisation=mc.organisation,
            organisation_short=mc.organisation_short, ids="\n".join(sorted(ids)),
        ))
    # A `secretaries` entry is a chat id or (for the console) a name: it is both.
    for extra in oc.secretaries:
        session.add(Member(organ_id=organ_id, name=extra, role="sekreterare",
                           ids=id_key(extra), extra_secretary=True))


def bind_room(session: Session, transport: str, external_id: str, organ_id: int,
              bound_by: str) -> Room:
    room = session.exec(
        select(Room).where(Room.transport == transport, Room.external_id == external_id)
    ).first()
    if room is None:
        room = Room(transport=transport, external_id=external_id, organ_id=organ_id)
        session.add(room)
    room.organ_id = organ_id
    room.bound_by = bound_by
    session.flush()
    return room


# Built once: every command runs these, and building a statement costs as much as running it.
_ORGAN_FOR_ROOM = (
    select(Organ, Forbund)
    .join(Room, Room.organ_id == Organ.id)
    .join(Forbund, Forbund.id == Organ.forbund_id)
    .where(Room.transport == bindparam("transport"),
           Room.external_id == bindparam("external_id")))
_MEMBERS_OF = select(Member).where(Member.organ_id == bindparam("organ_id")).order_by(Member.id)
_MEMBERS = "tenants.members"  # Session.info key: each organ's members, read once


def organ_for_room(session: Session, transport: str, external_id: str) -> OrganRef | None:
    row = session.exec(_ORGAN_FOR_ROOM,
                       params={"transport": transport, "external_id": external_id}).first()
    return _ref(*row) if row else None


def organ_by_id(session: Session, organ_id: int) -> OrganRef | None:
    row = session.exec(
        select(Organ, Forbund).join(Forbund, Forbund.id == Organ.forbund_id)
        .where(Organ.id == organ_id)
    ).first()
    return _ref(*row) if row else None


def first_organ(session: Session, organ_key: str | None = None) -> OrganRef | None:
    query = select(Organ, Forbund).join(Forbund, Forbund.id == Organ.forbund_id)
    if organ_key:
        query = query.where(Organ.key == organ_key)
    row = session.exec(query.order_by(Forbund.id, Organ.id)).first()
    return _ref(*row) if row else None


def find_organs(session: Session, forbund_id: int | None, name: str) -> list[OrganRef]:
    """Organs whose key or name matches `name` (case and diacritics ignored)."""
    query = select(Organ, Forbund).join(Forbund, Forbund.id == Organ.forbund_id)
    if forbund_id is not None:
        query = query.where(Organ.forbund_id == forbund_id)
    wanted = fold(name)
    return [_ref(o, f) for o, f in session.exec(query).all()
            if wanted in (fold(o.key), fold(o.name), fold(f"{f.name} {o.name}"))]


def forbund_by_key(session: Session, key: str) -> Forbund | None:
    return session.exec(select(Forbund).where(Forbund.key == key)).first()


def organs_of_kind(session: Session, forbund_id: int, kind: str) -> list[Organ]:
    return list(session.exec(
        select(Organ).where(Organ.forbund_id == forbund_id, Organ.kind == kind)).all())


def _ref(organ: Organ, forbund: Forbund) -> OrganRef:
    return OrganRef(
        organ_id=organ.id, organ_key=organ.key, organ_name=organ.name, kind=organ.kind,
        numbering=organ.numbering, forbund_id=forbund.id, forbund_key=forbund.key,
        forbund_name=forbund.name, archive_location=forbund.archive_location,
        timezone=forbund.timezone, document=organ.document_kind,
    )


def members(session: Session, organ_id: int) -> list[Member]:
    """Read once per transaction: only the config sync at start changes them, and it drops
    what was read (a command asks for them up to three times: rights, beslutsförhet,
    names)."""
    read: dict[int, list[Member]] = session.info.setdefault(_MEMBERS, {})
    if organ_id not in read:
        read[organ_id] = list(session.exec(_MEMBERS_OF, params={"organ_id": organ_id}).all())
    return list(read[organ_id])


def member_ids(member: Member) -> set[str]:
    return {i for i in member.ids.split("\n") if i}


def member_by_id(session: Session, organ_id: int, *ids: str) -> Member | None:
    """The member whose config `ids` hold one of the platform's `ids` for the sender."""
    wanted = {id_key(i) for i in ids if i}
    for member in members(session, organ_id):
        if wanted & member_ids(member):
            return member
    return None


def member_by_name(session: Session, organ_id: int, name: str) -> Member | None:
    """The member called exactly `name` (storage.keys.name_key), or None."""
    wanted = name_key(name)
    if not wanted:
        return None
    return next((m for m in members(session, organ_id) if name_key(m.name) == wanted), None)


def member_like(session: Session, organ_id: int, name: str) -> Member | None:
    """A member whose name differs from `name` only in case or accents: a suggestion to
    show ("menar du …?"), never a match."""
    wanted = fold(name)
    return next((m for m in members(session, organ_id) if fold(m.name) == wanted), None)

