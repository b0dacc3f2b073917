"""Issue 15: justering on another day or somewhere: `!justeringsplats`, `!justera den
<datum>` and `!justera för <sammanträdesdatum>`."""

from __future__ import annotations

from tests.conftest import Chat
from tests.justering_support import CAROLINA, at, attachment, replay_meeting


def ready(ovik: Chat) -> None:
    replay_meeting(ovik, until="!protokoll")
    ovik.now = at(2022, 3, 28, 10, 0)
    ovik.text("!protokoll klart")


def test_justeringsplats_fills_the_header(ovik: Chat) -> None:
    replay_meeting(ovik, until="!protokoll")
    assert ovik.text("!justeringsplats Stadshuset Kronan") == (
        "Justeringens plats och tid för protokollet från fredag 25 mars 2022: Stadshuset "
        "Kronan.\nDet står i protokollets sidhuvud; när protokollet är justerat står dagen "
        "för justeringen där.")
    md = attachment(ovik.say("!protokoll 2022-03-25"), ".md").decode()
    assert "| Justeringens plats och tid | Stadshuset Kronan |" in md
    ovik.text("!justeringsplats för 2022-03-25 Stadshuset Kronan 2022-04-06")
    md = attachment(ovik.say("!protokoll 2022-03-25"), ".md").decode()
    assert "| Justeringens plats och tid | Stadshuset Kronan, onsdag 6 april 2022 |" in md


def test_justera_den_records_the_day_of_the_justering(ovik: Chat) -> None:
    ready(ovik)
    ovik.text("!justeringsplats Stadshuset Kronan")
    ovik.now = at(2022, 4, 8, 9, 0)  # typed two days after they justerade
    assert ovik.text("!justera den 2022-04-06", sender="Cecilia Sparf").startswith(
        "Cecilia Sparf har justerat protokollet från fredag 25 mars 2022 (justerat onsdag "
        "6 april 2022).")
    done = ovik.say("!justera den 2022-04-06", sender=CAROLINA)
    assert done is not None
    md = attachment(done, ".md").decode()
    assert "| Justeringens plats och tid | Stadshuset Kronan, onsdag 6 april 2022 |" in md
    assert "Carolina Sondell\n*Justerade onsdag 6 april 2022 från kontot" in md
    assert "Cecilia Sparf\n*Justerade onsdag 6 april 2022*" in md
    # The anslag may now be dated the day of the justering, not only the day it was typed.
    ovik.text("!anslagstavla uppsatt 2022-04-06")
    md = attachment(ovik.say("!protokoll 2022-03-25"), ".md").decode()
    assert "| Datum då anslaget sätts upp | 2022-04-06 (onsdag 6 april 2022) |" in md
    assert "| Datum då anslaget tas ned | tidigast 2022-04-27 (onsdag 27 april 2022) |" in md


def test_justera_den_refuses_impossible_days(ovik: Chat) -> None:
    ready(ovik)
    ovik.now = at(2022, 4, 8, 9, 0)
    assert ovik.text("!justera den 2022-03-24", sender="Cecilia Sparf") == (
        "Protokollet kan inte ha justerats torsdag 24 mars 2022, före sammanträdet fredag "
        "25 mars 2022. Skriv dagen du justerade, till exempel !justera den 2022-03-25.")
    assert ovik.text("!justera den 2022-04-09", sender="Cecilia Sparf") == (
        "Lördag 9 april 2022 har inte kommit än. Justera den dag du justerar, eller skriv "
        "bara !justera i dag (fredag 8 april 2022).")
    assert ovik.text("!justera den", sender="Cecilia Sparf") == (
        "Datumet saknas. Skriv till exempel !justera den 2022-04-08.")
    ovik.now = at(2023, 4, 8, 9, 0)
    assert ovik.text("!justera den 2023-03-27", sender="Cecilia Sparf") == (
        "Måndag 27 mars 2023 är mer än ett år efter sammanträdet fredag 25 mars 2022. "
        "Kontrollera årtalet.")
    # Nothing was signed by the refused commands.
    assert ovik.text("!anslagstavla") == ("Protokollet från fredag 25 mars 2022 väntar på "
                                          "justering av Carolina Sondell och Cecilia Sparf.")


