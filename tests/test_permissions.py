"""Who may not do what, at the dispatcher: someone in the room who is not in the organ, a
member without a recording role or power level, and the chair of another förbund (in this
förbund's room, and in her own room asking for this förbund's figures)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.app import App, create_app
from bot.config import Config, ForbundConfig, MemberConfig, OrganConfig
from tests.conftest import Chat
from tests.hostile_support import snapshot

ROOM_A, ROOM_B = "!alfa:test", "!beta:test"
ANNA, DORIS, BENGT, CECILIA, EVE = "@anna:a", "@doris:a", "@bengt:a", "@cecilia:b", "@eve:x"
FORBIDDEN = [
    "!beslut Olovligt beslut.", "!paragraf Olovlig", "!info Olovlig text.",
    "!ändra §1 Olovlig ändring.", "!ångra", "!justerare Eve", "!möte öppna",
    "!närvaro Eve", "!anslag Vidare Vy 1 000 2026", "!utfall Vidare Vy 1 000 2026",
    "!insats ny Olovlig insats", "!budget tilldelning 1 000 2026", "!budget ångra",
    "!paragrafnummer 40", "!omedelbar §1",
]


def two_forbund(url: str) -> App:
    def member(name: str, role: str, uid: str) -> MemberConfig:
        return MemberConfig(name=name, role=role, ids=[uid])

    return create_app(Config(database_url=url, forbund=[
        ForbundConfig(key="alfa", name="Samordningsförbundet Alfa", organs=[OrganConfig(
            key="styrelsen", name="Styrelsen", rooms=[ROOM_A], members=[
                member("Anna Ordförande", "ordförande", ANNA),
                member("Bengt Justerare", "ledamot", BENGT),
                member("Doris Ledamot", "ledamot", DORIS)])]),
        ForbundConfig(key="beta", name="Samordningsförbundet Beta", organs=[OrganConfig(
            key="styrelsen", name="Styrelsen", rooms=[ROOM_B], members=[
                member("Cecilia Beta", "ordförande", CECILIA)])]),
    ]))


@pytest.fixture
def rooms(db_url: str) -> Iterator[tuple[App, Chat, Chat]]:
    app = two_forbund(db_url)
    a = Chat(app, room=ROOM_A, transport="matrix", sender=ANNA)
    b = Chat(app, room=ROOM_B, transport="matrix", sender=CECILIA)
    for line in ("!möte öppna 2022-03-25 09:00 Kansliet", "!insats ny Vidare Vy",
                 "!anslag Vidare Vy 455 000 2022", "!paragraf Budget",
                 "!beslut Styrelsen beviljar Vidare Vy 455 000 kr.",
                 "!justerare Bengt Justerare", "!möte avsluta 11:00", "!protokoll klart"):
        a.text(line)
    for line in ("!möte öppna 2022-03-26 09:00", "!paragraf Eget ärende",
                 "!beslut Beta beslutar."):
        b.text(line)
    yield app, a, b
    app.close()


@pytest.mark.parametrize("who", [EVE, DORIS, CECILIA],
                         ids=["utan medlemskap", "ledamot utan maktnivå", "annat förbund"])
def test_nobody_without_rights_changes_anything(rooms: tuple[App, Chat, Chat],
                                                who: str) -> None:
    app, a, _b = rooms
    before = snapshot(app)
    for line in FORBIDDEN:
        reply = a.text(line, sender=who)
        assert reply.startswith("Du får inte använda !"), (line, reply)
    # Justering is for the meeting's chair and justerare alone.
    assert "justera" in a.text("!justera", sender=who).lower()
    assert snapshot(app) == before
    # The justerare can (the refusals above were about the person, not the command).
    assert a.text("!justera", sender=BENGT).startswith("Bengt Justerare har justerat")


def test_members_read_their_own_budget_and_nobody_reads_another(
        rooms: tuple[App, Chat, Chat]) -> None:
    app, a, b = rooms
    assert "455 000 kr" in a.text("!budget Vidare Vy 2022", sender=DORIS).replace("\u00a0", " ")
    before = snapshot(app)
    for line in ("!budget Vidare Vy 2022", "!budget 2022", "!insatser", "!insats Vidare Vy",
                 "!budget diagram 2022", "!sök beviljar", "!visa §1 2022"):
        reply = b.text(line).replace("\u00a0", " ")
        assert "455 000" not in reply and "Styrelsen beviljar" not in reply, (line, reply)
    assert b.text("!visa §1 2022").startswith("§ 1 Eget ärende")
    assert "Inget protokoll väntar på justering" in b.text("!justera")
    assert snapshot(app) == before
