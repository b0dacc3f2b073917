"""Wires config, database and dispatcher together; shared by every way of running the bot."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import bot.commands  # noqa: F401  (registers the commands)
from bot.config import Config
from bot.dispatcher import Dispatcher
from bot.extensions import APP_EXTENSIONS
from bot.messages import Reply
from storage import load_models
from storage.db import Database
from storage.tenants import sync_config

log = logging.getLogger(__name__)

# Sends a reply into a room of one transport: (room id, reply).
Sender = Callable[[str, Reply], Awaitable[None]]
# A background service (scheduler, …): started with the bot, stopped with it.
Hook = Callable[["App"], Awaitable[None]]


@dataclass
class App:
    config: Config
    db: Database
    dispatcher: Dispatcher
    senders: dict[str, Sender] = field(default_factory=dict)
    start_hooks: list[Hook] = field(default_factory=list)
    stop_hooks: list[Hook] = field(default_factory=list)

    @property
    def services(self) -> dict:
        """Shared with command handlers as `ctx.services`."""
        return self.dispatcher.services

    def add_sender(self, transport: str, sender: Sender) -> None:
        """A transport registers how to post into its rooms (for reminders and the like)."""
        self.senders[transport] = sender

    async def deliver(self, transport: str, room_id: str, reply: Reply) -> bool:
        """Post an unprompted message (reminder, notice) into a room; False if the room's
        transport is not running in this process."""
        sender = self.senders.get(transport)
        if sender is None:
            log.warning("no running transport %s for room %s", transport, room_id)
            return False
        reply.room_id = room_id
        await sender(room_id, reply)
        return True

    async def deliver_notices(self, reply: Reply) -> None:
        """After a command's reply: post its notices to other rooms (Reply.notices). A
        notice kept in the outbox leaves it once sent; one room's trouble is logged and
        does not stop the others."""
        for notice in reply.notices:
            if notice.transport not in self.senders:
                log.info("no running transport %s for notice to %s", notice.transport,
                         notice.room_id)
                continue
            try:
                await self.deliver(notice.transport, notice.room_id, notice)
            except Exception as error:  # a Teams conversation without a reference, …
                log.warning("notice to %s %s not delivered: %s", notice.transport,
                            notice.room_id, error)
                continue
            await asyncio.to_thread(self.dispatcher.reply_sent, notice)

    async def start(self) -> None:
        for hook in self.start_hooks:
            await hook(self)

    async def stop(self) -> None:
        for hook in reversed(self.stop_hooks):
            await hook(self)

    def close(self) -> None:
        self.db.dispose()


def create_app(config: Config, db: Database | None = None) -> App:
    """Open the store, migrate it to the newest schema and load the config's tenants."""
    load_models()
    db = db or Database(config.database_url)
    db.migrate()
    with db.transaction() as session:
        sync_config(session, config)
    app = App(config=config, db=db, dispatcher=Dispatcher(config, db))
    app.services["app"] = app
    for extend in APP_EXTENSIONS:
        extend(app)
    return app
