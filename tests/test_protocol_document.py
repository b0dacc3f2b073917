"""Issue 15, the document: page 1 of the protokoll laid out as the seed's (header table,
Underskrifter, BEVIS), every page with "Sida x(y)" and the justerarnas signature box, DOCX in
A4 with the PDF's margins, the seal on a justerat protokoll, and minnesanteckningar."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.app import App
from bot.commands.protokoll.documents import MARGINS
from bot.config import load_config
from bot.messages import Reply
from tests.conftest import FIXTURES, Chat, make_app
from tests.justering_support import CAROLINA, at, attachment, docx_text, flat, replay_meeting

OMEDELBAR = {"!beslut Styrelsen beslutar om omedelbar justering": ["!omedelbar justering §26"]}


def justerat(ovik: Chat) -> tuple[Reply, Reply]:
    """The seed meeting, ready on 2022-03-28 and justerat on 2022-04-05 and 2022-04-06."""
    replay_meeting(ovik, after=OMEDELBAR, until="!protokoll")
    ovik.now = at(2022, 3, 28, 10, 0)
    draft = ovik.say("!protokoll klart")
    ovik.now = at(2022, 4, 5, 16, 0)
    ovik.text("!justera", sender="Cecilia Sparf")
    ovik.now = at(2022, 4, 6, 10, 12)
    done = ovik.say("!justera", sender=CAROLINA)
    assert draft is not None and done is not None
    return draft, done


def in_order(text: str, *parts: str) -> bool:
    """Each part occurs after the one before it."""
    position = 0
    for part in parts:
        position = text.find(part, position)
        if position < 0:
            return False
        position += len(part)
    return True


def test_page_one_holds_header_underskrifter_and_bevis_and_every_page_its_number(
        ovik: Chat, tmp_path: Path) -> None:
    draft, done = justerat(ovik)
    pdf = attachment(done, ".pdf")
    pages = PdfReader(io.BytesIO(pdf)).pages
    total = len(pages)
    assert total >= 3
    first = flat(pages[0].extract_text())
    # The seed's page 1, in its order: the header rows, the signatures, then BEVIS.
    assert in_order(
        first, "Plats och tid Digitalt via Teams, kl. 08:30–11:30",
        "Beslutande Carolina Sondell ÖK ordförande, Jan-Olov Häggström RVN vice ordförande, "
        "Cecilia Sparf AF, Camilla Steen FK",
        "Övriga deltagare Johnny Eriksson RVN ersättare, Pär Eriksson förbundschef",
        "Justerare Cecilia Sparf", "Justeringens plats och tid Digitalt, onsdag 6 april 2022",
        "Paragrafer 22–30", "Underskrifter", "Sekreterare: ______", "Pär Eriksson",
        "Ordförande: ______", "Carolina Sondell Justerade onsdag 6 april 2022 kl. 10:12 från "
        "kontot @carolina:ovik.test", "Justerande: ______", "Cecilia Sparf Justerade tisdag 5 "
        "april 2022 kl. 16:00", "BEVIS",
        "Justeringen har tillkännagivits genom anslag.", "2022-04-06 (onsdag 6 april 2022)",
        "tidigast 2022-04-27 (onsdag 27 april 2022)", "Förvaringsplats för protokollet"), first
    assert "§ 22" not in first  # the paragraphs begin on page 2
    assert "§ 22 Sammanträdet öppnas" in flat(pages[1].extract_text())
    for number, page in enumerate(pages, start=1):
        text = flat(page.extract_text())
        assert f"Sida {number}({total})" in text, number
        assert "Samordningsförbundet i Örnsköldsvik Styrelsen" in text
        assert "PROTOKOLL Sammanträdesdatum 2022-03-25" in text
        assert "Justerandes signatur CS CS" in text  # both justerade: their initials
    # Before the justering the box is there, empty, and no BEVIS yet.
    draft_first = flat(PdfReader(io.BytesIO(attachment(draft, ".pdf"))).pages[0].extract_text())
    assert "Justerandes signatur" in draft_first and "CS CS" not in draft_first
    assert "BEVIS" not in draft_first and "Justeringens plats och tid –" in draft_first

    # The body's left edge is the left margin (the DOCX must use the same).
    xs: list[float] = []
    pages[1].extract_text(visitor_text=lambda text, cm, tm, *_: xs.append(tm[4] * cm[0] + cm[4])
                          if text.strip() else None)
    assert min(xs) == pytest.approx(MARGINS.left / 2.54 * 72, abs=1)
    assert [round(float(v)) for v in pages[0].mediabox.upper_right] == [595, 842]  # A4

    from docx import Document

    docx = attachment(done, ".docx")
    document = Document(io.BytesIO(docx))
    section = document.sections[0]
    assert (round(section.page_width.cm, 2), round(section.page_height.cm, 2)) == (21.0, 29.7)
    assert [round(x.cm, 2) for x in (section.top_margin, section.right_margin,
                                     section.bottom_margin, section.left_margin)] == \
        [MARGINS.top, MARGINS.right, MARGINS.bottom, MARGINS.left]
    header = section.header
    assert header.paragraphs[0].text.startswith("Samordningsförbundet i Örnsköldsvik\tPROTOKOLL"
                                                "\tSida (")
    assert [f.get(f"{{{W}}}instr") for f in header._element.iter(f"{{{W}}}fldSimple")] == \
        ["PAGE", "NUMPAGES"]  # Word fills in "Sida 1(3)" on every page
    assert [c.text for t in section.footer.tables for c in t._cells] == \
        ["Justerandes signatur\nCS  CS"]
    styles = {p.style.name for p in document.paragraphs}
    assert {"Heading 1", "Heading 2", "List Bullet"} <= styles
    assert {t.style.name for t in document.tables} == {"Table Grid"}
    texts = [p.text for p in document.paragraphs]
    opening = document.paragraphs[texts.index("§ 22 Sammanträdet öppnas")]
    assert opening.paragraph_format.page_break_before  # § 22 opens page 2 in Word too
    assert texts.index("Underskrifter") < texts.index("BEVIS") < \
        texts.index("§ 22 Sammanträdet öppnas")
    assert "Justerande: ______________________________ Cecilia Sparf" in flat(docx_text(docx))

    # Pictures of page 1 and 2 for a person to compare with the seed's page 1.
    import pypdfium2

    rendered = pypdfium2.PdfDocument(pdf)
    for index in (0, 1):
        picture = rendered[index].render(scale=110 / 72).to_pil().convert("L")
        picture.save(tmp_path / f"sida-{index + 1}.png")
        ink = sum(picture.histogram()[:128]) / (picture.width * picture.height)
        assert 0.01 < ink < 0.2, ink
    rendered.close()


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def test_justeringens_plats_och_tid_from_the_plan(ovik: Chat, ovik_app: App) -> None:
    from storage import justering, meetings, tenants

    replay_meeting(ovik, until="!protokoll")
    with ovik_app.db.transaction() as session:
        organ = tenants.first_organ(session)
        (meeting,) = meetings.meetings_on(session, organ.organ_id, at(2022, 3, 25).date())
        justering.set_plan(session, meeting.id, "Pär Eriksson", place="Stadshuset Kronan")
    md = attachment(ovik.say("!protokoll 2022-03-25"), ".md").decode()
    assert "| Justeringens plats och tid | Stadshuset Kronan |" in md
    with ovik_app.db.transaction() as session:
        justering.set_plan(session, meeting.id, "Pär Eriksson",
                           planned_on=at(2022, 4, 6).date())
    md = attachment(ovik.say("!protokoll 2022-03-25"), ".md").decode()
    assert "| Justeringens plats och tid | Stadshuset Kronan, onsdag 6 april 2022 |" in md
    ovik.now = at(2022, 3, 28, 10, 0)
    ovik.text("!protokoll klart")
    ovik.now = at(2022, 4, 7, 9, 0)  # a day later than planned: the real day is written
    ovik.text("!justera", sender="Cecilia Sparf")
    done = attachment(ovik.say("!justera", sender=CAROLINA), ".md").decode()
    assert "| Justeringens plats och tid | Stadshuset Kronan, torsdag 7 april 2022 |" in done


def lsg_chat(db_url: str, tmp_path: Path) -> Chat:
    """Örnsköldsvik's LSG, which keeps minnesanteckningar (and Pär Eriksson writes them)."""
    from storage.tenants import bind_room, find_organs

    text = (FIXTURES / "ornskoldsvik.toml").read_text(encoding="utf-8") + (
        'protokoll = "minnesanteckningar"\n\n[[forbund.organ.member]]\nname = "Pär Eriksson"\n'
        'role = "förbundschef"\n\n[[forbund.organ.member]]\nname = "Anna Lind"\n'
        'role = "adjungerad"\norganisation_short = "FK"\n\n[[forbund.organ.member]]\n'
        'name = "Lena Finne Jansson"\nrole = "bitr. förbundschef"\n')
    path = tmp_path / "lsg.toml"
    path.write_text(text, encoding="utf-8")
    app = make_app(load_config(path), db_url)
    with app.db.transaction() as session:
        (lsg,) = find_organs(session, None, "lsg")
        bind_room(session, "console", "lsg-rum", lsg.organ_id, "test")
    return Chat(app, room="lsg-rum", sender="Pär Eriksson")


