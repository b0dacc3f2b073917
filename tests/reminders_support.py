"""Helpers for the reminder tests: a förbund with insatser, a fake room sender, a clock."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.app import App
from bot.commands.reminders.service import ReminderService
from bot.config import parse_config
from bot.messages import Reply
from tests.conftest import make_app

CONFIG: dict[str, Any] = {
    "forbund": [{
        "key": "ovik",
        "name": "Samordningsförbundet i Örnsköldsvik",
        # Periods that cover 2026: an insats owes an årsrapport for a year it has money or a
        # period in (storage.reports.owing).
        "insatser": [{"namn": "Vidare Vy", "period": "2024–"},
                     {"namn": "Samverkansprojekt Äpplet", "period": "2025–2027"},
                     {"namn": "Steg framåt", "period": 2026}],
        "organ": [
            {"key": "styrelsen", "name": "Styrelsen", "kind": "styrelse", "rooms": ["console"],
             "member": [{"name": "Pär Eriksson", "role": "förbundschef"},
                        {"name": "Cecilia Sparf", "role": "ledamot"}]},
            {"key": "lsg", "name": "Lokala samverkansgruppen", "kind": "lsg",
             "rooms": ["!lsg:ovik.test"]},
        ],
    }],
}


def reminder_app(url: str, **forbund_extra: Any) -> App:
    data = {"forbund": [dict(CONFIG["forbund"][0], **forbund_extra)]}
    return make_app(parse_config(data, "test.toml"), url)


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Inbox:
    """A fake transport: what the bot posted, per room."""

    posted: list[tuple[str, Reply]] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def send(self, room_id: str, reply: Reply) -> None:
        self.posted.append((room_id, reply))
        self.arrived.set()

    @property
    def texts(self) -> list[str]:
        return [reply.text for _, reply in self.posted]


def service_of(app: App) -> ReminderService:
    assert app.services.reminders is not None
    return app.services.reminders


async def wait_for(condition: Any, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not condition():
        if loop.time() > end:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.05)
