"""Renders the anslagstavla's pages, feed and calendar texts from bot/templates/anslagstavla.

HTML and Atom are rendered with autoescaping on, so every value from the store is escaped;
`*.txt.j2` holds plain texts (calendar titles) and is not escaped. The date and name
filters are the ones the chat replies use (bot.swedish)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from bot.render import jinja_environment

if TYPE_CHECKING:
    from jinja2 import Environment


@cache
def _env() -> Environment:
    # Made at the first page or text, not at start (issue 19: a lighter process).
    from jinja2 import select_autoescape

    return jinja_environment("web", autoescape=select_autoescape(
        enabled_extensions=("html.j2", "atom.j2"), default=False))


def page(name: str, **values: Any) -> str:
    """A whole HTML page: bot/templates/anslagstavla/<name>.html.j2. The frame gets the
    förbund, its additions and its links from `sida` (a BoardPage) when there is one."""
    sida = values.get("sida")
    frame = {"board": None, "site": None, "links": None, "aktuell": name}
    if sida is not None:
        frame |= {"board": sida.board, "site": sida.site, "links": sida.links}
    return _env().get_template(f"anslagstavla/{name}.html.j2").render({**frame, **values})


def feed(**values: Any) -> str:
    return _env().get_template("anslagstavla/flode.atom.j2").render(**values)


def text(macro: str, **values: Any) -> str:
    """One plain text (a calendar event's title, a config error), on one line."""
    module = _env().get_template("anslagstavla/texter.txt.j2").module
    return " ".join(str(getattr(module, macro)(**values)).split())
