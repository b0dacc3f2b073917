"""Hostile chat messages for the fault tests: a fixed, seeded corpus of random and
adversarial texts (huge texts, control characters, HTML and Markdown injection, SQL-ish
text, broken encodings, lone surrogates), aimed at every command name and alias."""

from __future__ import annotations

import json
import random
import re
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import inspect, text

from bot.app import App
from tests.conftest import command_registry

HTML = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">klicka</a>', "<iframe src=//evil.example>",
        "<svg onload=alert(1)>", "<b>fet</b>", "</p><h1>Rubrik</h1>", "<mx-reply>x</mx-reply>",
        '<font color="red">röd</font>', "<details open>", "&lt;script&gt;", "&#60;script&#62;",
        "<!-- kommentar -->", "<style>*{display:none}</style>", "<table><tr><td>x",
        '"><script>alert(1)</script>', "<<script>script>", "<ScRiPt>", "<a href=x>",
        "<div style=\"position:fixed\">", "<form action=//evil>", "<\x00script>"]
MARKDOWN = ["**fet**", "_kursiv_", "[länk](javascript:alert(1))", "![bild](http://x/y.png)",
            "# Rubrik", "> citat", "`kod`", "```\nblock\n```", "1. lista", "- punkt",
            "| a | b |\n|---|---|\n| 1 | 2 |", "<http://evil.example>", "http://evil.example/x",
            "---", "[x]: http://evil.example", "@room", "\\*", "~~struken~~", "    indraget",
            "* * *", "[![a](b)](c)", "<mailto:a@b.c>", "&amp;", "\\", "2. \n3. "]
SQL = ["'; DROP TABLE paragraph; --", '" OR 1=1 --', "1; DELETE FROM entry", "%", "_%_",
       "' UNION SELECT * FROM member --", "\\'", "Robert'); DROP TABLE meeting;--",
       "$$; select pg_sleep(10); $$", "/* */", "NULL", "0x00"]
CONTROL = ["\x00", "\x1b[31m", "\r\n", "\t", "\x7f", "\u0085", "\u2028", "\u202e", "\u200b",
           "\ufeff", "\ud800", "\udcff", "\U0010ffff", "\u0301", "\x0b\x0c",
           b"\xff\xfe\xc3\x28".decode("utf-8", "surrogateescape"),
           "Ã¥Ã¤Ã¶", "Ã…", "\ufffd"]
NUMBERS = ["§-1", "§99999999999999999999", "§0", "2026-02-30", "1e309", "NaN", "-0",
           "10 000 000 000 000 000 kr", "§1a", "kl. 25:61", "31/13", "0,000001", "§ §",
           "9" * 400, "-1 000", "2026", "§12 2025", "i morgon kl 9", "om -3 dagar"]
WORDS = ["Styrelsen", "beslutar", "att", "Vidare Vy", "äpplet", "öppna", "avsluta", "ja", "nej",
         "Anna", "§3", "2021", "100 000", "kr", "alla", "mig", "@ordf:localhost", "!beslut"]
FRAGMENTS = HTML + MARKDOWN + SQL + CONTROL + NUMBERS + WORDS
# Text that broke or bent the documents: non-characters (lxml, and so DOCX, refuses U+FFFE
# and U+FFFF), C1 controls, bidi embeddings and isolates, and a lone "\r", which Markdown
# reads as a line start. Kept apart from FRAGMENTS so the seeded corpus stays as it was.
BREAKERS = ["x\uffff", "\ufffe", "\ufdd0", "\U0001fffe", "\x9b", "\u202aLRE", "\u202b\u202d",
            "\u2066isolat\u2069", "&#xFFFF;", "x\r# Rubrik", "x\r1. lista", "x\r---",
            "\x1b\x08\x0c", "slut\u202e"]


def command_names() -> list[str]:
    names: list[str] = []
    for command in command_registry().commands.values():
        names.append(command.name)
        names.extend(command.aliases)
    return sorted(set(names))


def _random_text(rng: random.Random, size: int) -> str:
    """Code points from every plane, surrogates and controls included."""
    ranges = [(0, 0x7f), (0x80, 0x24f), (0x2000, 0x206f), (0xd800, 0xdfff), (0xe000, 0xffff),
              (0x10000, 0x10ffff), (0x1f300, 0x1faff)]
    out = []
    for _ in range(size):
        low, high = rng.choice(ranges)
        out.append(chr(rng.randint(low, high)))
    return "".join(out)


