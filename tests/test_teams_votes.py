"""Votes as Adaptive Cards on the Teams test endpoint: the card the bot posts, a press on
its buttons (an `adaptiveCard/action` invoke) becoming `!röst`, and the card replaced by
the result when the vote closes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from storage import polls
from tests import scenario
from tests.conftest import make_app
from tests.poll_support import (
    KEY,
    QUESTION,
    RESULT,
    PollFeature,
    Vote,
    beslutande_row,
    protokoll_section,
)
from tests.teams_support import (
    CHANNEL,
    PEOPLE,
    activity,
)
from tests.test_teams import TeamsHarness, serving, teams_config


@pytest.fixture
async def voting(db_url: str, monkeypatch: pytest.MonkeyPatch
                 ) -> AsyncIterator[tuple[TeamsHarness, PollFeature]]:
    feature = PollFeature()
    app = make_app(teams_config(), db_url, features=(feature,))
    async with serving(app, monkeypatch) as harness:
        yield harness, feature


def press(teams: TeamsHarness, speaker: str, data: dict[str, Any], *,
          card_id: str = "") -> dict[str, Any]:
    """The invoke Teams sends when a person presses an Action.Execute button."""
    body = activity("channel", service_url=teams.connector.url, when=scenario.MEETING_TIME,
                    speaker=speaker, mention=False)
    for key in ("text", "textFormat", "entities"):
        body.pop(key, None)
    body.update(type="invoke", name="adaptiveCard/action", value={
        "action": {"type": "Action.Execute", "verb": "röst", "data": data},
        "trigger": "manual"})
    if card_id:
        body["replyToId"] = card_id
    return body


async def invoke(teams: TeamsHarness, body: dict[str, Any], token: str | None = "valid"
                 ) -> tuple[int, Any]:
    if token == "valid":
        token = teams.keys.token(teams.connector.url)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with teams.http.post(teams.endpoint, json=body, headers=headers) as response:
        text = await response.text()
        return response.status, (await response.json() if text.startswith("{") else text)


def answer(text: str) -> dict[str, Any]:
    return {"statusCode": 200, "type": "application/vnd.microsoft.activity.message",
            "value": text}


async def test_a_card_button_is_a_vote_and_the_card_gives_way_to_the_result(
        voting: tuple[TeamsHarness, PollFeature]) -> None:
    teams, feature = voting
    status, sent = await teams.send("channel", text="!testvotering")
    assert status in (200, 202)
    assert [s.text for s in sent[:1]] == ["Votering begärd."]
    card = sent[1].card
    assert card is not None and card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert [b["text"] for b in card["body"]] == ["Votering", QUESTION, "Välj ditt svar."]
    assert card["actions"] == [
        {"type": "Action.Execute", "title": label, "verb": "röst",
         "data": {"verb": "röst", "röst": answer_id, "votering": KEY}}
        for answer_id, label in (("ja", "Ja"), ("nej", "Nej"), ("avstår", "Avstår"))]
    with teams.app.db.transaction() as session:
        (posted,) = polls.of_key(session, "teams", KEY)
    card_id = posted.message_id  # the id the connector gave the card
    assert (posted.room_id, posted.answers) == (CHANNEL, ("ja", "nej", "avstår"))

    # Cecilia presses "Ja": `!röst ja` from her Entra object id, via the card, answered in
    # the invoke (status 200) and not posted in the channel.
    cecilia = PEOPLE["Cecilia Sparf"]
    pressed = press(teams, "Cecilia Sparf", card["actions"][0]["data"], card_id=card_id)
    before = len(teams.connector.sent)
    assert await invoke(teams, pressed) == (200, answer("Röst antecknad: ja"))
    assert feature.votes == [Vote(
        cecilia.aad_object_id, "ja", "card", f"{CHANNEL}|{pressed['id']}",
        (cecilia.teams_id, cecilia.upn, cecilia.upn))]
    assert len(teams.connector.sent) == before

    # Teams sending the same press again counts once.
    assert await invoke(teams, pressed) == (200, answer("Din röst är redan mottagen."))
    # A card of a vote the bot does not know, and an answer the card does not offer.
    gone = ("Den här voteringen pågår inte längre. Pågår en annan votering kan du rösta på "
            "dess kort eller skriva !röst ja, !röst nej eller !röst avstår.")
    for data in ({"verb": "röst", "röst": "ja", "votering": "votering:999"},
                 {"verb": "röst", "röst": "kanske", "votering": KEY}):
        assert await invoke(teams, press(teams, "Pär Eriksson", data)) == (200, answer(gone))
    # Unsigned and forged invokes never reach the command.
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for token in (None, teams.keys.token(teams.connector.url, key=forger)):
        status, _ = await invoke(teams, press(teams, "Pär Eriksson",
                                              card["actions"][1]["data"]), token)
        assert status == 401
    assert len(feature.votes) == 1

    # Closing the vote replaces the card with the result.
    assert await teams.say("Pär Eriksson", "!testvotering klar") == RESULT
    (update,) = teams.connector.updated
    assert (update.conversation_id, update.reply_to) == (CHANNEL, card_id)
    closed = update.card
    assert closed is not None and closed["actions"] == []
    assert [b["text"] for b in closed["body"]] == ["Votering avslutad", RESULT]
    assert closed["fallbackText"] == RESULT


@pytest.fixture
async def board(db_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TeamsHarness]:
    """The whole bot on the Teams test endpoint; Cecilia's Entra object id in the config."""
    config = teams_config()
    for member in config.forbund[0].organs[0].members:
        if member.name == "Cecilia Sparf":
            member.ids.append(PEOPLE["Cecilia Sparf"].aad_object_id)
    app = make_app(config, db_url)
    async with serving(app, monkeypatch) as harness:
        yield harness


