"""How the Matrix transport takes a homeserver's answers to a send, against a stand-in
homeserver that answers as told (Synapse cannot be made to give these on cue):
- a 429 whose retry_after_ms is 0 (Synapse's answer when the next send is allowed within
  the millisecond) must not make the bot wait: matrix-nio reads 0 as "no hint" and sleeps
  5 s, which held a reply up for 5.6 s in the January storm benchmark;
- a refusal for good (403: the bot is no longer in the room) makes a delivery report
  False, so a reminder is marked "ej levererad" instead of sent."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import nio.client.async_client as nio_client
import pytest
from aiohttp import web

from bot.app import create_app
from bot.config import default_config
from bot.render import render
from bot.transports.matrix import MatrixBot
from bot.transports.matrix.config import matrix_settings

ROOM = "!styrelsen:localhost"


class Homeserver:
    """Answers the first send with 429 (retry_after_ms 0), later ones with an id; every
    send with 403 once `forbidden` is set."""

    def __init__(self) -> None:
        self.sends = 0
        self.forbidden = False

    async def send(self, request: web.Request) -> web.Response:
        self.sends += 1
        if self.forbidden:
            return web.json_response({"errcode": "M_FORBIDDEN",
                                      "error": "User not in room"}, status=403)
        if self.sends == 1:
            return web.json_response({"errcode": "M_LIMIT_EXCEEDED", "error": "Too Many Requests",
                                      "retry_after_ms": 0}, status=429)
        return web.json_response({"event_id": f"$svar{self.sends}"})


@pytest.fixture
async def homeserver() -> AsyncIterator[tuple[Homeserver, str]]:
    server = Homeserver()
    app = web.Application()
    app.router.add_put("/_matrix/client/v3/rooms/{room}/send/{type}/{txn}", server.send)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield server, f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest.fixture
async def matrix_bot(homeserver: tuple[Homeserver, str],
                     tmp_path: Path) -> AsyncIterator[MatrixBot]:
    _, url = homeserver
    config = default_config()
    config.database_url = f"sqlite:///{tmp_path / 'bot.db'}"
    config.matrix = {"homeserver": url, "user_id": "@sekreteraren:localhost",
                     "password": "hemligt", "store_path": str(tmp_path / "store"),
                     "encryption": False}
    app = create_app(config)
    bot = MatrixBot(app, matrix_settings(app.config))
    bot.client.access_token, bot.client.user_id = "token", "@sekreteraren:localhost"
    bot.rooms_known.set()  # as after a first sync
    try:
        yield bot
    finally:
        await bot.client.close()
        app.close()


async def test_a_429_saying_retry_now_is_retried_at_once(
        homeserver: tuple[Homeserver, str], matrix_bot: MatrixBot,
        monkeypatch: pytest.MonkeyPatch) -> None:
    server, _ = homeserver
    slept: list[float] = []
    real_sleep = asyncio.sleep

    async def noted_sleep(seconds: float, *args: Any) -> Any:
        slept.append(seconds)
        return await real_sleep(0, *args)

    monkeypatch.setattr(nio_client.asyncio, "sleep", noted_sleep)
    event_id = await matrix_bot._room_send(ROOM, {"msgtype": "m.notice", "body": "Hej"},
                                           "tx-1")
    assert event_id == "$svar2"
    assert server.sends == 2
    # nio's own default for "no hint" would be 5.0 (asyncio.sleep is patched for everyone:
    # other sleeps may be noted too).
    assert 0.001 in slept and 5.0 not in slept, slept
    assert matrix_bot.stats["rate_limited"] == 1


async def test_a_message_refused_for_good_is_not_delivered(
        homeserver: tuple[Homeserver, str], matrix_bot: MatrixBot) -> None:
    server, _ = homeserver
    app = matrix_bot.app
    app.add_sender("matrix", matrix_bot.send)
    server.sends = 1  # past the 429
    reminder = render("rum", "välkommen", organ=None)
    reminder.kind = "påminnelse"
    assert await app.deliver("matrix", ROOM, reminder) is True
    server.forbidden = True
    assert await app.deliver("matrix", ROOM, reminder) is False
    assert server.sends == 3  # a 403 is not tried again
