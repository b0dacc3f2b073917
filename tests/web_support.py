"""The public anslagstavla served for real on 127.0.0.1 for the web tests: two förbund (so
one's notices can be shown never to reach the other's page), an injectable clock, and the
seed meeting justerat through the dispatcher."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import aiohttp

from bot.app import App
from bot.config import load_config
from bot.web.server import WebServer
from bot.web.settings import load_settings
from tests.conftest import FIXTURES, Chat, make_app
from tests.justering_support import CAROLINA, at, replay_meeting

PUBLIC_URL = "https://anslagstavla.finsamovik.se"
BOARD = f"{PUBLIC_URL}/ornskoldsvik/anslagstavla"
LOGO = FIXTURES / "logga-ovik.svg"
# A second förbund in the same bot, with its own room (a Matrix room id).
UMEA_ROOM = "!umea-styrelsen:matrix.test"
UMEA = f'''
[[forbund]]
key = "umea"
name = "Samordningsförbundet Umeåregionen"
archive_location = "Förbundets kansli, Umeå"

[[forbund.organ]]
key = "styrelsen"
name = "Styrelsen"
rooms = ["{UMEA_ROOM}"]

[[forbund.organ.member]]
name = "Anna Ordförande"
role = "ordförande"
ids = ["@anna:umea.test"]

[[forbund.organ.member]]
name = "Sekreteraren Umeå"
role = "sekreterare"
ids = ["@sekreterare:umea.test"]
'''


class Clock:
    """The web server's notion of now; a test sets `now`."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def write_config(tmp_path: Path, web: str) -> Path:
    """ornskoldsvik.toml with a logo and website, the second förbund, and `web`."""
    base = (FIXTURES / "ornskoldsvik.toml").read_text(encoding="utf-8")
    base = base.replace('archive_location = "Samordningsförbundets kansli"\n',
                        'archive_location = "Samordningsförbundets kansli"\n'
                        'website = "https://www.finsamovik.se"\n'
                        f'logo = "{LOGO}"\n'
                        'contact_email = "kansli@finsamovik.se"\n', 1)
    path = tmp_path / "config.toml"
    path.write_text(base + UMEA + web, encoding="utf-8")
    return path


@dataclass
class Site:
    """The running anslagstavla and the chats of both förbund."""

    app: App
    server: WebServer
    clock: Clock
    ovik: Chat
    umea: Chat
    http: aiohttp.ClientSession

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    def local(self, url: str) -> str:
        """A link from the page (public_url in front) on the test's server."""
        return self.root + url.removeprefix(PUBLIC_URL)

    async def get(self, path: str) -> tuple[int, str, bytes]:
        async with self.http.get(self.local(path) if path.startswith("http")
                                 else self.root + path) as response:
            return response.status, response.content_type, await response.read()

    async def page(self, path: str) -> str:
        status, kind, body = await self.get(path)
        assert status == 200, (path, status, body[:300])
        assert kind == "text/html"
        return body.decode("utf-8")


@asynccontextmanager
async def open_site(db_url: str, tmp_path: Path,
                    public_url: str = PUBLIC_URL) -> AsyncIterator[Site]:
    """Both förbund in one bot, and the anslagstavla serving on a free port of 127.0.0.1."""
    config = load_config(write_config(
        tmp_path, f'\n[web]\nhost = "127.0.0.1"\nport = 0\npublic_url = "{public_url}"\n'))
    app = make_app(config, db_url)
    clock = Clock(at(2022, 3, 25, 12, 0))
    server = WebServer(app, load_settings(config), clock)
    await server.start()
    http = aiohttp.ClientSession(trust_env=False)
    try:
        yield Site(app, server, clock, Chat(app, sender="Pär Eriksson"),
                   Chat(app, room=UMEA_ROOM, transport="matrix",
                        sender="@sekreterare:umea.test"), http)
    finally:
        await http.close()
        await server.stop()
        app.close()


def ready_seed(chat: Chat) -> None:
    """The seed meeting of 2022-03-25 (§ 26 justerad at once), ready for justering on
    28 March."""
    replay_meeting(chat, after={"!beslut Styrelsen beslutar om omedelbar justering":
                                ["!omedelbar justering §26"]})
    chat.now = at(2022, 3, 28, 10, 0)
    chat.text("!protokoll klart")


def justera_seed(chat: Chat) -> str:
    """The seed meeting justerat 5 and 6 April (as in seed 003, where the anslag went up
    2022-04-06); returns the last justering's reply."""
    ready_seed(chat)
    chat.now = at(2022, 4, 5, 16, 0)
    chat.text("!justera", sender="Cecilia Sparf")
    chat.now = at(2022, 4, 6, 10, 12)
    return chat.text("!justera", sender=CAROLINA)


async def raw_get(port: int, target: str, method: str = "GET") -> tuple[int, str]:
    """A request with the target exactly as written (a client library would normalise
    '..' and '%2e%2e' before sending)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                 "\r\n".encode("latin-1"))
    await writer.drain()
    data = await reader.read()
    writer.close()
    await writer.wait_closed()
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode("utf-8", "replace")
