"""Hostile text in the documents: what the chat, a budget file or the config brings in is
cleaned where it enters (bot.clean), and a protokoll renders in all four formats (PDF, DOCX,
HTML, Markdown) however hostile its text, also from rows stored before the cleaning, after
justering, and in the year's `bot export`."""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from sqlalchemy import text
from sqlmodel import select

from bot.clean import clean_text
from bot.commands.budget.files import read_budget_file, write_csv, write_xlsx
from bot.commands.protokoll.export import export_year
from bot.config import parse_config
from bot.messages import IncomingMessage, Reply
from bot.render import markdown_to_html, md_escape
from storage import tenants
from storage.budget_lines import BudgetLine
from storage.models import Entry, Meeting, MeetingPerson, Paragraph
from tests.conftest import STOCKHOLM, Chat
from tests.hostile_support import BREAKERS, FRAGMENTS, hostile_messages, markup_injected
from tests.justering_support import (
    CAROLINA,
    at,
    attachment,
    docx_text,
    flat,
    pdf_text,
    replay_meeting,
)

FORMATS = (".pdf", ".docx", ".html", ".md")
HEADING = re.compile(r"<h(\d)>(.*?)</h\1>", re.DOTALL)


def test_clean_text_keeps_ordinary_text_and_drops_what_no_document_can_hold() -> None:
    ordinary = "Styrelsen beslutar\tatt anslå 1 234 567 kr – ”ÅÄÖ åäö” § 26 é 👍\nNästa rad"
    assert clean_text(ordinary) == ordinary
    assert clean_text("x\uffff\ufffe\ufdd0\ufdef\U0001fffe\U0010ffff y") == "x y"
    assert clean_text("\x00\x1b[31mröd\x7f\x9b\x08 text") == "[31mröd text"
    assert clean_text("a\r\nb\rc\x0bd\x0ce\x85f\u2028g\u2029h") == "a\nb\nc\nd\ne\nf\ng\nh"
    assert clean_text("\u202eomvänd\u202c \u202a\u202b\u202d\u2066\u2067\u2068x\u2069") == \
        "omvänd x"
    # A lone surrogate cannot be stored: the replacement character shows where it was.
    assert clean_text("a\ud800b\udcffc") == "a\ufffdb\ufffdc"


@given(st.text())
def test_clean_text_is_storable_xml_safe_and_stable(value: str) -> None:
    cleaned = clean_text(value)
    cleaned.encode("utf-8")  # no lone surrogate
    assert "\x00" not in cleaned and "\r" not in cleaned
    etree.Element("t").text = cleaned  # lxml (DOCX) refuses what XML cannot hold
    assert clean_text(cleaned) == cleaned


def test_a_lone_carriage_return_does_not_start_a_heading() -> None:
    # Markdown reads "\r" as a new line: the escaping must see that line start too.
    assert markdown_to_html(md_escape("x\r# Rubrik\r1. lista")) == \
        "<p>x<br />\n# Rubrik<br />\n1. lista</p>"


def test_a_non_character_in_a_decision_no_longer_breaks_the_protokoll(chat: Chat) -> None:
    chat.text("!möte öppna 2022-03-25 Kansliet")
    chat.text("!paragraf Budget")
    assert chat.text("!beslut Styrelsen beslutar x\uffff").startswith("§ 1")
    reply = chat.say("!protokoll")
    assert reply is not None
    assert reply.text == ("Protokoll för Styrelsen fredag 25 mars 2022, § 1 (utkast, "
                          "sammanträdet pågår).\nBifogat som PDF, Word (DOCX), HTML och "
                          "Markdown.")
    assert "- Styrelsen beslutar x\n" in attachment(reply, ".md").decode()
    assert "Styrelsen beslutar x" in docx_text(attachment(reply, ".docx"))
    assert "Styrelsen beslutar x" in flat(pdf_text(attachment(reply, ".pdf")))


def hostile_texts() -> list[str]:
    """Every fragment of the hostile corpus, and the text of some of its random messages."""
    texts = BREAKERS + FRAGMENTS
    texts.extend(m[:300] for m in hostile_messages(400, seed=7) if len(m) < 20_000)
    return texts[:200]


