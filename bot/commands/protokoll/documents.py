"""PDF and DOCX from the Markdown a document template renders, so every format comes from
the same jinja2 template and the same data.

The Markdown is parsed with markdown-it into a few kinds of blocks (headings, paragraphs,
lists, tables, and a thematic break `---`, which on paper turns the page); each writer lays
those out: bot.documents_pdf (reportlab) and bot.documents_docx (python-docx). What every
page carries besides the text (the header, "Sida x(y)", the justerarnas signature box) is a
PageFurniture, its words rendered from a template by the caller. Both writers use the same
page: A4 with MARGINS."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from bot.clean import clean_text
from bot.messages import Attachment

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

PDF_MIME = "application/pdf"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
A4_CM = (21.0, 29.7)


@dataclass(frozen=True)
class Margins:
    """The page margins in cm, the same in PDF and DOCX; the header and the footer are
    drawn inside the top and bottom margins."""

    top: float
    right: float
    bottom: float
    left: float


MARGINS = Margins(top=3.2, right=2.2, bottom=3.0, left=2.5)


@dataclass(frozen=True)
class PageFurniture:
    """The running header and footer of every page. `page_label(x, y)` gives the page
    number text ("Sida 1(4)"); `box_label` names the box where the justerare sign each
    page ("" for no box) and `box_text` is what is already in it (their initials)."""

    left: tuple[str, ...]
    middle: tuple[str, ...]
    page_label: Callable[[str, str], str]
    box_label: str = ""
    box_text: str = ""
    footer: str = ""

    def cleaned(self) -> PageFurniture:
        """The same with every text cleaned (names stored before the input was cleaned)."""
        return dataclasses.replace(
            self, left=tuple(map(clean_text, self.left)),
            middle=tuple(map(clean_text, self.middle)), box_label=clean_text(self.box_label),
            box_text=clean_text(self.box_text), footer=clean_text(self.footer))


@cache
def _parser() -> MarkdownIt:
    # markdown-it loads with the first document, not at start (issue 19).
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "breaks": True}).enable("table")


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


Line = list[Run]


@dataclass
class Block:
    kind: str  # heading | paragraph | bullets | numbers | table | rule (a new page)
    level: int = 0
    runs: Line = field(default_factory=list)
    items: list[Line] = field(default_factory=list)  # list items
    rows: list[list[Line]] = field(default_factory=list)  # table cells
    start: int = 1  # first number of an ordered list


def _runs(inline: Token) -> Line:
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
            # Cleaned: reportlab and lxml (DOCX) fail on some characters, and a text
            # stored before the input was cleaned must still render.
            runs.append(Run(clean_text(child.content), bold, italic))
    return runs


def blocks(markdown: str) -> list[Block]:
    """The Markdown's structure, flattened to what the protokoll and kallelse use."""
    tokens = _parser().parse(markdown)
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


def is_label(line: Line) -> bool:
    """A paragraph that only introduces what follows: bold and ending in a colon
    ("**Beslut:**", "**Yrkanden:**")."""
    visible = [r for r in line if r.text.strip()]
    return bool(visible) and all(r.bold for r in visible) and plain(line).rstrip().endswith(":")


def office_attachments(stem: str, markdown: str, title: str, footer: str,
                       furniture: PageFurniture | None = None,
                       pdf: bytes | None = None) -> list[Attachment]:
    """The document as PDF and DOCX. Without furniture, the pages carry `footer` and the
    page number; `pdf` is a PDF already made (a sealed one) to send instead of a new one."""
    from bot.commands.protokoll.documents_docx import to_docx
    from bot.commands.protokoll.documents_pdf import to_pdf

    furniture = furniture or PageFurniture((), (), lambda page, _pages: page, footer=footer)
    return [
        Attachment(f"{stem}.pdf", PDF_MIME, pdf or to_pdf(markdown, title, furniture)),
        Attachment(f"{stem}.docx", DOCX_MIME, to_docx(markdown, title, furniture)),
    ]
