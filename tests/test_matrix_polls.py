"""Votes as Matrix polls (MSC3381) against the real Synapse: the poll the bot posts, a
member's response becoming `!röst`, and the poll's end."""

from __future__ import annotations

from typing import Any

import pytest
from nio import UnknownEvent

from bot.app import create_app
from storage import matrix as matrix_store
from tests.matrix_support import Person
from tests.matrix_support import synapse as synapse  # noqa: F401  (the session fixture)
from tests.poll_support import QUESTION, RESULT, PollFeature, Vote
from tests.test_matrix import Scene
from tests.test_matrix import scene as scene  # noqa: F401  (the fixture)

FALLBACK = f"{QUESTION}\n1. Ja\n2. Nej\n3. Avstår"
START_CONTENT = {
    "m.text": [{"mimetype": "text/plain", "body": FALLBACK}],
    "m.poll": {
        "kind": "m.disclosed", "max_selections": 1,
        "question": {"m.text": [{"mimetype": "text/plain", "body": QUESTION}]},
        "answers": [{"m.id": "ja", "m.text": [{"mimetype": "text/plain", "body": "Ja"}]},
                    {"m.id": "nej", "m.text": [{"mimetype": "text/plain", "body": "Nej"}]},
                    {"m.id": "avstår",
                     "m.text": [{"mimetype": "text/plain", "body": "Avstår"}]}],
    },
    "org.matrix.msc1767.text": FALLBACK,
    "org.matrix.msc3381.poll.start": {
        "kind": "org.matrix.msc3381.poll.disclosed", "max_selections": 1,
        "question": {"org.matrix.msc1767.text": QUESTION},
        "answers": [{"id": "ja", "org.matrix.msc1767.text": "Ja"},
                    {"id": "nej", "org.matrix.msc1767.text": "Nej"},
                    {"id": "avstår", "org.matrix.msc1767.text": "Avstår"}],
    },
}


def poll_events(person: Person, room_id: str, sender: str, kind: str) -> list[UnknownEvent]:
    return [e for e in person.events.get(room_id, [])
            if isinstance(e, UnknownEvent) and e.type == kind and e.sender == sender]


async def posted_poll(scene: Scene, room_id: str) -> UnknownEvent:
    bot_id = scene.bot_account.user_id
    await scene.chair.wait(lambda: poll_events(scene.chair, room_id, bot_id, "m.poll.start"),
                           what="the poll")
    (start,) = poll_events(scene.chair, room_id, bot_id, "m.poll.start")
    return start


async def respond(person: Person, room_id: str, start_id: str, answers: list[str], *,
                  unstable: bool = False) -> str:
    """A poll response as a client sends it (Element: the unstable spelling)."""
    relation = {"rel_type": "m.reference", "event_id": start_id}
    if unstable:
        kind = "org.matrix.msc3381.poll.response"
        content: dict[str, Any] = {"m.relates_to": relation, kind: {"answers": answers}}
    else:
        kind, content = "m.poll.response", {"m.relates_to": relation, "m.selections": answers}
    response = await person.client.room_send(room_id, kind, content,
                                             ignore_unverified_devices=True)
    event_id = getattr(response, "event_id", None)
    assert event_id, response
    return str(event_id)


@pytest.mark.parametrize("encrypted", [False, True])
async def test_a_poll_response_is_a_vote_and_the_poll_ends_with_the_result(
        scene: Scene, encrypted: bool) -> None:
    feature = PollFeature()
    bot = await scene.start_bot(features=(feature,))
    room_id = await scene.room(encrypted=encrypted)
    chair, member = scene.chair, scene.member
    assert (await chair.ask(room_id, "!testvotering")).body == "Votering begärd."
    start = await posted_poll(scene, room_id)
    assert start.source["content"] == START_CONTENT
    if encrypted:
        assert start.decrypted  # sent encrypted like every message in the room

    # Member B answers in the poll: the command hears `!röst nej` from B, via the poll,
    # and the answer is a reply under the poll.
    response_id = await respond(member, room_id, start.event_id, ["nej"])
    await chair.wait(lambda: feature.votes, what="the vote")
    assert feature.votes == [Vote(member.user_id, "nej", "poll", response_id)]
    answer = await chair.reply(room_id, start.event_id)
    assert answer.body == "Röst antecknad: nej"

    # Ignored: a response to something that is no poll of the bot's, an answer the poll
    # does not offer, and an empty one ("no vote"). Then the chair votes as Element does.
    await respond(member, room_id, answer.event_id, ["ja"])
    await respond(member, room_id, start.event_id, ["kanske"])
    await respond(member, room_id, start.event_id, [])
    chair_response = await respond(chair, room_id, start.event_id, ["ja"], unstable=True)
    await chair.wait(lambda: len(feature.votes) == 2, what="the chair's vote")
    assert feature.votes[1] == Vote(chair.user_id, "ja", "poll", chair_response)
    assert bot.stats["poll_responses_ignored"] == 3

    # Closing the vote ends the poll, with the result as its text.
    assert (await chair.ask(room_id, "!testvotering klar")).body == RESULT
    bot_id = scene.bot_account.user_id
    await chair.wait(lambda: poll_events(chair, room_id, bot_id, "m.poll.end"),
                     what="the poll's end")
    (end,) = poll_events(chair, room_id, bot_id, "m.poll.end")
    assert end.source["content"] == {
        "m.relates_to": {"rel_type": "m.reference", "event_id": start.event_id},
        "m.text": [{"mimetype": "text/plain", "body": RESULT}],
        "org.matrix.msc1767.text": RESULT,
        "org.matrix.msc3381.poll.end": {},
    }
    assert len(feature.votes) == 2


async def test_a_poll_response_delivered_again_is_counted_once(scene: Scene) -> None:
    feature = PollFeature()
    bot = await scene.start_bot(features=(feature,))
    room_id = await scene.room()
    chair, member = scene.chair, scene.member
    await chair.ask(room_id, "!testvotering")
    start = await posted_poll(scene, room_id)
    with bot.app.db.transaction() as session:
        early = matrix_store.sync_token(session, scene.bot_account.user_id)
    assert early is not None
    await respond(member, room_id, start.event_id, ["nej"])
    await chair.wait(lambda: feature.votes, what="the vote")
    await scene.stop_bots()

    # The bot restarts from a sync token from before the response (a crash before it
    # saved the newer one): the response comes again, and the poll is still known.
    app = create_app(scene.config(), features=(feature,))
    with app.db.transaction() as session:
        matrix_store.save_sync_token(session, scene.bot_account.user_id, early)
    app.close()
    bot = await scene.start_bot(features=(feature,))
    # A later command is answered only after the redelivered response was handled.
    await chair.ask(room_id, "!testvotering")
    assert [v.answer for v in feature.votes] == ["nej"]
    assert bot.stats["skipped"] >= 1
    # And a new answer after the restart still counts (the poll survives the restart).
    await respond(member, room_id, start.event_id, ["avstår"])
    await chair.wait(lambda: len(feature.votes) == 2, what="the second vote")
    assert [v.answer for v in feature.votes] == ["nej", "avstår"]
