"""Issue 15, done-when: seed 003's meeting replayed with the commands of a real justering
(`!justeringsplats`, `!justera den`, `!anslagstavla uppsatt`) and the sub-ärenden of § 25
and § 29 (`!punkt`); page 1 of the PDF as in the seed, and § 29's two ärenden in the order
they were taken, in Markdown, PDF and DOCX."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.conftest import Chat
from tests.justering_support import (
    CAROLINA,
    SCRIPT,
    at,
    attachment,
    docx_text,
    flat,
    pdf_text,
    say_line,
)

S25 = [
    "!paragraf Informationsärenden",
    "!punkt Ekonomisk rapport",
    "!info Förbundschef Pär Eriksson gav en ekonomisk nulägesrapport.",
    "!punkt Rapport NNS",
    "!info Ordförande Carolina Sondell informerade om det senaste från NNS (Nationella "
    "nätverket för samordningsförbund).",
    "!punkt Vikariatet för utvecklingsstrategtjänsten",
    "!info Det var 18 väldigt kompetenta sökande. Det har varit en utmaning att välja.",
    "!punkt Flyktingsituationen",
    "!info Det har hittills kommit mellan 100 och 200 Ukrainaflyktingar.",
    "!punkt Jobbtorget Örnsköldsvik byter namn",
    "!info Arbetsgruppen för skapandet av Jobbtorg Örnsköldsvik har beslutat att byta namn "
    "till Resurslotsen Örnsköldsvik.",
    "!beslut Styrelsen anser sig tagit del av dagens informationsärenden.",
]
S29 = [
    "!paragraf Övriga frågor",
    "!punkt Studiebesök i Sundsvall 28 april",
    "!info På eftermiddagen den 28 april är det bestämt sedan förut att några ur styrelsen "
    "besöker Sundsvalls arbetsmarknadstorg.",
    "@Carolina Sondell: !yrkande Jan-Olov Häggström och Johnny Eriksson besöker I-Kraft den "
    "28 april.",
    "!beslut Styrelsen uppdrar till Jan-Olov Häggström och Johnny Eriksson att på "
    "förmiddagen den 28 besöka I-Kraft samt få information om Sundsvalls BIP-arbete.",
    "!beslut Jan-Olov och Johnny får i uppdrag att på styrelsesammanträdet i maj avge en "
    "rapport.",
    "!punkt Information från vårt samordningsförbund på NNS årsmöte",
    "!info Styrelsen diskuterade huruvida vårt förbund ska ta tillfället i akt och berätta "
    "något om vår verksamhet.",
    "!beslut Styrelsen beslutar att den delegation som ska delta på NNS årsmöte får i uppdrag "
    "att presentera vår samverkansstruktur, projekt Äpplet samt JÖFFV.",
    "!beslut Styrelsen uppdrog till förbundschefen att sammanställa informationsmaterial om "
    "ovanstående insatser och projekt för att presentera på NNS årsmöte.",
    "!beslut Styrelsen anslår en budget på max 10 000 kronor för detta.",
]
# § 29 as the seed has it: each ärende with its text, yrkande and beslut, in this order.
S29_ORDER = (
    "Studiebesök i Sundsvall 28 april", "På eftermiddagen den 28 april",
    "Yrkande 1 (Carolina Sondell): Jan-Olov Häggström och Johnny Eriksson besöker I-Kraft",
    "Styrelsen uppdrar till Jan-Olov Häggström", "Jan-Olov och Johnny får i uppdrag",
    "Information från vårt samordningsförbund på NNS årsmöte", "Styrelsen diskuterade",
    "Styrelsen beslutar att den delegation", "max 10 000 kronor för detta.")


def seed_script() -> list[str]:
    """The fixture's meeting with § 25 and § 29 taken as their sub-ärenden."""
    script: list[str] = []
    skipping = False
    for line in SCRIPT:
        if line == "!paragraf Informationsärenden":
            script += S25
            skipping = True
        elif line == "!paragraf Övriga frågor":
            script += S29
            skipping = True
        elif line.startswith("!paragraf "):
            skipping = False
        if line.startswith("!protokoll"):
            break
        if not skipping:
            script.append(line)
        if line.startswith("!beslut Styrelsen beslutar om omedelbar justering"):
            script.append("!omedelbar justering §26")
    return script


def in_order(text: str, *parts: str) -> bool:
    position = 0
    for part in parts:
        found = text.find(part, position)
        if found < 0:
            raise AssertionError(f"{part!r} not after position {position}: {text[position:]}")
        position = found + len(part)
    return True


def justerat_seed(ovik: Chat) -> None:
    for line in seed_script():
        say_line(ovik, line)
    assert ovik.text("!justeringsplats Stadshuset Kronan").startswith(
        "Justeringens plats och tid för protokollet från fredag 25 mars 2022: Stadshuset "
        "Kronan.")
    ovik.now = at(2022, 3, 28, 10, 0)
    ovik.text("!protokoll klart")
    ovik.now = at(2022, 4, 8, 9, 0)  # the secretary records the paper justering later
    ovik.text("!justera den 2022-04-06", sender="Cecilia Sparf")
    assert "är justerat av" in ovik.text("!justera den 2022-04-06", sender=CAROLINA)
    assert ovik.text("!anslagstavla uppsatt 2022-04-06").startswith(
        "Anslaget för protokollet från Styrelsens sammanträde fredag 25 mars 2022 sätts upp "
        "onsdag 6 april 2022.\nDet får tas ned tidigast onsdag 27 april 2022")


