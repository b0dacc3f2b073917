"""Budget per insats in the chat, with the half-year figures of seed 003 (Not 2), on
SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.app import FEATURES, App
from bot.commands.justering import commands as justering
from bot.config import load_config
from bot.render import render
from storage import budget, reports, tenants
from storage.paragraphs import find_paragraph
from tests.budget_support import load_2021, plain, send_file
from tests.conftest import FIXTURES, STOCKHOLM, Chat, make_app


def test_done_when_vidare_vy_apple_and_year_total(ovik: Chat) -> None:
    assert "11 nya beviljade belopp och 11 nya utfall" in load_2021(ovik).text
    vy = plain(ovik.text("!budget Vidare Vy 2021"))
    assert vy.startswith("**Vidare Vy 2021** (Samordningsförbundet i Örnsköldsvik)")
    assert "- Beviljat: 455 000 kr" in vy
    assert "- Utfall: 227 223 kr (50 % av beviljat)" in vy
    assert "- Kvar: 227 777 kr" in vy
    assert "- Senaste utfall: onsdag 30 juni 2021, Delårsbokslut per 30 juni 2021" in vy
    assert "- Beviljat enligt importerad budgetfil (Delårsbokslut per 30 juni 2021, not 2)" in vy
    assert "Samverkansprojekt Äpplet 2021" in ovik.text("!budget äpplet 2021")
    table = plain(ovik.text("!budget 2021"))
    assert ("| **Summa** | **3 993 000 kr** | **1 770 608 kr** | **2 222 392 kr** | **44 %** |"
            in table)
    assert "| Vidare Vy | 455 000 kr | 227 223 kr | 227 777 kr | 50 % |" in table
    assert "Tilldelning 2021: 5 034 000 kr (staten 2 517 000 kr, regionen 1 258 500 kr" in table
    assert "Ej fördelat på insatser: 1 041 000 kr." in table
    assert "Eget kapital: 1 058 307 kr (21 % av tilldelningen, över riktvärdet 20 %)" in table
    # No-break spaces in the amounts, as Swedish typography wants.
    assert "455\u00a0000\u00a0kr" in ovik.replies[-3].text
    assert "<table>" in ovik.replies[-1].html


def test_without_year_takes_the_latest_year_with_figures(ovik: Chat) -> None:
    load_2021(ovik)  # the chat's clock is in 2022, the figures are from 2021
    assert plain(ovik.text("!budget Vidare Vy")).startswith("**Vidare Vy 2021**")
    assert "**Budget 2021**" in ovik.text("!budget")
    assert "”3021” är inget år. Skriv till exempel !budget 2021." in ovik.text("!budget 3021")


@pytest.mark.parametrize(("typed", "found"), [
    ("vidare vy", "Vidare Vy"),
    ("VIDARE VY", "Vidare Vy"),
    ("Aepplet", "Samverkansprojekt Äpplet"),
    ("Xylofon", None),
    ("Äpplet", "Samverkansprojekt Äpplet"),
    ("applet", "Samverkansprojekt Äpplet"),
    ("Projekt Äpplet", "Samverkansprojekt Äpplet"),
    ("skuldrådgivning", "Förstärkt budget- och skuldrådgivning"),
    ("skuldradgivning", "Förstärkt budget- och skuldrådgivning"),
    ("Samtalsbyrå", "Samtalsbyrån för unga"),
    ("Vidre Vy", "Vidare Vy"),
    ("Lärlingsvuxx", "Lärlingsvux"),
    ("Plattfrom U", "Plattform U"),
])
def test_forgiving_names(ovik: Chat, typed: str, found: str | None) -> None:
    load_2021(ovik)
    reply = ovik.text(f"!budget {typed} 2021")
    if found is None:
        assert "Jag hittar ingen insats" in reply
    else:
        assert reply.startswith(f"**{found} 2021**"), reply


def test_ambiguous_and_unknown_names(ovik: Chat) -> None:
    load_2021(ovik)
    ovik.text("!insats ny Processtöd vägen till arbete")
    many = ovik.text("!budget processtöd")
    assert many.startswith("”processtöd” passar flera insatser")
    assert "- !budget Processtöd våld i nära relationer" in many
    assert "- !budget Processtöd vägen till arbete" in many
    unknown = ovik.text("!budget Lärlingsvuxen för alla")
    assert "Jag hittar ingen insats som heter ”Lärlingsvuxen för alla”" in unknown
    assert "Menade du Lärlingsvux?" in unknown
    assert "!insats ny Lärlingsvuxen för alla" in unknown
    # The suggestion keeps what else was written, so it can be sent as it stands.
    assert "Menade du Lärlingsvux? Skriv !budget Lärlingsvux 2021." in ovik.text(
        "!budget Lärlingsvuxen för alla 2021")
    assert "Skriv !utfall Lärlingsvux 1 000 2021-06-30 Faktura." in ovik.text(
        "!utfall Lärlingsvuxen för alla 1 000 2021-06-30 Faktura")
    assert ovik.text("!utfall Vidare Vy abc").startswith("Ange insats och belopp")
    assert ovik.text("!budget tilldelning 2021").startswith("Ange belopp, till exempel")


def _two_forbund_config(tmp_path: Path) -> Path:
    text = (FIXTURES / "ornskoldsvik.toml").read_text(encoding="utf-8") + """
