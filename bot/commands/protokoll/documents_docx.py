"""The DOCX writer of documents.py: python-docx, imported only when a DOCX is made. The
document uses Word's own styles (Heading 1–3, List Bullet, List Number, Table Grid), so a
secretary can go on editing it in Word or LibreOffice; A4 with the PDF's margins."""

from __future__ import annotations

import io
from typing import Any

from bot.clean import clean_text
from bot.commands.protokoll.documents import (
    A4_CM,
    MARGINS,
    Line,
    PageFurniture,
    Run,
    blocks,
    is_label,
)

_PAGE, _PAGES = "\x00", "\x01"  # where the page number fields go in the page label
# What follows w:shd in w:tcPr and w:pBdr in w:pPr (ECMA-376): Word refuses a document
# whose elements are out of the schema's order, so new ones are put in their place.
_AFTER_SHD = ("w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign",
              "w:hideMark", "w:headers", "w:cellIns", "w:cellDel", "w:cellMerge",
              "w:tcPrChange")
_AFTER_PBDR = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
               "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
               "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
               "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
               "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl",
               "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def to_docx(markdown: str, title: str, furniture: PageFurniture) -> bytes:
    from docx import Document
    from docx.shared import Pt

    title, furniture = clean_text(title), furniture.cleaned()
    document = Document()
    document.core_properties.title = title
    document.core_properties.author = furniture.left[0] if furniture.left else furniture.footer
    document.core_properties.language = "sv-SE"
    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    _swedish_proofing(document)
    _page_setup(document)
    _header(document, furniture)
    _footer(document, furniture)
    _body(document, markdown)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _page_setup(document: Any) -> None:
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Cm

    section = document.sections[0]
    section.page_width, section.page_height = Cm(A4_CM[0]), Cm(A4_CM[1])
    section.top_margin, section.bottom_margin = Cm(MARGINS.top), Cm(MARGINS.bottom)
    section.left_margin, section.right_margin = Cm(MARGINS.left), Cm(MARGINS.right)
    section.header_distance, section.footer_distance = Cm(1.0), Cm(0.9)
    # The header's columns as in the PDF; the template's tabs are for US Letter.
    for name in ("Header", "Footer"):
        stops = document.styles[name].paragraph_format.tab_stops
        stops.clear_all()
        stops.add_tab_stop(Cm(_text_width_cm() * 0.52))
        stops.add_tab_stop(Cm(_text_width_cm()), WD_TAB_ALIGNMENT.RIGHT)


def _text_width_cm() -> float:
    return A4_CM[0] - MARGINS.left - MARGINS.right


def _fill(paragraph: Any, line: Line) -> None:
    from docx.enum.text import WD_BREAK

    for run in line:
        if run.text == "\n":
            paragraph.add_run().add_break(WD_BREAK.LINE)
            continue
        for index, piece in enumerate(run.text.split("\n")):
            if index:
                paragraph.add_run().add_break(WD_BREAK.LINE)
            added = paragraph.add_run(piece)
            added.bold, added.italic = run.bold or None, run.italic or None


def _body(document: Any, markdown: str) -> None:
    new_page = False

    def begin(paragraph: Any) -> Any:
        """A `---` in the Markdown starts the next block on a new page."""
        nonlocal new_page
        if new_page:
            paragraph.paragraph_format.page_break_before = True
            new_page = False
        return paragraph

    for block in blocks(markdown):
        if block.kind == "heading":
            _fill(begin(document.add_heading(level=min(block.level, 4))), block.runs)
        elif block.kind == "paragraph":
            paragraph = begin(document.add_paragraph())
            paragraph.paragraph_format.keep_with_next = is_label(block.runs) or None
            _fill(paragraph, block.runs)
        elif block.kind == "bullets":
            for item in block.items:
                _fill(begin(document.add_paragraph(style="List Bullet")), item)
        elif block.kind == "numbers":
            numbering = None
            for item in block.items:
                paragraph = begin(document.add_paragraph(style="List Number"))
                numbering = _restart_numbering(document, paragraph, block.start, numbering)
                _fill(paragraph, item)
        elif block.kind == "table":
            if new_page:
                begin(document.add_paragraph())
            _table(document, block.rows)
            document.add_paragraph()
        elif block.kind == "rule":
            new_page = True


