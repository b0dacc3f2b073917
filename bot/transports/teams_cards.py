"""Adaptive Cards for Teams, rendered from bot/templates/cards/*.json.j2.

A Reply carries Markdown text and the same as safe HTML. Teams text messages cannot show
tables, so a reply with a table or a long listing (`!budget`, `!uppdrag`, `!påminnelser`,
`!hjälp`) becomes a card built from the blocks of its HTML (headings, paragraphs, lists,
tables). A reply with files (the protokoll) becomes a summary card of its HTML document
(the header table as facts, the § headings) with links to the files."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.messages import Reply

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "cards"
# A listing this long reads better as a card than as a text message.
LONG_LISTING = 8

_ENV = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=False,
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_LINK_OPENING = re.compile(r"\](?=\s*\()")


def card_text(value: object) -> str:
    """TextBlocks and facts read Markdown, links included: a zero-width space between "]"
    and "(" keeps a user's "[text](url)" from becoming a link (Teams' Markdown has no
    dependable backslash escape)."""
    return _LINK_OPENING.sub("]\u200b", str(value))


_ENV.filters["card_text"] = card_text
_STAR = re.compile(r"\*(?=\S)|(?<=\S)\*")
_UNDERSCORE = re.compile(r"_(?=\S)|(?<=\S)_")
_LINE_MARKER = re.compile(r"^([ \t]*)([-+](?=[ \t]|$)|#{1,6}(?=[ \t]|$)|>|\d{1,9}[.)](?=[ \t]|$))",
                          re.MULTILINE)


def literal(text: str) -> str:
    """Text that a TextBlock shows as it stands, not as Markdown (user text, and text the
    template escaped). An "*" next to a word could start emphasis even inside a word, so it
    becomes the look-alike "∗"; an "_" between zero-width spaces counts as inside a word,
    which Markdown never makes italic; a zero-width space before "- ", "1." or "#" at a
    line start keeps it from being a list or heading."""
    text = _STAR.sub("\u2217", text)
    text = _UNDERSCORE.sub("\u200b_\u200b", text)
    text = text.replace("~~", "~\u200b~")
    return _LINE_MARKER.sub("\\1\u200b\\2", text)


@dataclass
class Block:
    kind: str  # heading | text | list | table
    text: str = ""
    level: int = 0
    items: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)  # table rows, header first
    header: bool = False  # the first table row is a header row

    @property
    def is_title(self) -> bool:
        """A short line without a full stop, like "Möte" above a list: shown in bold."""
        return (self.kind == "text" and 0 < len(self.text) <= 60 and "\n" not in self.text
                and self.text[-1] not in ".!?")


class _Blocks(HTMLParser):
    """Splits the safe HTML of a reply into card blocks; text stays plain (entities decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._text: list[str] | None = None
        self._list: Block | None = None
        self._table: Block | None = None
        self._row: list[str] | None = None
        self._heading = 0
        self._depth = 0  # list nesting: inner items join the outer list

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("p", "li", "td", "th") or tag[0] == "h" and tag[1:].isdigit():
            if tag == "p" and self._list is not None and self._text is not None:
                return  # a loose list item: <li><p>…</p></li>
            self._text = []
            self._heading = int(tag[1:]) if tag[0] == "h" and tag[1:].isdigit() else 0
        elif tag in ("ul", "ol"):
            self._depth += 1
            pending = "".join(self._text or []).strip()
            if self._list is None:
                self._list = Block("list")
            elif pending:
                self._list.items.append(pending)  # the outer item's own text
            self._text = None
        elif tag == "table":
            self._table = Block("table")
        elif tag == "tr":
            self._row = []
        elif tag == "br" and self._text is not None:
            self._text.append("\n")
        elif tag in ("strong", "b") and self._text is not None:
            self._text.append("**")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("strong", "b") and self._text is not None:
            self._text.append("**")
            return
        text = "".join(self._text or []).strip()
        if tag == "li" and self._list is not None:
            if self._text is not None:
                self._list.items.append(text)
            self._text = None
        elif tag in ("td", "th") and self._row is not None:
            self._row.append(text)
            if tag == "th" and self._table is not None:
                self._table.header = True
            self._text = None
        elif tag == "p" and self._text is not None and self._list is None and self._row is None:
            if text:
                self.blocks.append(Block("text", text=text))
            self._text = None
        elif tag[0] == "h" and tag[1:].isdigit() and self._text is not None:
            self.blocks.append(Block("heading", text=text, level=self._heading))
            self._text = None
        elif tag in ("ul", "ol"):
            self._depth -= 1
            if self._depth == 0 and self._list is not None:
                self.blocks.append(self._list)
                self._list = None
        elif tag == "tr" and self._table is not None and self._row is not None:
            self._table.rows.append(self._row)
            self._row = None
        elif tag == "table" and self._table is not None:
            self.blocks.append(self._table)
            self._table = None

    def handle_data(self, data: str) -> None:
        # Markup is in the tags; any Markdown left in the text is meant literally.
        if self._text is not None:
            self._text.append(literal(data.replace("\n", " ") if self._heading else data))


def blocks_of(html: str) -> list[Block]:
    parser = _Blocks()
    parser.feed(html)
    parser.close()
    return parser.blocks


class _Emphasis(HTMLParser):
    """The text of each <strong>/<em> of a reply's HTML, in order: the template's own
    emphasis (user text is escaped before it becomes HTML, so it has none)."""

    TAGS = {"strong": ("**", "__"), "b": ("**", "__"), "em": ("*", "_"), "i": ("*", "_")}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[tuple[str, ...], list[str]]] = []
        self._open: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.TAGS:
            self.found.append((self.TAGS[tag], []))
            self._open.append(self.found[-1][1])
        elif tag == "br":
            self.handle_data("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.TAGS and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for parts in self._open:
            parts.append(data)


def plain_text(reply: Reply) -> str:
    """The reply's text for a plain-text Teams message: the template's bold and italic
    markers (`**Vidare Vy 2022**`) removed, user text as typed. Each emphasis of the HTML
    is unwrapped once, in order, so a user's own asterisks stay."""
    parser = _Emphasis()
    parser.feed(reply.html)
    parser.close()
    text, position = reply.text, 0
    for markers, parts in parser.found:
        inner = "".join(parts)
        for marker in markers:
            start = text.find(marker + inner + marker, position)
            if inner and start >= 0:
                text = text[:start] + inner + text[start + len(inner) + 2 * len(marker):]
                position = start + len(inner)
                break
    return text


def needs_card(reply: Reply) -> bool:
    """Tables and files cannot be shown in a Teams text message; long listings read better
    as a card."""
    if reply.attachments:
        return True
    blocks = blocks_of(reply.html)
    if any(b.kind == "table" for b in blocks):
        return True
    return sum(len(b.items) for b in blocks if b.kind == "list") >= LONG_LISTING


def render_card(template: str, **kwargs: Any) -> dict[str, Any]:
    """The card of bot/templates/cards/<template>.json.j2."""
    text = _ENV.get_template(f"{template}.json.j2").render(**kwargs)
    card: dict[str, Any] = json.loads(text)  # the template must yield valid JSON
    return card


def reply_card(reply: Reply) -> dict[str, Any]:
    """The card for a reply with tables or lists: its blocks in order."""
    return render_card("svar", blocks=blocks_of(reply.html), fallback=plain_text(reply))


@dataclass(frozen=True)
class FileLink:
    filename: str
    mimetype: str
    url: str


def document_card(reply: Reply, document_html: str, links: list[FileLink]) -> dict[str, Any]:
    """The card for a reply that sends a document: the reply's first line as title, the
    document's first two-column table as facts, its § headings, and the file links."""
    blocks = blocks_of(document_html)
    facts: list[list[str]] = []
    table = next((b for b in blocks if b.kind == "table"
                  and all(len(row) == 2 for row in b.rows)), None)
    if table is not None:
        facts = table.rows
    sections = [b.text for b in blocks
                if b.kind == "heading" and b.level == 2 and b.text.startswith("§")]
    title = literal(plain_text(reply).partition("\n")[0])
    return render_card("dokument", title=title, facts=facts, sections=sections, links=links,
                       fallback=plain_text(reply))
