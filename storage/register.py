"""The insatser a config names, put into the förbund's register (storage.budget) at start,
as organs and members are. Takes plain data, so storage needs nothing from bot/."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from sqlmodel import Session, select

from storage import budget
from storage.models_budget import InsatsAlias

log = logging.getLogger(__name__)
CONFIG = "config"  # Insats.created_by of an insats the config file added


class ConfiguredInsats(Protocol):
    name: str
    start_year: int | None
    end_year: int | None
    owner: str
    aliases: Sequence[str]


def sync_insatser(session: Session, forbund_id: int, entries: Sequence[ConfiguredInsats]
                  ) -> None:
    """Each configured insats exists in the register, under the config's name, with its
    aliases, and with the period and owner the config gives (what the config leaves out,
    the chat may set). Insatser the config no longer names are kept: they have a budget."""
    for entry in entries:
        insats = budget.find_exact(session, forbund_id, entry.name)
        for alias in entry.aliases:
            if insats is not None:
                break
            insats = budget.find_exact(session, forbund_id, alias)
        values: dict[str, object] = {}
        if entry.owner:
            values["owner"] = entry.owner
        if entry.start_year is not None:
            values["start_year"], values["end_year"] = entry.start_year, entry.end_year
        if insats is None:
            insats = budget.create_insats(session, forbund_id, entry.name, CONFIG,
                                          **values)  # type: ignore[arg-type]
        else:
            key = budget.name_key(entry.name)
            if insats.name_key != key:
                # Found by an alias (a file's 'Äpplet'): the config's name becomes the name
                # and the old one an alias, so both still find it.
                old = insats.name
                _drop_alias(session, forbund_id, key)
                values.update(name=" ".join(entry.name.split()), name_key=key)
                budget.update_insats(session, insats, **values)
                budget.add_alias(session, insats, old)
            elif values:
                budget.update_insats(session, insats, **values)
        for alias in entry.aliases:
            owner = budget.find_exact(session, forbund_id, alias)
            if owner is None:
                budget.add_alias(session, insats, alias)
            elif owner.id != insats.id:
                log.warning("insatser: aliaset %r hör redan till insatsen %r, inte %r",
                            alias, owner.name, insats.name)


def _drop_alias(session: Session, forbund_id: int, key: str) -> None:
    row = session.exec(select(InsatsAlias).where(InsatsAlias.forbund_id == forbund_id,
                                                 InsatsAlias.alias_key == key)).first()
    if row is not None:
        session.delete(row)
        session.flush()
