"""The poll fields of a reply survive the outbox, and the store of posted polls."""

from __future__ import annotations

from bot.messages import Poll, Reply
from storage import load_models, polls
from storage.db import Database


def test_a_reply_with_a_poll_survives_the_outbox() -> None:
    reply = Reply(text="Votering begärd.", html="<p>Votering begärd.</p>", room_id="!r",
                  poll=Poll(key="votering:3", question="Bifaller styrelsen förslaget?"),
                  poll_closed="votering:2")
    again = Reply.from_json(reply.to_json(), outbox_id=5)
    assert again.poll == Poll("votering:3", "Bifaller styrelsen förslaget?",
                              (("ja", "Ja"), ("nej", "Nej"), ("avstår", "Avstår")))
    assert again.poll_closed == "votering:2" and again.outbox_id == 5
    # A reply kept in the outbox before polls existed still loads.
    old = ('{"text": "Nästa paragraf blir § 22 (2022).", "html": "", "room_id": "!r", '
           '"in_reply_to": "", "kind": "svar", "leave_room": false, "mentions": [], '
           '"send_key": "k", "transport": "", "attachments": []}')
    loaded = Reply.from_json(old)
    assert loaded.text == "Nästa paragraf blir § 22 (2022)."
    assert loaded.poll is None and loaded.poll_closed == ""


def test_posted_polls_are_kept_once_and_found_by_message_and_key(db_url: str) -> None:
    load_models()
    db = Database(db_url)
    db.migrate()
    try:
        with db.transaction() as session:
            polls.remember(session, "matrix", "!rum", "$start1", "votering:7",
                           ["ja", "nej", "avstår"])
            polls.remember(session, "matrix", "!rum", "$start1", "votering:7",
                           ["ja", "nej", "avstår"])  # the same reply sent again
            polls.remember(session, "teams", "19:kanal", "1700", "votering:7", ["ja", "nej"])
        with db.transaction() as session:
            found = polls.by_message(session, "matrix", "$start1")
            assert found == polls.PostedPoll("votering:7", "!rum", "$start1",
                                             ("ja", "nej", "avstår"))
            assert polls.by_message(session, "matrix", "1700") is None
            assert [p.message_id for p in polls.of_key(session, "matrix", "votering:7")] == [
                "$start1"]
            assert [p.room_id for p in polls.of_key(session, "teams", "votering:7")] == [
                "19:kanal"]
    finally:
        db.dispose()
