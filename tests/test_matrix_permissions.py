"""Rights against the real Synapse: what a room's power level and a display name do not
give. A ledamot of the LSG who creates her own room (power level 100) cannot bind it to
the Styrelse or write its minutes; a second room of an organ is announced in its first;
a display name justerar nothing and owns nobody's reminders."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel import select

from bot.config import Config, MemberConfig
from storage.models_justering import JusteringSignature
from storage.models_reminders import Reminder
from storage.tenants import bind_room, organ_for_room
from tests import scenario
from tests.hostile_support import snapshot
from tests.matrix_support import Person, Synapse
from tests.matrix_support import synapse as synapse  # noqa: F401  (the session fixture)
from tests.test_matrix import Scene, make_scene

LISA = "Lisa Ek"  # a ledamot of the LSG, with her Matrix id in the config
ARNE = "Arne Utan Id"  # a ledamot of the Styrelse with no Matrix id in the config


@pytest.fixture
async def scene(synapse: Synapse, tmp_path: Path) -> AsyncIterator[Scene]:
    s = await make_scene(synapse, tmp_path, f"sqlite:///{tmp_path / 'bot.db'}",
                         secretary=True)
    try:
        yield s
    finally:
        await s.stop_bots()
        await s.stop_people()


async def person(scene: Scene, name: str, display_name: str) -> Person:
    someone = Person(scene.synapse, scene.synapse.register(name), scene.tmp / name,
                     display_name)
    await someone.start()
    return someone


def state(app: object) -> dict[str, list[tuple[object, ...]]]:
    """What the bot has stored, but its replies on their way out (the outbox)."""
    return {t: rows for t, rows in snapshot(app).items()  # type: ignore[arg-type]
            if t != "outbox_reply"}


def notices_of_binding(person: Person, room_id: str) -> list[str]:
    return [e.body for e in person.notices(room_id) if " kopplades till " in e.body]


async def test_an_lsg_member_moderating_her_own_room_cannot_write_the_styrelse(
        scene: Scene) -> None:
    lisa = await person(scene, "lisa", LISA)

    def lisa_in_the_lsg(config: Config) -> None:
        config.forbund[0].organs[1].members.append(
            MemberConfig(name=LISA, role="ledamot", ids=[lisa.user_id]))
        config.matrix["allowed_inviters"].append(lisa.user_id)

    scene.adjust.append(lisa_in_the_lsg)
    try:
        bot = await scene.start_bot()
        chair, secretary = scene.chair, scene.secretary
        assert secretary is not None
        styrelse = await scene.room()
        assert (await chair.ask(styrelse, "!organ Styrelsen")).body.startswith("Rummet är nu")
        for line in ("!möte öppna Kansliet", "!insats ny Vidare Vy",
                     "!paragraf Ansökan om medel för Vidare Vy",
                     "!beslut Styrelsen beviljar Vidare Vy 455 000 kr.",
                     "!utfall Vidare Vy 227 223"):
            await secretary.ask(styrelse, line)

        # Her own room: she created it, so the bot sees her as its moderator.
        own = await lisa.create_room(invite=[scene.bot_account.user_id], name="Styrelsen")
        await lisa.wait(lambda: lisa.notices(own), what="greeting")
        assert bot._is_moderator(bot.client.rooms[own], lisa.user_id)
        refused = (await lisa.ask(own, "!organ Styrelsen")).body
        assert refused.startswith(
            "Du får inte koppla rummet till Styrelsen i Samordningsförbundet i Örnsköldsvik. "
            "Det får bara organets ordförande, vice ordförande, sekreterare och förbundschef "
            "och de som står i organets secretaries, med sitt chatt-id i konfigurationen; att "
            "vara moderator i rummet räcker inte."), refused
        listing = (await lisa.ask(own, "!organ")).body
        assert listing == (
            "Rummet är inte kopplat till något organ. Det kopplas med !organ <namn> av "
            "organets ordförande, vice ordförande, sekreterare eller förbundschef, och du har "
            "ingen av de rollerna i botens konfiguration.")
        assert (await lisa.ask(own, "!organ lsg")).body.startswith(
            "Du får inte koppla rummet till Lokala samverkansgruppen")
        attack = ("!beslut Styrelsen beviljar Vidare Vy 5 000 000 kr.",
                  "!ändra §1 Styrelsen avslår ansökan.",
                  f"!yrkande {scenario.CAROLINA}: Bifall till 5 000 000 kr.",
                  "!budget ångra", "!paragrafnummer 90", "!omedelbar justering §1")
        before = state(bot.app)
        for line in attack:
            reply = (await lisa.ask(own, line)).body
            assert reply == (
                "Det här rummet är inte kopplat till något organ ännu. Organets ordförande "
                "eller sekreterare kopplar det med !organ <namn>, till exempel !organ "
                "Styrelsen."), (line, reply)
        assert state(bot.app) == before
        # A room she bound before binding was checked: her power level there is nothing.
        with bot.app.db.transaction() as session:
            organ = organ_for_room(session, "matrix", styrelse)
            assert organ is not None
            bind_room(session, "matrix", own, organ.organ_id, lisa.user_id)
        before = state(bot.app)
        for line in attack:
            reply = (await lisa.ask(own, line)).body
            assert reply.startswith("Du får inte använda !"), (line, reply)
        assert state(bot.app) == before
        # The Styrelse's own room saw nothing of it, and its numbering is its own.
        assert notices_of_binding(chair, styrelse) == []
        assert (await secretary.ask(styrelse, "!paragraf Övriga frågor")).body.startswith(
            "§ 2 Övriga frågor")
    finally:
        await lisa.stop()


async def test_a_second_room_of_the_organ_is_announced_in_the_first_exactly_once(
        scene: Scene) -> None:
    """Pär binds a second room to the Styrelse; the chair's room is told, by a message of
    its own (not a reply), once, also when the bot dies after the reply and before the
    notice went out (the outbox sends it after the restart)."""
    secretary = scene.secretary
    assert secretary is not None

    def secretary_invites(config: Config) -> None:
        config.matrix["allowed_inviters"].append(secretary.user_id)

    scene.adjust.append(secretary_invites)
    bot = await scene.start_bot()
    chair = scene.chair
    styrelse = await scene.room()
    assert (await chair.ask(styrelse, "!organ Styrelsen")).body.startswith("Rummet är nu")
    assert notices_of_binding(chair, styrelse) == []

    second = await secretary.create_room(invite=[scene.bot_account.user_id],
                                         name="Budgetgruppen")
    await secretary.wait(lambda: secretary.notices(second), what="greeting")
    bound = await secretary.ask(second, "!organ Styrelsen")
    assert bound.body.startswith("Rummet är nu kopplat till Styrelsen"), bound.body
    told = (f"Rummet ”Budgetgruppen” ({second}) kopplades till Styrelsen av Pär Eriksson. Det "
            "som antecknas där hamnar i Styrelsens protokoll. Stämmer det inte, kontakta den "
            "som driftar boten.")
    await chair.wait(lambda: notices_of_binding(chair, styrelse), what="the notice")
    (notice,) = [e for e in chair.notices(styrelse) if e.body == told]
    assert notice.source["content"]["msgtype"] == "m.notice"
    assert "m.relates_to" not in notice.source["content"]
    assert notice.source["content"]["formatted_body"].startswith("<p>Rummet ”Budgetgruppen”")

    # A third room: the bot dies after its reply and before the notices went out.
    third = await secretary.create_room(invite=[scene.bot_account.user_id], name="Arbetsrum")
    await secretary.wait(lambda: secretary.notices(third), what="greeting")
    reached = asyncio.Event()

    async def die(_reply: object) -> None:
        reached.set()
        await asyncio.Event().wait()  # the process is gone: nothing more happens

    bot.app.deliver_notices = die  # type: ignore[method-assign]
    bound = await secretary.ask(third, "!organ Styrelsen")
    assert bound.body.startswith("Rummet är nu kopplat till Styrelsen")
    await asyncio.wait_for(reached.wait(), 30)
    await scene.stop_bots()
    bot = await scene.start_bot()
    told_third = f"Rummet ”Arbetsrum” ({third}) kopplades till Styrelsen av Pär Eriksson."
    await chair.wait(lambda: any(b.startswith(told_third)
                                 for b in notices_of_binding(chair, styrelse)),
                     what="the notice sent after the restart")
    await secretary.wait(lambda: any(b.startswith(told_third)
                                     for b in notices_of_binding(secretary, second)),
                         what="the notice in the second room")
    # One more round trip in each room: nothing came twice.
    await chair.ask(styrelse, "!organ")
    await secretary.ask(second, "!organ")
    assert [b[:40] for b in notices_of_binding(chair, styrelse)] == [
        told[:40], told_third[:40]]
    assert [b[:40] for b in notices_of_binding(secretary, second)] == [told_third[:40]]
    assert notices_of_binding(secretary, third) == []
    assert bot.stats["resent"] == 2  # the notices to the two rooms


async def test_a_display_name_neither_justerar_nor_owns_reminders(scene: Scene) -> None:
    """@mallory calls herself "ARNE UTÅN ID" and then "CECILIA SPARF": she cannot justera as
    the justerare Arne Utan Id (who has no Matrix id in the config), nor see or remove
    Cecilia's own reminder."""
    mallory = await person(scene, "mallory", "ARNE UTÅN ID")

    def arne_without_id(config: Config) -> None:
        config.forbund[0].organs[0].members.append(MemberConfig(name=ARNE, role="ledamot"))

    scene.adjust.append(arne_without_id)
    try:
        bot = await scene.start_bot()
        chair, member, secretary = scene.chair, scene.member, scene.secretary
        assert secretary is not None
        room_id = await scene.room()
        await chair.invite(room_id, mallory.user_id)
        await mallory.join(room_id)
        await chair.ask(room_id, "!organ Styrelsen")
        await secretary.ask(room_id, "!möte öppna Kansliet")
        await secretary.ask(room_id, "!paragraf Val av justerare")
        named = (await secretary.ask(room_id, f"!justerare {ARNE}")).body
        assert named == (
            f"Justerare: {ARNE}.\n{ARNE} har inget chatt-id i konfigurationen och kan därför "
            "inte justera här. Be den som driftar boten lägga till personens chatt-id (ids), "
            f"eller låt {ARNE} justera i terminalen (bot console).")
        await secretary.ask(room_id, "!beslut Styrelsen väljer Arne Utan Id att justera.")
        await secretary.ask(room_id, "!möte avsluta")
        assert (await secretary.ask(room_id, "!protokoll klart")).body.startswith(
            "Protokollet från Styrelsens sammanträde")
        forged = (await mallory.ask(room_id, "!justera")).body
        assert forged.startswith("Bara sammanträdets ordförande och justerare får justera "
                                 "protokollet från "), forged
        assert (f"och ditt chatt-id ({mallory.user_id}) finns inte där. Den som saknar "
                "chatt-id justerar i terminalen (bot console).") in forged
        with bot.app.db.transaction() as session:
            assert session.exec(select(JusteringSignature)).all() == []

        # Cecilia's own reminder, and Mallory under her name.
        confirmed = (await member.ask(room_id, "!påminn mig om 1 timme Läs handlingarna")).body
        assert "för Cecilia Sparf." in confirmed, confirmed
        rid = int(confirmed.split()[1])
        await mallory.client.set_displayname("CECILIA SPARF")
        await chair.wait(lambda: chair.client.rooms[room_id].user_name(mallory.user_id)
                         == "CECILIA SPARF", what="the new display name")
        listing = (await mallory.ask(room_id, "!påminnelser")).body
        assert "Läs handlingarna" not in listing, listing
        refused = (await mallory.ask(room_id, f"!påminn ta bort {rid}")).body
        assert refused == (f"Påminnelse {rid} är Cecilia Sparfs egen. Bara Cecilia Sparf eller "
                           "sekreteraren kan ta bort den.")
        with bot.app.db.transaction() as session:
            reminder = session.get(Reminder, rid)
            assert reminder is not None and reminder.status == "planerad"
        assert "Läs handlingarna (till Cecilia Sparf)" in (
            await member.ask(room_id, "!påminnelser")).body
    finally:
        await mallory.stop()