def check_formats(reply: Reply, markers: list[str], headings: set[str]) -> dict[str, str]:
    """All four formats are there and readable, hold every marker, hold no character the
    cleaning drops, and have no heading (no markup at all in the HTML) of the user's."""
    assert sorted(a.filename[a.filename.rindex("."):] for a in reply.attachments) == \
        sorted(FORMATS)
    readable = {
        ".md": attachment(reply, ".md").decode("utf-8"),
        ".html": attachment(reply, ".html").decode("utf-8"),
        ".docx": docx_text(attachment(reply, ".docx")),
        ".pdf": flat(pdf_text(attachment(reply, ".pdf"))),
    }
    for suffix, content in readable.items():
        missing = [m for m in markers if m not in content]
        assert not missing, (suffix, missing[:5])
        if suffix != ".pdf":  # the PDF's text is the font's ('?' for what it lacks)
            assert clean_text(content) == content, suffix
    body = readable[".html"].split("<body>\n", 1)[1].rsplit("</body>", 1)[0]
    assert markup_injected(body) is None
    found = {re.sub(r"<[^>]+>", "", h) for _, h in HEADING.findall(readable[".html"])}
    assert found == headings, found ^ headings
    md_headings = {line.lstrip("#").strip() for line in readable[".md"].splitlines()
                   if line.startswith("#")}
    assert md_headings == headings, md_headings ^ headings
    styles = zipfile.ZipFile(io.BytesIO(attachment(reply, ".docx"))).read("word/document.xml")
    assert b"\xef\xbf\xbf" not in styles  # U+FFFF, which Word refuses to open
    return readable


SEED_HEADINGS = {"Protokoll", "§ 22 Sammanträdet öppnas", "§ 23 Val av justerare",
                 "§ 24 Föregående protokoll", "§ 25 Informationsärenden",
                 "§ 26 Beslut om fastställande av årsredovisning för verksamhetsåret 2021",
                 "§ 27 Redovisning av indikatorenkäterna",
                 "§ 28 ESF+ - Något för vårt samordningsförbund?", "§ 29 Övriga frågor",
                 "§ 30 Avslutning", "Underskrifter"}


def test_a_protokoll_of_the_hostile_corpus_renders_in_every_format_and_exports(
        ovik: Chat, tmp_path: Path) -> None:
    hostile = hostile_texts()
    lines = []
    for index, value in enumerate(hostile):
        command = ("!info", "!beslut", "!yrkande")[index % 3]
        lines.append(f"{command} H{index}: {value}")
    replay_meeting(ovik, after={"!info Studiebesök i Sundsvall": lines}, until="!protokoll")
    markers = [f"H{i}:" for i in range(len(hostile))]

    draft = ovik.say("!protokoll 2022-03-25")
    assert draft is not None and draft.text.startswith("Protokoll för Styrelsen fredag 25 mars "
                                                       "2022, § 22–30.")
    check_formats(draft, markers, SEED_HEADINGS)

    ovik.now = at(2022, 3, 28, 10, 0)
    ovik.text("!protokoll klart")
    ovik.now = at(2022, 4, 5, 16, 0)
    ovik.text("!justera", sender="Cecilia Sparf")
    ovik.now = at(2022, 4, 6, 10, 12)
    done = ovik.say("!justera", sender=CAROLINA)
    assert done is not None and done.text.startswith("Protokollet från Styrelsens "
                                                     "sammanträde fredag 25 mars 2022 är "
                                                     "justerat av Cecilia Sparf och Carolina "
                                                     "Sondell")
    check_formats(done, markers, SEED_HEADINGS | {"BEVIS"})

    organ = _organ(ovik)
    result = export_year(ovik.app.db, organ, 2022, tmp_path / "export")
    assert result.meetings == 1
    names = sorted(p.name for p in result.files)
    assert names == ["beslut-styrelsen-2022.csv", "protokoll-styrelsen-2022-03-25.docx",
                     "protokoll-styrelsen-2022-03-25.html", "protokoll-styrelsen-2022-03-25.md",
                     "protokoll-styrelsen-2022-03-25.pdf"]
    register = (tmp_path / "export" / "beslut-styrelsen-2022.csv").read_text("utf-8-sig")
    decided = [f"H{i}:" for i in range(1, len(hostile), 3)]
    assert all(m in register for m in decided)
    assert clean_text(register.replace("\r\n", "\n")) == register.replace("\r\n", "\n")


def _organ(chat: Chat) -> tenants.OrganRef:
    with chat.app.db.transaction() as session:
        (organ,) = [o for o in tenants.find_organs(session, None, "Styrelsen")]
    return organ


OLD = "Gammal rad\uffff med\x1b styrkod,\ufffe \u202eomvänd\u202c text och\x0bradbrytning"
OLD_CLEANED = "Gammal rad med styrkod, omvänd text och"


