"""PDF and DOCX from the Markdown a document template renders, so every format comes from
the same jinja2 template and the same data.

The Markdown is parsed with markdown-it into a few kinds of blocks (headings, paragraphs,
lists, tables); each writer lays those out. PDF: reportlab with the Bitstream Vera fonts it
ships (å, ä, ö, §, – and ” included), so a fresh machine needs nothing but pip. DOCX:
python-docx, which Word and LibreOffice open as an ordinary document."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.clean import clean_text
from bot.messages import Attachment

PDF_MIME = "application/pdf"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_PARSER = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable("table")


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


Line = list[Run]


@dataclass
class Block:
    kind: str  # heading | paragraph | bullets | numbers | table | rule
    level: int = 0
    runs: Line = field(default_factory=list)
    items: list[Line] = field(default_factory=list)  # list items
    rows: list[list[Line]] = field(default_factory=list)  # table cells
    start: int = 1  # first number of an ordered list


def _runs(inline: Token) -> Line:
    """The inline text, cleaned: reportlab and lxml (DOCX) fail on some characters, and a
    stored text from before the input was cleaned must still render."""
    runs: Line = []
    bold = italic = False
    for child in inline.children or []:
        if child.type == "strong_open":
            bold = True
        elif child.type == "strong_close":
            bold = False
        elif child.type == "em_open":
            italic = True
        elif child.type == "em_close":
            italic = False
        elif child.type in ("softbreak", "hardbreak"):
            runs.append(Run("\n", bold, italic))
        elif child.type in ("text", "code_inline"):
            runs.append(Run(clean_text(child.content), bold, italic))
    return runs


def blocks(markdown: str) -> list[Block]:
    """The Markdown's structure, flattened to what the protokoll and kallelse use."""
    tokens = _PARSER.parse(markdown)
    out: list[Block] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "heading_open":
            out.append(Block("heading", level=int(token.tag[1]), runs=_runs(tokens[i + 1])))
            i += 3
            continue
        if token.type == "paragraph_open":
            out.append(Block("paragraph", runs=_runs(tokens[i + 1])))
            i += 3
            continue
        if token.type in ("bullet_list_open", "ordered_list_open"):
            i = _list(tokens, i, out)
            continue
        if token.type == "table_open":
            i = _table(tokens, i, out)
            continue
        if token.type == "hr":
            out.append(Block("rule"))
        i += 1
    return out


def _list(tokens: list[Token], i: int, out: list[Block]) -> int:
    opener = tokens[i]
    close = opener.type.replace("_open", "_close")
    block = Block("numbers" if opener.type == "ordered_list_open" else "bullets",
                  start=int(opener.attrGet("start") or 1))
    depth = 0
    current: Line | None = None
    i += 1
    while i < len(tokens):
        token = tokens[i]
        if token.type == close and depth == 0:
            break
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif token.type == "list_item_open" and depth == 0:
            current = []
            block.items.append(current)
        elif token.type == "inline" and current is not None:
            if current:
                current.append(Run("\n"))
            current.extend(_runs(token))
        i += 1
    out.append(block)
    return i + 1


def _table(tokens: list[Token], i: int, out: list[Block]) -> int:
    block = Block("table")
    row: list[Line] = []
    i += 1
    while tokens[i].type != "table_close":
        token = tokens[i]
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close":
            block.rows.append(row)
        elif token.type == "inline":
            row.append(_runs(token))
        i += 1
    out.append(block)
    return i + 1


def plain(line: Line) -> str:
    return "".join(r.text for r in line)


# --- PDF --------------------------------------------------------------------------------

_FONT = "FinsamVera"


def _register_fonts() -> set[int]:
    """Register reportlab's bundled Vera family once; returns the code points it covers."""
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if _FONT not in pdfmetrics.getRegisteredFontNames():
        folder = Path(reportlab.__file__).parent / "fonts"
        faces = {"": "Vera.ttf", "-Bold": "VeraBd.ttf", "-Italic": "VeraIt.ttf",
                 "-BoldItalic": "VeraBI.ttf"}
        for suffix, filename in faces.items():
            pdfmetrics.registerFont(TTFont(_FONT + suffix, str(folder / filename)))
        pdfmetrics.registerFontFamily(_FONT, normal=_FONT, bold=_FONT + "-Bold",
                                      italic=_FONT + "-Italic",
                                      boldItalic=_FONT + "-BoldItalic")
    return set(pdfmetrics.getFont(_FONT).face.charToGlyph)