def _huge(rng: random.Random) -> str:
    unit = rng.choice(["A", "ö ", "§", "<b>", "**", "\x00", "👍", "| x "])
    return unit * rng.choice([5_000, 20_001, 60_000])


def hostile_messages(count: int, seed: int = 8) -> list[str]:
    """`count` messages: a quarter random text, the rest commands (every name and alias,
    and some that are not) followed by adversarial fragments; about 1 % huge."""
    rng = random.Random(seed)
    names = command_names() + ["xyz", "BESLUT", "Beslut", "beslut!", "", "§", "!", "ä"]
    messages: list[str] = []
    for i in range(count):
        roll = rng.random()
        if roll < 0.01:
            head = f"!{rng.choice(names)} " if rng.random() < 0.7 else ""
            messages.append(head + _huge(rng))
        elif roll < 0.25:
            messages.append(_random_text(rng, rng.randint(0, 120)))
        else:
            parts = [rng.choice(FRAGMENTS) if rng.random() < 0.8
                     else _random_text(rng, rng.randint(1, 20))
                     for _ in range(rng.randint(0, 5))]
            prefix = rng.choice(["!", "!", "!", " !", "!!", "\u00a0!", "！"])
            separator = rng.choice([" ", " ", ":", "\n", "  "])
            messages.append(f"{prefix}{names[i % len(names)]}{separator}" + " ".join(parts))
    return messages


ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "em", "strong", "code", "pre", "table", "thead",
                "tbody", "tr", "th", "td", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
                "blockquote"}
ALLOWED_ATTRIBUTES = {("ol", "start"), ("th", "style"), ("td", "style")}
_ALIGN = re.compile(r"text-align:(left|right|center)")


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if (tag, name) not in ALLOWED_ATTRIBUTES or (
                    name == "style" and not _ALIGN.fullmatch(value or "")) or (
                    name == "start" and not (value or "").isdigit()):
                self.problems.append(f"<{tag} {name}={value!r}>")

    def handle_comment(self, data: str) -> None:
        self.problems.append("<!--")

    def handle_decl(self, decl: str) -> None:
        self.problems.append("<!")

    def handle_pi(self, data: str) -> None:
        self.problems.append("<?")

    def unknown_decl(self, data: str) -> None:
        self.problems.append("<![")


def markup_injected(html: str) -> str | None:
    """A tag, attribute or comment in the HTML that no template writes, or None. (User
    text such as "<img onerror=…>" is fine as long as it arrives escaped, as text.)"""
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return ", ".join(parser.problems[:5]) or None


MD_LINK = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(")
CARD_ELEMENTS = {"AdaptiveCard", "TextBlock", "Container", "ColumnSet", "Column", "FactSet",
                 "Table", "TableRow", "TableCell", "RichTextBlock", "TextRun"}


def card_problem(card: dict[str, Any]) -> str | None:
    """A Teams card built from hostile text may hold that text only as values: no element
    or action types of its own, no links, and it must survive a JSON round trip."""
    if json.loads(json.dumps(card)) != card:
        return "not JSON"

    def walk(node: Any) -> str | None:
        if isinstance(node, dict):
            kind = node.get("type")
            if kind is not None and kind not in CARD_ELEMENTS:
                return f"element {kind!r}"
            for key, value in node.items():
                if key in ("url", "selectAction", "backgroundImage") or (
                        key == "actions" and value):
                    return f"key {key!r}"
                if kind == "TextBlock" and key == "text" and MD_LINK.search(value):
                    return f"a Markdown link Teams would follow: {value[:80]!r}"
                problem = walk(value)
                if problem:
                    return problem
        elif isinstance(node, list):
            for value in node:
                problem = walk(value)
                if problem:
                    return problem
        return None

    return walk(card)


# Tables that only say "this event was seen": a refused command may claim its event id.
BOOKKEEPING = {"handled_event", "alembic_version", "reminder_job", "matrix_sync_state"}


def snapshot(app: App) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table but the bookkeeping ones, in a stable order."""
    with app.db.engine.connect() as conn:
        tables = [t for t in inspect(conn).get_table_names() if t not in BOOKKEEPING]
        return {t: sorted((tuple(r) for r in conn.execute(text(f'SELECT * FROM "{t}"'))),
                          key=repr) for t in sorted(tables)}