def test_an_lsg_keeps_minnesanteckningar_without_justering(db_url: str, tmp_path: Path) -> None:
    lsg = lsg_chat(db_url, tmp_path)
    try:
        lsg.now = at(2022, 3, 17, 13, 0)
        for line in ("!möte öppna 2022-03-17 13:00 Kommunhuset",
                     "!närvaro Anna Lind, Lena Finne Jansson, Pär Eriksson",
                     "!paragraf Mötets öppnande", "!info Pär Eriksson öppnade mötet.",
                     "!paragraf Delårsrapport",
                     "!beslut LSG föreslår styrelsen att fastställa delårsrapporten."):
            lsg.text(line)
        assert lsg.text("!möte avsluta 15:00") == (
            "Sammanträdet torsdag 17 mars 2022 är avslutat kl. 15:00 med 2 paragrafer (§ 1–2).\n"
            "Skriv !protokoll klart för att skicka minnesanteckningarna (!protokoll visar dem "
            "först).")
        sent = lsg.say("!protokoll klart")
        assert sent is not None
        assert sent.text == (
            "Minnesanteckningarna från Lokala samverkansgruppens möte torsdag 17 mars 2022 "
            "(§ 1–2) är klara. De justeras inte och anslås inte.\n"
            "Bifogade som PDF, Word (DOCX), HTML och Markdown.")
        assert sorted(a.filename for a in sent.attachments) == [
            f"minnesanteckningar-lsg-2022-03-17.{ext}" for ext in ("docx", "html", "md", "pdf")]
        md = attachment(sent, ".md").decode()
        assert md.startswith("# Minnesanteckningar\n\n**Samordningsförbundet i Örnsköldsvik**\n"
                             "Lokala samverkansgruppen\n")
        # The roles the config now accepts, among the participants.
        assert ("| Närvarande | Anna Lind FK adjungerad, Lena Finne Jansson biträdande "
                "förbundschef, Pär Eriksson förbundschef |") in md
        assert "| Antecknat av | Pär Eriksson |" in md
        for word in ("justera", "Justera", "BEVIS", "Underskrifter", "anslag"):
            assert word not in md, word
        assert "\n---\n" not in md  # no front page of its own: the points follow at once
        pdf = flat(PdfReader(io.BytesIO(attachment(sent, ".pdf"))).pages[0].extract_text())
        assert "MINNESANTECKNINGAR Datum 2022-03-17" in pdf and "Sida 1(1)" in pdf
        assert "Justerandes signatur" not in pdf
        assert "LSG föreslår styrelsen att fastställa delårsrapporten." in pdf
        assert "Inget protokoll väntar på justering" in lsg.text("!justera")
        assert lsg.text("!protokoll 2022-03-17").startswith(
            "Minnesanteckningar för Lokala samverkansgruppen torsdag 17 mars 2022, § 1–2.")
    finally:
        lsg.app.close()


def test_config_accepts_bitradande_forbundschef_and_adjungerad(tmp_path: Path) -> None:
    path = tmp_path / "roller.toml"
    path.write_text('[[forbund]]\nname = "F"\n[[forbund.organ]]\nname = "S"\n'
                    '[[forbund.organ.member]]\nname = "A"\nrole = "Biträdande förbundschef"\n'
                    '[[forbund.organ.member]]\nname = "B"\nrole = "bitr. förbundschef"\n'
                    '[[forbund.organ.member]]\nname = "C"\nrole = "adjungerad"\n',
                    encoding="utf-8")
    members = load_config(path).forbund[0].organs[0].members
    assert [m.role for m in members] == ["biträdande förbundschef", "biträdande förbundschef",
                                         "adjungerad"]
    assert load_config(path).forbund[0].organs[0].document == "protokoll"  # the default