def test_seed_003_page_one_and_sub_arenden(ovik: Chat) -> None:
    justerat_seed(ovik)
    reply = ovik.say("!protokoll 2022-03-25")
    assert reply is not None
    pdf = attachment(reply, ".pdf")
    first = flat(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    assert in_order(
        first, "Sammanträdesdatum 2022-03-25 (fredag 25 mars 2022)",
        "Plats och tid Digitalt via Teams, kl. 08:30–11:30",
        "Beslutande Carolina Sondell ÖK ordförande, Jan-Olov Häggström RVN vice ordförande, "
        "Cecilia Sparf AF, Camilla Steen FK",
        "Övriga deltagare Johnny Eriksson RVN ersättare, Pär Eriksson förbundschef",
        "Justerare Cecilia Sparf",
        "Justeringens plats och tid Stadshuset Kronan, onsdag 6 april 2022",
        "Paragrafer 22–30", "Underskrifter", "Sekreterare: ______", "Pär Eriksson",
        "Ordförande: ______", "Carolina Sondell Justerade onsdag 6 april 2022",
        "Justerande: ______", "Cecilia Sparf Justerade onsdag 6 april 2022", "BEVIS",
        "Justeringen har tillkännagivits genom anslag.", "Sammanträdesdatum 2022-03-25",
        "Datum då anslaget sätts upp 2022-04-06 (onsdag 6 april 2022)",
        "Datum då anslaget tas ned tidigast 2022-04-27 (onsdag 27 april 2022)",
        "Förvaringsplats för protokollet Samordningsförbundets kansli")
    assert "kl. " not in first.split("Underskrifter")[1]  # the day is known, not the time

    md = attachment(reply, ".md").decode()
    s25 = md.split("## § 25 ")[1].split("## § 26")[0]
    assert in_order(s25, "### Ekonomisk rapport", "Förbundschef Pär Eriksson gav",
                    "### Rapport NNS", "### Vikariatet för utvecklingsstrategtjänsten",
                    "### Flyktingsituationen", "### Jobbtorget Örnsköldsvik byter namn",
                    "Resurslotsen", "**Beslut:**",
                    "- Styrelsen anser sig tagit del av dagens informationsärenden.")
    s29 = md.split("## § 29 ")[1].split("## § 30")[0]
    assert in_order(s29, *S29_ORDER)
    assert s29.count("**Beslut:**") == 2 and s29.count("### ") == 2
    s26 = md.split("## § 26 ")[1].split("## § 27")[0]
    assert s26.count("omedelbar justering av beslutsparagraf 26.") == 1
    assert "*Paragrafen justerades omedelbart (fredag 25 mars 2022).*" in s26

    pdf_29 = flat(pdf_text(pdf)).split("§ 29 Övriga frågor")[1].split("§ 30 Avslutning")[0]
    assert in_order(pdf_29, *S29_ORDER)
    docx = flat(docx_text(attachment(reply, ".docx")))
    assert in_order(docx.split("§ 29 Övriga frågor")[1], *S29_ORDER)


def test_andra_addresses_a_sub_arende(ovik: Chat) -> None:
    for line in seed_script():
        say_line(ovik, line)
    assert ovik.text("!ändra §29 punkt 2 rubrik NNS årsmöte 3 juni") == (
        "§ 29 punkt 2 heter nu ”NNS årsmöte 3 juni” (förut ”Information från vårt "
        "samordningsförbund på NNS årsmöte”).")
    assert ovik.text("!ändra §29 punkt 1 beslut 2 Jan-Olov och Johnny rapporterar i maj.") \
        .startswith("§ 29: beslutet är ändrat.\nNu: Jan-Olov och Johnny rapporterar i maj.\n"
                    "Förut: Jan-Olov och Johnny får i uppdrag att på styrelsesammanträdet i "
                    "maj avge en rapport.")
    assert ovik.text("!ändra §29 punkt 1 Ny text").startswith(
        "Punkt 1 i § 29 har 2 beslut. Ange vilket, till exempel !ändra §29 punkt 1 beslut 2 "
        "<ny text>:")
    assert ovik.text("!ändra §29 punkt 3 Ny text") == (
        "§ 29 har 2 punkter, så det finns ingen punkt 3. Skriv !protokoll för att se dem.")
    assert ovik.text("!ändra §25 punkt 5 Styrelsen har tagit del av informationen.") == (
        "§ 25: beslutet är ändrat.\nNu: Styrelsen har tagit del av informationen.\n"
        "Förut: Styrelsen anser sig tagit del av dagens informationsärenden.")
    md = attachment(ovik.say("!protokoll 2022-03-25"), ".md").decode()
    s29 = md.split("## § 29 ")[1].split("## § 30")[0]
    assert in_order(s29, "### Studiebesök i Sundsvall 28 april",
                    "- Jan-Olov och Johnny rapporterar i maj.", "### NNS årsmöte 3 juni",
                    "- Styrelsen anslår en budget på max 10 000 kronor för detta.")


def test_punkt_needs_a_paragraph_and_is_undone_with_angra(ovik: Chat) -> None:
    ovik.text("!möte öppna 2022-03-25 08:30 Digitalt via Teams")
    assert ovik.text("!punkt Ekonomisk rapport") == (
        "En punkt hör till en paragraf, och ingen är påbörjad. Skriv först !paragraf "
        "<rubrik>, till exempel !paragraf Övriga frågor, och sedan !punkt Ekonomisk rapport.")
    ovik.text("!paragraf Informationsärenden")
    assert ovik.text("!punkt Ekonomisk rapport") == (
        "§ 1 Informationsärenden, punkt 1: Ekonomisk rapport\nDet du antecknar med !info, "
        "!yrkande och !beslut hör nu till den här punkten.")
    assert ovik.text("!ångra") == (
        "Ångrat i § 1: punkten ”Ekonomisk rapport” är borttagen.")
