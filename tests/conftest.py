"""Shared fixtures: a fresh store on SQLite and on the machine's PostgreSQL, and a chat."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import FEATURES, App, Feature, build_app, create_app
from bot.config import Config, default_config, load_config
from bot.core.commands import Registry
from bot.messages import IncomingMessage, Reply
from storage.db import Database, fresh_postgres_schema

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
FIXTURES = Path(__file__).parent / "fixtures"
STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database nobody used before: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    yield from postgres_schema_url()


def postgres_schema_url() -> Iterator[str]:
    with fresh_postgres_schema(PG_ADMIN_URL, "t") as url:
        yield url


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from postgres_schema_url()


class Chat:
    """Plays messages into the dispatcher as a transport would, at a chosen time."""

    def __init__(self, app: App, room: str = "console", transport: str = "console",
                 sender: str = "Sekreteraren") -> None:
        self.app = app
        self.room = room
        self.transport = transport
        self.sender = sender
        self.now = datetime(2022, 3, 25, 8, 30, tzinfo=STOCKHOLM)
        self.room_name = ""
        self.replies: list[Reply] = []

    def say(self, text: str, sender: str | None = None, moderator: bool = False) -> Reply | None:
        who = sender or self.sender
        message = IncomingMessage(
            transport=self.transport, room_id=self.room, sender_id=who, sender_name=who,
            text=text, event_id=uuid.uuid4().hex, timestamp=self.now,
            sender_is_moderator=moderator, room_name=self.room_name)
        reply = self.app.dispatcher.handle_sync(message)
        if reply is not None:
            self.replies.append(reply)
        return reply

    def text(self, line: str, sender: str | None = None) -> str:
        reply = self.say(line, sender)
        assert reply is not None, f"no reply to {line!r}"
        return reply.text


def command_registry() -> Registry:
    """The commands of an app with every feature, built without opening a database."""
    return build_app(default_config(), Database("sqlite://")).registry


def make_app(config: Config, url: str, features: Sequence[Feature] = FEATURES) -> App:
    config.database_url = url
    app = create_app(config, features=features)
    from storage.tenants import bind_room, first_organ

    with app.db.transaction() as session:
        organ = first_organ(session)
        bind_room(session, "console", "console", organ.organ_id, "test")
    return app


@pytest.fixture
def app(db_url: str) -> Iterator[App]:
    application = make_app(default_config(), db_url)
    yield application
    application.close()


@pytest.fixture
def chat(app: App) -> Chat:
    return Chat(app)


@pytest.fixture
def ovik_app(db_url: str) -> Iterator[App]:
    """Samordningsförbundet i Örnsköldsvik, as in seed 003."""
    application = make_app(load_config(FIXTURES / "ornskoldsvik.toml"), db_url)
    yield application
    application.close()


@pytest.fixture
def ovik(ovik_app: App) -> Chat:
    return Chat(ovik_app, sender="Pär Eriksson")


__all__ = ["Chat", "Database"]