def _table(document: Any, rows: list[list[Line]]) -> None:
    from docx.shared import Cm

    columns = max(len(r) for r in rows)
    table = document.add_table(rows=len(rows), cols=columns)
    table.style = "Table Grid"
    table.autofit = False
    total = _text_width_cm()
    widths = ([total * 0.36] + [total * 0.64 / (columns - 1)] * (columns - 1)
              if columns > 1 else [total])
    for r, row in enumerate(rows):
        for c, line in enumerate(row):
            cell = table.cell(r, c)
            cell.width = Cm(widths[c])
            header_cell = c == 0 and columns > 1
            if header_cell:
                _shade(cell, "F0F0F0")
            _fill(cell.paragraphs[0], [Run(x.text, x.bold or header_cell, x.italic)
                                       for x in line])


def _shade(cell: Any, colour: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    properties = cell._tc.get_or_add_tcPr()
    properties.insert_element_before(shading, *_AFTER_SHD)


def _restart_numbering(document: Any, paragraph: Any, start: int, num_id: int | None) -> int:
    """Each numbered list counts from its own start: Word's List Number style alone would
    run on across every list of the document. The first item gets a new numbering that
    restarts at `start`; the rest of the list uses the same."""
    if num_id is None:
        numbering = document.part.numbering_part.element
        style_num = document.styles["List Number"].element.pPr.numPr.numId.val
        abstract = numbering.num_having_numId(style_num).abstractNumId.val
        num = numbering.add_num(abstract)
        num.add_lvlOverride(ilvl=0).add_startOverride(start)
        num_id = num.numId
    paragraph._p.get_or_add_pPr().get_or_add_numPr().get_or_add_numId().val = num_id
    return num_id


def _field(paragraph: Any, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice fill in on every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _page_label(paragraph: Any, furniture: PageFurniture) -> None:
    label = furniture.page_label(_PAGE, _PAGES)
    for piece in _split_keep(label):
        if piece == _PAGE:
            _field(paragraph, "PAGE")
        elif piece == _PAGES:
            _field(paragraph, "NUMPAGES")
        elif piece:
            paragraph.add_run(piece)


def _split_keep(text: str) -> list[str]:
    pieces, current = [], ""
    for char in text:
        if char in (_PAGE, _PAGES):
            pieces.extend([current, char])
            current = ""
        else:
            current += char
    return [*pieces, current]


def _header(document: Any, furniture: PageFurniture) -> None:
    from docx.shared import Pt

    if not (furniture.left or furniture.middle):
        return
    header = document.sections[0].header
    lines = max(len(furniture.left), len(furniture.middle))
    for index in range(lines):
        paragraph = header.paragraphs[0] if index == 0 else header.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(0)
        for column in (furniture.left, furniture.middle):
            text = column[index] if index < len(column) else ""
            run = paragraph.add_run(text)
            run.bold = index == 0 or None
            run.font.size = Pt(9)
            paragraph.add_run("\t")
        if index == 0:
            _page_label(paragraph, furniture)
        if index == lines - 1:
            _bottom_border(paragraph)


def _bottom_border(paragraph: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "4"),
                       ("w:color", "888888")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    properties = paragraph._p.get_or_add_pPr()
    properties.insert_element_before(borders, *_AFTER_PBDR)


def _footer(document: Any, furniture: PageFurniture) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Cm, Pt

    footer = document.sections[0].footer
    paragraph = footer.paragraphs[0]
    if furniture.footer:
        paragraph.add_run(furniture.footer).font.size = Pt(8)
    if not (furniture.left or furniture.middle):
        paragraph.add_run("\t\t")  # to the right-hand tab
        _page_label(paragraph, furniture)
    if furniture.box_label:
        box = footer.add_table(rows=1, cols=1, width=Cm(5.2))
        box.style = "Table Grid"
        box.alignment = WD_TABLE_ALIGNMENT.RIGHT
        cell = box.cell(0, 0)
        cell.width = Cm(5.2)
        label = cell.paragraphs[0].add_run(furniture.box_label)
        label.font.size = Pt(7)
        signed = cell.add_paragraph().add_run(furniture.box_text)
        signed.italic, signed.font.size = True, Pt(12)
        cell.paragraphs[1].paragraph_format.space_before = Pt(4)
        footer.add_paragraph()  # Word wants a paragraph after a table


def _swedish_proofing(document: Any) -> None:
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
