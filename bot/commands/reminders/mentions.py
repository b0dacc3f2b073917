"""Whom a reminder addresses, as the platform ids the config gives members (`ids`): the
justerare who have not signed, the people an uppdrag was given to. A transport that can
notify someone by id does so (Matrix: m.mentions); names without ids are only named."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlmodel import Session

from bot.swedish import fold
from storage import tenants
from storage.models import Member

# "förbundschefen" in an uppdrag is the förbund's förbundschef, and so on (folded keys).
_ROLE_WORDS = {fold(word): role for word, role in {
    "förbundschefen": "förbundschef", "förbundschef": "förbundschef",
    "ordföranden": "ordförande", "ordförande": "ordförande",
    "vice ordföranden": "vice ordförande", "vice ordförande": "vice ordförande",
    "sekreteraren": "sekreterare"}.items()}
_SEPARATORS = re.compile(r"\s*(?:,|;|&|\boch\b|\bsamt\b)\s*", re.IGNORECASE)


def platform_ids(member: Member) -> list[str]:
    """The member's chat ids from the config."""
    return sorted(tenants.member_ids(member))


def ids_of_names(session: Session, organ_id: int, names: Iterable[str]) -> list[str]:
    """The ids of the members with these names (a meeting's justerare, say)."""
    ids: list[str] = []
    for name in names:
        member = tenants.member_by_name(session, organ_id, name)
        if member is not None:
            ids.extend(i for i in platform_ids(member) if i not in ids)
    return ids


def ids_of_assignee(session: Session, organ_id: int, assignee: str) -> list[str]:
    """The ids of the members an uppdrag names: "Jan-Olov Häggström och Johnny Eriksson",
    "förbundschefen", "Jan-Olov och Johnny" (a first name that only one member has)."""
    members = tenants.members(session, organ_id)
    found: list[Member] = []
    for part in _SEPARATORS.split(" ".join(assignee.split())):
        member = _named(members, part)
        if member is not None and member not in found:
            found.append(member)
    ids: list[str] = []
    for member in found:
        ids.extend(i for i in platform_ids(member) if i not in ids)
    return ids


def _named(members: list[Member], part: str) -> Member | None:
    wanted = fold(part.strip())
    if not wanted:
        return None
    role = _ROLE_WORDS.get(wanted)
    for candidates in (
        [m for m in members if fold(m.name) == wanted],
        [m for m in members if role and m.role == role and not m.extra_secretary],
        [m for m in members if fold(m.name).split()[:1] == [wanted]],
    ):
        if len(candidates) == 1:
            return candidates[0]
    return None
