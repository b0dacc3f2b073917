"""Issue 17, "Insatser: one register": the config's insatser are registered insatser, and an
insats owes an årsrapport for a year it had beviljat or utfall in, or its period covers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from bot.app import App
from bot.config import ConfigError, parse_config
from tests.budget_support import plain, send_file
from tests.conftest import STOCKHOLM, Chat, make_app

ORGAN = {"key": "styrelsen", "name": "Styrelsen", "kind": "styrelse", "rooms": ["console"],
         "member": [{"name": "Pär Eriksson", "role": "förbundschef"}]}
INSATSER: list[Any] = [
    "Vidare Vy",
    {"namn": "Samverkansprojekt Äpplet", "period": "2021–2023",
     "ägare": "Örnsköldsviks kommun", "alias": ["Äpplet"]},
]


def ovik_app(url: str, insatser: list[Any]) -> App:
    data = {"forbund": [{"key": "ovik", "name": "Samordningsförbundet i Örnsköldsvik",
                         "insatser": insatser, "organ": [ORGAN]}]}
    return make_app(parse_config(data, "test.toml"), url)


def test_the_configs_insatser_are_in_the_register(db_url: str) -> None:
    app = ovik_app(db_url, INSATSER)
    try:
        chat = Chat(app, sender="Pär Eriksson")
        chat.now = datetime(2022, 3, 25, 13, 0, tzinfo=STOCKHOLM)
        assert chat.text("!insatser").splitlines() == [
            "Insatser i Samordningsförbundet i Örnsköldsvik (2):",
            "- Samverkansprojekt Äpplet (även Äpplet), Örnsköldsviks kommun, 2021–2023",
            "- Vidare Vy"]
        chat.text("!möte öppna 2022-03-25")
        granted = plain(chat.text("!anslag Vidare Vy 455 000 2022"))
        assert granted.splitlines()[1:] == [
            "Beslut: Styrelsen beviljar Vidare Vy 455 000 kr för 2022.",
            "Vidare Vy 2022: beviljat 455 000 kr, utfall 0 kr, kvar 455 000 kr."]
        assert plain(chat.text("!anslag äpplet 300 000 2022")).splitlines()[-1] == (
            "Samverkansprojekt Äpplet 2022: beviljat 300 000 kr, utfall 0 kr, kvar 300 000 kr.")
        # Reports for 2022 are due 31 January 2023: both owe one, each for its own reason.
        chat.now = datetime(2023, 1, 10, 10, 0, tzinfo=STOCKHOLM)
        assert ("Insatsernas årsrapporter för 2022 ska ha kommit in. Om 21 dagar. 0 av 2 "
                "insatser har lämnat.") in chat.text("!frister")
        assert chat.text("!rapporter 2022").splitlines() == [
            "Årsrapporter för 2022 (senast tisdag 31 januari 2023):", "Saknas:",
            "- Samverkansprojekt Äpplet (beviljat 2022; period 2021–2023)",
            "- Vidare Vy (beviljat 2022)"]
        assert chat.text("!rapporter 2021").splitlines()[1:] == [
            "Saknas:", "- Samverkansprojekt Äpplet (period 2021–2023)"]
        assert chat.text("!rapport inlämnad Vidare Vy 2022").splitlines() == [
            "Antecknat: Vidare Vy har lämnat sin årsrapport för 2022.",
            "Saknas fortfarande: Samverkansprojekt Äpplet."]
    finally:
        app.close()


def test_a_restart_syncs_what_the_config_says_and_keeps_the_chats(db_url: str) -> None:
    first = ovik_app(db_url, ["Vidare Vy"])
    try:
        chat = Chat(first, sender="Pär Eriksson")
        chat.text("!insats ändra Vidare Vy; kontakt: Anna Andersson")
        chat.text("!insats ny Äpplet")
        chat.text("!insats ny Steg framåt; period: 2024–2025")
    finally:
        first.close()
    second = ovik_app(db_url, [{"namn": "Vidare Vy", "period": "2022–2024"},
                               {"namn": "Samverkansprojekt Äpplet", "alias": "Äpplet"}])
    third = None
    try:
        chat = Chat(second, sender="Pär Eriksson")
        listing = chat.text("!insatser").splitlines()
        assert listing == [
            "Insatser i Samordningsförbundet i Örnsköldsvik (3):",
            "- Samverkansprojekt Äpplet (även Äpplet)", "- Steg framåt, 2024–2025",
            "- Vidare Vy, 2022–2024"]
        assert chat.text("!insats Vidare Vy").splitlines() == [
            "**Vidare Vy** (aktiv)", "- Kontaktperson: Anna Andersson", "- Period: 2022–2024"]
        second.close()
        third = ovik_app(db_url, [{"namn": "Vidare Vy", "period": "2022–2024"},
                                  {"namn": "Samverkansprojekt Äpplet", "alias": "Äpplet"}])
        assert Chat(third, sender="Pär Eriksson").text("!insatser").splitlines() == listing
    finally:
        second.close()
        if third is not None:
            third.close()


def test_an_insats_owes_a_report_only_for_its_money_and_period_years(db_url: str) -> None:
    app = ovik_app(db_url, [])
    try:
        chat = Chat(app, sender="Pär Eriksson")
        chat.now = datetime(2026, 12, 2, 10, 0, tzinfo=STOCKHOLM)
        rows = "".join(f"{name};2021;100 000;-40 000;2021-06-30;Delår\n" for name in (
            "Plattform U", "Samtalsbyrån för unga", "Vidare Vy"))
        send_file(chat, "!budget import", "budget.csv",
                  f"insats;år;beviljat;utfall;datum;kommentar\n{rows}".encode())
        chat.text("!utfall Vidare Vy 5 000 2020-11-30 Förstudie")
        chat.text("!insats ny Steg framåt; period: 2026–")
        for year in (2019, 2022):
            assert chat.text(f"!rapporter {year}") == (
                f"Ingen insats ska lämna årsrapport för {year}: ingen har beviljat eller utfall "
                "det året eller en period som omfattar det. Ange period med !insats ändra "
                "<namn>; period: 2021–2023, lägg in budgeten med !budget import, eller ange "
                f"ett annat år, till exempel !rapporter {year - 1}.")
        assert chat.text("!rapporter 2021").splitlines() == [
            "Årsrapporter för 2021 (senast måndag 31 januari 2022):", "Saknas:",
            "- Plattform U (beviljat och utfall 2021)",
            "- Samtalsbyrån för unga (beviljat och utfall 2021)",
            "- Vidare Vy (beviljat och utfall 2021)"]
        assert chat.text("!rapporter 2020").splitlines()[1:] == [
            "Saknas:", "- Vidare Vy (utfall 2020)"]
        assert chat.text("!rapporter 2026").splitlines()[1:] == [
            "Saknas:", "- Steg framåt (period från 2026)"]
        # An open period ends with the insats.
        chat.text("!insats ändra Steg framåt; status: avslutad")
        assert chat.text("!rapporter 2026").startswith(
            "Ingen insats ska lämna årsrapport för 2026:")
    finally:
        app.close()


@pytest.mark.parametrize(("insatser", "message"), [
    ([{"namn": "Vidare Vy", "period": "2023–2021"}],
     'nyckeln forbund[0].insatser[0].period slutar före den börjar ("2023–2021").'),
    ([{"namn": "Vidare Vy", "period": "sedan 2021"}],
     'nyckeln forbund[0].insatser[0].period ska vara år som "2020–2022", "2021" eller '
     '"2021–", inte "sedan 2021".'),
    ([{"namn": "Vidare Vy", "kontakt": "Anna"}],
     "nyckeln forbund[0].insatser[0].kontakt är ingen känd nyckel för en insats; kända är "
     "namn, period, ägare och alias."),
    ([{"period": "2021"}], "nyckeln forbund[0].insatser[0].namn saknas."),
    (["Vidare Vy", {"namn": "Äpplet", "alias": ["vidare vy"]}],
     "nyckeln forbund[0].insatser[1].alias har ”vidare vy”, som redan står i insatser "
     "(”Vidare Vy”)."),
    ([12], 'nyckeln forbund[0].insatser[0] ska vara ett namn inom citattecken eller en tabell '
           'som {namn = "Vidare Vy"}.'),
    ("Vidare Vy", 'nyckeln forbund[0].insatser ska vara en lista, t.ex. ["Vidare Vy", '
                  '"Äpplet"].'),
])
def test_config_errors_name_the_insats_key(insatser: Any, message: str) -> None:
    data = {"forbund": [{"name": "Förbundet", "insatser": insatser, "organ": [ORGAN]}]}
    with pytest.raises(ConfigError) as error:
        parse_config(data, "test.toml")
    assert str(error.value) == f"Fel i test.toml: {message}"


def test_config_insats_forms() -> None:
    data = {"forbund": [{"name": "Förbundet", "organ": [ORGAN], "insatser": [
        " Vidare  Vy ", {"namn": "Steg framåt", "period": 2026, "agare": "Region"},
        {"name": "Äpplet", "period": "2021-", "alias": "Projekt Äpplet"}]}]}
    found = parse_config(data, "test.toml").forbund[0].insatser
    assert [(i.name, i.start_year, i.end_year, i.owner, i.aliases) for i in found] == [
        ("Vidare Vy", None, None, "", []), ("Steg framåt", 2026, 2026, "Region", []),
        ("Äpplet", 2021, None, "", ["Projekt Äpplet"])]


def test_the_example_config_names_its_insatser() -> None:
    from bot.config import load_config
    from tests.test_config import EXAMPLE

    found = load_config(EXAMPLE).forbund[0].insatser
    assert [(i.name, i.start_year, i.end_year, i.owner, i.aliases) for i in found] == [
        ("Vidare Vy", None, None, "", []),
        ("Samverkansprojekt Äpplet", 2021, 2023, "Örnsköldsviks kommun", ["Äpplet"])]