def test_a_locked_protokoll_with_rows_stored_before_the_cleaning_still_renders(
        ovik: Chat, tmp_path: Path) -> None:
    replay_meeting(ovik, until="!protokoll")
    ovik.now = at(2022, 3, 28, 10, 0)
    ovik.text("!protokoll klart")
    ovik.now = at(2022, 4, 6, 10, 12)
    ovik.text("!justera", sender="Cecilia Sparf")
    ovik.text("!justera", sender=CAROLINA)
    # Rows as a database made before the cleaning may hold them: written directly, past
    # the dispatcher, into the locked protokoll and into the förbund's own name.
    with ovik.app.db.transaction() as session:
        meeting = session.exec(select(Meeting)).one()
        paragraph = session.exec(select(Paragraph).where(Paragraph.number == 29)).one()
        session.add(Entry(paragraph_id=paragraph.id, kind="beslut", text=OLD,
                          search_text=OLD.lower(), position=99))
        paragraph.title = "Övriga frågor\uffff\u202e"
        meeting.place = "Digitalt\x1b via \ufffeTeams"
        session.add(MeetingPerson(meeting_id=meeting.id, function="övrig",
                                  name="Anna\uffff Andersson", position=99))
        session.add_all([paragraph, meeting])
        session.execute(text("UPDATE forbund SET name = :name"),
                        {"name": "Samordningsförbundet\uffff i Örnsköldsvik"})

    reply = ovik.say("!protokoll 2022-03-25")
    assert reply is not None and reply.text.startswith("Protokoll för Styrelsen fredag 25 mars "
                                                       "2022, § 22–30.")
    readable = check_formats(reply, [OLD_CLEANED, "Anna Andersson"],
                             SEED_HEADINGS | {"BEVIS"})
    assert "| Plats och tid | Digitalt via Teams, kl. 08:30–11:30 |" in readable[".md"]
    assert "- Gammal rad med styrkod, omvänd text och\nradbrytning\n" in readable[".md"]
    for content in readable.values():
        assert "Samordningsförbundet i Örnsköldsvik" in content

    result = export_year(ovik.app.db, _organ(ovik), 2022, tmp_path / "export")
    assert result.meetings == 1 and len(result.files) == 5
    register = (tmp_path / "export" / "beslut-styrelsen-2022.csv").read_text("utf-8-sig")
    assert "2022-03-25;§ 29;Övriga frågor;6;Gammal rad med styrkod, omvänd text och\n" \
        "radbrytning;" in register.replace('"', "")


def test_budget_file_text_is_cleaned_where_it_is_read() -> None:
    data = ("insats;år;beviljat;kommentar\n"
            "Vidare\x00 Vy\uffff;2021;455 000;Beviljat\x1b av \u202estyrelsen\n").encode()
    (line,) = read_budget_file(data, "budget.csv")
    assert (line.insats, line.comment, line.granted_ore) == ("Vidare Vy", "Beviljat av "
                                                             "styrelsen", 45_500_000)


def test_config_names_are_cleaned_where_they_are_read() -> None:
    config = parse_config({"forbund": [{
        "name": "Samordningsförbundet\uffff Väst\u202e", "archive_location": "Kansliet\x1b",
        "organ": [{"name": "Styrelsen\ufffe", "member": [
            {"name": "Anna\x00 Andersson", "organisation": "Region\uffff"}]}]}]}, "test.toml")
    forbund = config.forbund[0]
    organ = forbund.organs[0]
    assert (forbund.name, forbund.archive_location, organ.name, organ.key) == (
        "Samordningsförbundet Väst", "Kansliet", "Styrelsen", "styrelsen")
    assert (organ.members[0].name, organ.members[0].organisation) == ("Anna Andersson",
                                                                      "Region")


def test_a_hostile_display_name_is_cleaned_before_it_is_stored(chat: Chat) -> None:
    chat.text("!möte öppna 2022-03-25 Kansliet")
    message = IncomingMessage(transport="console", room_id="console",
                              sender_id="Sekreteraren", sender_name="Sekreteraren\uffff\u202e",
                              text="!paragraf Val\uffff av \u2066justerare\u2069",
                              event_id=uuid.uuid4().hex,
                              timestamp=chat.now.astimezone(STOCKHOLM))
    reply = chat.app.dispatcher.handle_sync(message)
    assert reply is not None and reply.text.startswith("§ 1 Val av justerare")
    with chat.app.db.transaction() as session:
        assert session.exec(select(Paragraph.title)).one() == "Val av justerare"


def test_a_budget_export_of_rows_stored_before_the_cleaning_still_writes() -> None:
    from openpyxl import load_workbook

    old = [BudgetLine(2, "Vidare\x1b Vy\uffff", 2021, 45_500_000, None, None, "Beviljat\x08")]
    sheet = load_workbook(io.BytesIO(write_xlsx(old))).worksheets[0]
    assert [c.value for c in sheet[2]] == ["Vidare Vy", 2021, 455000, None, None, "Beviljat",
                                           None]  # the kredit column, empty on a grant
    assert write_csv(old).decode("utf-8-sig").splitlines()[1] == "Vidare Vy;2021;455000;;;" \
        "Beviljat;"
