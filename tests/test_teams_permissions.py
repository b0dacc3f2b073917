"""Rights over the Teams test endpoint: a conversation bound to an organ is announced in
the organ's channel; a Teams display name neither justerar nor owns a reminder."""

from __future__ import annotations

import pytest

from tests.teams_support import CHANNEL, MEETING_CHAT, PEOPLE, Person
from tests.test_teams import TeamsHarness
from tests.test_teams import teams as teams  # noqa: F401  (the fixture)


async def test_a_meeting_chat_bound_to_the_styrelse_is_announced_in_its_channel(
        teams: TeamsHarness) -> None:
    # The channel (bound in [teams.conversations]) has spoken once: the bot can post there.
    await teams.say("Pär Eriksson", "!hjälp organ")
    status, sent = await teams.send("meeting", speaker="Carolina Sondell",
                                    text="!organ Styrelsen")
    assert status in (200, 202)
    reply, notice = sent
    assert reply.conversation_id == MEETING_CHAT
    assert reply.text.startswith("Rummet är nu kopplat till Styrelsen i Samordningsförbundet "
                                 "i Örnsköldsvik.")
    # A new post in the channel, not a reply in a thread.
    assert notice.conversation_id == CHANNEL and notice.reply_to is None
    assert notice.text == (
        f"Rummet {MEETING_CHAT} kopplades till Styrelsen av Carolina Sondell. Det som "
        "antecknas där hamnar i Styrelsens protokoll. Stämmer det inte, kontakta den som "
        "driftar boten.")
    # Binding it again changes nothing and tells nobody.
    status, sent = await teams.send("meeting", speaker="Carolina Sondell",
                                    text="!organ Styrelsen")
    assert [s.text for s in sent] == [
        "Rummet är redan kopplat till Styrelsen i Samordningsförbundet i Örnsköldsvik."]


async def test_a_teams_display_name_neither_justerar_nor_owns_reminders(
        teams: TeamsHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cecilia Sparf has no Teams id in the config: her own display name does not make her
    the justerare in Teams. Mallory, calling herself "PÄR ERIKSSON", sees and removes
    none of Pär's own reminders."""
    monkeypatch.setitem(PEOPLE, "Mallory", Person(
        "PÄR ERIKSSON", "29:1mallory", "0b7e3a61-0000-4000-8000-00000000a005",
        "mallory@example.org"))
    for line in ("!möte öppna 2022-03-25 08:30 Kansliet", "!paragraf Val av justerare"):
        await teams.say("Pär Eriksson", line)
    named = await teams.say("Pär Eriksson", "!justerare Cecilia Sparf")
    assert named == (
        "Justerare: Cecilia Sparf.\nCecilia Sparf har inget chatt-id i konfigurationen och "
        "kan därför inte justera här. Be den som driftar boten lägga till personens chatt-id "
        "(ids), eller låt Cecilia Sparf justera i terminalen (bot console).")
    for line in ("!beslut Styrelsen väljer Cecilia Sparf att justera.", "!möte avsluta 11:30",
                 "!protokoll klart"):
        await teams.say("Pär Eriksson", line)
    refused = await teams.say("Cecilia Sparf", "!justera")
    assert refused == (
        "Bara sammanträdets ordförande och justerare får justera protokollet från fredag 25 "
        "mars 2022 (Carolina Sondell och Cecilia Sparf). Här känner jag igen dem bara på "
        "deras chatt-id i konfigurationen (ids), och ditt chatt-id "
        f"({PEOPLE['Cecilia Sparf'].aad_object_id}) finns inte där. Den som saknar chatt-id "
        "justerar i terminalen (bot console).")

    mine = await teams.say("Pär Eriksson", "!påminn mig om 1 timme Ring revisorn")
    assert "för Pär Eriksson." in mine, mine
    rid = int(mine.split()[1])
    assert "Ring revisorn" not in await teams.say("Mallory", "!påminnelser")
    assert await teams.say("Mallory", f"!påminn ta bort {rid}") == (
        f"Påminnelse {rid} är Pär Erikssons egen. Bara Pär Eriksson eller sekreteraren kan ta "
        "bort den.")
    assert "Ring revisorn (till Pär Eriksson)" in await teams.say("Pär Eriksson",
                                                                  "!påminnelser")
