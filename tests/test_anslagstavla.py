"""Done-when of issue 16: the public anslagstavla served by the bot on 127.0.0.1. A protokoll
justerat through the dispatcher appears on the page with its PDF, HTML, Atom entry and
calendar event; it leaves the page by itself after its date (injected clock) or with
`!anslagstavla nedtagen` and stays in the archive; nothing else of the store is public."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from icalendar import Calendar
from pypdf import PdfReader

from tests.justering_support import CAROLINA, at, flat
from tests.web_support import (
    BOARD,
    PUBLIC_URL,
    UMEA_ROOM,
    Site,
    justera_seed,
    open_site,
    raw_get,
    ready_seed,
)

ATOM = "{http://www.w3.org/2005/Atom}"
PDF = "/ornskoldsvik/protokoll/styrelsen/2022-03-25.pdf"
HTML = "/ornskoldsvik/protokoll/styrelsen/2022-03-25.html"
APPEAL = ("Laglighetsprövning enligt 13 kap. kommunallagen:</strong> skriftligt överklagande "
          "ska ha kommit in till förvaltningsrätten inom tre veckor från den dag då "
          "justeringen tillkännagavs på anslagstavlan (onsdag 6 april 2022).")
EMPTY = "Inga protokoll är anslagna just nu."


@pytest.fixture
async def site(db_url: str, tmp_path: Path) -> AsyncIterator[Site]:
    async with open_site(db_url, tmp_path) as running:
        yield running


def row(label: str, day: str) -> str:
    return f'<tr><th scope="row">{label}</th><td><time datetime="{day}">{day}</time></td></tr>'


def text_of(html: str) -> str:
    return flat(re.sub(r"<[^>]+>", " ", html))


async def test_a_justerat_protokoll_is_posted_with_pdf_html_feed_and_calendar(
        site: Site) -> None:
    chat = site.ovik
    site.clock.now = at(2022, 3, 28, 12, 0)
    ready_seed(chat)
    # Ready for justering but not justerat: nothing public yet.
    assert EMPTY in await site.page("/ornskoldsvik/anslagstavla")
    assert (await site.get(PDF))[0] == 404

    chat.now = at(2022, 4, 5, 16, 0)
    chat.text("!justera", sender="Cecilia Sparf")
    chat.now = at(2022, 4, 6, 10, 12)
    done = chat.say("!justera", sender=CAROLINA)
    assert done is not None
    assert ("Protokollet är anslaget på anslagstavlan till och med onsdag 27 april 2022: "
            f"{BOARD}\n") in done.text
    assert "Anslaget sätts upp" not in done.text  # the bot itself posts it now
    summary = done.text.split("Beslut vid sammanträdet:\n")[1].splitlines()
    assert summary[0] == ("- § 23 Val av justerare: Cecilia Sparf valdes att jämte "
                          "ordförande justera dagens protokoll.")
    assert ("- § 26 Beslut om fastställande av årsredovisning för verksamhetsåret 2021: "
            "Styrelsen fastställer årsredovisning enligt bilaga. (Bilaga) Styrelsen beslutar "
            "om omedelbar justering av beslutsparagraf 26.") in summary
    assert "- § 28 ESF+ - Något för vårt samordningsförbund? Styrelsen uppdrog till " \
        "förbundschefen att närmare undersöka" in done.text
    assert not any(line.startswith("- § 22 ") or line.startswith("- § 30 ")
                   for line in summary)  # no beslut, no line

    site.clock.now = at(2022, 4, 6, 10, 30)
    page = await site.page("/ornskoldsvik/anslagstavla")
    assert '<html lang="sv">' in page
    assert "<title>Anslagstavla – Samordningsförbundet i Örnsköldsvik</title>" in page
    assert EMPTY not in page
    assert ('<h3 id="protokoll-styrelsen-2022-03-25-rubrik">Styrelsen, sammanträde fredag '
            '25 mars 2022</h3>') in page
    assert ("<tr><th scope=\"row\">Instans</th><td>Samordningsförbundet i Örnsköldsvik, "
            "Styrelsen</td></tr>") in page
    assert row("Sammanträdesdatum", "2022-03-25") in page
    assert '<tr><th scope="row">Paragrafer</th><td>§ 22–30</td></tr>' in page
    assert row("Datum för justering", "2022-04-06") in page
    assert row("Anslaget sätts upp", "2022-04-06") in page
    assert row("Anslaget tas ned tidigast", "2022-04-27") in page
    assert ('<tr><th scope="row">Förvaringsplats för protokollet</th>'
            '<td>Samordningsförbundets kansli</td></tr>') in page
    assert APPEAL in page
    assert f'<a href="{PUBLIC_URL}{PDF}" type="application/pdf">Protokollet 2022-03-25 som ' \
        'PDF</a>' in page
    assert f'<a href="{PUBLIC_URL}{HTML}">Protokollet 2022-03-25 som webbsida</a>' in page
    assert f'href="{PUBLIC_URL}/ornskoldsvik/anslagstavla/tillganglighet"' in page
    assert "<script" not in page

    # The PDF at its stable address: the chat's justerat protokoll, read back.
    status, kind, pdf = await site.get(PDF)
    assert (status, kind) == (200, "application/pdf")
    served = flat("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    attached = next(a.data for a in done.attachments if a.filename.endswith(".pdf"))
    chat_pdf = flat("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(attached)).pages))
    # The same protokoll, but the public version names no chat account (personal data).
    assert "från kontot @carolina:ovik.test" in chat_pdf
    assert served == re.sub(r" från kontot @\S+", "", chat_pdf)
    from bot.commands.protokoll.seal import verify

    sealed = verify(pdf)  # the public file is sealed on its own, unchanged since
    assert sealed.unchanged and "Samordningsförbundet i Örnsköldsvik" in sealed.sealer
    assert "@" not in json.dumps(sealed.records, ensure_ascii=False)
    assert "Justeringen har tillkännagivits genom anslag." in served
    assert "tidigast 2022-04-27 (onsdag 27 april 2022)" in served
    assert "Styrelsen uppdrog till förbundschefen att närmare undersöka" in served

    html = await site.page(HTML)
    assert '<html lang="sv">' in html
    assert ("<title>Protokoll Samordningsförbundet i Örnsköldsvik, Styrelsen 2022-03-25 – "
            "Samordningsförbundet i Örnsköldsvik</title>") in html
    assert "<h2>§ 26 Beslut om fastställande av årsredovisning för verksamhetsåret 2021</h2>" \
        in html
    assert "<li>Styrelsen fastställer årsredovisning enligt bilaga. (Bilaga)</li>" in html
    assert f'<a href="{PUBLIC_URL}{PDF}" type="application/pdf">Samma protokoll som PDF</a>' \
        in html

    status, kind, body = await site.get("/ornskoldsvik/anslagstavla.atom")
    assert (status, kind) == (200, "application/atom+xml")
    feed = ET.fromstring(body)
    assert feed.find(f"{ATOM}title").text == \
        "Anslagstavla – Samordningsförbundet i Örnsköldsvik"
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == \
        "Justerat protokoll: Styrelsen, sammanträde 2022-03-25"
    assert entry.find(f"{ATOM}updated").text == "2022-04-06T08:12:00+00:00"
    assert entry.find(f"{ATOM}summary").text.startswith(
        "Protokollet från Styrelsens sammanträde 2022-03-25 (§ 22–30) är justerat 2022-04-06. "
        "Anslaget sätts upp 2022-04-06 och tas ned tidigast 2022-04-27. Förvaringsplats för "
        "protokollet: Samordningsförbundets kansli.")
    links = {link.get("rel"): link.get("href") for link in entry.findall(f"{ATOM}link")}
    assert links == {"alternate": PUBLIC_URL + HTML, "enclosure": PUBLIC_URL + PDF}
    assert entry.find(f"{ATOM}id").text.startswith("urn:uuid:")

    status, kind, ics = await site.get("/ornskoldsvik/anslagstavla.ics")
    assert (status, kind) == (200, "text/calendar")
    (event,) = Calendar.from_ical(ics).walk("VEVENT")
    assert str(event["summary"]) == "Anslag: protokoll från Styrelsens sammanträde 2022-03-25"
    assert event.decoded("dtstart") == date(2022, 4, 6)
    assert event.decoded("dtend") == date(2022, 4, 28)  # up through the 27th


async def test_the_notice_leaves_the_board_after_its_date_and_stays_in_the_archive(
        site: Site) -> None:
    justera_seed(site.ovik)
    site.clock.now = at(2022, 4, 27, 23, 59)
    assert "Styrelsen, sammanträde fredag 25 mars 2022" in \
        await site.page("/ornskoldsvik/anslagstavla")
    assert "Inga anslag har tagits ned ännu." in \
        await site.page("/ornskoldsvik/anslagstavla/arkiv")

    site.clock.now = at(2022, 4, 28, 0, 1)  # the day after the take-down date
    page = await site.page("/ornskoldsvik/anslagstavla")
    assert EMPTY in page and "Styrelsen, sammanträde" not in page
    archive = await site.page("/ornskoldsvik/anslagstavla/arkiv")
    archived = archive.split('<tr id="protokoll-styrelsen-2022-03-25">')[1].split("</tr>")[0]
    assert text_of(archived) == ("Styrelsen 2022-03-25 § 22–30 2022-04-06 2022-04-06 – "
                                 "2022-04-27 PDF Styrelsen 2022-03-25 , webbsida Styrelsen "
                                 "2022-03-25")
    assert f'<a href="{PUBLIC_URL}{PDF}"' in archived
    status, kind, _ = await site.get(PDF)
    assert (status, kind) == (200, "application/pdf")  # the archive keeps it public
    feed = ET.fromstring((await site.get("/ornskoldsvik/anslagstavla.atom"))[2])
    assert feed.findall(f"{ATOM}entry") == []


async def test_anslagstavla_nedtagen_takes_it_down(site: Site) -> None:
    chat = site.ovik
    justera_seed(chat)
    chat.now = at(2022, 4, 27, 9, 0)
    assert chat.text("!anslagstavla nedtagen") == (
        "Anslaget för protokollet från fredag 25 mars 2022 är antecknat som nedtaget onsdag "
        "27 april 2022.\nDet är borttaget från anslagstavlan på webben och finns kvar i "
        f"arkivet: {BOARD}/arkiv")
    site.clock.now = at(2022, 4, 27, 9, 1)
    assert EMPTY in await site.page("/ornskoldsvik/anslagstavla")
    archive = await site.page("/ornskoldsvik/anslagstavla/arkiv")
    assert "2022-04-06</time> – <time datetime=\"2022-04-26\">2022-04-26</time>" in archive


async def test_a_later_anslag_date_puts_the_notice_up_that_day(site: Site) -> None:
    chat = site.ovik
    justera_seed(chat)
    reply = chat.text("!anslagstavla uppsatt 2022-04-08")
    assert ("Anslagstavlan på webben visar det från fredag 8 april 2022 till och med fredag "
            f"29 april 2022: {BOARD}") in reply
    site.clock.now = at(2022, 4, 7, 23, 0)
    assert EMPTY in await site.page("/ornskoldsvik/anslagstavla")
    assert (await site.get(PDF))[0] == 404  # not public before its anslag
    site.clock.now = at(2022, 4, 8, 0, 5)
    page = await site.page("/ornskoldsvik/anslagstavla")
    assert row("Anslaget sätts upp", "2022-04-08") in page
    assert row("Anslaget tas ned tidigast", "2022-04-29") in page
    assert "Anslagstavlan på webben: " + BOARD in chat.text("!anslagstavla")


async def test_only_justerade_protokoll_and_only_the_forbunds_own(site: Site) -> None:
    justera_seed(site.ovik)
    # Another förbund in the same bot justerar its own protokoll.
    umea = site.umea
    umea.now = at(2022, 4, 8, 9, 0)
    for line in ("!möte öppna 2022-04-08 09:00 Umeå", "!närvaro Anna Ordförande",
                 "!paragraf Budget 2022", "!beslut Styrelsen fastställer budgeten för Umeå.",
                 "!möte avsluta 10:00", "!protokoll klart"):
        umea.text(line)
    umea.now = at(2022, 4, 11, 9, 0)
    assert "är justerat av Anna Ordförande" in umea.text("!justera", sender="@anna:umea.test")
    # A later Styrelsen meeting in Örnsköldsvik: one § justerad at once, the protokoll
    # ready but not justerat.
    ovik = site.ovik
    ovik.now = at(2022, 4, 22, 9, 0)
    for line in ("!möte öppna 2022-04-22 09:00 Stadshuset Kronan",
                 "!närvaro Carolina Sondell, Cecilia Sparf", "!justerare Cecilia Sparf",
                 "!paragraf Hemlig punkt", "!beslut Styrelsen beslutar något ojusterat.",
                 "!omedelbar justering §31", "!möte avsluta 10:00", "!protokoll klart"):
        ovik.text(line)

    site.clock.now = at(2022, 4, 23, 12, 0)
    page = await site.page("/ornskoldsvik/anslagstavla")
    assert page.count('<article class="anslag"') == 1
    assert "Styrelsen, sammanträde fredag 25 mars 2022" in page
    for other in ("Umeå", "2022-04-08", "2022-04-22", "Hemlig punkt", "ojusterat"):
        assert other not in page, other
    other = await site.page("/umea/anslagstavla")
    assert "Styrelsen, sammanträde fredag 8 april 2022" in other
    assert "Örnsköldsvik" not in other and "2022-03-25" not in other
    for path in ("/ornskoldsvik/protokoll/styrelsen/2022-04-22.pdf",  # not justerat
                 "/ornskoldsvik/protokoll/styrelsen/2022-04-22.html",
                 "/ornskoldsvik/protokoll/styrelsen/2022-04-08.pdf",  # Umeå's date
                 "/umea/protokoll/styrelsen/2022-03-25.pdf",  # Örnsköldsvik's protokoll
                 "/ornskoldsvik/protokoll/styrelsen/2022-03-25-2.pdf",
                 "/ornskoldsvik/protokoll/lsg/2022-03-25.pdf"):
        status, kind, body = await site.get(path)
        assert (status, kind) == (404, "text/html"), path
        assert "<h1>Sidan finns inte</h1>" in body.decode()
    status, _, pdf = await site.get("/umea/protokoll/styrelsen/2022-04-08.pdf")
    assert status == 200
    text = flat(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    assert "Samordningsförbundet Umeåregionen" in text and "Örnsköldsvik" not in text
    feed = ET.fromstring((await site.get("/ornskoldsvik/anslagstavla.atom"))[2])
    assert [e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry")] == [
        "Justerat protokoll: Styrelsen, sammanträde 2022-03-25"]


async def test_nothing_private_reaches_the_web(site: Site) -> None:
    chat = site.ovik
    chat.text("!insats ny Vidare Vy")
    chat.text("!utfall Vidare Vy 227 223 2022-03-25 Delårsbokslut")
    justera_seed(chat)
    site.clock.now = at(2022, 4, 6, 12, 0)
    bodies = []
    for path in ("/ornskoldsvik/anslagstavla", "/ornskoldsvik/anslagstavla/arkiv",
                 "/ornskoldsvik/anslagstavla/tillganglighet", "/ornskoldsvik/anslagstavla.atom",
                 "/ornskoldsvik/anslagstavla.ics", HTML):
        status, _, body = await site.get(path)
        assert status == 200, path
        bodies.append(body.decode("utf-8").replace("\r\n ", ""))
    everything = "\n".join(bodies).replace("\xa0", " ")
    private = ["@carolina:ovik.test", "@par:ovik.test", UMEA_ROOM, "@anna:umea.test",
               "console", "227 223", "227223", "Vidare Vy", "Delårsbokslut", "utfall"]
    for word in private:
        assert word not in everything, word


async def test_unknown_addresses_and_traversal_get_404_in_swedish(site: Site) -> None:
    justera_seed(site.ovik)
    site.clock.now = at(2022, 4, 6, 12, 0)
    for target in ("/", "/okand/anslagstavla", "/ornskoldsvik", "/ornskoldsvik/anslagstavlan",
                   "/../../etc/passwd", "/ornskoldsvik/../../etc/passwd",
                   "/ornskoldsvik/protokoll/styrelsen/..%2F..%2F..%2Fetc%2Fpasswd",
                   "/ornskoldsvik/protokoll/..%2f..%2fconfig.toml/2022-03-25.pdf",
                   "/ornskoldsvik/protokoll/styrelsen/%2e%2e%2f2022-03-25.pdf",
                   "/ornskoldsvik/protokoll/styrelsen/2022-03-25.docx",
                   "/ornskoldsvik/protokoll/styrelsen/2022-02-30.pdf",
                   "/umea/anslagstavla/logga",  # Umeå has no logo
                   "/ornskoldsvik/anslagstavla/%2e%2e/%2e%2e/bot.db"):
        status, body = await raw_get(site.server.port, target)
        assert status == 404, target
        assert '<html lang="sv">' in body and "<h1>Sidan finns inte</h1>" in body, target
    status, body = await raw_get(site.server.port, "/ornskoldsvik/anslagstavla", "POST")
    assert status == 405 and "<h1>Sidan kan bara läsas</h1>" in body


async def test_logo_website_and_accessibility_statement(site: Site) -> None:
    page = await site.page("/ornskoldsvik/anslagstavla")
    assert ('<a href="https://www.finsamovik.se"><img class="logga" '
            f'src="{PUBLIC_URL}/ornskoldsvik/anslagstavla/logga" alt="Samordningsförbundet i '
            'Örnsköldsvik, till förbundets webbplats"></a>') in page
    status, kind, logo = await site.get("/ornskoldsvik/anslagstavla/logga")
    assert (status, kind) == (200, "image/svg+xml") and logo.startswith(b"<svg")
    statement = await site.page("/ornskoldsvik/anslagstavla/tillganglighet")
    assert "<h1>Tillgänglighetsredogörelse</h1>" in statement
    assert ("lagen (2018:1937) om tillgänglighet till digital offentlig service"
            in statement)
    assert '<a href="mailto:kansli@finsamovik.se">kansli@finsamovik.se</a>' in statement
    assert "Protokollen i PDF-format saknar taggar för skärmläsare" in statement
    umea = await site.page("/umea/anslagstavla")
    assert "<img" not in umea and "www.finsamovik.se" not in umea


async def test_kallelser_to_coming_sammantraden_are_on_the_board(site: Site) -> None:
    chat = site.ovik
    chat.now = at(2022, 5, 2, 10, 0)
    chat.text("!kallelse 2022-05-20 09:00 Stadshuset Kronan")
    chat.text("!dagordning Rapport från I-Kraft förslag: Styrelsen tackar för rapporten.")
    site.clock.now = at(2022, 5, 2, 10, 5)
    page = await site.page("/ornskoldsvik/anslagstavla")
    notice = page.split('<article class="anslag" id="kallelse-styrelsen-2022-05-20"')[1] \
        .split("</article>")[0]
    assert "Styrelsen sammanträder fredag 20 maj 2022 kl. 09:00</h3>" in notice
    assert '<tr><th scope="row">Plats</th><td>Stadshuset Kronan</td></tr>' in notice
    assert re.findall(r"<li>(.*?)</li>", notice) == [
        "Mötets öppnande", "Val av justerare", "Godkännande av dagordning",
        "Föregående protokoll", "Rapport från I-Kraft", "Övriga frågor", "Mötets avslutande"]
    assert "tackar för rapporten" not in page  # the förslag stays with the members
    feed = ET.fromstring((await site.get("/ornskoldsvik/anslagstavla.atom"))[2])
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == \
        "Kallelse: Styrelsen sammanträder fredag 20 maj 2022 kl. 09:00"
    (event,) = Calendar.from_ical((await site.get("/ornskoldsvik/anslagstavla.ics"))[2]) \
        .walk("VEVENT")
    assert str(event["summary"]) == "Styrelsens sammanträde"
    assert str(event["location"]) == "Stadshuset Kronan"
    site.clock.now = at(2022, 5, 20, 9, 0)  # it has begun
    assert "Inga kommande sammanträden är utlysta just nu." in \
        await site.page("/ornskoldsvik/anslagstavla")


async def test_a_failing_store_gives_a_swedish_error_page(site: Site,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    from storage import anslagstavla

    def broken(*_: object) -> None:
        raise RuntimeError("databasen svarar inte")

    monkeypatch.setattr(anslagstavla, "board", broken)
    status, kind, body = await site.get("/ornskoldsvik/anslagstavla")
    assert (status, kind) == (500, "text/html")
    page = body.decode()
    assert "<h1>Något gick fel</h1>" in page and "databasen svarar inte" not in page
    monkeypatch.undo()
    assert (await site.get("/ornskoldsvik/anslagstavla"))[0] == 200  # and it recovers
