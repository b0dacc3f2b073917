"""10 000 hostile messages through the parser, the dispatcher and the renderers (the
Matrix content builder, the Teams card builder): no crash, no markup that a template did not
write, and commands refused for lack of rights leave the store exactly as it was."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import App
from bot.config import default_config
from bot.messages import IncomingMessage, Reply
from bot.parser import parse
from bot.render import markdown_to_html, md_escape, render
from bot.transports.matrix import message_content
from bot.transports.teams_cards import blocks_of, reply_card
from tests.conftest import STOCKHOLM, make_app
from tests.hostile_support import (
    FRAGMENTS,
    card_problem,
    command_names,
    hostile_messages,
    markup_injected,
    snapshot,
)

COUNT = 10_000
OUTSIDER = "Utomstående"


def message(text: str, sender: str) -> IncomingMessage:
    return IncomingMessage(transport="console", room_id="console", sender_id=sender,
                           sender_name=sender, text=text, event_id=uuid.uuid4().hex,
                           timestamp=datetime(2026, 3, 20, 9, 0, tzinfo=STOCKHOLM))


def check_reply(source: str, reply: Reply) -> None:
    assert not reply.text.startswith("Något gick fel"), (source[:200], reply.text)
    injected = markup_injected(reply.html)
    assert injected is None, (source[:200], injected)
    content = message_content(reply)
    assert content["msgtype"] == "m.notice" and content["formatted_body"] == reply.html
    json.dumps(content)  # what nio sends; lone surrogates are escaped, not an error
    problem = card_problem(reply_card(reply))
    assert problem is None, (source[:200], problem)


def user_text_reply(value: str) -> Reply:
    """A reply that shows user text in a sentence, a list and a table."""
    reply = render("fel", "okänd_underkommando", kommando="budget", text=value,
                   former=[f"!{value}", "!budget 2021"])
    table = f"| Insats | Belopp |\n|---|---|\n| {md_escape(value)} | 1 kr |"
    return Reply(text=reply.text + "\n\n" + table,
                 html=reply.html + markdown_to_html(table))


def test_corpus_is_hostile_enough() -> None:
    corpus = hostile_messages(COUNT)
    assert len(corpus) == COUNT
    commands = [m for m in corpus if parse(m) is not None]
    named = {parse(m).name for m in commands}  # type: ignore[union-attr]
    assert len(commands) > COUNT // 2
    # Every name the parser can read ("§", an alias of !paragraf, it cannot).
    reachable = {n for n in command_names() if parse(f"!{n} x") is not None}
    assert reachable <= named | {n.casefold() for n in named}
    assert sum(len(m) > 20_000 for m in corpus) >= 20
    assert any("\ud800" in m for m in corpus) and any("<script>" in m for m in corpus)


def test_parser_and_renderers_on_the_whole_corpus() -> None:
    started = time.monotonic()
    for source in hostile_messages(COUNT):
        parsed = parse(source)
        if parsed is not None:
            assert source.strip().startswith("!") and parsed.name == parsed.name.lower()
        # The renderers see the user's text only after it was cut to something sane.
        check_reply(source, user_text_reply(source[:2000]))
    assert time.monotonic() - started < 120


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=30)), max_size=6))
def test_generated_fragments_never_become_markup(parts: list[str]) -> None:
    value = " ".join(parts)
    check_reply(value, user_text_reply(value))
    assert all(b.kind in ("heading", "text", "list", "table")
               for b in blocks_of(user_text_reply(value).html))


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    # tmpfs when there is one: 10 000 commits need not wait for a disk.
    shm = Path("/dev/shm")
    folder = Path(tmp_path_factory.mktemp("hostile")) if not shm.is_dir() else shm
    path = folder / f"hostile-{uuid.uuid4().hex[:8]}.db"
    app = make_app(default_config(), f"sqlite:///{path}")
    app.dispatcher.handle_sync(message("!möte öppna 2026-03-20 09:00 Kansliet", "Sekreteraren"))
    yield app
    app.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def test_dispatcher_survives_the_corpus_and_refusals_change_nothing(hostile_app: App) -> None:
    started = time.monotonic()
    corpus = hostile_messages(COUNT)
    # The secretary may record: her commands run (and may store things).
    for source in corpus[: COUNT // 2]:
        reply = hostile_app.dispatcher.handle_sync(message(source, "Sekreteraren"))
        if reply is not None:
            check_reply(source, reply)
    # Someone in the room who is not a member of the organ: nothing may change.
    before = snapshot(hostile_app)
    refused = 0
    for source in corpus[COUNT // 2:]:
        reply = hostile_app.dispatcher.handle_sync(message(source, OUTSIDER))
        if reply is not None:
            check_reply(source, reply)
            refused += reply.text.startswith("Du får inte")
    assert snapshot(hostile_app) == before
    assert refused > 500
    assert time.monotonic() - started < 180


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(command_names()),
       st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=30)), max_size=5))
def test_refused_commands_of_every_name_change_nothing(hostile_app: App, name: str,
                                                       parts: list[str]) -> None:
    before = snapshot(hostile_app)
    reply = hostile_app.dispatcher.handle_sync(message(f"!{name} " + " ".join(parts),
                                                       OUTSIDER))
    assert snapshot(hostile_app) == before
    if reply is not None:
        check_reply(name, reply)
