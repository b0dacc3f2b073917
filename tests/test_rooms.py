"""!organ and !lämna: binding a chat room to an organ, transport-agnostic.

Who may bind: the organ's ordförande, vice ordförande, sekreterare and förbundschef and its
`secretaries`, known by platform id. A room's moderator, or a member of another organ of the
same förbund, may not; an unbound room lists only the organs its sender may bind; the
organ's other rooms are told of a new one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.app import App, create_app
from bot.config import parse_config
from tests.conftest import Chat

ROOM = "!styrelserummet:example.org"
CONFIG_ROOM = "!config:example.org"
ANNA = "@anna:example.org"  # sekreterare in every organ but the LSG's ordförande's
CAROLINA = "@carolina:example.org"  # ordförande of Örnsköldsvik's Styrelsen only
LARS = "@lars:example.org"  # ordförande of Örnsköldsvik's LSG only
LISA = "@lisa:example.org"  # a ledamot of Örnsköldsvik's LSG, nothing more
STRANGER = "@mallory:example.org"  # in no config at all


def two_forbund(url: str) -> App:
    anna = {"name": "Anna Berg", "role": "sekreterare", "ids": [ANNA]}
    config = parse_config({
        "bot": {"database_url": url},
        "forbund": [
            {"key": "ovik", "name": "Samordningsförbundet i Örnsköldsvik", "organ": [
                {"name": "Styrelsen", "rooms": [CONFIG_ROOM],
                 "member": [{"name": "Carolina Sondell", "role": "ordförande",
                             "ids": [CAROLINA]}, anna]},
                {"key": "lsg", "name": "Lokala samverkansgruppen", "kind": "lsg",
                 "member": [anna, {"name": "Lars Lind", "role": "ordförande", "ids": [LARS]},
                            {"name": "Lisa Ek", "ids": [LISA]}]}]},
            {"key": "umea", "name": "Samordningsförbundet Umeåregionen", "organ": [
                {"name": "Styrelsen", "member": [anna]},
                {"name": "Beredningsgruppen", "kind": "beredningsgrupp", "member": [anna]}]},
        ]}, "test.toml")
    return create_app(config)


@pytest.fixture
def rooms_app(db_url: str) -> Iterator[App]:
    app = two_forbund(db_url)
    yield app
    app.close()


@pytest.fixture
def room(rooms_app: App) -> Chat:
    return Chat(rooms_app, room=ROOM, transport="matrix", sender=ANNA)


def test_unbound_room_lists_only_the_organs_the_sender_may_bind(rooms_app: App) -> None:
    room = Chat(rooms_app, room=ROOM, transport="matrix", sender=CAROLINA)
    assert room.text("!organ") == (
        "Rummet är inte kopplat till något organ. Du kan koppla det till:\n"
        "- !organ Styrelsen (Samordningsförbundet i Örnsköldsvik)")
    anna = room.text("!organ", sender=ANNA)
    assert "- !organ ovik Styrelsen (Samordningsförbundet i Örnsköldsvik)" in anna
    assert "- !organ Beredningsgruppen (Samordningsförbundet Umeåregionen)" in anna
    # A ledamot of the LSG and a stranger, moderators or not, are shown no förbund at all.
    nothing = ("Rummet är inte kopplat till något organ. Det kopplas med !organ <namn> av "
               "organets ordförande, vice ordförande, sekreterare eller förbundschef, och du "
               "har ingen av de rollerna i botens konfiguration.")
    for who in (LISA, STRANGER):
        reply = room.say("!organ", sender=who, moderator=True)
        assert reply is not None and reply.text == nothing
        reply = room.say("!organ Kommunfullmäktige", sender=who, moderator=True)
        assert reply is not None and reply.text == (
            "Jag hittar inget organ som heter ”Kommunfullmäktige” som du kan koppla rummet "
            "till.")
    assert room.text("!möte öppna").startswith("Det här rummet är inte kopplat")


def test_ambiguous_name_shows_candidates_then_forbund_key_binds(room: Chat) -> None:
    reply = room.say("!organ Styrelsen")
    assert reply is not None
    assert reply.text.startswith("Flera organ heter ”Styrelsen”.")
    assert "- !organ ovik Styrelsen (Samordningsförbundet i Örnsköldsvik)" in reply.text
    assert "- !organ umea Styrelsen (Samordningsförbundet Umeåregionen)" in reply.text
    reply = room.say("!organ umea styrelsen")
    assert reply is not None and reply.text.startswith(
        "Rummet är nu kopplat till Styrelsen i Samordningsförbundet Umeåregionen.")
    assert room.text("!organ") == "Rummet är kopplat till Styrelsen i Samordningsförbundet " \
                                  "Umeåregionen."
    # Within the bound förbund the short name is enough.
    reply = room.say("!organ beredningsgruppen")
    assert reply is not None and reply.text.startswith(
        "Rummet är nu kopplat till Beredningsgruppen i Samordningsförbundet Umeåregionen "
        "(var Styrelsen i Samordningsförbundet Umeåregionen).")
    reply = room.say("!möte öppna Kansliet")
    assert reply is not None and "Beredningsgruppen" in reply.text


def test_a_name_the_sender_may_bind_once_is_enough(rooms_app: App) -> None:
    """Two organs are called Styrelsen, but the chair may bind only one of them."""
    chair = Chat(rooms_app, room=ROOM, transport="matrix", sender=CAROLINA)
    assert chair.text("!organ Styrelsen").startswith(
        "Rummet är nu kopplat till Styrelsen i Samordningsförbundet i Örnsköldsvik.")
    lisa = Chat(rooms_app, room="!lisas:example.org", transport="matrix", sender=LISA)
    reply = lisa.say("!organ Styrelsen", moderator=True)
    assert reply is not None and reply.text == (
        "Du får inte koppla rummet till något organ som heter ”Styrelsen”. Det får bara "
        "organets ordförande, vice ordförande, sekreterare och förbundschef, med sitt "
        "chatt-id i konfigurationen.")


def test_unique_name_and_full_names_bind(room: Chat) -> None:
    reply = room.say("!organ Lokala samverkansgruppen")
    assert reply is not None and reply.text.startswith(
        "Rummet är nu kopplat till Lokala samverkansgruppen i Samordningsförbundet i "
        "Örnsköldsvik.")
    other = Chat(room.app, room="!annat:example.org", transport="matrix", sender=ANNA)
    reply = other.say("!organ Samordningsförbundet Umeåregionen Styrelsen")
    assert reply is not None and "Styrelsen i Samordningsförbundet Umeåregionen" in reply.text
    reply = other.say("!organ Kommunfullmäktige")
    assert reply is not None and reply.text.startswith(
        "Jag hittar inget organ som heter ”Kommunfullmäktige”. Skriv ett av:")
    assert "- !organ umea Beredningsgruppen (Samordningsförbundet Umeåregionen)" in reply.text


def test_who_may_bind_and_config_rooms_stay(rooms_app: App) -> None:
    room = Chat(rooms_app, room=CONFIG_ROOM, transport="matrix", sender=CAROLINA)
    # The chair of Styrelsen holds no office in the LSG; moderating the room changes nothing.
    for moderator in (False, True):
        refused = room.say("!organ lsg", moderator=moderator)
        assert refused is not None and refused.text.startswith(
            "Du får inte koppla rummet till Lokala samverkansgruppen i Samordningsförbundet i "
            "Örnsköldsvik. Det får bara organets ordförande, vice ordförande, sekreterare och "
            "förbundschef och de som står i organets secretaries, med sitt chatt-id i "
            "konfigurationen; att vara moderator i rummet räcker inte."), refused.text
        assert "!organ ovik Lokala samverkansgruppen" in refused.text
    assert room.text("!organ") == ("Rummet är kopplat till Styrelsen i Samordningsförbundet i "
                                   "Örnsköldsvik (i konfigurationen).")
    # The LSG's secretary may bind to the LSG, but not a room the config binds.
    assert room.text("!organ lsg", sender=ANNA).startswith(
        "Rummet är kopplat till Styrelsen i Samordningsförbundet i Örnsköldsvik i botens "
        "konfiguration")


def test_a_moderator_outside_the_organ_cannot_reach_it(rooms_app: App) -> None:
    """Anyone can create a room and be its moderator, and a ledamot of the LSG is a member
    of the same förbund: neither may bind a room to its Styrelse and so read or write its
    minutes."""
    for who in (STRANGER, LISA):
        own = Chat(rooms_app, room=f"!egen-{who[1:5]}:example.org", transport="matrix",
                   sender=who)
        for line in ("!organ ovik Styrelsen", "!organ lsg"):
            reply = own.say(line, moderator=True)
            assert reply is not None and reply.text.startswith(
                "Du får inte koppla rummet till "), (who, line, reply.text)
        assert own.text("!visa §1").startswith("Det här rummet är inte kopplat")
    # The chair may bind without being a moderator (Teams has no power levels).
    chair = Chat(rooms_app, room="!teams-chatt", transport="teams", sender=CAROLINA)
    assert chair.text("!organ ovik Styrelsen").startswith(
        "Rummet är nu kopplat till Styrelsen i Samordningsförbundet i Örnsköldsvik.")
    # The LSG's ordförande may bind a room to the LSG, and may not take the Styrelse's.
    lars = Chat(rooms_app, room="!lsg-rum", transport="matrix", sender=LARS)
    assert lars.text("!organ lsg").startswith("Rummet är nu kopplat till Lokala")
    taken = Chat(rooms_app, room="!teams-chatt", transport="teams", sender=LARS)
    assert taken.text("!organ lsg") == (
        "Rummet är kopplat till Styrelsen i Samordningsförbundet i Örnsköldsvik, och bara "
        "Styrelsens ordförande, vice ordförande, sekreterare och förbundschef får koppla det "
        "till ett annat organ. Rummet är inte kopplat om till Lokala samverkansgruppen.")
    assert chair.text("!organ") == ("Rummet är kopplat till Styrelsen i Samordningsförbundet "
                                    "i Örnsköldsvik.")


def test_the_organs_other_rooms_are_told_of_a_new_one(rooms_app: App) -> None:
    dispatcher = rooms_app.dispatcher
    dispatcher.outbox.add("matrix")  # as the running Matrix transport does
    first = Chat(rooms_app, room="!forsta:example.org", transport="matrix", sender=CAROLINA)
    bound = first.say("!organ Styrelsen")
    assert bound is not None
    # The config's room was told of the first; nobody is told of the config's own room.
    (to_config,) = bound.notices
    assert (to_config.transport, to_config.room_id) == ("matrix", CONFIG_ROOM)
    assert to_config.text == (
        "Rummet !forsta:example.org kopplades till Styrelsen av Carolina Sondell. Det som "
        "antecknas där hamnar i Styrelsens protokoll. Stämmer det inte, kontakta den som "
        "driftar boten.")
    second = Chat(rooms_app, room="19:budget@thread.tacv2", transport="teams", sender=ANNA)
    second.room_name = "Budgetgruppen"
    reply = second.say("!organ ovik Styrelsen")
    assert reply is not None and reply.text.startswith("Rummet är nu kopplat till Styrelsen")
    assert [(n.transport, n.room_id) for n in reply.notices] == [
        ("matrix", CONFIG_ROOM), ("matrix", "!forsta:example.org")]
    assert {n.text for n in reply.notices} == {
        "Rummet ”Budgetgruppen” (19:budget@thread.tacv2) kopplades till Styrelsen av Anna "
        "Berg. Det som antecknas där hamnar i Styrelsens protokoll. Stämmer det inte, "
        "kontakta den som driftar boten."}
    # Kept in the outbox like replies, each under its own send key, until sent.
    kept = dispatcher.unsent_replies("matrix")
    notices = [r for r in kept if " kopplades till " in r.text]
    assert sorted(r.room_id for r in notices) == sorted(
        [CONFIG_ROOM, CONFIG_ROOM, "!forsta:example.org"])
    assert len({r.send_key for r in notices}) == 3 and all(not r.in_reply_to for r in notices)
    for sent in kept:
        dispatcher.reply_sent(sent)
    assert dispatcher.unsent_replies("matrix") == []
    # An organ with no other room gets no notice, and a refused binding tells nobody.
    lsg = Chat(rooms_app, room="!lsg:example.org", transport="matrix", sender=LARS)
    assert lsg.say("!organ lsg").notices == []  # type: ignore[union-attr]
    refused = lsg.say("!organ Styrelsen", sender=LISA, moderator=True)
    assert refused is not None and refused.notices == []
    assert not [r for r in dispatcher.unsent_replies("matrix") if " kopplades till " in r.text]


def test_leave_is_for_moderators(room: Chat) -> None:
    reply = room.say("!lämna")
    assert reply is not None and not reply.leave_room
    assert reply.text.startswith("Bara rummets moderatorer får använda !lämna.")
    room.say("!organ ovik styrelsen")
    reply = room.say("!lamna", moderator=True)
    assert reply is not None and reply.leave_room
    assert reply.text == ("Hej då! Jag lämnar rummet. Allt som antecknats finns kvar i "
                          "Styrelsens protokoll. Bjud in mig igen om ni behöver mig.")
