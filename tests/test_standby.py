"""Several `bot run` processes on one database: one is active (Matrix sync, reminders,
outbox), the others wait as standbys and take over; on SQLite a second process refuses."""

from __future__ import annotations

import threading
import time
from datetime import datetime

from sqlalchemy import text

from bot.config import default_config
from bot.messages import IncomingMessage
from storage import events
from storage.db import Database
from tests.conftest import STOCKHOLM, Chat, make_app


def _backend_pid(db: Database) -> int:
    with db.engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _wait_until_blocked(db: Database, waiter: int, blocker: int) -> None:
    """Until PostgreSQL backend `waiter` waits for a lock `blocker` holds."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with db.engine.connect() as connection:
            blocking = connection.execute(text("SELECT pg_blocking_pids(:pid)"),
                                          {"pid": waiter}).scalar_one()
        if blocker in blocking:
            return
        time.sleep(0.02)
    raise AssertionError("the command never waited for the other process's claim")


def test_an_event_another_process_is_handling_gets_no_reply(db_url: str) -> None:
    """Two processes take the same event at the same moment: the one that loses the claim
    stays silent (it used to answer "Databasen svarade inte" though the command was saved)
    and records nothing."""
    app = make_app(default_config(), db_url)
    Chat(app).text("!möte öppna 2022-03-25")
    other = Database(db_url)  # the other process
    message = IncomingMessage(
        transport="console", room_id="console", sender_id="Sekreteraren",
        sender_name="Sekreteraren", text="!beslut Styrelsen beslutar om fika.",
        event_id="$samtidigt", timestamp=datetime(2022, 3, 25, 9, 0, tzinfo=STOCKHOLM))
    result: dict[str, object] = {}
    try:
        # The dispatcher's pooled connection is the one its next command runs on.
        waiter = None if app.db.is_sqlite else _backend_pid(app.db)
        with other.transaction() as session:
            assert events.claim(session, "console", "$samtidigt")
            blocker = None if other.is_sqlite else int(session.execute(
                text("SELECT pg_backend_pid()")).scalar_one())
            worker = threading.Thread(
                target=lambda: result.update(reply=app.dispatcher.handle_sync(message)))
            worker.start()
            if waiter is not None and blocker is not None:
                _wait_until_blocked(other, waiter, blocker)
        worker.join(timeout=30)
        assert not worker.is_alive()
        assert result == {"reply": None}, getattr(result.get("reply"), "text", result)
        with app.db.transaction() as session:
            assert session.execute(text("SELECT count(*) FROM entry")).scalar_one() == 0
    finally:
        other.dispose()
        app.close()
