"""A 429 whose retry_after_ms is 0 (Synapse's answer when the next send is allowed within
the millisecond) must not make the bot wait: matrix-nio reads 0 as "no hint" and sleeps
5 s, which held a reply up for 5.6 s in the January storm benchmark."""

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
from bot.transports.matrix import MatrixBot
from bot.transports.matrix.config import matrix_settings

ROOM = "!styrelsen:localhost"


class Homeserver:
    """Answers the first send with 429 (retry_after_ms as given), later ones with an id."""

    def __init__(self, retry_after_ms: int) -> None:
        self.retry_after_ms = retry_after_ms
        self.sends = 0

    async def send(self, request: web.Request) -> web.Response:
        self.sends += 1
        if self.sends == 1:
            return web.json_response({"errcode": "M_LIMIT_EXCEEDED", "error": "Too Many Requests",
                                      "retry_after_ms": self.retry_after_ms}, status=429)
        return web.json_response({"event_id": f"$svar{self.sends}"})


@pytest.fixture
async def homeserver() -> AsyncIterator[tuple[Homeserver, str]]:
    server = Homeserver(retry_after_ms=0)
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


async def test_a_429_saying_retry_now_is_retried_at_once(
        homeserver: tuple[Homeserver, str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    server, url = homeserver
    config = default_config()
    config.database_url = f"sqlite:///{tmp_path / 'bot.db'}"
    config.matrix = {"homeserver": url, "user_id": "@sekreteraren:localhost",
                     "password": "hemligt", "store_path": str(tmp_path / "store"),
                     "encryption": False}
    app = create_app(config)
    bot = MatrixBot(app, matrix_settings(app.config))
    bot.client.access_token, bot.client.user_id = "token", "@sekreteraren:localhost"
    slept: list[float] = []
    real_sleep = asyncio.sleep

    async def noted_sleep(seconds: float, *args: Any) -> Any:
        slept.append(seconds)
        return await real_sleep(0, *args)

    monkeypatch.setattr(nio_client.asyncio, "sleep", noted_sleep)
    try:
        event_id = await bot._room_send(ROOM, {"msgtype": "m.notice", "body": "Hej"}, "tx-1")
    finally:
        await bot.client.close()
        app.close()
    assert event_id == "$svar2"
    assert server.sends == 2
    assert slept == [0.001]  # nio's own default for "no hint" would be 5.0
    assert bot.stats["rate_limited"] == 1
