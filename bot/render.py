"""Renders replies and documents from bot/templates.

A template is Markdown with jinja2. It is rendered twice: once as it stands (the plain
body, which chat clients show as text) and once with every interpolated value escaped for
Markdown, then turned into HTML with raw HTML disabled, so user text can never inject markup.
Each template file holds the replies of one command family as macros."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot import swedish
from bot.clean import clean_text
from bot.messages import Attachment, Reply

if TYPE_CHECKING:
    from jinja2 import Environment
    from markdown_it import MarkdownIt

TEMPLATES = Path(__file__).parent / "templates"
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
_MD_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+(?=[.)]))", re.MULTILINE)


class Raw(str):
    """Already-rendered Markdown that must not be escaped again."""


def md_escape(value: object) -> str:
    """Escape user text so Markdown shows it literally: inline markup everywhere, block
    markers (headings, lists, quotes) at line starts, and no indented code blocks. Cleaned
    first: a stored text from before the input was cleaned must still render."""
    text = clean_text(str(value))
    text = _MD_INLINE.sub(r"\\\1", text)
    text = _MD_LINE_START.sub(_escape_block_marker, text)
    return "\n".join(line.lstrip() for line in text.split("\n"))


def _escape_block_marker(match: re.Match[str]) -> str:
    marker = match.group(2)
    # "1." must become "1\." (the dot makes the list); "#" becomes "\#".
    return marker + "\\" if marker[0].isdigit() else "\\" + marker


def _plain(value: object) -> object:
    if isinstance(value, str):
        return clean_text(value)
    return "" if value is None else value


def _escaped(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, Raw):
        return value
    return md_escape(value)


def _one_line(value: object) -> str:
    """User text in a table cell: a line break would end the row."""
    return " ".join(str(value).split())


def jinja_environment(kind: str, **options: Any) -> Environment:
    """The project's jinja2 settings: bot/templates, compiled templates kept between runs
    (`kind` names the cache), strict undefined values, trimmed blocks; with the date and
    name filters every template uses. `options` add to them (autoescape, finalize)."""
    # jinja2 loads with the first reply or page, not at start (issue 19).
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    from bot.template_cache import compiled_templates

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      bytecode_cache=compiled_templates(kind), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, **options)
    env.filters |= {
        "datum": swedish.long_date,
        "datumtid": swedish.long_datetime,
        "klocka": swedish.clock,
        "iso": swedish.iso_date,
        "namn": swedish.join_names,
        "genitiv": swedish.genitive,
    }
    return env


def _environment(finalize: Any, kind: str) -> Environment:
    env = jinja_environment(kind, autoescape=False, keep_trailing_newline=False,
                            finalize=finalize)
    env.filters |= {
        "dag": swedish.day_month_year,
        "dagen": swedish.definite_date,
        "kr": swedish.amount,
        "andel": swedish.percent,
        "öre": swedish.amount_ore,
        "cell": _one_line,
        "raw": Raw,
    }
    env.globals["p"] = _prefix
    return env


_prefix = "!"


@cache
def _text() -> Environment:
    return _environment(_plain, "text")


@cache
def _markdown() -> Environment:
    return _environment(_escaped, "markdown")


@cache
def _html() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).enable(
        "table")


def configure(prefix: str) -> None:
    """The command prefix the templates show (`{{ p }}beslut`)."""
    global _prefix
    _prefix = prefix
    for made in (_text, _markdown):
        if made.cache_info().currsize:
            made().globals["p"] = prefix


def _tidy(text: str) -> str:
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def markdown_to_html(markdown: str) -> str:
    return _html().render(markdown).strip()


def _call(env: Environment, template: str, macro: str, kwargs: dict[str, Any]) -> str:
    module = env.get_template(f"{template}.md.j2").module
    return str(getattr(module, macro)(**kwargs))


def render(template: str, macro: str, **kwargs: Any) -> Reply:
    """One reply: `template` is a file under templates/replies, `macro` a macro in it."""
    name = f"replies/{template}"
    text = _tidy(_call(_text(), name, macro, kwargs))
    html = markdown_to_html(_tidy(_call(_markdown(), name, macro, kwargs)))
    return Reply(text=text, html=html)


def render_document(template: str, **kwargs: Any) -> tuple[str, str]:
    """A whole document (the protokoll): Markdown with user text escaped, and the same as
    a standalone HTML page."""
    markdown = _tidy(_markdown().get_template(f"{template}.md.j2").render(**kwargs)) + "\n"
    page = _text().get_template("page.html.j2").render(
        title=kwargs.get("title", ""), body=Raw(markdown_to_html(markdown)))
    return markdown, page


def document_attachments(stem: str, markdown: str, html: str) -> list[Attachment]:
    return [
        Attachment(f"{stem}.html", "text/html", html.encode("utf-8")),
        Attachment(f"{stem}.md", "text/markdown", markdown.encode("utf-8")),
    ]
