"""The PDF writer of documents.py: reportlab with the Bitstream Vera fonts it ships (å, ä, ö,
§, – and ” included), so a fresh machine needs nothing but pip. reportlab is imported only
when a PDF is made."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from bot.clean import clean_text
from bot.commands.protokoll.documents import (
    A4_CM,
    MARGINS,
    Block,
    Line,
    PageFurniture,
    blocks,
    is_label,
)

_FONT = "FinsamVera"
_GREY = "#555555"
_RULE = "#888888"


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


def _covered_text(text: str, covered: set[int]) -> str:
    return "".join(c if ord(c) in covered else "?" for c in text)


class _Styles:
    def __init__(self) -> None:
        from reportlab.lib.styles import ParagraphStyle

        self.body = ParagraphStyle("body", fontName=_FONT, fontSize=10.5, leading=14,
                                   spaceAfter=6)
        self.cell = ParagraphStyle("cell", parent=self.body, spaceAfter=0)
        self.head = ParagraphStyle("head", parent=self.cell, fontName=_FONT + "-Bold")
        self.headings = {
            1: ParagraphStyle("h1", parent=self.body, fontName=_FONT + "-Bold", fontSize=18,
                              leading=22, spaceAfter=10),
            2: ParagraphStyle("h2", parent=self.body, fontName=_FONT + "-Bold", fontSize=13,
                              leading=17, spaceBefore=12, spaceAfter=6),
            3: ParagraphStyle("h3", parent=self.body, fontName=_FONT + "-Bold", fontSize=11,
                              leading=15, spaceBefore=8, spaceAfter=4),
        }


def _story(parsed: list[Block], covered: set[int], width: float) -> list[Any]:
    from reportlab.lib import colors
    from reportlab.platypus import (
        KeepTogether,
        ListFlowable,
        ListItem,
        PageBreak,
        Paragraph,
        Spacer,
        Table,
        TableStyle,
    )

    styles = _Styles()
    story: list[Any] = []
    pending: list[Any] = []

    def add(flowable: Any, keep_with_next: bool = False) -> None:
        """A page must not end with a heading or a label such as "Beslut:": those are kept
        together with what follows. Done here, not with the style's keepWithNext, because
        reportlab does not apply that to a following list (a container)."""
        pending.append(flowable)
        if not keep_with_next:
            story.append(KeepTogether(pending[:]) if len(pending) > 1 else flowable)
            pending.clear()

    for block in parsed:
        if block.kind == "heading":
            style = styles.headings.get(block.level, styles.headings[3])
            add(Paragraph(_markup(block.runs, covered), style), keep_with_next=True)
        elif block.kind == "paragraph":
            add(Paragraph(_markup(block.runs, covered), styles.body),
                keep_with_next=is_label(block.runs))
        elif block.kind in ("bullets", "numbers"):
            items = [ListItem(Paragraph(_markup(item, covered), styles.cell), leftIndent=14)
                     for item in block.items]
            add(ListFlowable(
                items, bulletType="1" if block.kind == "numbers" else "bullet",
                start=block.start if block.kind == "numbers" else "•",
                bulletFormat="%s." if block.kind == "numbers" else None,
                bulletFontName=_FONT, bulletFontSize=10, leftIndent=18))
            add(Spacer(1, 6))
        elif block.kind == "table":
            columns = max(len(r) for r in block.rows)
            data = [[Paragraph(_markup(c, covered),
                               styles.head if j == 0 and columns > 1 else styles.cell)
                     for j, c in enumerate(r)] for r in block.rows]
            widths = [width * 0.36] + [width * 0.64 / (columns - 1)] * (columns - 1) \
                if columns > 1 else [width]
            # splitInRow: a cell longer than a page (a very long list of names) continues
            # on the next page instead of failing the whole document.
            table = Table(data, colWidths=widths, hAlign="LEFT", splitInRow=1)
            table.setStyle(TableStyle([
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor(_RULE)),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f0f0")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]))
            add(table)
            add(Spacer(1, 8))
        elif block.kind == "rule":
            story.extend(pending)
            pending.clear()
            story.append(PageBreak())
    story.extend(pending)
    return story


def _draw_furniture(canvas: Any, furniture: PageFurniture, page: int, pages: int,
                    covered: set[int]) -> None:
    """Header (identity and "Sida x(y)"), footer and the justerarnas signature box."""
    from reportlab.lib import colors
    from reportlab.lib.units import cm

    width, height = (A4_CM[0] * cm, A4_CM[1] * cm)
    left, right = MARGINS.left * cm, width - MARGINS.right * cm
    label = _covered_text(furniture.page_label(str(page), str(pages)), covered)
    canvas.saveState()
    canvas.setFillColor(colors.black)
    header = furniture.left or furniture.middle
    if header:
        top = height - 1.3 * cm
        for index, text in enumerate(furniture.left):
            canvas.setFont(_FONT + "-Bold" if index == 0 else _FONT, 9)
            canvas.drawString(left, top - index * 12, _covered_text(text, covered))
        for index, text in enumerate(furniture.middle):
            canvas.setFont(_FONT + "-Bold" if index == 0 else _FONT, 9)
            canvas.drawString(left + 0.52 * (right - left), top - index * 12,
                              _covered_text(text, covered))
        canvas.setFont(_FONT, 9)
        canvas.drawRightString(right, top, label)
        lines = max(len(furniture.left), len(furniture.middle), 1)
        canvas.setStrokeColor(colors.HexColor(_RULE))
        canvas.setLineWidth(0.6)
        rule = top - (lines - 1) * 12 - 7
        canvas.line(left, rule, right, rule)
    canvas.setFont(_FONT, 8)
    canvas.setFillColor(colors.HexColor(_GREY))
    if furniture.footer:
        canvas.drawString(left, 1.4 * cm, _covered_text(furniture.footer, covered))
    if not header:
        canvas.drawRightString(right, 1.4 * cm, label)
    if furniture.box_label:
        box_width, box_height = 5.2 * cm, 1.5 * cm
        x, y = right - box_width, 0.9 * cm
        canvas.setStrokeColor(colors.black)
        canvas.setLineWidth(0.6)
        canvas.rect(x, y, box_width, box_height)
        canvas.setFont(_FONT, 7)
        canvas.drawString(x + 4, y + box_height - 9, _covered_text(furniture.box_label,
                                                                   covered))
        if furniture.box_text:
            canvas.setFillColor(colors.black)
            canvas.setFont(_FONT + "-Italic", 12)
            canvas.drawString(x + 8, y + 9, _covered_text(furniture.box_text, covered))
    canvas.restoreState()


def to_pdf(markdown: str, title: str, furniture: PageFurniture) -> bytes:
    """A4 with MARGINS. Built twice: the first pass counts the pages, so that every page's
    header can say "Sida x(y)" as it is drawn (before the text, so a reader meets the
    header first)."""
    from reportlab.lib.units import cm
    from reportlab.platypus import SimpleDocTemplate

    covered = _register_fonts()
    title, furniture = clean_text(title), furniture.cleaned()
    parsed = blocks(markdown)
    width = (A4_CM[0] - MARGINS.left - MARGINS.right) * cm

    def build(pages: int) -> tuple[bytes, int]:
        buffer = io.BytesIO()
        document = SimpleDocTemplate(
            buffer, pagesize=(A4_CM[0] * cm, A4_CM[1] * cm), leftMargin=MARGINS.left * cm,
            rightMargin=MARGINS.right * cm, topMargin=MARGINS.top * cm,
            bottomMargin=MARGINS.bottom * cm, title=title,
            author=furniture.left[0] if furniture.left else furniture.footer, lang="sv-SE")

        def page(canvas: Any, doc: Any) -> None:
            _draw_furniture(canvas, furniture, doc.page, pages, covered)

        document.build(_story(parsed, covered, width), onFirstPage=page, onLaterPages=page)
        return buffer.getvalue(), document.page

    data, pages = build(0)
    if furniture.page_label("1", "2") == furniture.page_label("1", "3"):
        return data  # the label does not show the number of pages
    data, again = build(pages)
    assert again == pages  # the header is drawn in the margin and never moves the text
    return data
