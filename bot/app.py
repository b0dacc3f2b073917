"""Wires config, database and dispatcher together; shared by every way of running the bot."""

from __future__ import annotations

from dataclasses import dataclass

import bot.commands  # noqa: F401  (registers the commands)
from bot.config import Config
from bot.dispatcher import Dispatcher
from storage.db import Database
from storage.tenants import sync_config


@dataclass
class App:
    config: Config
    db: Database
    dispatcher: Dispatcher

    def close(self) -> None:
        self.db.dispose()


def create_app(config: Config, db: Database | None = None) -> App:
    """Open the store, migrate it to the newest schema and load the config's tenants."""
    db = db or Database(config.database_url)
    db.migrate()
    with db.transaction() as session:
        sync_config(session, config)
    return App(config=config, db=db, dispatcher=Dispatcher(config, db))
