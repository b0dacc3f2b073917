"""!organ and !lämna: binding a chat room to an organ, transport-agnostic."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.app import App, create_app
from bot.config import parse_config
from tests.conftest import Chat

ROOM = "!styrelserummet:example.org"
ANNA = "@anna:example.org"  # a ledamot in both förbund, moderator of the test rooms


def two_forbund(url: str) -> App:
    config = parse_config({
        "bot": {"database_url": url},
        "forbund": [
            {"key": "ovik", "name": "Samordningsförbundet i Örnsköldsvik", "organ": [
                {"name": "Styrelsen", "rooms": ["!config:example.org"],
                 "member": [{"name": "Carolina Sondell", "role": "ordförande",
                             "ids": ["@carolina:example.org"]}]},
                {"key": "lsg", "name": "Lokala samverkansgruppen", "kind": "lsg",
                 "member": [{"name": "Anna Berg", "ids": [ANNA]}]}]},
            {"key": "umea", "name": "Samordningsförbundet Umeåregionen", "organ": [
                {"name": "Styrelsen", "member": [{"name": "Anna Berg", "ids": [ANNA]}]},
                {"name": "Beredningsgruppen", "kind": "beredningsgrupp"}]},
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


def test_unbound_room_lists_organs_and_refuses_meeting(room: Chat) -> None:
    text = room.text("!organ")
    assert text.startswith("Rummet är inte kopplat till något organ.")
    assert "- !organ ovik Styrelsen (Samordningsförbundet i Örnsköldsvik)" in text
    assert "- !organ Beredningsgruppen (Samordningsförbundet Umeåregionen)" in text
    assert room.text("!möte öppna", ).startswith("Det här rummet är inte kopplat")


def test_ambiguous_name_shows_candidates_then_forbund_key_binds(room: Chat) -> None:
    reply = room.say("!organ Styrelsen", moderator=True)
    assert reply is not None
    assert reply.text.startswith("Flera organ heter ”Styrelsen”.")
    assert "- !organ ovik Styrelsen (Samordningsförbundet i Örnsköldsvik)" in reply.text
    assert "- !organ umea Styrelsen (Samordningsförbundet Umeåregionen)" in reply.text
    reply = room.say("!organ umea styrelsen", moderator=True)
    assert reply is not None and reply.text.startswith(
        "Rummet är nu kopplat till Styrelsen i Samordningsförbundet Umeåregionen.")
    assert room.text("!organ") == "Rummet är kopplat till Styrelsen i Samordningsförbundet " \
                                  "Umeåregionen."
    # Within the bound förbund the short name is enough.
    reply = room.say("!organ beredningsgruppen", moderator=True)
    assert reply is not None and reply.text.startswith(
        "Rummet är nu kopplat till Beredningsgruppen i Samordningsförbundet Umeåregionen "
        "(var Styrelsen i Samordningsförbundet Umeåregionen).")
    reply = room.say("!möte öppna Kansliet", moderator=True)
    assert reply is not None and "Beredningsgruppen" in reply.text


def test_unique_name_and_full_names_bind(room: Chat) -> None:
    reply = room.say("!organ Lokala samverkansgruppen", moderator=True)
    assert reply is not None and reply.text.startswith(
        "Rummet är nu kopplat till Lokala samverkansgruppen i Samordningsförbundet i "
        "Örnsköldsvik.")
    other = Chat(room.app, room="!annat:example.org", transport="matrix", sender=ANNA)
    reply = other.say("!organ Samordningsförbundet Umeåregionen Styrelsen", moderator=True)
    assert reply is not None and "Styrelsen i Samordningsförbundet Umeåregionen" in reply.text
    reply = other.say("!organ Kommunfullmäktige", moderator=True)
    assert reply is not None and reply.text.startswith(
        "Jag hittar inget organ som heter ”Kommunfullmäktige”.")


def test_who_may_bind_and_config_rooms_stay(rooms_app: App) -> None:
    room = Chat(rooms_app, room="!config:example.org", transport="matrix",
                sender="@carolina:example.org")
    # The chair of Styrelsen is not a member of the LSG and not a moderator here.
    refused = room.text("!organ lsg")
    assert refused.startswith("Du får inte koppla rummet till Lokala samverkansgruppen i "
                              "Samordningsförbundet i Örnsköldsvik."), refused
    assert "!organ ovik Lokala samverkansgruppen" in refused
    assert room.text("!organ") == ("Rummet är kopplat till Styrelsen i Samordningsförbundet i "
                                   "Örnsköldsvik (i konfigurationen).")
    reply = room.say("!organ lsg", moderator=True)
    assert reply is not None and reply.text.startswith(
        "Rummet är kopplat till Styrelsen i Samordningsförbundet i Örnsköldsvik i botens "
        "konfiguration")


def test_a_moderator_outside_the_forbund_cannot_reach_its_organs(rooms_app: App) -> None:
    """Anyone can create a room and be its moderator: that is not enough to bind it to an
    organ and read (or write) its minutes."""
    mallory = Chat(rooms_app, room="!egen:example.org", transport="matrix",
                   sender="@mallory:example.org")
    reply = mallory.say("!organ ovik Styrelsen", moderator=True)
    assert reply is not None and reply.text.startswith(
        "Du får inte koppla rummet till Styrelsen i Samordningsförbundet i Örnsköldsvik.")
    assert mallory.text("!visa §1").startswith("Det här rummet är inte kopplat")
    # The chair may bind without being a moderator (Teams has no power levels).
    chair = Chat(rooms_app, room="!teams-chatt", transport="teams",
                 sender="@carolina:example.org")
    assert chair.text("!organ ovik Styrelsen").startswith(
        "Rummet är nu kopplat till Styrelsen i Samordningsförbundet i Örnsköldsvik.")
    # Anna, a ledamot of the LSG, may not bind as a plain member; as moderator she may.
    anna = Chat(rooms_app, room="!lsg-rum", transport="matrix", sender=ANNA)
    assert anna.text("!organ lsg").startswith("Du får inte koppla rummet")
    reply = anna.say("!organ lsg", moderator=True)
    assert reply is not None and reply.text.startswith("Rummet är nu kopplat till Lokala")


def test_leave_is_for_moderators(room: Chat) -> None:
    reply = room.say("!lämna")
    assert reply is not None and not reply.leave_room
    assert reply.text.startswith("Bara rummets moderatorer får använda !lämna.")
    room.say("!organ ovik styrelsen", moderator=True)
    reply = room.say("!lamna", moderator=True)
    assert reply is not None and reply.leave_room
    assert reply.text == ("Hej då! Jag lämnar rummet. Allt som antecknats finns kvar i "
                          "Styrelsens protokoll. Bjud in mig igen om ni behöver mig.")
