"""Done-when of issue 6: the 2022-03-25 meeting from `!möte öppna` to a justerat, anslaget
protokoll (PDF and DOCX with BEVIS), locked, with omedelbar justering of § 26."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from pypdf import PdfReader

from bot.messages import IncomingMessage
from tests.conftest import Chat
from tests.justering_support import (
    CAROLINA,
    at,
    attachment,
    docx_text,
    flat,
    pdf_text,
    replay_meeting,
)

OMEDELBAR = {"!beslut Styrelsen beslutar om omedelbar justering": ["!omedelbar justering §26"]}


def justerat_meeting(ovik: Chat) -> list[str]:
    """The seed meeting with § 26 justerad at once, closed, and justerat on 2022-04-06."""
    replies = replay_meeting(ovik, after=OMEDELBAR, until="!protokoll")
    ovik.now = at(2022, 3, 28, 10, 0)
    replies.append(ovik.text("!protokoll klart"))
    ovik.now = at(2022, 4, 5, 16, 0)
    replies.append(ovik.text("!justera", sender="Cecilia Sparf"))
    ovik.now = at(2022, 4, 6, 10, 12)
    replies.append(ovik.text("!justera", sender=CAROLINA))
    return replies


def test_from_open_meeting_to_justerat_and_anslaget_protokoll(ovik: Chat,
                                                                tmp_path: Path) -> None:
    replies = replay_meeting(ovik, after=OMEDELBAR, until="!möte avsluta")
    immediate = next(r for r in replies if "omedelbart justerad" in r)
    assert immediate.startswith("§ 26 Beslut om fastställande av årsredovisning för "
                                "verksamhetsåret 2021 är omedelbart justerad fredag 25 mars "
                                "2022 kl. 08:30")
    assert "- Styrelsen fastställer årsredovisning enligt bilaga. (Bilaga)" in immediate
    # § 26 is locked at once; the rest of the meeting is not.
    assert ovik.text("!ändra §26 Styrelsen fastställer inget.") == (
        "§ 26 är redan justerad och kan inte ändras. Rättelser görs som"
        " ett nytt beslut vid ett senare sammanträde.")
    assert ovik.text("!ändra §27 Styrelsen anser sig ha tagit del av redovisningen.") \
        .startswith("§ 27: beslutet är ändrat.")
    assert "pågår fortfarande" in ovik.text("!protokoll klart")
    ovik.text("!möte avsluta 11:30")
    assert "Inget protokoll väntar på justering" in ovik.text("!justera", sender="Cecilia Sparf")

    ovik.now = at(2022, 3, 28, 10, 0)
    ready = ovik.say("!protokoll klart")
    assert ready is not None
    assert ready.text.startswith("Protokollet från Styrelsens sammanträde fredag 25 mars 2022 "
                                 "(§ 22–30) är klart för justering.")
    assert "- Carolina Sondell (ordförande): läs protokollet och skriv !justera" in ready.text
    assert "- Cecilia Sparf (justerare): läs protokollet och skriv !justera" in ready.text
    assert sorted(a.filename for a in ready.attachments) == [
        "protokoll-styrelsen-2022-03-25.docx", "protokoll-styrelsen-2022-03-25.html",
        "protokoll-styrelsen-2022-03-25.md", "protokoll-styrelsen-2022-03-25.pdf"]
    draft = attachment(ready, ".md").decode()
    assert "Styrelsen (ej justerat)" in draft and "## BEVIS" not in draft

    # Only the meeting's ordförande and justerare may justera.
    refused = ovik.text("!justera", sender="Camilla Steen")
    assert refused.startswith("Bara sammanträdets ordförande och justerare får justera "
                              "protokollet från fredag 25 mars 2022 (Carolina Sondell och "
                              "Cecilia Sparf)")
    assert ovik.text("!ändra §28 rubrik ESF+").startswith("§ 28 heter nu")  # not locked yet
    ovik.now = at(2022, 4, 5, 16, 0)
    first = ovik.text("!justera", sender="Cecilia Sparf")
    assert first == ("Cecilia Sparf har justerat protokollet från fredag 25 mars 2022.\n"
                     "Väntar på: Carolina Sondell.")
    ovik.now = at(2022, 4, 6, 10, 12)
    done = ovik.say("!justera", sender=CAROLINA)  # her Matrix id names her
    assert done is not None
    assert done.text.startswith("Protokollet från Styrelsens sammanträde fredag 25 mars 2022 "
                                "är justerat av Cecilia Sparf och Carolina Sondell")
    assert "Anslaget sätts upp onsdag 6 april 2022 och tas ned tidigast onsdag 27 april " \
        "2022." in done.text

    # Locked: no change, no second justering.
    assert ovik.text("!ändra §29 punkt 5 Styrelsen anslår 20 000 kronor.").startswith(
        "§ 29 är redan justerad och kan inte ändras.")
    assert ovik.text("!ändra §22 rubrik Mötets öppnande").startswith(
        "§ 22 är redan justerad och kan inte ändras.")
    assert ovik.text("!justera", sender="Cecilia Sparf") == (
        "Protokollet från fredag 25 mars 2022 är redan justerat, och din justering är med. "
        "Du behöver inte göra något mer.")
    assert ovik.text("!justera", sender="Camilla Steen") == (
        "Protokollet från fredag 25 mars 2022 är redan justerat av Carolina Sondell och "
        "Cecilia Sparf. Du är inte ordförande eller justerare vid det sammanträdet, så du "
        "justerar inte det protokollet.")
    assert ovik.text("!justera för 2022-03-25", sender="Camilla Steen").startswith(
        "Protokollet från fredag 25 mars 2022 är redan justerat av Carolina Sondell")
    assert ovik.text("!protokoll klart") == (
        "Protokollet från fredag 25 mars 2022 är redan justerat och kan inte ändras. "
        "Rättelser görs som ett nytt beslut vid ett senare sammanträde.")

    md = attachment(done, ".md").decode()
    assert "Styrelsen (ej justerat)" not in md
    assert "| Justeringens plats och tid | Digitalt, onsdag 6 april 2022 |" in md
    bevis = md.split("## BEVIS")[1].split("## § 22")[0]
    assert "Justeringen har tillkännagivits genom anslag." in bevis
    assert "| Instans | Samordningsförbundet i Örnsköldsvik, Styrelsen |" in bevis
    assert "| Sammanträdesdatum | 2022-03-25 |" in bevis
    assert "| Datum då anslaget sätts upp | 2022-04-06 (onsdag 6 april 2022) |" in bevis
    assert "| Datum då anslaget tas ned | tidigast 2022-04-27 (onsdag 27 april 2022) |" in bevis
    assert "| Förvaringsplats för protokollet | Samordningsförbundets kansli |" in bevis
    # As in the real protokoll: the one who put up the anslag signs the BEVIS.
    assert "| Underskrift | ______________________________ (Pär Eriksson) |" in bevis
    s26 = md.split("## § 26 ")[1].split("## § 27")[0]
    assert "*Paragrafen justerades omedelbart (fredag 25 mars 2022).*" in s26
    assert "## § 28 ESF+" in md  # the rubrik change before justering is kept
    signatures = md.split("## Underskrifter")[1].split("## BEVIS")[0]
    # When and from which chat account each justerade: her Matrix id; the console has no
    # account beyond the typed name, so none is named.
    assert ("Carolina Sondell\n*Justerade onsdag 6 april 2022 kl. 10:12 från kontot "
            "@carolina:ovik.test*") in signatures
    assert "Cecilia Sparf\n*Justerade tisdag 5 april 2022 kl. 16:00*" in signatures
    assert "Justerande: ______________________________\nCecilia Sparf" in signatures
    assert "Justerare:" not in signatures

    # The same protokoll read back from the PDF and the DOCX.
    pdf = flat(pdf_text(attachment(done, ".pdf")))
    docx = flat(docx_text(attachment(done, ".docx")))
    for text in (pdf, docx):
        assert "Samordningsförbundet i Örnsköldsvik" in text
        assert "BEVIS" in text
        assert "Justeringen har tillkännagivits genom anslag." in text
        assert "2022-04-06 (onsdag 6 april 2022)" in text
        assert "tidigast 2022-04-27 (onsdag 27 april 2022)" in text
        assert "Förvaringsplats för protokollet" in text
        assert "Samordningsförbundets kansli" in text
        assert "§ 26 Beslut om fastställande av årsredovisning för verksamhetsåret 2021" in text
        assert "Styrelsen uppdrog till förbundschefen att närmare undersöka" in text
        assert "Paragrafen justerades omedelbart (fredag 25 mars 2022)." in text
        assert "Justerade onsdag 6 april 2022 kl. 10:12 från kontot @carolina:ovik.test" in text
        assert "Underskrift" in text and "______ (Pär Eriksson)" in text
        assert "Justerande: ______________________________ Cecilia Sparf" in text
        assert "Camilla Steen FK" in text and "22–30" in text
    assert pdf.index("Underskrifter") < pdf.index("BEVIS") < \
        pdf.index("§ 22 Sammanträdet öppnas") < pdf.index("§ 30 Avslutning")

    # A picture of the first page, for a person to look at: A4 portrait, with ink on it
    # but mostly paper (a page of raw markup or a font without å, ä, ö looks different).
    import pypdfium2

    page = pypdfium2.PdfDocument(attachment(done, ".pdf"))[0]
    width, height = page.get_size()
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    picture = page.render(scale=100 / 72).to_pil().convert("L")
    picture.save(tmp_path / "sida-1.png")
    ink = sum(picture.histogram()[:128]) / (picture.width * picture.height)
    assert 0.01 < ink < 0.2, ink


def test_protokoll_pages_keep_headings_with_their_text_and_docx_is_swedish(ovik: Chat) -> None:
    replay_meeting(ovik, until="!protokoll")
    ovik.now = at(2022, 3, 28, 10, 0)
    draft = ovik.say("!protokoll klart")
    ovik.now = at(2022, 4, 6, 10, 12)
    ovik.text("!justera", sender="Cecilia Sparf")
    done = ovik.say("!justera", sender=CAROLINA)
    assert draft is not None and done is not None
    for reply in (draft, done):
        md = attachment(reply, ".md").decode()
        headings = [x.lstrip("#").strip() for x in md.splitlines() if x.startswith("#")]
        assert "§ 29 Övriga frågor" in headings
        pages = PdfReader(io.BytesIO(attachment(reply, ".pdf"))).pages
        assert len(pages) >= 3
        footer = "Samordningsförbundet i Örnsköldsvik, Styrelsen"
        for number, page in enumerate(pages, start=1):
            body = [x for x in page.extract_text().splitlines()
                    if x.strip() not in ("", footer, str(number))]
            end = flat("\n".join(body[-3:]))
            assert not end.endswith(("Beslut:", "Yrkanden:")), (number, end)
            assert not any(end.endswith(h) for h in headings), (number, end)
        # Word's proofing language: Swedish in the document defaults, not en-US.
        styles = zipfile.ZipFile(io.BytesIO(attachment(reply, ".docx"))).read(
            "word/styles.xml").decode()
        assert '<w:lang w:val="sv-SE"' in styles and "en-US" not in styles


def test_anslag_on_a_date_the_secretary_gives(ovik: Chat) -> None:
    replay_meeting(ovik, until="!protokoll")
    assert "Inget protokoll är justerat" in ovik.text("!anslagstavla uppsatt 2022-04-06")
    ovik.now = at(2022, 3, 28, 10, 0)
    ovik.text("!protokoll klart")
    ovik.now = at(2022, 4, 1, 9, 0)
    ovik.text("!justera", sender="Cecilia Sparf")
    ovik.text("!justera", sender="Carolina Sondell")
    assert "sattes upp fredag 1 april 2022" in ovik.text("!anslagstavla")
    # Only those who keep the minutes record the anslag; never before the justering.
    assert ovik.text("!anslagstavla uppsatt 2022-04-06", sender="Cecilia Sparf").startswith(
        "Du får inte använda !anslagstavla uppsatt")
    assert "före justeringen fredag 1 april 2022" in ovik.text("!anslagstavla uppsatt 2022-03-31")
    assert ovik.text("!anslagstavla uppsatt") == \
        "Datumet saknas. Skriv till exempel !anslagstavla uppsatt 2022-04-01."
    assert ovik.text("!anslagstavla uppsatt 2022-04-06 för 2022-03-25") == (
        "Anslaget för protokollet från Styrelsens sammanträde fredag 25 mars 2022 sätts upp "
        "onsdag 6 april 2022.\nDet får tas ned tidigast onsdag 27 april 2022 (tre veckor för "
        "överklagande).")
    assert "anslaget sätts upp onsdag 6 april 2022" in ovik.text("!anslagstavla")
    ovik.now = at(2022, 4, 20, 9, 0)
    assert "anslaget sattes upp onsdag 6 april 2022" in ovik.text("!anslagstavla")
    assert "utan tidigast onsdag 27 april 2022" in ovik.text("!anslagstavla nedtagen")
    assert ovik.text("!anslagstavla nedtagen 2022-04-28") == (
        "Datumet torsdag 28 april 2022 har inte kommit än. Skriv !anslagstavla nedtagen när "
        "anslaget är nedtaget (i dag är det onsdag 20 april 2022); påminnelsen den dagen finns "
        "kvar.")
    ovik.now = at(2022, 4, 27, 9, 0)
    assert "får tas ned nu" in ovik.text("!anslagstavla")
    assert ovik.text("!anslagstavla nedtagen") == (
        "Anslaget för protokollet från fredag 25 mars 2022 är antecknat som nedtaget "
        "onsdag 27 april 2022.")
    md = attachment(ovik.say("!protokoll 2022-03-25"), ".md").decode()
    assert "| Datum då anslaget sätts upp | 2022-04-06 (onsdag 6 april 2022) |" in md
    assert "| Datum då anslaget tas ned | tidigast 2022-04-27 (onsdag 27 april 2022) |" in md
    assert "| Anslaget togs ned | 2022-04-27 |" in md
    assert "| Justeringens plats och tid | Digitalt, fredag 1 april 2022 |" in md


def test_a_change_after_justering_began_needs_a_new_justering(ovik: Chat) -> None:
    replay_meeting(ovik, until="!protokoll")
    ovik.now = at(2022, 3, 28, 10, 0)
    ovik.text("!protokoll klart")
    ovik.text("!justera", sender="Cecilia Sparf")
    ovik.text("!ändra §29 punkt 5 Styrelsen anslår en budget på max 12 000 kronor för detta.")
    second = ovik.text("!justera", sender="Carolina Sondell")
    assert second == ("Carolina Sondell har justerat protokollet från fredag 25 mars 2022.\n"
                      "Protokollet har ändrats sedan Cecilia Sparf justerade, så Cecilia Sparf "
                      "behöver justera igen med !justera.\nVäntar på: Cecilia Sparf.")
    assert "är justerat av" in ovik.text("!justera", sender="Cecilia Sparf")
    md = attachment(ovik.replies[-1], ".md").decode()
    assert "- Styrelsen anslår en budget på max 12 000 kronor för detta." in md


def test_omedelbar_justering_needs_a_decision(ovik: Chat) -> None:
    ovik.text("!möte öppna 2022-03-25 08:30 Digitalt via Teams")
    ovik.text("!paragraf Sammanträdet öppnas")
    assert ovik.text("!omedelbar justering §1").startswith("§ 1 har inget beslut att justera.")
    ovik.text("!beslut Styrelsen fastställer dagordningen.")
    assert "omedelbart justerad" in ovik.text("!omedelbar justering av §1")
    assert ovik.text("!omedelbar justering §1") == (
        "§ 1 är redan justerad och kan inte ändras. Rättelser görs som ett nytt beslut vid "
        "ett senare sammanträde.")
    # The § is closed for new lines too.
    assert ovik.text("!beslut Styrelsen ändrar sig.").startswith(
        "§ 1 är redan justerad och kan inte ändras.")
    # An uppdrag taken back with !ångra is gone from the list.
    ovik.text("!paragraf Övriga frågor")
    assert "Uppdrag 1 antecknat" in ovik.text(
        "!beslut Styrelsen uppdrar till förbundschefen att boka lokal senast 2022-04-01.")
    assert "Senast fredag 1 april 2022" in ovik.replies[-1].text
    ovik.text("!ångra")
    assert ovik.text("!uppdrag").startswith("Inga öppna uppdrag.")


MATRIX_ROOM = "!styrelsen:ovik.test"


def test_a_display_name_is_not_a_signature(ovik: Chat) -> None:
    """Anyone can call themselves "Carolina Sondell" or "CECILIA SPÅRF" in Matrix: there a
    justerare is known by the chat id the config gives her, and one without an id cannot
    justera at all (the console, where whoever types runs the bot, goes by name)."""
    from storage.tenants import bind_room

    with ovik.app.db.transaction() as session:
        bind_room(session, "matrix", MATRIX_ROOM, 1, "config")
    replay_meeting(ovik, until="!protokoll")
    ovik.now = at(2022, 3, 28, 10, 0)
    ovik.text("!protokoll klart")

    def as_sender(sender_id: str, name: str, text: str = "!justera") -> str:
        reply = ovik.app.dispatcher.handle_sync(IncomingMessage(
            transport="matrix", room_id=MATRIX_ROOM, sender_id=sender_id, sender_name=name,
            text=text, event_id=f"e-{sender_id}-{name}-{text}", timestamp=ovik.now))
        assert reply is not None
        return reply.text

    unknown = ("Bara sammanträdets ordförande och justerare får justera protokollet från "
               "fredag 25 mars 2022 (Carolina Sondell och Cecilia Sparf). Här känner jag igen "
               "dem bara på deras chatt-id i konfigurationen (ids), och ditt chatt-id ({}) "
               "finns inte där. Den som saknar chatt-id justerar i terminalen (bot console).")
    # Her name, not her id; and the justerare's name in other letters.
    assert as_sender("@mallory:evil.test", "Carolina Sondell") == unknown.format(
        "@mallory:evil.test")
    assert as_sender("@mallory:evil.test", "CECILIA SPÅRF") == unknown.format(
        "@mallory:evil.test")
    # Cecilia has no chat id in the config: in Matrix her own name proves nothing either.
    assert as_sender("@cecilia:ovik.test", "Cecilia Sparf") == unknown.format(
        "@cecilia:ovik.test")
    # Pär (known by his id) calling himself Cecilia Sparf is still Pär.
    assert as_sender("@par:ovik.test", "Cecilia Sparf") == (
        "Bara sammanträdets ordförande och justerare får justera protokollet från fredag 25 "
        "mars 2022 (Carolina Sondell och Cecilia Sparf), och du är inte en av dem.")
    # The console goes by the name typed, letter for letter.
    assert ovik.text("!justera", sender="cecilia sparf").startswith(
        "Bara sammanträdets ordförande och justerare får justera")
    assert ovik.text("!justera", sender="Cecilia Sparf").startswith(
        "Cecilia Sparf har justerat")
    assert as_sender(CAROLINA, "Carro").startswith(
        "Protokollet från Styrelsens sammanträde fredag 25 mars 2022 är justerat av Cecilia "
        "Sparf och Carolina Sondell")
    with ovik.app.db.transaction() as session:
        from storage import justering

        meeting = justering.latest_justerad(session, 1)
        assert meeting is not None
        assert sorted(s.name for s in justering.signatures(session, meeting.id)) == [
            "Carolina Sondell", "Cecilia Sparf"]


def test_naming_a_justerare_without_chat_id_tells_the_secretary(ovik: Chat) -> None:
    """In Matrix and Teams a justerare without an id in the config cannot justera, so the
    secretary is told when naming her; a name is matched letter for letter, and one that
    differs only in case or accents is a suggestion, not a match."""
    from storage.tenants import bind_room

    with ovik.app.db.transaction() as session:
        bind_room(session, "matrix", MATRIX_ROOM, 1, "config")
    matrix = Chat(ovik.app, room=MATRIX_ROOM, transport="matrix", sender="@par:ovik.test")
    matrix.text("!möte öppna 2022-03-25 08:30 Kansliet")
    assert matrix.text("!justerare Cecilia Sparf") == (
        "Justerare: Cecilia Sparf.\nCecilia Sparf har inget chatt-id i konfigurationen och kan "
        "därför inte justera här. Be den som driftar boten lägga till personens chatt-id "
        "(ids), eller låt Cecilia Sparf justera i terminalen (bot console).")
    assert matrix.text("!justerare carolina sondell, Arne Utan Id") == (
        "Justerare: carolina sondell och Arne Utan Id.\n”carolina sondell” står inte så i "
        "konfigurationen och kan därför inte justera här. Menar du Carolina Sondell? Skriv i "
        "så fall namnet så.\nArne Utan Id har inget chatt-id i konfigurationen och kan därför "
        "inte justera här. Be den som driftar boten lägga till personens chatt-id (ids), "
        "eller låt Arne Utan Id justera i terminalen (bot console).")
    assert matrix.text("!ordförande Jan-Olov Häggström").startswith(
        "Ordförande: Jan-Olov Häggström.\nJan-Olov Häggström har inget chatt-id")
    assert matrix.text("!justerare Carolina Sondell") == "Justerare: Carolina Sondell."
    assert matrix.text("!sekreterare Cecilia Sparf") == "Sekreterare: Cecilia Sparf."
    # The console goes by name: nothing to warn about.
    assert ovik.text("!justerare Cecilia Sparf") == "Justerare: Cecilia Sparf."
