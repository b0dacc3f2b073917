"""Who may not do what, at the dispatcher: someone in the room who is not in the organ, a
member without a recording role or power level, and the chair of another förbund (in this
förbund's room, and in her own room asking for this förbund's figures). A room's power
level counts only for the organ's own members, in a room the config or an office holder
bound."""

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
    "!paragrafnummer 40", "!omedelbar §1", "!yrkande Anna Ordförande: Avslag.",
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


@pytest.mark.parametrize(("who", "moderator"), [
    (EVE, False), (DORIS, False), (CECILIA, False), (EVE, True), (CECILIA, True)],
    ids=["utan medlemskap", "ledamot utan maktnivå", "annat förbund",
         "moderator utan medlemskap", "moderator från annat förbund"])
def test_nobody_without_rights_changes_anything(rooms: tuple[App, Chat, Chat],
                                                who: str, moderator: bool) -> None:
    app, a, _b = rooms
    before = snapshot(app)
    for line in FORBIDDEN:
        reply = a.say(line, sender=who, moderator=moderator)
        assert reply is not None and reply.text.startswith("Du får inte använda !"), (
            line, reply)
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


def test_power_level_counts_only_for_members_in_a_room_bound_by_an_officer(
        rooms: tuple[App, Chat, Chat]) -> None:
    """A ledamot who moderates the config's room, or a room the chair bound, records; in a
    room bound by someone who may not bind (a binding made before that was checked) her
    power level is worth nothing, and the chair's role still is."""
    from storage.tenants import bind_room

    app, a, _b = rooms
    def as_moderator(chat: Chat, line: str, who: str) -> str:
        reply = chat.say(line, sender=who, moderator=True)
        assert reply is not None
        return reply.text

    assert as_moderator(a, "!paragrafnummer 40", DORIS) == "Nästa paragraf blir § 40 (2022)."
    chaired = Chat(app, room="!ordf:test", transport="matrix", sender=ANNA)
    assert chaired.text("!organ Styrelsen").startswith("Rummet är nu kopplat till Styrelsen")
    assert as_moderator(chaired, "!paragrafnummer 41", DORIS) == (
        "Nästa paragraf blir § 41 (2022).")
    with app.db.transaction() as session:
        bind_room(session, "matrix", "!doris:test", 1, DORIS)
    own = Chat(app, room="!doris:test", transport="matrix", sender=DORIS)
    before = snapshot(app)
    for line in FORBIDDEN:
        for who in (DORIS, EVE):
            reply = own.say(line, sender=who, moderator=True)
            assert reply is not None and reply.text.startswith("Du får inte använda !"), (
                who, line, reply.text)
    assert snapshot(app) == before
    assert own.text("!paragrafnummer 50", sender=ANNA) == "Nästa paragraf blir § 50 (2022)."
