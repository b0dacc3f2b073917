"""Votes as Matrix polls (MSC3381) against the real Synapse: the poll the bot posts, a
member's response becoming `!röst`, and the poll's end."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from nio import UnknownEvent

from bot.app import create_app
from bot.config import Config
from storage import matrix as matrix_store
from tests.matrix_support import Person, Synapse
from tests.matrix_support import synapse as synapse  # noqa: F401  (the session fixture)
from tests.poll_support import QUESTION, RESULT, PollFeature, Vote
from tests.scenario import STOCKHOLM
from tests.test_matrix import Scene, download, files, make_scene
from tests.test_matrix import scene as scene  # noqa: F401  (the fixture)

CHAIR, VICE, AF, FK, ERS = ("Carolina Sondell", "Jan-Olov Häggström", "Cecilia Sparf",
                            "Camilla Steen", "Johnny Eriksson")
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


async def test_a_contested_arende_voted_from_own_accounts_and_the_poll(
        synapse: Synapse, tmp_path: Path) -> None:  # noqa: F811  (the session fixture)
    """The lawful sammanträde on Synapse: the chair opens, the secretary records närvaro,
    jäv, an ersättare and the yrkanden; two members vote by typing `!röst` from their own
    accounts, one by answering the bot's poll, the secretary records the ersättare's vote
    given by voice; a member not entitled to vote is refused; the § of the protokoll has it
    all."""
    scene = await make_scene(synapse, tmp_path, f"sqlite:///{tmp_path / 'bot.db'}",
                             secretary=True)
    camilla = Person(synapse, synapse.register("camilla"), tmp_path / "camilla", FK)
    scene.adjust.append(lambda config: _give_ids(config, {FK: camilla.user_id}))
    try:
        await camilla.start()
        await scene.start_bot()
        room_id = await scene.room()
        await scene.chair.invite(room_id, camilla.user_id)
        await camilla.join(room_id)
        await scene.chair.wait(lambda: scene.chair.membership(room_id, camilla.user_id)
                               == "join", what="Camilla in the room")
        chair, member = scene.chair, scene.member
        assert scene.secretary is not None
        par = scene.secretary

        async def says(person: Person, text: str) -> str:
            return str((await person.ask(room_id, text)).body)

        assert (await says(chair, "!organ Styrelsen")).startswith("Rummet är nu kopplat")
        today = datetime.now(STOCKHOLM).date()
        await says(chair, f"!möte öppna {today.isoformat()} 08:30 Digitalt via Matrix")
        await says(par, "!paragrafnummer 41")
        await says(par, f"!närvaro {CHAIR}, {VICE}, {AF}, {FK}")
        await says(par, f"!närvaro övriga: {ERS}, Pär Eriksson")
        await says(par, "!paragraf Ansökan om medel för Vidare Vy")
        assert await says(par, f"!jäv {VICE}") == (
            "§ 41: Jan-Olov Häggström anmäler jäv och deltar inte i handläggningen av ärendet.")
        assert await says(par, f"!ersättare {ERS} för {VICE}") == (
            "Johnny Eriksson RVN, tjänstgörande ersättare för Jan-Olov Häggström från § 41.")
        await says(par, f"!yrkande {CHAIR}: bifall till ansökan")
        await says(par, f"!yrkande {AF}: avslag till ansökan")
        started = await says(par, "!votering 1 mot 2")
        assert "Röstberättigade: Carolina Sondell, Cecilia Sparf, Camilla Steen och Johnny " \
               "Eriksson." in started
        start = await posted_poll(scene, room_id)
        assert start.source["content"]["m.poll"]["question"]["m.text"][0]["body"] == (
            "Styrelsen godkänner följande propositionsordning: den som vill bifalla yrkande 1 "
            "röstar ja, den som vill bifalla yrkande 2 röstar nej.")

        # Not entitled: the förbundschef is no beslutande; the reason is in the answer.
        assert await says(par, "!röst ja") == (
            "Pär Eriksson är inte beslutande i § 41 och får inte rösta. Röstberättigade: "
            "Carolina Sondell, Cecilia Sparf, Camilla Steen och Johnny Eriksson.")
        assert (await says(chair, "!röst ja")).startswith("Carolina Sondell röstar ja.")
        assert (await says(member, "!röst nej")).startswith("Cecilia Sparf röstar nej.")
        await respond(camilla, room_id, start.event_id, ["nej"])
        assert (await camilla.reply(room_id, start.event_id)).body == "Camilla Steen: nej."
        assert await says(par, f"!röst {ERS}: ja") == (
            "Johnny Eriksson röstar ja (antecknat av sekreteraren).\nAlla har röstat.")
        result = await says(par, "!votering klar")
        assert result.startswith(
            "§ 41: Omröstningsresultat: 2 ja, 2 nej, 0 avstår. Rösterna är lika; ordförandens "
            "utslagsröst avgör. Styrelsen har beslutat enligt yrkande 1.")
        bot_id = scene.bot_account.user_id
        await chair.wait(lambda: poll_events(chair, room_id, bot_id, "m.poll.end"),
                         what="the poll's end")
        assert await says(par, f"!reservation {AF}: till förmån för eget yrkande") == (
            "§ 41: Cecilia Sparf reserverar sig mot beslutet: till förmån för eget yrkande")
        await says(par, f"!justerare {FK}")
        await says(par, "!möte avsluta 11:30")
        await says(par, "!protokoll")
        await chair.wait(lambda: len(files(chair, room_id)) >= 4, what="protokoll")
        markdown = await download(chair, files(chair, room_id), ".md")
    finally:
        await scene.stop_bots()
        await scene.stop_people()
        await camilla.stop()

    assert ("| Beslutande | Carolina Sondell ÖK ordförande, Jan-Olov Häggström RVN vice "
            "ordförande, Cecilia Sparf AF, Camilla Steen FK, Johnny Eriksson RVN, tjänstgörande "
            "ersättare för Jan-Olov Häggström från § 41 |") in markdown
    start_at = markdown.index("## § 41 Ansökan om medel för Vidare Vy")
    section = markdown[start_at:]
    order = ["*Jan-Olov Häggström anmäler jäv och deltar inte i handläggningen av ärendet.*",
             "- Yrkande 1 (Carolina Sondell): bifall till ansökan",
             "- Yrkande 2 (Cecilia Sparf): avslag till ansökan",
             "**Votering:**\n\nVotering begärs. Styrelsen godkänner följande "
             "propositionsordning: den som vill bifalla yrkande 1 röstar ja, den som vill "
             "bifalla yrkande 2 röstar nej.",
             "Omröstningsresultat: 2 ja, 2 nej, 0 avstår. Rösterna är lika; ordförandens "
             "utslagsröst avgör. Styrelsen har beslutat enligt yrkande 1.",
             "Ja: Carolina Sondell och Johnny Eriksson. Nej: Cecilia Sparf och Camilla Steen.",
             "**Beslut:**\n\n- Bifall till ansökan",
             "**Reservationer:**\n\n- Cecilia Sparf reserverar sig mot beslutet: till förmån "
             "för eget yrkande"]
    positions = [section.index(line) for line in order]
    assert positions == sorted(positions)


def _give_ids(config: Config, ids: dict[str, str]) -> None:
    for member in config.forbund[0].organs[0].members:
        if member.name in ids:
            member.ids = [ids[member.name]]