[[forbund]]
key = "sundsvall"
name = "Samordningsförbundet Sundsvall"

[[forbund.organ]]
key = "styrelsen"
name = "Styrelsen"
rooms = ["!sundsvall:test"]

[[forbund.organ.member]]
name = "Lisa Berg"
role = "förbundschef"
ids = ["@lisa:sundsvall.test"]
"""
    path = tmp_path / "two.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def two(db_url: str, tmp_path: Path) -> Iterator[App]:
    application = make_app(load_config(_two_forbund_config(tmp_path)), db_url)
    yield application
    application.close()


def test_another_forbunds_insats_is_never_shown(two: App) -> None:
    ovik = Chat(two, sender="Pär Eriksson")
    load_2021(ovik)
    sundsvall = Chat(two, room="!sundsvall:test", transport="matrix",
                     sender="@lisa:sundsvall.test")
    # Same name in the other förbund, other money.
    assert "Ny insats: Vidare Vy" in sundsvall.text("!insats ny Vidare Vy")
    sundsvall.text("!budget tilldelning 1 000 000 2021")
    sundsvall.text("!utfall Vidare Vy 1 000 2021-03-01")
    theirs = plain(sundsvall.text("!budget Vidare Vy 2021"))
    assert "Samordningsförbundet Sundsvall" in theirs and "- Utfall: 1 000 kr" in theirs
    assert "455 000" not in theirs
    assert "Jag hittar ingen insats" in sundsvall.text("!budget Äpplet 2021")
    assert "Plattform" not in sundsvall.text("!insatser")
    their_table = plain(sundsvall.text("!budget 2021"))
    assert "| **Summa** | **0 kr** | **1 000 kr**" in their_table
    assert "Ej fördelat på insatser: 1 000 000 kr." in their_table
    ours = plain(ovik.text("!budget Vidare Vy 2021"))
    assert "- Utfall: 227 223 kr" in ours
    assert "**3 993 000 kr**" in plain(ovik.text("!budget 2021"))
    with two.db.transaction() as session:
        ids = {key: fid for fid, key, _ in budget.forbund_choices(session)}
        # Each förbund's own register decides who owes an årsrapport.
        assert reports.insats_names(session, ids["sundsvall"], 2021) == ["Vidare Vy"]
        assert len(reports.insats_names(session, ids["ornskoldsvik"], 2021)) == 11


def test_anslag_records_decision_and_grant_linked_both_ways(ovik: Chat) -> None:
    load_2021(ovik)
    ovik.text("!möte öppna 2022-03-25 08:30 Digitalt via Teams")
    ovik.text("!paragrafnummer 27")
    ovik.text("!paragraf Beslut om medel till insatser 2022")
    reply = plain(ovik.text("!anslag Vidare Vy 455 000 kr för 2022"))
    assert reply.startswith("§ 27 Beslut om medel till insatser 2022\n")
    assert "Beslut: Styrelsen beviljar Vidare Vy 455 000 kr för 2022." in reply
    assert "Vidare Vy 2022: beviljat 455 000 kr, utfall 0 kr, kvar 455 000 kr." in reply
    ovik.text("!anslag äpplet 1,2 mkr 2022")
    shown = plain(ovik.text("!visa §27"))
    assert "1. Styrelsen beviljar Vidare Vy 455 000 kr för 2022." in shown
    assert "2. Styrelsen beviljar Samverkansprojekt Äpplet 1 200 000 kr för 2022." in shown
    answer = plain(ovik.text("!budget Vidare Vy 2022"))
    assert "- Beviljat: 455 000 kr" in answer
    assert "- Beviljat genom § 27, sammanträdet fredag 25 mars 2022" in answer
    with ovik.app.db.transaction() as session:
        organ_id = tenants.organ_for_room(session, "console", "console").organ_id
        paragraph = find_paragraph(session, organ_id, "2022", 27)
        linked = budget.grants_of_paragraph(session, paragraph.id)
        assert [(n, g.amount_ore, g.year) for g, n in linked] == [
            ("Vidare Vy", 45_500_000, 2022), ("Samverkansprojekt Äpplet", 120_000_000, 2022)]
    # Undoing the decision takes the grant with it.
    assert "Ångrat i § 27" in ovik.text("!ångra")
    assert "- Beviljat: 455 000 kr" in plain(ovik.text("!budget Vidare Vy 2022"))
    assert "Inga beviljade medel eller utfall för 2022." in ovik.text("!budget Äpplet 2022")
    assert "**1 200 000 kr**" not in plain(ovik.text("!budget 2022"))
    # Without a year the undone grant's year is not "the latest year with figures".
    assert plain(ovik.text("!budget Äpplet")).startswith("**Samverkansprojekt Äpplet 2021**")


def test_anslag_without_paragraph_opens_one_and_needs_a_meeting(ovik: Chat) -> None:
    load_2021(ovik)
    assert "Inget sammanträde är öppet" in ovik.text("!anslag Vidare Vy 455 000 2022")
    ovik.text("!möte öppna")
    reply = plain(ovik.text("!anslag Vidare Vy 455 000"))  # year: the meeting's
    assert reply.startswith("§ 1 Styrelsen beviljar Vidare Vy 455 000 kr för 2022 (ny paragraf)")
    assert "Jag hittar ingen insats" in ovik.text("!anslag Okänd insats 5 000")
    assert "Ange insats och belopp" in ovik.text("!anslag Vidare Vy 12x")
    assert "oklart om kommat skiljer tusental eller decimaler" in ovik.text(
        "!anslag Vidare Vy 5,555")
    assert "för många decimaler" in ovik.text("!anslag Vidare Vy 5,5555")
    assert "Ange insats och belopp" in ovik.text("!anslag Vidare Vy")
    assert "Du får inte använda !bevilja" in ovik.text("!anslag Vidare Vy 5 000", "Anna Gäst")
    # Nothing of the refused commands was written.
    assert "- Beviljat: 455 000 kr" in plain(ovik.text("!budget Vidare Vy 2022"))


def test_anslag_uppsatt_goes_to_the_notice_board_command(ovik_app: App) -> None:
    chat = Chat(ovik_app, sender="Pär Eriksson")
    # The real notice board answers: no justerat protokoll to post yet.
    direct = chat.text("!anslagstavla uppsatt 2022-03-30")
    assert chat.text("!anslag uppsatt 2022-03-30") == direct
    assert "insats" not in direct.lower()
    # Both words reach the notice board's own sub-commands, with the text after them.
    anslag, board = ovik_app.registry.get("anslag"), ovik_app.registry.get("anslagstavla")
    assert anslag is not None and board is not None
    for typed, on_board in (("uppsatt 2022-03-30", "uppsatt 2022-03-30"),
                            ("nedtaget 2022-04-20", "nedtagen 2022-04-20")):
        (sub, rest), (board_sub, board_rest) = anslag.resolve(typed), board.resolve(on_board)
        assert sub.handler is board_sub.handler and rest == board_rest
    assert chat.text("!anslag nedtaget 2022-04-20") == chat.text(
        "!anslagstavla nedtagen 2022-04-20")


def test_anslag_uppsatt_without_the_notice_board(db_url: str) -> None:
    """An app built without the justering capability has no notice board to go to."""
    app = make_app(load_config(FIXTURES / "ornskoldsvik.toml"), db_url,
                   features=[f for f in FEATURES if f is not justering])
    try:
        chat = Chat(app, sender="Pär Eriksson")
        assert chat.text("!anslag uppsatt 2022-03-30").startswith(
            "Anslag på anslagstavlan hanteras inte av den här boten ännu.")
        assert chat.text("!anslagstavla").startswith("Jag känner inte till kommandot "
                                                     "!anslagstavla.")
    finally:
        app.close()


def test_utfall_books_outcomes(ovik: Chat) -> None:
    load_2021(ovik)
    reply = plain(ovik.text(
        "!utfall Vidare Vy 119 684,43 2021-12-31 Bokslut 2021, andra halvåret"))
    assert reply.startswith("Utfall bokfört: Vidare Vy 119 684,43 kr per den 31 december "
                            "2021 (Bokslut 2021, andra halvåret).")
    assert "utfall 346 907,43 kr (76 %), kvar 108 092,57 kr" in reply
    latest = plain(ovik.text("!budget Vidare Vy 2021"))
    assert "- Senaste utfall: fredag 31 december 2021, Bokslut 2021, andra halvåret" in latest
    ovik.now = datetime(2022, 4, 2, 10, 0, tzinfo=STOCKHOLM)
    today = plain(ovik.text("!utfall Psykeveckan v45 12 500 Föreläsare"))
    assert "Psykeveckan v45 12 500 kr per den 2 april 2022 (Föreläsare)" in today
    assert "inget datum" in ovik.text("!utfall Vidare Vy 100 2021-13-01")
    assert "Du får inte använda !utfall" in ovik.text("!utfall Vidare Vy 100", "Anna Gäst")


def test_register_new_alias_change_and_list(ovik: Chat) -> None:
    reply = ovik.text("!insats ny Samverkansprojekt Äpplet; ägare: Örnsköldsviks kommun; "
                      "kontakt: Anna Andersson; period: 2020–2022")
    assert reply.startswith("Ny insats: Samverkansprojekt Äpplet, ägare Örnsköldsviks kommun, "
                            "2020–2022.")
    assert "finns redan" in ovik.text("!insats ny samverkansprojekt äpplet")
    assert "kan nu också kallas ”Projekt Äpplet”" in ovik.text(
        "!insats alias Samverkansprojekt Äpplet Projekt Äpplet")
    assert "kan nu också kallas ”Äpplet”" in ovik.text("!insats alias Projekt Äpplet = Äpplet")
    assert "betyder redan Samverkansprojekt Äpplet" in ovik.text(
        "!insats alias Samverkansprojekt Äpplet = äpplet")
    assert "finns redan" in ovik.text("!insats ny Äpplet")
    card = ovik.text("!insats ändra äpplet; status: avslutad")
    assert card.startswith("Ändrat. **Samverkansprojekt Äpplet** (avslutad)")
    assert "- Kallas också: Projekt Äpplet och Äpplet" in card
    assert "- Kontaktperson: Anna Andersson" in card and "- Period: 2020–2022" in card
    assert "ingen status" in ovik.text("!insats ändra äpplet; status: pausad")
    ovik.text("!insats ny Vidare Vy; period: 2021-")
    listing = ovik.text("!insatser")
    assert "Insatser i Samordningsförbundet i Örnsköldsvik (2):" in listing
    assert ("- Samverkansprojekt Äpplet (även Projekt Äpplet och Äpplet), Örnsköldsviks kommun, "
            "2020–2022, avslutad") in listing
    assert "- Vidare Vy, 2021–" in listing
    assert "Du får inte använda !insats ny" in ovik.text("!insats ny Hemligt", "Anna Gäst")
    with ovik.app.db.transaction() as session:
        fid = budget.forbund_choices(session)[0][0]
        # Äpplet ran 2020–2022 and Vidare Vy starts 2021: for 2023 only Vidare Vy owes an
        # årsrapport, for 2020 only Äpplet.
        assert reports.insats_names(session, fid, 2023) == ["Vidare Vy"]
        assert reports.insats_names(session, fid, 2020) == ["Samverkansprojekt Äpplet"]


def test_diagram_is_a_png(ovik: Chat) -> None:
    load_2021(ovik)
    reply = ovik.say("!budget diagram 2021")
    assert reply is not None
    assert reply.text.startswith("Diagram: beviljat och utfall per insats 2021 (11 insatser).")
    (png,) = reply.attachments
    assert png.filename == "budget-2021.png" and png.mimetype == "image/png"
    assert png.data[:8] == b"\x89PNG\r\n\x1a\n" and len(png.data) > 10_000
    assert ovik.text("!budget diagram 2019") == (
        "Det finns inga beviljade medel eller utfall för 2019. Lägg in dem med !bevilja, "
        "!utfall eller !budget import.")


def test_chat_import_needs_a_file_and_the_right(ovik: Chat) -> None:
    assert "Jag hittar ingen budgetfil till !budget import." in ovik.text("!budget import")
    refused = send_file(ovik, "!budget import", "b.csv", b"insats;\xc3\xa5r;beviljat\nX;2021;5\n",
                        sender="Anna Gäst")
    assert "Du får inte använda !budget import" in refused.text
    assert "Insatser i" not in ovik.text("!insatser")


def test_a_long_year_table_lists_the_largest_and_totals_all() -> None:
    rows = [budget.TableRow(f"Insats {n:02d}", (100 - n) * 100_000, n * 100) for n in range(45)]
    table = budget.YearTable(year=2021, rows=rows, tilldelning_ore=None, eget_kapital_ore=None)
    text = plain(render("budget", "tabell", t=table, förbund="Förbundet", max=40).text)
    assert "| Insats 39 |" in text and "| Insats 40 |" not in text
    assert "| … och 5 insatser till (hela listan: bot budget export) |" in text
    assert f"| **Summa** | **{sum(100 - n for n in range(45)) * 1000:,} kr**".replace(
        ",", " ") in text
    assert "Tilldelningen för 2021 är inte inlagd" in text


def test_arsrapport_reminders_name_the_registers_insatser(ovik: Chat) -> None:
    load_2021(ovik)
    ovik.now = datetime(2022, 1, 10, 9, 0, tzinfo=STOCKHOLM)
    ovik.text("!rapport inlämnad Vidare Vy 2021")
    status = plain(ovik.text("!rapporter 2021"))
    received, missing = status.split("Saknas:")
    assert "- Vidare Vy (måndag 10 januari 2022)" in received
    assert "- Samverkansprojekt Äpplet" in missing and "Vidare Vy" not in missing
    assert len(missing.strip().splitlines()) == 10


def test_names_with_a_number_in_utfall_anslag_and_budget(ovik: Chat) -> None:
    # Without the seed: "Psykeveckan" alone names this insats by containment, which used to
    # win over the exact "Psykeveckan 2020" and book 2 020 kr.
    ovik.text("!insats ny Psykeveckan 2020")
    booked = plain(ovik.text("!utfall Psykeveckan 2020 5 000 2021-12-31 Faktura"))
    assert booked.startswith("Utfall bokfört: Psykeveckan 2020 5 000 kr per den "
                             "31 december 2021 (Faktura).")
    ovik.text("!möte öppna")
    granted = plain(ovik.text("!anslag Psykeveckan 2020 100 000 2021"))
    assert "Styrelsen beviljar Psykeveckan 2020 100 000 kr för 2021" in granted
    card = plain(ovik.text("!budget Psykeveckan 2020"))  # the clock is in 2022
    assert card.startswith("**Psykeveckan 2020 2021**")
    assert "- Beviljat: 100 000 kr" in card and "- Utfall: 5 000 kr" in card
    assert plain(ovik.text("!budget Psykeveckan 2020 2021")) == card
    assert plain(ovik.text("!budget psykeveckan 2021")) == card  # forgiving, with a year


def test_dotted_thousands_in_the_chat(ovik: Chat) -> None:
    ovik.text("!insats ny Vidare Vy")
    booked = plain(ovik.text("!utfall Vidare Vy 455.000 2021-06-30 Faktura"))
    assert booked.startswith("Utfall bokfört: Vidare Vy 455 000 kr per den 30 juni 2021")
    assert "1 234 567 kr" in plain(ovik.text("!utfall Vidare Vy 1.234.567 2021-06-30"))
    refused = plain(ovik.text("!utfall Vidare Vy 455,000 2021-06-30"))
    assert refused.startswith("”455,000” är inget belopp jag kan läsa (oklart om kommat skiljer "
                              "tusental eller decimaler; skriv 455 000 för tusental")
    assert "- Utfall: 1 689 567 kr" in plain(ovik.text("!budget Vidare Vy 2021"))


def test_utfall_reads_swedish_dates(ovik: Chat) -> None:
    ovik.text("!insats ny Vidare Vy")  # the chat's clock: fredag 25 mars 2022
    long_form = plain(ovik.text("!utfall Vidare Vy 1 000 30 juni 2021 Delårsbokslut"))
    assert long_form.startswith("Utfall bokfört: Vidare Vy 1 000 kr per den 30 juni 2021 "
                                "(Delårsbokslut).")
    # Without a year: the latest such day up to today, not next summer.
    short = plain(ovik.text("!utfall Vidare Vy 2 000 30/6 Faktura"))
    assert short.startswith("Utfall bokfört: Vidare Vy 2 000 kr per den 30 juni 2021 "
                            "(Faktura).")
    this_year = plain(ovik.text("!utfall Vidare Vy 3 000 1/3"))
    assert this_year.startswith("Utfall bokfört: Vidare Vy 3 000 kr per den 1 mars 2022.")
    assert "- Utfall: 3 000 kr" in plain(ovik.text("!budget Vidare Vy 2021"))
    # A comment that merely starts with a number stays a comment.
    assert "(3 fakturor)" in ovik.text("!utfall Vidare Vy 500 3 fakturor")
    for bad, shown in [("31 juni 2021 x", "31 juni"), ("2021-13-01", "2021-13-01"),
                       ("fredag 30 juni 2021", "fredag 30 juni 2021"), ("31/2", "31/2")]:
        reply = ovik.text(f"!utfall Vidare Vy 100 {bad}")
        assert reply.startswith(f"”{shown}” är inget datum jag kan läsa."), reply
    assert "- Utfall: 3 000 kr" in plain(ovik.text("!budget Vidare Vy 2021"))


def test_andra_of_a_grant_decision_changes_the_grant_or_is_refused(ovik: Chat) -> None:
    ovik.text("!insats ny Vidare Vy")
    ovik.text("!möte öppna")
    ovik.text("!paragraf Medel till insatser")
    ovik.text("!anslag Vidare Vy 455 000 2022")
    ovik.text("!beslut Styrelsen lägger informationen till handlingarna.")
    refused = plain(ovik.text("!ändra §1 punkt 1 Styrelsen beviljar Vidare Vy medel."))
    assert refused.startswith("§ 1 punkt 1 beviljar Vidare Vy 455 000 kr för 2022 i budgeten, "
                              "och den nya texten är inget sådant beslut. Ändra beloppet eller "
                              "året i samma form, till exempel !ändra §1 punkt 1 Styrelsen "
                              "beviljar Vidare Vy 455 000 kr för 2022.")
    assert "1. Styrelsen beviljar Vidare Vy 455 000 kr för 2022." in plain(ovik.text("!visa §1"))
    changed = plain(ovik.text("!ändra §1 punkt 1 Styrelsen beviljar Vidare Vy 500 000 kr för "
                              "2023."))
    assert ("Det beviljade beloppet i budgeten följer med: Vidare Vy 2023: beviljat 500 000 kr"
            in changed)
    assert "- Beviljat: 500 000 kr" in plain(ovik.text("!budget Vidare Vy 2023"))
    assert "Inga beviljade medel eller utfall för 2022." in ovik.text("!budget Vidare Vy 2022")
    # Another decision in the same § is changed as before.
    assert "beslutet är ändrat" in ovik.text("!ändra §1 punkt 2 Styrelsen noterar.")



def test_andra_of_a_grant_reads_the_amount_as_typed_and_the_name_or_an_alias(ovik: Chat) -> None:
    """The new text is compared with the decision re-rendered around the amount: any
    spelling of the amount, and an alias of the insats, are the same decision."""
    ovik.text("!insats ny Agenda 2030")
    ovik.text("!insats alias Agenda 2030 = Agendan")
    ovik.text("!möte öppna")
    ovik.text("!paragraf Medel till insatser")
    ovik.text("!bevilja Agenda 2030 455 000 2022")
    changed = plain(ovik.text("!ändra §1 punkt 1 styrelsen beviljar Agendan 1,2 mkr för 2024"))
    assert ("Det beviljade beloppet i budgeten följer med: Agenda 2030 2024: beviljat "
            "1 200 000 kr" in changed), changed
    assert "- Beviljat: 1 200 000 kr" in plain(ovik.text("!budget Agenda 2030 2024"))
    refused = plain(ovik.text("!ändra §1 punkt 1 Styrelsen beviljar Agendan 0 kr för 2024."))
    assert refused.startswith("§ 1 beviljar Agenda 2030 1 200 000 kr för 2024 i "
                              "budgeten, och den nya texten är inget sådant beslut."), refused

def test_default_year_is_this_year_else_the_latest_before_else_the_first_after(
        ovik: Chat) -> None:
    ovik.text("!insats ny Vidare Vy")
    ovik.text("!insats ny Samverkansprojekt Äpplet")
    ovik.text("!insats ny Plattform U")
    ovik.text("!utfall Vidare Vy 100 2019-05-01")
    ovik.text("!utfall Vidare Vy 100 2024-05-01")
    with ovik.app.db.transaction() as session:
        fid = budget.forbund_choices(session)[0][0]
        apple = budget.find_exact(session, fid, "Samverkansprojekt Äpplet")
        assert apple is not None
        budget.add_grant(session, apple, 2021, 100_000, "test")
    with ovik.app.db.transaction() as session:
        vy, apple, empty = (budget.find_exact(session, fid, n)
                            for n in ("Vidare Vy", "Samverkansprojekt Äpplet", "Plattform U"))
        years = (2018, 2019, 2020, 2021, 2022, 2024, 2025)
        assert [budget.default_year(session, y, forbund_id=fid) for y in years] == [
            2019, 2019, 2019, 2021, 2021, 2024, 2024]
        assert [budget.default_year(session, y, insats_id=vy.id) for y in years] == [
            2019, 2019, 2019, 2019, 2019, 2024, 2024]
        assert [budget.default_year(session, y, insats_id=apple.id) for y in years] == [
            2021, 2021, 2021, 2021, 2021, 2021, 2021]
        assert budget.default_year(session, 2022, insats_id=empty.id) == 2022
    # The chat's clock is in 2022.
    assert "**Budget 2021**" in ovik.text("!budget")
    assert plain(ovik.text("!budget Vidare Vy")).startswith("**Vidare Vy 2019**")


def test_overspent_money_is_shown_as_overspent(ovik: Chat) -> None:
    load_2021(ovik)
    ovik.text("!utfall Vidare Vy 300 000 2021-12-31 Bokslut")
    answer = plain(ovik.text("!budget Vidare Vy 2021"))
    assert "- Utfall: 527 223 kr (116 % av beviljat)" in answer
    assert "- Kvar: −72 223 kr (överskridet)" in answer
    assert "| Vidare Vy | 455 000 kr | 527 223 kr | −72 223 kr (överskridet) | 116 % |" in plain(
        ovik.text("!budget 2021"))


def test_budget_export_in_the_chat_points_to_the_command_line(ovik: Chat) -> None:
    assert ovik.text("!budget export").startswith(
        "Budgeten skrivs ut från terminalen där boten körs: bot budget export --config "
        "config.toml --out "
        "budget.xlsx")
    assert ovik.text("!info") == ("Det saknas text efter !info. Skriv till exempel: !info "
                                  "Förbundschef Pär Eriksson gav en ekonomisk nulägesrapport.")
