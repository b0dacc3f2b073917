"""Two secretaries recording at the same moment never share a § number or leave a gap."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime

from sqlmodel import select

from bot.config import default_config
from bot.messages import IncomingMessage
from storage.models import Paragraph
from tests.conftest import STOCKHOLM, Chat, make_app

WRITERS = 4
PER_WRITER = 10


def test_concurrent_writers_get_distinct_consecutive_numbers(db_url: str) -> None:
    config = default_config()
    config.forbund[0].organs[0].secretaries = ["Anna", "Bertil", "Cecilia", "David"]
    app = make_app(config, db_url)
    Chat(app).text("!möte öppna 2022-03-25 08:30")
    barrier = threading.Barrier(WRITERS)
    replies: list[str] = []
    lock = threading.Lock()

    def write(name: str) -> None:
        barrier.wait()
        for i in range(PER_WRITER):
            message = IncomingMessage(
                transport="console", room_id="console", sender_id=name, sender_name=name,
                text=f"!paragraf {name} {i}", event_id=uuid.uuid4().hex,
                timestamp=datetime(2022, 3, 25, 9, 0, tzinfo=STOCKHOLM))
            reply = app.dispatcher.handle_sync(message)
            assert reply is not None
            with lock:
                replies.append(reply.text)

    threads = [threading.Thread(target=write, args=(n,)) for n in config.forbund[0].organs[0]
               .secretaries]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert all(r.startswith("§ ") for r in replies), replies
    with app.db.transaction() as s:
        numbers = sorted(p.number for p in s.exec(select(Paragraph)).all())
        titles = {p.title for p in s.exec(select(Paragraph)).all()}
    assert numbers == list(range(1, WRITERS * PER_WRITER + 1))
    assert len(titles) == WRITERS * PER_WRITER
    app.close()


def test_same_event_is_handled_once(app) -> None:  # type: ignore[no-untyped-def]
    Chat(app).text("!möte öppna 2022-03-25")
    message = IncomingMessage(
        transport="console", room_id="console", sender_id="Sekreteraren",
        sender_name="Sekreteraren", text="!beslut Ett beslut", event_id="$samma",
        timestamp=datetime(2022, 3, 25, 9, 0, tzinfo=STOCKHOLM))
    first = app.dispatcher.handle_sync(message)
    assert first is not None and first.text.startswith("§ 1 ")
    assert app.dispatcher.handle_sync(message) is None
    with app.db.transaction() as s:
        assert len(s.exec(select(Paragraph)).all()) == 1
