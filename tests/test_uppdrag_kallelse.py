"""Uppdrag recognised from decisions (§ 28, § 29 of seed 003), listed in the next kallelse;
`bot export`. The reminders are in test_justering_reminders.py."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from bot.commands.uppdrag.recognition import recognise
from tests.conftest import FIXTURES, Chat
from tests.justering_support import (
    at,
    attachment,
    docx_text,
    flat,
    pdf_text,
    replay_meeting,
)

MEETING = date(2022, 3, 25)


@pytest.mark.parametrize(("text", "who", "what", "due"), [
    ("Styrelsen uppdrog till förbundschefen att närmare undersöka förbundets möjligheter att "
     "göra en medelsansökan.", "förbundschefen",
     "närmare undersöka förbundets möjligheter att göra en medelsansökan", None),
    ("Styrelsen uppdrar till Jan-Olov Häggström och Johnny Eriksson att på förmiddagen den 28 "
     "besöka I-Kraft.", "Jan-Olov Häggström och Johnny Eriksson",
     "på förmiddagen den 28 besöka I-Kraft", None),
    ("Jan-Olov och Johnny får i uppdrag att på styrelsesammanträdet i maj avge en rapport.",
     "Jan-Olov och Johnny", "på styrelsesammanträdet i maj avge en rapport", None),
    ("Styrelsen beslutar att den delegation som ska delta på NNS årsmöte får i uppdrag att "
     "presentera vår samverkansstruktur.", "den delegation som ska delta på NNS årsmöte",
     "presentera vår samverkansstruktur", None),
    ("Styrelsen uppdrar till förbundschefen att undersöka saken och återrapportera senast "
     "2022-05-20.", "förbundschefen", "undersöka saken och återrapportera senast 2022-05-20",
     date(2022, 5, 20)),
    ("Styrelsen ger förbundschefen i uppdrag att ta fram en plan senast den 3 februari.",
     "förbundschefen", "ta fram en plan senast den 3 februari", date(2023, 2, 3)),
    ("Förbundschefen uppdras att återkomma senast 30 juni 2022.", "Förbundschefen",
     "återkomma senast 30 juni 2022", date(2022, 6, 30)),
    # The att-clause forms, as in the seed's "Att lägga protokollet till handlingarna".
    ("Att uppdra åt förbundschefen att ta fram en verksamhetsplan för 2023.",
     "förbundschefen", "ta fram en verksamhetsplan för 2023", None),
    ("Styrelsen beslutar att uppdra till Jan-Olov Häggström att kontakta Arbetsförmedlingen "
     "senast 2022-04-30.", "Jan-Olov Häggström",
     "kontakta Arbetsförmedlingen senast 2022-04-30", date(2022, 4, 30)),
    ("Styrelsen beslutar att ge förbundschefen i uppdrag att utreda frågan om lokaler.",
     "förbundschefen", "utreda frågan om lokaler", None),
    ("Styrelsen ger i uppdrag till förbundschefen att revidera delegationsordningen senast "
     "den 20 maj.", "förbundschefen", "revidera delegationsordningen senast den 20 maj",
     date(2022, 5, 20)),
    ("Styrelsen ger förbundschefen i uppdrag att boka lokal till höstens möte.",
     "förbundschefen", "boka lokal till höstens möte", None),
])
def test_recognises_uppdrag(text: str, who: str, what: str, due: date | None) -> None:
    found = recognise(text, MEETING)
    assert found is not None
    assert (found.assignee, found.task, found.due_on) == (who, what, due)


@pytest.mark.parametrize("text", [
    "Styrelsen anslår en budget på max 10 000 kronor för detta.",
    "Styrelsen beslutar om omedelbar justering av beslutsparagraf 26.",
    "Att lägga protokollet till handlingarna utan anmärkning.",
    "Styrelsen godkänner uppdragsbeskrivningen för Äpplet.",
    "Styrelsen tackar för uppdraget.",
    "Att ge förbundschefen rätt att teckna avtalet.",
])
def test_other_decisions_give_no_uppdrag(text: str) -> None:
    assert recognise(text, MEETING) is None


def test_uppdrag_from_decisions_appear_in_the_next_kallelse(ovik: Chat) -> None:
    replies = replay_meeting(ovik, until="!protokoll")
    s28 = next(r for r in replies if r.startswith("§ 28") and "Beslut:" in r)
    assert ("Uppdrag 1 antecknat: förbundschefen ska närmare undersöka förbundets möjligheter "
            "att göra en medelsansökan") in s28
    assert "Inget slutdatum angavs. Ange det med !uppdrag 1 senast ÅÅÅÅ-MM-DD." in s28
    budget = next(r for r in replies if "anslår en budget" in r)
    assert "Uppdrag" not in budget

    listed = ovik.text("!uppdrag")
    assert listed.startswith("Öppna uppdrag:\n\n| Nr | Vem | Uppdrag | Beslut | Läge |")
    rows = [[c.strip() for c in x.strip("|").split(" | ")] for x in listed.splitlines()
            if x.startswith("| ") and x[2].isdigit()]
    assert [r[:2] for r in rows] == [
        ["1", "förbundschefen"],
        ["2", "Jan-Olov Häggström och Johnny Eriksson"],
        ["3", "Jan-Olov och Johnny"],
        ["4", "den delegation som ska delta på NNS årsmöte"],
        ["5", "förbundschefen"]]
    assert rows[0][3:] == ["§ 28, 2022-03-25", "inget slutdatum"]
    assert rows[4][3:] == ["§ 29, 2022-03-25", "inget slutdatum"]

    assert ovik.text("!uppdrag §28 senast 2022-05-20") == \
        "Uppdrag 1 ska vara klart senast fredag 20 maj 2022."
    assert ovik.text("!uppdrag 3 senast 20 maj") == \
        "Uppdrag 3 ska vara klart senast fredag 20 maj 2022."
    # A § reference fills in only the uppdrag without a date; uppdrag 2 keeps its own.
    assert ovik.text("!uppdrag 2 senast 2022-04-28") == \
        "Uppdrag 2 ska vara klart senast torsdag 28 april 2022."
    set29 = ovik.text("!uppdrag §29 senast 2022-06-10")
    assert set29.startswith("Uppdrag 4 och 5 ska vara klara senast fredag 10 juni 2022:")
    assert "Uppdrag 2 behåller sitt datum, torsdag 28 april 2022. Ändra det med !uppdrag 2 " \
        "senast ÅÅÅÅ-MM-DD." in set29
    assert "Uppdrag 3 behåller sitt datum, fredag 20 maj 2022." in set29
    assert "besöka I-Kraft samt få information om Sundsvalls BIP-arbete | § 29, 2022-03-25 | " \
        "senast torsdag 28 april 2022 |" in ovik.text("!uppdrag")
    assert ovik.text("!uppdrag §29 senast 2022-06-17") == (
        "Alla uppdrag i § 29 har redan ett slutdatum, så inget ändrades. Ändra ett av dem med "
        "numret, till exempel !uppdrag 2 senast 2022-06-17.")
    assert ovik.text("!uppdrag klart 2") == (
        "Uppdrag 2 är klart (Jan-Olov Häggström och Johnny Eriksson: på förmiddagen den 28 "
        "besöka I-Kraft samt få information om Sundsvalls BIP-arbete).")
    assert "är redan klart" in ovik.text("!uppdrag klart 2")
    assert "Det finns inget uppdrag 9" in ovik.text("!uppdrag klart 9")
    assert ovik.text("!uppdrag klart") == ("Ange vilket uppdrag, till exempel !uppdrag klart 2. "
                                           "Skriv !uppdrag för att se numren.")
    assert "Du får inte använda !uppdrag klart" in ovik.text("!uppdrag klart 4",
                                                              sender="Camilla Steen")
    # A decision changed so it no longer gives an uppdrag drops it.
    ovik.now = at(2022, 3, 26, 9, 0)
    assert "uppdrag 4 är borttaget" in ovik.text(
        "!ändra §29 punkt 3 Styrelsen beslutar att delegationen presenterar Äpplet.")
    assert "Uppdrag 4" not in ovik.text("!uppdrag")

    ovik.now = at(2022, 4, 1, 9, 0)
    # The agenda belongs to a planned sammanträde: none is planned yet.
    assert ovik.text("!dagordning Delårsrapport").startswith(
        "Inget kommande sammanträde är planerat. Planera det först med !sammanträde")
    draft = ovik.text("!kallelse")
    assert draft.startswith("Utkast till kallelse för Styrelsens nästa sammanträde (datum "
                            "inte bestämt).")
    assert ovik.text("!kallelse 2022-03-01").startswith(
        "Datumet tisdag 1 mars 2022 har redan varit.")
    assert ovik.text("!kallelse 2022-05-20").startswith(
        "Inget sammanträde är planerat fredag 20 maj 2022. Ange tiden så planeras det, till "
        "exempel !kallelse 2022-05-20 09:00 Stadshuset.")
    # !kallelse with a date and time plans it, like !sammanträde.
    planned = ovik.text("!kallelse 2022-05-20 09:00 Stadshuset")
    assert planned.startswith("Kallelse till Styrelsens sammanträde fredag 20 maj 2022 kl. "
                              "09:00, Stadshuset.")
    assert "Sammanträdet är nu planerat som nummer 1, med påminnelser före" in planned
    assert "- 1: fredag 20 maj 2022 kl. 09:00, Stadshuset" in ovik.text("!sammanträden")
    added = ovik.text("!dagordning Rapport från studiebesöket på I-Kraft förslag: Styrelsen "
                      "tackar för rapporten.")
    assert added.startswith("Punkt 5 på dagordningen: Rapport från studiebesöket på I-Kraft.")
    assert "Dagordningen för sammanträdet fredag 20 maj 2022 kl. 09:00 har nu 1 egen punkt" \
        in added
    ovik.text("!dagordning Delårsrapport")
    ovik.text("!dagordning Ta bort mig")
    assert ovik.text("!dagordning ta bort 7") == \
        "Punkten ”Ta bort mig” är borttagen från dagordningen."
    # The standard items (1–4, övriga frågor, mötets avslutande) stay.
    assert ovik.text("!dagordning ta bort 2") == (
        "Punkt 2 är en standardpunkt på dagordningen och kan inte tas bort. De egna punkterna "
        "är punkt 5–6; ta bort en med till exempel !dagordning ta bort 5.")
    assert ovik.text("!dagordning ta bort 7").startswith("Punkt 7 är en standardpunkt")
    assert ovik.text("!dagordning ta bort 9").startswith("Dagordningen har 2 egna punkter, så "
                                                         "det finns ingen punkt 9.")
    assert ovik.text("!kallelse 2022-05-20 25:00") == (
        "”25:00” är ingen tid jag kan läsa. Skriv tid som TT:MM, till exempel "
        "!kallelse 2022-05-20 08:30.")
    # The same day again changes only the place; !kallelse alone renders the next meeting.
    ovik.text("!kallelse 2022-05-20 Stadshuset Kronan")
    reply = ovik.say("!kallelse")
    assert reply is not None
    assert reply.text.startswith("Kallelse till Styrelsens sammanträde fredag 20 maj 2022 "
                                 "kl. 09:00, Stadshuset Kronan.")
    assert "planerat som nummer" not in reply.text
    md = attachment(reply, ".md").decode()
    agenda = md.split("## Föredragningslista")[1].split("## Öppna uppdrag")[0]
    items = [x.strip() for x in agenda.strip().splitlines() if x.strip()]
    assert items == [
        "1. Mötets öppnande", "2. Val av justerare", "3. Godkännande av dagordning",
        "4. Föregående protokoll (2022-03-25, § 22–30)",
        "5. Rapport från studiebesöket på I-Kraft",
        "*Förslag till beslut:* Styrelsen tackar för rapporten.",
        "6. Delårsrapport", "7. Övriga frågor", "8. Mötets avslutande"]
    open_uppdrag = md.split("## Öppna uppdrag")[1]
    assert "Uppdrag 1 – förbundschefen: närmare undersöka" in open_uppdrag
    assert "(§ 28, 2022-03-25), senast fredag 20 maj 2022" in open_uppdrag
    assert "Uppdrag 5 – förbundschefen: sammanställa informationsmaterial" in open_uppdrag
    assert "Uppdrag 2 " not in open_uppdrag and "Uppdrag 4 " not in open_uppdrag
    for text in (flat(pdf_text(attachment(reply, ".pdf"))),
                 flat(docx_text(attachment(reply, ".docx")))):
        assert "Kallelse" in text and "Stadshuset Kronan" in text
        assert "4. Föregående protokoll (2022-03-25, § 22–30)" in text
        assert "5. Rapport från studiebesöket på I-Kraft" in text
        assert "7. Övriga frågor" in text and "8. Mötets avslutande" in text
        assert "Uppdrag 1 – förbundschefen: närmare undersöka" in text
        assert "senast fredag 20 maj 2022" in text

    # Once the planned meeting is held, the next kallelse is a draft again; a meeting
    # planned later has its own, empty agenda.
    ovik.now = at(2022, 5, 20, 8, 45)
    ovik.text("!möte öppna Stadshuset Kronan")
    assert "nästa sammanträde (datum inte bestämt)" in ovik.text("!kallelse")
    ovik.text("!sammanträde 2022-06-17 09:00 Digitalt via Teams")
    later = ovik.text("!kallelse")
    assert later.startswith("Kallelse till Styrelsens sammanträde fredag 17 juni 2022 kl. "
                            "09:00, Digitalt via Teams.")
    assert "5. Övriga frågor" in later and "Delårsrapport" not in later


def test_export_writes_the_years_justerade_protokoll_and_a_decision_register(
        ovik: Chat, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    replay_meeting(ovik, until="!protokoll")
    ovik.now = at(2022, 4, 6, 10, 0)
    ovik.text("!protokoll klart")
    ovik.text("!justera", sender="Cecilia Sparf")
    ovik.text("!justera", sender="Carolina Sondell")
    ovik.now = at(2022, 5, 20, 9, 0)  # not justerat: left out
    ovik.text("!möte öppna Stadshuset")
    ovik.text("!beslut Styrelsen fastställer dagordningen.")
    config = tmp_path / "config.toml"
    config.write_text(f'[bot]\ndatabase_url = "{db_url}"\n\n'
                      + (FIXTURES / "ornskoldsvik.toml").read_text(encoding="utf-8"),
                      encoding="utf-8")
    out = tmp_path / "arkiv"
    assert main(["export", "--config", str(config), "--år", "2022", "--organ", "Styrelsen",
                 "--ut", str(out)]) == 0
    assert "1 justerat protokoll och 12 beslut" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == [
        "beslut-styrelsen-2022.csv", "protokoll-styrelsen-2022-03-25.docx",
        "protokoll-styrelsen-2022-03-25.html", "protokoll-styrelsen-2022-03-25.md",
        "protokoll-styrelsen-2022-03-25.pdf"]
    assert "tidigast 2022-04-27" in flat(pdf_text((out / "protokoll-styrelsen-2022-03-25.pdf")
                                                  .read_bytes()))
    with (out / "beslut-styrelsen-2022.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert rows[0][:5] == ["Sammanträdesdatum", "Paragraf", "Rubrik", "Beslut nr", "Beslut"]
    assert len(rows) == 13
    assert rows[4][:5] == ["2022-03-25", "§ 26", "Beslut om fastställande av årsredovisning "
                           "för verksamhetsåret 2021", "1",
                           "Styrelsen fastställer årsredovisning enligt bilaga. (Bilaga)"]
    assert rows[-1][1] == "§ 29" and rows[-1][3] == "5" and rows[-1][6:] == [
        "2022-04-06", "2022-04-06", "2022-04-27"]
    assert main(["export", "--config", str(config), "--år", "2021", "--organ", "styrelsen",
                 "--ut", str(tmp_path / "tomt")]) == 1
    assert "inga justerade protokoll 2021" in capsys.readouterr().err


def test_the_decision_register_keeps_typed_formulas_as_text(
        ovik: Chat, db_url: str, tmp_path: Path) -> None:
    """A heading or decision that Excel would compute gets a leading apostrophe (OWASP)."""
    formulas = ['=HYPERLINK("http://x","klicka")', "+cmd|' /C calc'!A0", "-2+3"]
    replay_meeting(ovik, until="!protokoll", after={"!paragraf Avslutning": [
        "!paragraf @SUM(1+1)", *(f"!beslut {text}" for text in formulas)]})
    ovik.now = at(2022, 4, 6, 10, 0)
    ovik.text("!protokoll klart")
    ovik.text("!justera", sender="Cecilia Sparf")
    ovik.text("!justera", sender="Carolina Sondell")
    config = tmp_path / "config.toml"
    config.write_text(f'[bot]\ndatabase_url = "{db_url}"\n\n'
                      + (FIXTURES / "ornskoldsvik.toml").read_text(encoding="utf-8"),
                      encoding="utf-8")
    out = tmp_path / "arkiv"
    assert main(["export", "--config", str(config), "--år", "2022", "--organ", "Styrelsen",
                 "--ut", str(out)]) == 0
    with (out / "beslut-styrelsen-2022.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert [row[1:5] for row in rows[-3:]] == [
        ["§ 31", "'@SUM(1+1)", str(n), "'" + text] for n, text in enumerate(formulas, start=1)]
