"""Faults in the store: a dropped PostgreSQL connection during a command."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from bot.app import App
from bot.commands.paragraphs import decision
from bot.config import default_config
from bot.context import Context
from bot.core.commands import RECORD, Command
from bot.messages import Reply
from storage.models import Paragraph
from tests.conftest import Chat, make_app


@pytest.fixture
def pg_app(pg_url: str) -> Iterator[App]:
    app = make_app(default_config(), pg_url)
    yield app
    app.close()


def register(app: App, name: str, handler) -> None:  # type: ignore[no-untyped-def]
    """A test command `!name <text>` for those who may record, in this app only."""
    command = Command(name, summary="test", permission=RECORD)
    command.default()(handler)
    app.add_command(command)


def _terminate_own_backend(ctx: Context) -> None:
    pid = ctx.session.exec(text("select pg_backend_pid()")).scalar_one()
    ctx.session.connection().exec_driver_sql(f"select pg_terminate_backend({pid})")


KILLS = {"left": 0}


def _beslut_then_drop_once(ctx: Context, args: str) -> Reply:
    """Records like !beslut, but the first time its connection is killed mid-command."""
    reply = decision(ctx, args)
    if KILLS["left"] > 0:
        KILLS["left"] -= 1
        _terminate_own_backend(ctx)
    return reply


def _always_drop(ctx: Context, args: str) -> Reply:
    decision(ctx, args)
    _terminate_own_backend(ctx)
    raise AssertionError("unreachable: the connection is gone")


@pytest.mark.postgres
def test_dropped_connection_is_retried_once_and_recorded_once(pg_app: App) -> None:
    register(pg_app, "testbeslut", _beslut_then_drop_once)
    chat = Chat(pg_app)
    chat.text("!möte öppna 2022-03-25")
    KILLS["left"] = 1
    assert chat.text("!testbeslut Styrelsen fastställer budgeten").startswith(
        "§ 1 Styrelsen fastställer budgeten (ny paragraf)")
    assert chat.text("!beslut Nästa beslut").startswith("§ 1 ")
    with pg_app.db.transaction() as s:
        assert len(s.exec(select(Paragraph)).all()) == 1


@pytest.mark.postgres
def test_connection_that_keeps_dropping_is_reported_and_bot_goes_on(pg_app: App) -> None:
    register(pg_app, "testdrop", _always_drop)
    chat = Chat(pg_app)
    chat.text("!möte öppna 2022-03-25")
    assert chat.text("!testdrop Försvinner") == (
        "Databasen svarade inte, så inget sparades. Försök igen om en stund.")
    assert chat.text("!beslut Det här sparas").startswith("§ 1 Det här sparas (ny paragraf)")
    with pg_app.db.transaction() as s:
        assert [p.title for p in s.exec(select(Paragraph)).all()] == ["Det här sparas"]


def _beslut_then_lose_the_answer(ctx: Context, args: str) -> Reply:
    """Records like !beslut; the commit goes through, then the connection is reported lost
    (as when the server committed but its answer never came back)."""
    reply = decision(ctx, args)

    def lost(_session: object) -> None:
        raise DBAPIError("COMMIT", {}, ConnectionError("förbindelsen bröts"),
                         connection_invalidated=True)

    event.listen(ctx.session, "after_commit", lost, once=True)
    return reply


def test_commit_that_went_through_is_reported_once_not_silently(app: App) -> None:
    register(app, "testsvar", _beslut_then_lose_the_answer)
    chat = Chat(app)
    chat.text("!möte öppna 2022-03-25")
    assert chat.text("!testsvar Styrelsen fastställer budgeten") == (
        "!testsvar är sparat, men anslutningen till databasen bröts innan jag hann svara. "
        "Se resultatet med !möte eller !visa.")
    with app.db.transaction() as s:
        assert [p.title for p in s.exec(select(Paragraph)).all()] == [
            "Styrelsen fastställer budgeten"]


def test_outbox_keeps_a_reply_with_its_files_until_it_is_sent(ovik: Chat) -> None:
    """A transport that reports delivery gets its replies back after a crash, files and
    all; one that does not (the console) leaves nothing behind."""
    dispatcher = ovik.app.dispatcher
    ovik.text("!möte öppna 2022-03-25 08:30 Digitalt via Teams")
    ovik.text("!paragraf Sammanträdet öppnas")
    assert dispatcher.unsent_replies("console") == []
    dispatcher.outbox.add("console")
    ovik.text("!möte avsluta 11:30")
    protokoll = ovik.say("!protokoll")
    assert protokoll is not None and protokoll.outbox_id is not None and protokoll.send_key
    # The bot "died" before sending either: both come back, in order, byte for byte.
    closing, again = dispatcher.unsent_replies("console")
    assert closing.text.startswith("Sammanträdet fredag 25 mars 2022 är avslutat kl. 11:30")
    assert again == protokoll
    assert [a.filename for a in again.attachments] == [
        "protokoll-styrelsen-2022-03-25.pdf", "protokoll-styrelsen-2022-03-25.docx",
        "protokoll-styrelsen-2022-03-25.html", "protokoll-styrelsen-2022-03-25.md"]
    assert again.in_reply_to == ovik.replies[-1].in_reply_to and again.room_id == "console"
    dispatcher.reply_sent(closing)
    dispatcher.reply_sent(again)
    assert dispatcher.unsent_replies("console") == []