def test_justera_for_names_the_meeting(ovik: Chat) -> None:
    ready(ovik)
    ovik.now = at(2022, 4, 6, 9, 0)
    assert ovik.text("!justera 2022-04-06", sender="Cecilia Sparf") == (
        "Det finns inget sammanträde onsdagen den 6 april 2022. Justerade du den dagen? Skriv "
        "!justera den 2022-04-06. Ett sammanträde anges med !justera för "
        "<sammanträdesdatum>.")
    assert ovik.text("!justera för 2022-03-25 den 2022-04-05",
                     sender="Cecilia Sparf").startswith(
        "Cecilia Sparf har justerat protokollet från fredag 25 mars 2022 (justerat tisdag "
        "5 april 2022).")
    assert ovik.text("!justera för 2022-03-25", sender=CAROLINA).startswith(
        "Protokollet från Styrelsens sammanträde fredag 25 mars 2022 är justerat av")


OMEDELBAR_LINE = "!beslut Styrelsen beslutar om omedelbar justering av beslutsparagraf 26."


def test_omedelbar_justering_adds_its_decision_once(ovik: Chat) -> None:
    # Without the secretary's own line, !omedelbar justering writes it.
    script_without = [OMEDELBAR_LINE]
    replay_meeting(ovik, until="!paragraf Redovisning av indikatorenkäterna",
                   skip=script_without)
    reply = ovik.text("!omedelbar justering §26")
    assert reply == (
        "§ 26 Beslut om fastställande av årsredovisning för verksamhetsåret 2021 är "
        "omedelbart justerad fredag 25 mars 2022 kl. 08:30 och kan inte längre ändras. "
        "Beslutet gäller direkt:\n"
        "- Styrelsen fastställer årsredovisning enligt bilaga. (Bilaga)\n"
        "- Styrelsen beslutar om omedelbar justering av beslutsparagraf 26.")


def test_omedelbar_justering_typed_after_the_meeting_is_dated_the_meeting_day(
        ovik: Chat) -> None:
    replay_meeting(ovik, until="!protokoll")
    ovik.now = at(2022, 3, 28, 9, 0)
    reply = ovik.text("!omedelbar justering §26")
    assert reply.startswith("§ 26 Beslut om fastställande av årsredovisning för "
                            "verksamhetsåret 2021 är omedelbart justerad fredag 25 mars 2022 "
                            "kl. 11:30")
    assert reply.count("omedelbar justering av beslutsparagraf 26") == 1  # typed already
    md = attachment(ovik.say("!protokoll 2022-03-25"), ".md").decode()
    s26 = md.split("## § 26 ")[1].split("## § 27")[0]
    assert s26.count("- Styrelsen beslutar om omedelbar justering av beslutsparagraf 26.") == 1
    assert "*Paragrafen justerades omedelbart (fredag 25 mars 2022).*" in s26


def test_narvaro_without_config_makes_people_beslutande(chat: Chat) -> None:
    chat.text("!möte öppna 2022-03-25")
    assert chat.text("!närvaro Anna Andersson, Bo Berg") == (
        "Närvaro antecknad.\nBeslutande: Anna Andersson, Bo Berg\nÖvriga deltagare: inga\n"
        "Konfigurationen anger inga ledamöter eller ersättare för Styrelsen, så alla du "
        "nämner räknas som beslutande. Skriv !närvaro övriga: <namn> för den som inte "
        "beslutar och !närvaro ersättare: <namn> för ersättare, eller lägg in ledamöterna "
        "med roll i konfigurationen ([[forbund.organ.member]], role = \"ledamot\", "
        "\"ersättare\" …).")
    # Said outright, the function holds, and the hint is not repeated.
    assert chat.text("!närvaro övriga: Cilla Cederberg") == (
        "Närvaro antecknad.\nBeslutande: Anna Andersson, Bo Berg\n"
        "Övriga deltagare: Cilla Cederberg")


def test_narvaro_with_config_keeps_unknown_names_as_ovriga(ovik: Chat) -> None:
    ovik.text("!möte öppna 2022-03-25")
    assert ovik.text("!närvaro Carolina Sondell, Lena Finne Jansson") == (
        "Närvaro antecknad.\nBeslutande: Carolina Sondell ÖK ordförande\n"
        "Övriga deltagare: Lena Finne Jansson")
