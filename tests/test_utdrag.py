"""Issue 15: `!utdrag §N` and `bot utdrag`: a protokollsutdrag of one § as PDF and DOCX,
with the protokoll's header, the § in full, the justering and "Rätt utdraget intygar"."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.app import App
from bot.cli import main
from tests.conftest import FIXTURES, Chat
from tests.justering_support import at, attachment, docx_text, flat, pdf_text, say_line
from tests.test_protokoll_seed003 import in_order, justerat_seed, seed_script

HEADER = (
    "Protokollsutdrag", "Samordningsförbundet i Örnsköldsvik", "Styrelsen",
    "Sammanträdesdatum 2022-03-25 (fredag 25 mars 2022)",
    "Plats och tid Digitalt via Teams, kl. 08:30–11:30",
    "Beslutande Carolina Sondell ÖK ordförande, Jan-Olov Häggström RVN vice ordförande, "
    "Cecilia Sparf AF, Camilla Steen FK",
    "Övriga deltagare Johnny Eriksson RVN ersättare, Pär Eriksson förbundschef",
    "Justerare Cecilia Sparf", "Justeringens plats och tid Stadshuset Kronan, onsdag 6 april "
    "2022", "Paragraf § 26")
S26 = ("§ 26 Beslut om fastställande av årsredovisning för verksamhetsåret 2021",
       "Förbundschefen föredrog förslag till förvaltningsberättelse", "Beslut:",
       "Styrelsen fastställer årsredovisning enligt bilaga. (Bilaga)",
       "Styrelsen beslutar om omedelbar justering av beslutsparagraf 26.", "Justering",
       "Paragrafen justerades omedelbart fredag 25 mars 2022; beslutet gäller från den dagen.",
       "Protokollet justerades onsdag 6 april 2022 av Cecilia Sparf och Carolina Sondell.",
       "Justeringen tillkännagavs genom anslag 2022-04-06; anslaget tas ned tidigast "
       "2022-04-27.", "Rätt utdraget intygar", "Underskrift: ______________________________",
       "Pär Eriksson, sekreterare", "Tisdag 12 april 2022")


def test_utdrag_of_the_omedelbart_justerad_paragraph(ovik: Chat, tmp_path: Path) -> None:
    justerat_seed(ovik)
    ovik.now = at(2022, 4, 12, 14, 0)
    reply = ovik.say("!utdrag §26")
    assert reply is not None
    assert reply.text == (
        "Protokollsutdrag ur Styrelsens protokoll fredag 25 mars 2022: § 26 Beslut om "
        "fastställande av årsredovisning för verksamhetsåret 2021 (omedelbart justerad).\n"
        "Bifogat som PDF och Word (DOCX), intygat av Pär Eriksson.")
    assert sorted(a.filename for a in reply.attachments) == [
        "protokollsutdrag-styrelsen-2022-03-25-paragraf-26.docx",
        "protokollsutdrag-styrelsen-2022-03-25-paragraf-26.pdf"]
    pdf = attachment(reply, ".pdf")
    text = flat(pdf_text(pdf))
    assert in_order(text, *HEADER, *S26)
    assert "PROTOKOLLSUTDRAG Sammanträdesdatum 2022-03-25" in text and "Sida 1(1)" in text
    for other in ("§ 25", "§ 27", "Underskrifter", "BEVIS"):
        assert other not in text, other
    docx = flat(docx_text(attachment(reply, ".docx")))
    assert in_order(docx, "Protokollsutdrag", *S26)
    for row in HEADER[3:]:
        label, _, value = row.partition(" ")
        assert row.replace(" ", " | ", 1) in docx or f"{label} | {value}" in docx or \
            _row(docx, row), row

    # A picture of the page, for a person to look at (and the test: it is not blank).
    import pypdfium2

    rendered = pypdfium2.PdfDocument(pdf)
    picture = rendered[0].render(scale=110 / 72).to_pil().convert("L")
    picture.save(tmp_path / "utdrag.png")
    rendered.close()
    ink = sum(picture.histogram()[:128]) / (picture.width * picture.height)
    assert 0.01 < ink < 0.2, ink


def _row(docx: str, row: str) -> bool:
    """A header row as DOCX table text: 'Label | value' (labels may have two words)."""
    words = row.split(" ")
    return any(f"{' '.join(words[:n])} | {' '.join(words[n:])}" in docx for n in range(1, 6))


def test_utdrag_before_justering_says_so(ovik: Chat) -> None:
    for line in seed_script():
        say_line(ovik, line)
    reply = ovik.say("!utdrag §29")
    assert reply is not None
    assert reply.text.startswith("Protokollsutdrag ur Styrelsens protokoll fredag 25 mars "
                                 "2022: § 29 Övriga frågor (protokollet är ännu inte "
                                 "justerat).")
    text = flat(pdf_text(attachment(reply, ".pdf")))
    assert in_order(text, "§ 29 Övriga frågor", "Studiebesök i Sundsvall 28 april",
                    "Information från vårt samordningsförbund på NNS årsmöte", "Justering",
                    "Protokollet är ännu inte justerat.", "Rätt utdraget intygar",
                    "Pär Eriksson, sekreterare", "Fredag 25 mars 2022")
    assert "omedelbart" not in text
    assert ovik.text("!utdrag §31") == ("Det finns ingen § 31 (2022). Skriv !sök <ord> för "
                                        "att hitta rätt paragraf.")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_bot_utdrag_writes_the_files(ovik: Chat, ovik_app: App, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    justerat_seed(ovik)
    monkeypatch.setenv("BOT_DATABASE_URL", ovik_app.config.database_url)
    config = FIXTURES / "ornskoldsvik.toml"
    out = tmp_path / "ut"
    code = main(["utdrag", "--config", str(config), "--organ", "styrelsen", "--år", "2022",
                 "--ut", str(out), "§26"])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    pdf = out / "protokollsutdrag-styrelsen-2022-03-25-paragraf-26.pdf"
    assert printed.out.startswith("Samordningsförbundet i Örnsköldsvik, Styrelsen: "
                                  "protokollsutdrag § 26 från 2022-03-25 i ")
    text = flat(pdf_text(pdf.read_bytes()))
    assert in_order(text, *HEADER, *S26[:-1])
    assert (out / "protokollsutdrag-styrelsen-2022-03-25-paragraf-26.docx").exists()
    assert main(["utdrag", "--config", str(config), "--organ", "styrelsen", "--år", "2021",
                 "§26"]) == 1
    assert capsys.readouterr().err == "Styrelsen har ingen § 26 2021.\n"
    assert len(PdfReader(io.BytesIO(pdf.read_bytes())).pages) == 1
