"""!organ and !lämna: binding a chat room to an organ, transport-agnostic."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.app import App, create_app
from bot.config import parse_config
from tests.conftest import Chat

ROOM = "!styrelserummet:example.org"


def two_forbund(url: str) -> App:
    config = parse_config({
        "bot": {"database_url": url},
        "forbund": [
            {"key": "ovik", "name": "Samordningsförbundet i Örnsköldsvik", "organ": [
                {"name": "Styrelsen", "rooms": ["!config:example.org"],
                 "member": [{"name": "Carolina Sondell", "role": "ordförande",
                             "ids": ["@carolina:example.org"]}]},
                {"key": "lsg", "name": "Lokala samverkansgruppen", "kind": "lsg"}]},
            {"key": "umea", "name": "Samordningsförbundet Umeåregionen", "organ": [
                {"name": "Styrelsen"}, {"name": "Beredningsgruppen",
                                        "kind": "beredningsgrupp"}]},
        ]}, "test.toml")
    return create_app(config)


@pytest.fixture
def rooms_app(db_url: str) -> Iterator[App]:
    app = two_forbund(db_url)
    yield app
    app.close()


@pytest.fixture
def room(rooms_app: App) -> Chat:
    return Chat(rooms_app, room=ROOM, transport="matrix", sender="@anna:example.org")


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
    other = Chat(room.app, room="!annat:example.org", transport="matrix")
    reply = other.say("!organ Samordningsförbundet Umeåregionen Styrelsen", moderator=True)
    assert reply is not None and "Styrelsen i Samordningsförbundet Umeåregionen" in reply.text
    reply = other.say("!organ Kommunfullmäktige", moderator=True)
    assert reply is not None and reply.text.startswith(
        "Jag hittar inget organ som heter ”Kommunfullmäktige”.")


def test_only_moderators_bind_and_config_rooms_stay(rooms_app: App) -> None:
    room = Chat(rooms_app, room="!config:example.org", transport="matrix",
                sender="@carolina:example.org")
    # The chair may record, but binding a room is for the room's moderators.
    assert room.text("!organ lsg").startswith("Bara rummets moderatorer får använda !organ.")
    assert room.text("!organ") == ("Rummet är kopplat till Styrelsen i Samordningsförbundet i "
                                   "Örnsköldsvik (i konfigurationen).")
    reply = room.say("!organ lsg", moderator=True)
    assert reply is not None and reply.text.startswith(
        "Rummet är kopplat till Styrelsen i Samordningsförbundet i Örnsköldsvik i bottens "
        "konfiguration")


def test_leave_is_for_moderators(room: Chat) -> None:
    reply = room.say("!lämna")
    assert reply is not None and not reply.leave_room
    assert reply.text.startswith("Bara rummets moderatorer får använda !lämna.")
    room.say("!organ ovik styrelsen", moderator=True)
    reply = room.say("!lamna", moderator=True)
    assert reply is not None and reply.leave_room
    assert reply.text == ("Hej då! Jag lämnar rummet. Allt som antecknats finns kvar i "
                          "Styrelsens protokoll. Bjud in mig igen om ni behöver mig.")