def _markup(line: Line, covered: set[int]) -> str:
    """reportlab's paragraph markup; characters the font lacks (emoji) become '?'."""
    parts = []
    for run in line:
        if run.text == "\n":
            parts.append("<br/>")
            continue
        text = "".join(c if ord(c) in covered or c in "\t" else "?" for c in run.text)
        text = escape(text).replace("\n", "<br/>")
        if run.bold:
            text = f"<b>{text}</b>"
        if run.italic:
            text = f"<i>{text}</i>"
        parts.append(text)
    return "".join(parts)


def to_pdf(markdown: str, title: str, footer: str) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import (
        HRFlowable,
        KeepTogether,
        ListFlowable,
        ListItem,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    covered = _register_fonts()
    title, footer = clean_text(title), clean_text(footer)
    body = ParagraphStyle("body", fontName=_FONT, fontSize=10.5, leading=14, spaceAfter=6)
    cell = ParagraphStyle("cell", parent=body, spaceAfter=0)
    head = ParagraphStyle("head", parent=cell, fontName=_FONT + "-Bold")
    headings = {
        1: ParagraphStyle("h1", parent=body, fontName=_FONT + "-Bold", fontSize=18,
                          leading=22, spaceAfter=10),
        2: ParagraphStyle("h2", parent=body, fontName=_FONT + "-Bold", fontSize=13,
                          leading=17, spaceBefore=12, spaceAfter=6),
        3: ParagraphStyle("h3", parent=body, fontName=_FONT + "-Bold", fontSize=11,
                          leading=15, spaceBefore=8, spaceAfter=4),
    }
    width = A4[0] - 5 * cm
    story: list = []
    pending: list = []

    def add(flowable, keep_with_next: bool = False) -> None:  # type: ignore[no-untyped-def]
        """A page must not end with a heading or a label such as "Beslut:": those are kept
        together with what follows. Done here, not with the style's keepWithNext, because
        reportlab does not apply that to a following list (a container)."""
        pending.append(flowable)
        if not keep_with_next:
            story.append(KeepTogether(pending[:]) if len(pending) > 1 else flowable)
            pending.clear()

    for block in blocks(markdown):
        if block.kind == "heading":
            add(Paragraph(_markup(block.runs, covered), headings.get(block.level, headings[3])),
                keep_with_next=True)
        elif block.kind == "paragraph":
            add(Paragraph(_markup(block.runs, covered), body),
                keep_with_next=_is_label(block.runs))
        elif block.kind in ("bullets", "numbers"):
            items = [ListItem(Paragraph(_markup(item, covered), cell), leftIndent=14)
                     for item in block.items]
            add(ListFlowable(
                items, bulletType="1" if block.kind == "numbers" else "bullet",
                start=block.start if block.kind == "numbers" else "•",
                bulletFormat="%s." if block.kind == "numbers" else None,
                bulletFontName=_FONT, bulletFontSize=10, leftIndent=18))
            add(Spacer(1, 6))
        elif block.kind == "table":
            columns = max(len(r) for r in block.rows)
            data = [[Paragraph(_markup(c, covered), head if j == 0 and columns > 1 else cell)
                     for j, c in enumerate(r)] for r in block.rows]
            widths = [width * 0.32] + [width * 0.68 / (columns - 1)] * (columns - 1) \
                if columns > 1 else [width]
            # splitInRow: a cell longer than a page (a very long list of names) continues
            # on the next page instead of failing the whole document.
            table = Table(data, colWidths=widths, hAlign="LEFT", splitInRow=1)
            table.setStyle(TableStyle([
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f0f0")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]))
            add(table)
            add(Spacer(1, 8))
        elif block.kind == "rule":
            add(HRFlowable(width="100%", color=colors.HexColor("#888888")))

    def page(canvas, doc) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont(_FONT, 8)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(2.5 * cm, 1.4 * cm, _markup_free(footer, covered))
        canvas.drawRightString(A4[0] - 2.5 * cm, 1.4 * cm, str(doc.page))
        canvas.restoreState()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=2.5 * cm,
                                 rightMargin=2.5 * cm, topMargin=2.2 * cm,
                                 bottomMargin=2.2 * cm, title=title, author=footer,
                                 lang="sv-SE")
    story.extend(pending)
    document.build(story, onFirstPage=page, onLaterPages=page)
    return buffer.getvalue()


def _is_label(line: Line) -> bool:
    """A paragraph that only introduces what follows: bold and ending in a colon
    ("**Beslut:**", "**Yrkanden:**")."""
    visible = [r for r in line if r.text.strip()]
    return bool(visible) and all(r.bold for r in visible) and plain(line).rstrip().endswith(":")


def _markup_free(text: str, covered: set[int]) -> str:
    return "".join(c if ord(c) in covered else "?" for c in text)


# --- DOCX -------------------------------------------------------------------------------


def to_docx(markdown: str, title: str, footer: str) -> bytes:
    from docx import Document
    from docx.enum.text import WD_BREAK
    from docx.shared import Pt

    title, footer = clean_text(title), clean_text(footer)
    document = Document()
    document.core_properties.title = title
    document.core_properties.author = footer
    document.core_properties.language = "sv-SE"
    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    _swedish_proofing(document)

    def fill(paragraph, line: Line) -> None:  # type: ignore[no-untyped-def]
        for run in line:
            if run.text == "\n":
                paragraph.add_run().add_break(WD_BREAK.LINE)
                continue
            for index, piece in enumerate(run.text.split("\n")):
                if index:
                    paragraph.add_run().add_break(WD_BREAK.LINE)
                added = paragraph.add_run(piece)
                added.bold, added.italic = run.bold or None, run.italic or None

    for block in blocks(markdown):
        if block.kind == "heading":
            fill(document.add_heading(level=min(block.level, 4)), block.runs)
        elif block.kind == "paragraph":
            fill(document.add_paragraph(), block.runs)
        elif block.kind == "bullets":
            for item in block.items:
                fill(document.add_paragraph(style="List Bullet"), item)
        elif block.kind == "numbers":
            # Numbers written out: Word's list numbering would run on across lists.
            for number, item in enumerate(block.items, start=block.start):
                paragraph = document.add_paragraph()
                paragraph.paragraph_format.left_indent = Pt(18)
                paragraph.paragraph_format.first_line_indent = Pt(-18)
                fill(paragraph, [Run(f"{number}.\t"), *item])
        elif block.kind == "table":
            columns = max(len(r) for r in block.rows)
            table = document.add_table(rows=len(block.rows), cols=columns)
            table.style = "Table Grid"
            for r, row in enumerate(block.rows):
                for c, line in enumerate(row):
                    cell = table.cell(r, c)
                    fill(cell.paragraphs[0], [Run(x.text, x.bold or (c == 0 and columns > 1),
                                                  x.italic) for x in line])
            document.add_paragraph()
        elif block.kind == "rule":
            document.add_paragraph("_" * 40)
    section = document.sections[0]
    section.footer.paragraphs[0].text = footer
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _swedish_proofing(document) -> None:  # type: ignore[no-untyped-def]
    """Text language sv-SE in the document defaults (python-docx's template says en-US,
    and Word would mark every Swedish word as misspelt)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    r_pr = document.styles.element.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/"
                                        + qn("w:rPr"))
    if r_pr is None:  # python-docx's own template always has the defaults
        return
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.append(lang)
    lang.set(qn("w:val"), "sv-SE")
    lang.set(qn("w:eastAsia"), "sv-SE")


def office_attachments(stem: str, markdown: str, title: str, footer: str) -> list[Attachment]:
    """The document as PDF and DOCX."""
    return [
        Attachment(f"{stem}.pdf", PDF_MIME, to_pdf(markdown, title, footer)),
        Attachment(f"{stem}.docx", DOCX_MIME, to_docx(markdown, title, footer)),
    ]
