"""Explicit wiring (bot/core/app.py): an app has the features it is built with and nothing
else, several apps live side by side in one process, and each form's permission and answer
come from its declaration."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.app import App
from bot.commands import help, paragraphs
from bot.commands.sammantrade import meeting
from bot.config import default_config
from tests.budget_support import BUDGET_2021, send_file
from tests.conftest import STOCKHOLM, Chat, make_app
from tests.reminders_support import reminder_app

UPPDRAG = ("!beslut Styrelsen uppdrar till förbundschefen att undersöka saken och "
           "återrapportera senast 2022-05-20.")


def test_an_app_has_only_the_features_it_is_built_with(app: App, tmp_path: Path) -> None:
    small = make_app(default_config(), f"sqlite:///{tmp_path / 'small.db'}",
                     features=(meeting, paragraphs, help))
    try:
        chat = Chat(small)
        chat.text("!möte öppna 2022-03-25")
        # No uppdrag capability: the decision is recorded and nothing follows from it.
        assert chat.text(UPPDRAG).splitlines() == [
            "§ 1 Styrelsen uppdrar till förbundschefen att undersöka saken och återrapportera "
            "… (ny paragraf)",
            "Beslut: Styrelsen uppdrar till förbundschefen att undersöka saken och "
            "återrapportera senast 2022-05-20."]
        assert chat.text("!uppdrag").startswith("Jag känner inte till kommandot !uppdrag.")
        headings = [line for line in chat.text("!hjälp").splitlines()[1:]
                    if line and not line.startswith("- ")]
        assert headings == ["Sammanträdet", "Paragrafer och beslut", "Hjälp"]
        assert small.services.reminders is None and small.start_hooks == []
        # The full app beside it, in the same process, reads the uppdrag from the same text.
        full = Chat(app)
        full.text("!möte öppna 2022-03-25")
        assert ("Uppdrag 1 antecknat: förbundschefen ska undersöka saken och återrapportera "
            "senast 2022-05-20.") in full.text(UPPDRAG)
        assert full.text("!uppdrag").startswith("Öppna uppdrag")
    finally:
        small.close()


def test_config_insatser_belong_to_their_app(db_url: str, tmp_path: Path) -> None:
    """The insatser a config names owe an årsrapport in that app only: another app of the
    same förbund key without them (built later in the same process) changes nothing."""
    first = reminder_app(db_url)
    second = reminder_app(f"sqlite:///{tmp_path / 'andra.db'}", insatser=[])
    try:
        room = Chat(first, sender="Pär Eriksson")
        room.now = datetime(2027, 1, 10, 10, 0, tzinfo=STOCKHOLM)
        assert room.text("!rapporter").splitlines() == [
            "Årsrapporter för 2026 (senast söndag 31 januari 2027):", "Saknas:",
            "- Samverkansprojekt Äpplet (period 2025–2027)", "- Steg framåt (period 2026)",
            "- Vidare Vy (period från 2024)"]
        other = Chat(second, sender="Pär Eriksson")
        other.now = room.now
        assert other.text("!rapporter").startswith(
            "Ingen insats ska lämna årsrapport för 2026: ingen har beviljat eller utfall det "
            "året eller en period som omfattar det.")
    finally:
        first.close()
        second.close()


def test_unknown_sub_command_lists_the_forms_help_shows(chat: Chat) -> None:
    for command, typed in (("möte", "paus"), ("anslagstavla", "foo"), ("uppdrag", "foo bar")):
        forms = chat.text(f"!hjälp {command}").split("Så skriver du:\n", 1)[1]
        forms = forms.split("\n\nExempel:", 1)[0]
        assert chat.text(f"!{command} {typed}") == (
            f"!{command} förstår inte ”{typed}”. Skriv:\n{forms}")
    assert chat.text("!hjälp möte").split("Så skriver du:\n", 1)[1].startswith(
        "- !möte öppna [ÅÅÅÅ-MM-DD [TT:MM]] [plats]\n- !möte avsluta [TT:MM]\n- !möte\n")


def test_a_sub_commands_permission_comes_before_its_arguments(ovik: Chat) -> None:
    refused = send_file(ovik, "!budget import tjugotjugoett", BUDGET_2021.name,
                        BUDGET_2021.read_bytes(), sender="Cecilia Sparf").text
    assert refused.startswith("Du får inte använda !budget import: bara ordförande och "
                              "sekreterare i Styrelsen")
    assert ovik.text("!budget import tjugotjugoett") == (
        "”tjugotjugoett” är inget år. Skriv till exempel !budget import 2021.")


def test_attendance_removal_alone_adds_nobody(chat: Chat) -> None:
    chat.text("!möte öppna 2022-03-25")
    chat.text("!närvaro övriga: Pär Eriksson")
    assert chat.text("!närvaro ta bort") == (
        "Det saknas text efter !närvaro ta bort. Skriv till exempel: !närvaro ta bort Lena "
        "Finne Jansson")
    assert chat.text("!närvaro").splitlines() == [
        "Närvaron hittills:", "Beslutande: inga ännu", "Övriga deltagare: Pär Eriksson"]