async def test_a_contested_arende_with_a_card_vote_and_a_typed_one(
        board: TeamsHarness) -> None:
    """A press on the card and a typed `!röst` count in the same tally, beside a vote the
    secretary records; the § of the protokoll names each vote."""
    teams, par = board, "Pär Eriksson"
    for text in ("!möte öppna 2022-03-25 08:30 Digitalt via Teams", "!paragrafnummer 41",
                 "!närvaro Carolina Sondell, Jan-Olov Häggström, Cecilia Sparf, Camilla Steen",
                 "!närvaro övriga: Johnny Eriksson, Pär Eriksson",
                 "!paragraf Ansökan om medel för Vidare Vy"):
        await teams.say(par, text)
    assert await teams.say(par, "!jäv Jan-Olov Häggström") == (
        "§ 41: Jan-Olov Häggström anmäler jäv och deltar inte i handläggningen av ärendet.")
    await teams.say(par, "!ersättare Johnny Eriksson för Jan-Olov Häggström")
    await teams.say(par, "!yrkande Carolina Sondell: bifall till ansökan")
    await teams.say(par, "!yrkande Cecilia Sparf: avslag till ansökan")
    status, sent = await teams.send("channel", speaker=par, text="!votering 1 mot 2")
    assert status in (200, 202) and len(sent) == 2
    assert sent[0].text.startswith("§ 41: Votering begärs.")
    card = sent[1].card
    assert card is not None
    (nej,) = [a["data"] for a in card["actions"] if a["title"] == "Nej"]
    assert nej["votering"].startswith("votering:")
    with teams.app.db.transaction() as session:
        (posted,) = polls.of_key(session, "teams", nej["votering"])

    # Cecilia presses Nej on the card (answered in the invoke); Carolina types hers.
    pressed = press(teams, "Cecilia Sparf", nej, card_id=posted.message_id)
    assert await invoke(teams, pressed) == (200, answer("Cecilia Sparf: nej."))
    assert (await teams.say("Carolina Sondell", "!röst ja")).startswith(
        "Carolina Sondell röstar ja.\nHar inte röstat: Camilla Steen och Johnny Eriksson.")
    await teams.say(par, "!röst Camilla Steen: nej")
    await teams.say(par, "!röst Johnny Eriksson: avstår")
    assert (await teams.say(par, "!votering klar")).startswith(
        "§ 41: Omröstningsresultat: 1 ja, 2 nej, 1 avstår. Styrelsen har beslutat enligt "
        "yrkande 2.\nJa: Carolina Sondell. Nej: Cecilia Sparf och Camilla Steen. Avstår: "
        "Johnny Eriksson.")
    (update,) = teams.connector.updated  # the card gives way to the result
    assert update.reply_to == posted.message_id
    await teams.say(par, "!reservation Carolina Sondell")

    assert ("Johnny Eriksson RVN, tjänstgörande ersättare för Jan-Olov Häggström från § 41"
            in beslutande_row(teams.app))
    section = protokoll_section(teams.app, 41)
    order = ["*Jan-Olov Häggström anmäler jäv och deltar inte i handläggningen av ärendet.*",
             "- Yrkande 1 (Carolina Sondell): bifall till ansökan",
             "- Yrkande 2 (Cecilia Sparf): avslag till ansökan",
             "Votering begärs. Styrelsen godkänner följande propositionsordning: den som vill "
             "bifalla yrkande 1 röstar ja, den som vill bifalla yrkande 2 röstar nej.",
             "Omröstningsresultat: 1 ja, 2 nej, 1 avstår. Styrelsen har beslutat enligt "
             "yrkande 2.",
             "Ja: Carolina Sondell. Nej: Cecilia Sparf och Camilla Steen. Avstår: Johnny "
             "Eriksson.",
             "**Beslut:**\n\n- Avslag till ansökan",
             "**Reservationer:**\n\n- Carolina Sondell reserverar sig mot beslutet."]
    positions = [section.index(line) for line in order]
    assert positions == sorted(positions)
