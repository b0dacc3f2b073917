"""Done-when of the core: the 2022-03-25 meeting of seed 003 replayed in a console chat."""

from __future__ import annotations

import asyncio
import io
import re
from datetime import datetime

from bot.transports.console import Console
from tests.conftest import FIXTURES, STOCKHOLM, Chat

SCRIPT = (FIXTURES / "ovik-2022-03-25.txt").read_text(encoding="utf-8").splitlines()


def replay(chat: Chat) -> list[str]:
    return [chat.text(line[line.index(":") + 2:], sender=line[1:line.index(":")])
            if line.startswith("@") else chat.text(line) for line in SCRIPT]


def protocol_markdown(chat: Chat) -> str:
    reply = chat.replies[-1]
    (md,) = [a for a in reply.attachments if a.filename.endswith(".md")]
    return md.data.decode("utf-8")


def test_replay_numbers_22_to_30_and_renders_the_protokoll(ovik: Chat) -> None:
    replies = replay(ovik)
    headings = [r.splitlines()[0] for r, line in zip(replies, SCRIPT, strict=True)
                if line.startswith("!paragraf ")]
    assert headings == [
        "§ 22 Sammanträdet öppnas", "§ 23 Val av justerare", "§ 24 Föregående protokoll",
        "§ 25 Informationsärenden",
        "§ 26 Beslut om fastställande av årsredovisning för verksamhetsåret 2021",
        "§ 27 Redovisning av indikatorenkäterna",
        "§ 28 ESF+ - Något för vårt samordningsförbund?", "§ 29 Övriga frågor",
        "§ 30 Avslutning",
    ]
    md = protocol_markdown(ovik)
    assert "**Samordningsförbundet i Örnsköldsvik**" in md
    assert "| Sammanträdesdatum | 2022-03-25 (fredag 25 mars 2022) |" in md
    assert "| Plats och tid | Digitalt via Teams, kl. 08:30–11:30 |" in md
    assert ("| Beslutande | Carolina Sondell ÖK ordförande, Jan-Olov Häggström RVN vice "
            "ordförande, Cecilia Sparf AF, Camilla Steen FK |") in md
    assert "| Övriga deltagare | Johnny Eriksson RVN ersättare, Pär Eriksson förbundschef |" in md
    assert "| Justerare | Cecilia Sparf |" in md
    assert "| Justeringens plats och tid | – |" in md
    assert "| Paragrafer | 22–30 |" in md
    sections = re.findall(r"^## (§ \d+ .*)$", md, re.MULTILINE)
    assert sections[0] == "§ 22 Sammanträdet öppnas" and sections[-1] == "§ 30 Avslutning"
    assert len(sections) == 9
    s26 = md.split("## § 26 ")[1].split("## § 27")[0]
    assert s26.count("\n- ") == 2
    assert "**Beslut:**" in s26
    assert "- Styrelsen fastställer årsredovisning enligt bilaga. (Bilaga)" in s26
    s29 = md.split("## § 29 ")[1].split("## § 30")[0]
    assert "- Yrkande 1 (Carolina Sondell): Jan-Olov Häggström och Johnny Eriksson besöker" in s29
    assert s29.count("\n- ") == 6  # one yrkande and five decisions
    assert "- Styrelsen anslår en budget på max 10 000 kronor för detta." in s29
    # As on the seed's page 1: the header table, then Underskrifter, then the paragraphs.
    signatures = md.split("## Underskrifter")[1].split("## § 22")[0]
    assert signatures.index("Sekreterare: ______________________________\nPär Eriksson") < \
        signatures.index("Ordförande: ______________________________\nCarolina Sondell") < \
        signatures.index("Justerande: ______________________________\nCecilia Sparf")
    html = [a for a in ovik.replies[-1].attachments if a.filename.endswith(".html")][0]
    page = html.data.decode("utf-8")
    assert "<h2>§ 26 Beslut om fastställande av årsredovisning" in page
    assert "<td>22–30</td>" in page


def test_next_meeting_continues_and_january_restarts(ovik: Chat) -> None:
    replay(ovik)
    ovik.now = datetime(2022, 5, 20, 9, 0, tzinfo=STOCKHOLM)
    assert "Nästa paragraf blir § 31." in ovik.text("!möte öppna Stadshuset")
    assert ovik.text("!paragraf Sammanträdet öppnas").startswith("§ 31 Sammanträdet öppnas")
    ovik.text("!möte avsluta")
    assert "Nästa paragraf blir § 1." in ovik.text("!möte öppna 2023-01-27 09:00 Stadshuset")
    assert ovik.text("!beslut Styrelsen fastställer dagordningen.").startswith(
        "§ 1 Styrelsen fastställer dagordningen (ny paragraf)")
    # The § of 2022 stay reachable by year.
    assert ovik.text("!visa §26 2022").startswith("§ 26 Beslut om fastställande")
    assert ovik.text("!visa 2022-05-20 §31").startswith("§ 31 Sammanträdet öppnas")


def test_console_script_prints_the_protokoll(ovik_app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    console = Console(ovik_app, out_dir=tmp_path / "out", output=out,
                      clock=lambda: datetime(2022, 3, 25, 8, 30, tzinfo=STOCKHOLM))
    assert console.user == "Pär Eriksson"  # the förbundschef keeps the minutes
    asyncio.run(console.run(io.StringIO("\n".join(SCRIPT) + "\n")))
    printed = out.getvalue()
    assert "§ 22 Sammanträdet öppnas" in printed
    assert "| Paragrafer | 22–30 |" in printed
    saved = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert saved == ["protokoll-styrelsen-2022-03-25.docx", "protokoll-styrelsen-2022-03-25.html",
                     "protokoll-styrelsen-2022-03-25.md", "protokoll-styrelsen-2022-03-25.pdf"]
