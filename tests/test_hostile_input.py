"""Arbitrary text never crashes the parser or the bot, and never becomes markup."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import App
from bot.config import default_config
from bot.messages import IncomingMessage
from bot.parser import parse
from bot.render import markdown_to_html, md_escape
from tests.conftest import STOCKHOLM, Chat, make_app

NAMES = ["beslut", "paragraf", "info", "yrkande", "visa", "sök", "ändra", "möte", "närvaro",
         "justerare", "paragrafnummer", "protokoll", "hjälp", "ångra", "xyz"]
HOSTILE = ["<script>alert(1)</script>", "**fet**", "[länk](javascript:alert(1))", "# Rubrik",
           "<img src=x onerror=alert(1)>", "'; DROP TABLE paragraph; --", "§§§", "\x00\x1b[31m",
           "&lt;b&gt;", "1. lista", "> citat", "`kod`", "    indraget", "\u202e", "ÅÄÖ åäö"]
text_strategy = st.one_of(
    st.text(max_size=300),
    st.builds(lambda n, parts: f"!{n} " + " ".join(parts), st.sampled_from(NAMES),
              st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40)), max_size=5)),
)
TAG = re.compile(r"<(?!/?(p|br|ul|ol|li|em|strong|code|table|thead|tbody|tr|th|td|h[1-6]|hr)"
                 r"[ />])[a-zA-Z]")


@given(st.text())
def test_parser_never_raises(text: str) -> None:
    result = parse(text)
    if result is not None:
        assert text.strip().startswith("!")
        assert result.name == result.name.lower()


@given(st.text(max_size=500))
def test_escaped_user_text_renders_without_markup(text: str) -> None:
    html = markdown_to_html(md_escape(text))
    assert TAG.search(html) is None
    for tag in ("<strong>", "<em>", "<a ", "<h1>", "<h2>", "<img", "<script", "<code>",
                "<blockquote>", "<li>", "<pre>"):
        assert tag not in html


_APP: dict[str, App] = {}


def _app(tmp_path_factory) -> App:  # type: ignore[no-untyped-def]
    if "app" not in _APP:
        path = tmp_path_factory.mktemp("hostile") / "bot.db"
        _APP["app"] = make_app(default_config(), f"sqlite:///{path}")
        _APP["app"].dispatcher.handle_sync(_message("!möte öppna 2022-03-25 Kansliet"))
    return _APP["app"]


def _message(text: str, sender: str = "Sekreteraren") -> IncomingMessage:
    return IncomingMessage(transport="console", room_id="console", sender_id=sender,
                           sender_name=sender, text=text, event_id=uuid.uuid4().hex,
                           timestamp=datetime(2022, 3, 25, 9, 0, tzinfo=STOCKHOLM))


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text_strategy)
def test_bot_answers_anything_without_crash_or_markup(tmp_path_factory, text: str) -> None:  # type: ignore[no-untyped-def]
    app = _app(tmp_path_factory)
    reply = app.dispatcher.handle_sync(_message(text))
    if reply is None:
        return
    assert not reply.text.startswith("Något gick fel"), (text, reply.text)
    assert TAG.search(reply.html) is None, (text, reply.html)
    assert "<script" not in reply.html and "<img" not in reply.html and "<a " not in reply.html


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text_strategy)
def test_refused_commands_change_nothing(tmp_path_factory, text: str) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import func, select

    from storage.models import AuditEntry, Entry, Meeting, Paragraph

    app = _app(tmp_path_factory)

    def snapshot() -> tuple[int, ...]:
        with app.db.transaction() as s:
            return tuple(s.exec(select(func.count()).select_from(t)).one()
                         for t in (Meeting, Paragraph, Entry, AuditEntry))

    before = snapshot()
    reply = app.dispatcher.handle_sync(_message(text, sender="Utomstående"))
    assert snapshot() == before
    if reply is not None and text.split()[0][1:] in ("beslut", "paragraf", "ändra", "ångra"):
        assert reply.text.startswith(("Du får inte", "Det saknas", "Ange", "”"))


@pytest.mark.parametrize(("line", "answer"), [
    ("!paragrafnummer ¹", "”¹” är inget paragrafnummer. Skriv till exempel !paragrafnummer 22."),
    ("!ändra §¹ Styrelsen beslutar", "”§¹” är inget paragrafnummer. Skriv till exempel "
                                     "!ändra §26."),
    ("!visa §²", "”§²” är inget paragrafnummer. Skriv till exempel !visa §26."),
    ("!uppdrag klart ³", "”³” är inget uppdragsnummer. Skriv !uppdrag för att se numren, och "
                         "sedan till exempel !uppdrag klart 2."),
])
def test_a_superscript_digit_is_no_number(chat: Chat, line: str, answer: str) -> None:
    # "¹".isdigit() is true but int("¹") fails: these were "Något gick fel".
    chat.text("!möte öppna 2022-03-25 Kansliet")
    assert chat.text(line) == answer
