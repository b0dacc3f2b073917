"""The public anslagstavla's web server (aiohttp): plain server-rendered pages, the Atom
feed, the calendar and the protokoll files. Only GET; nothing but justerade protokoll and
notices is reachable, and every address outside them is a 404 page in Swedish.

`bot run` starts it when the config has [web]. When Teams listens on the same port, Teams'
server serves these pages too (see `prepare`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.app import App
from bot.web import feeds, pages
from bot.web.notices import (
    BoardPage,
    Links,
    board_page,
    protocol_html,
    protocol_pdf,
    public_protocol,
)
from bot.web.settings import Site, WebSettings, load_settings
from storage import anslagstavla
from storage.anslagstavla import Board

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# Teams' server calls these with its aiohttp application, to serve the pages on its port.
HTML = "text/html"
# No scripts at all; styles are inline; a logo may come from the förbund's own website.
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                               "img-src 'self' https:; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
PAGE_CACHE = "max-age=300"  # notices come and go with the date
FILE_CACHE = "public, max-age=3600"


def utc_now() -> datetime:
    return datetime.now(UTC)


class WebServer:
    def __init__(self, app: App, settings: WebSettings, clock: Clock = utc_now) -> None:
        self.app = app
        self.settings = settings
        self.clock = clock  # the server's notion of now; tests move it
        self.port = settings.port
        self._runner: web.AppRunner | None = None

    # -- wiring ----------------------------------------------------------------------

    def mount(self, root: web.Application) -> None:
        """Add the pages to an aiohttp application (ours, or Teams' on a shared port)."""
        root.middlewares.append(self._swedish_errors)
        add = root.router.add_get
        add("/{key}/anslagstavla", self._board)
        add("/{key}/anslagstavla/arkiv", self._archive)
        add("/{key}/anslagstavla/tillganglighet", self._accessibility)
        add("/{key}/anslagstavla/logga", self._logo)
        add("/{key}/anslagstavla.atom", self._feed)
        add("/{key}/anslagstavla.ics", self._calendar)
        add("/{key}/protokoll/{organ}/{file}", self._protocol)

    def web_app(self) -> web.Application:
        root = web.Application()
        self.mount(root)
        return root

    async def start(self) -> None:
        self._runner = web.AppRunner(self.web_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.host, self.settings.port)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or []
        if sockets:
            self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- lookups ---------------------------------------------------------------------

    def _board_of(self, key: str) -> tuple[Board, Site] | None:
        """Only förbund in the config have a page (one removed from it keeps its data)."""
        site = self.settings.sites.get(key)
        if site is None:
            return None
        with self.app.db.transaction() as session:
            board = anslagstavla.board(session, key)
        return (board, site) if board is not None else None

    def _links(self, request: web.Request, key: str, *, absolute: bool = False) -> Links:
        """Pages link from the site's root unless public_url says where they live; the feed
        and the calendar need whole addresses."""
        base = self.settings.public_url
        if not base and absolute:
            base = f"{request.scheme}://{request.host}"
        return Links(base, key)

    def _page(self, request: web.Request, *, archived: bool = False,
              absolute: bool = False) -> BoardPage | None:
        found = self._board_of(request.match_info["key"])
        if found is None:
            return None
        board, site = found
        links = self._links(request, board.key, absolute=absolute)
        with self.app.db.transaction() as session:
            return board_page(session, board, site, links, self.clock(), archived=archived)

    # -- handlers --------------------------------------------------------------------

    async def _board(self, request: web.Request) -> web.StreamResponse:
        view = await asyncio.to_thread(self._page, request)
        if view is None:
            raise web.HTTPNotFound()
        return _html(pages.page("tavla", sida=view))

    async def _archive(self, request: web.Request) -> web.StreamResponse:
        view = await asyncio.to_thread(self._page, request, archived=True)
        if view is None:
            raise web.HTTPNotFound()
        return _html(pages.page("arkiv", sida=view))

    async def _accessibility(self, request: web.Request) -> web.StreamResponse:
        view = await asyncio.to_thread(self._page, request)
        if view is None:
            raise web.HTTPNotFound()
        return _html(pages.page("tillganglighet", sida=view))

    async def _logo(self, request: web.Request) -> web.StreamResponse:
        site = self.settings.sites.get(request.match_info["key"])
        if site is None or site.logo_file is None:
            raise web.HTTPNotFound()
        data = await asyncio.to_thread(site.logo_file.read_bytes)
        return web.Response(body=data, content_type=site.logo_type,
                            headers={**HEADERS, "Cache-Control": FILE_CACHE})

    async def _feed(self, request: web.Request) -> web.StreamResponse:
        view = await asyncio.to_thread(self._page, request, absolute=True)
        if view is None:
            raise web.HTTPNotFound()
        return web.Response(text=feeds.atom(view, view.links.feed),
                            content_type="application/atom+xml", charset="utf-8",
                            headers={**HEADERS, "Cache-Control": PAGE_CACHE})

    async def _calendar(self, request: web.Request) -> web.StreamResponse:
        view = await asyncio.to_thread(self._page, request, absolute=True)
        if view is None:
            raise web.HTTPNotFound()
        return web.Response(body=feeds.calendar(view), content_type="text/calendar",
                            charset="utf-8", headers={**HEADERS, "Cache-Control": PAGE_CACHE})

    async def _protocol(self, request: web.Request) -> web.StreamResponse:
        stem, dot, suffix = request.match_info["file"].rpartition(".")
        if not dot or suffix not in ("pdf", "html"):
            raise web.HTTPNotFound()
        found = await asyncio.to_thread(self._protocol_file, request, stem, suffix)
        if found is None:
            raise web.HTTPNotFound()
        return found

    def _protocol_file(self, request: web.Request, stem: str,
                       suffix: str) -> web.Response | None:
        found = self._board_of(request.match_info["key"])
        if found is None:
            return None
        board, site = found
        with self.app.db.transaction() as session:
            document = public_protocol(session, board, request.match_info["organ"], stem,
                                       self.clock())
        if document is None:
            return None
        if suffix == "pdf":
            filename = quote(f"{document.stem}.pdf")
            return web.Response(body=protocol_pdf(document), content_type="application/pdf",
                                headers={**HEADERS, "Cache-Control": FILE_CACHE,
                                         "Content-Disposition":
                                             f"inline; filename*=UTF-8''{filename}"})
        links = self._links(request, board.key)
        return _html(pages.page("protokoll", protokoll=document, body=protocol_html(document),
                                pdf=links.protocol(document.organ.organ_key, stem, "pdf"),
                                board=board, site=site, links=links))

    @web.middleware
    async def _swedish_errors(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """Unknown addresses and methods other than GET get a page in Swedish."""
        try:
            return await handler(request)
        except web.HTTPNotFound:
            return _html(pages.page("fel", status=404), status=404)
        except web.HTTPMethodNotAllowed as error:
            response = _html(pages.page("fel", status=405), status=405)
            response.headers["Allow"] = ", ".join(sorted(error.allowed_methods))
            return response
        except web.HTTPException:
            raise  # Teams' own answers (401 from its token check) pass as they are
        except Exception:
            # A broken database must not show a stack trace or English to a visitor.
            log.exception("web: %s %s failed", request.method, request.path)
            return _html(pages.page("fel", status=500), status=500)


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type=HTML, charset="utf-8",
                        headers={**HEADERS, "Cache-Control": PAGE_CACHE})


def prepare(app: App, clock: Clock = utc_now) -> Coroutine[Any, Any, None]:
    """Read [web] (a mistake raises ConfigError before anything starts) and return the
    coroutine that serves the pages. When Teams listens on the same port, the pages are
    handed to Teams' server (one server serves both) and the coroutine only waits."""
    settings = load_settings(app.config)
    if settings is None:
        raise ValueError("prepare() needs a config with [web]")
    server = WebServer(app, settings, clock)
    teams_port = _teams_port(app)
    if teams_port is not None and teams_port == settings.port:
        app.services.web_mounts.append(server.mount)
        return _wait()
    return serve(server)


def _teams_port(app: App) -> int | None:
    if not app.config.teams:
        return None
    from bot.transports.teams_settings import load_settings as teams_settings

    return teams_settings(app.config).port


async def _wait() -> None:
    await asyncio.Event().wait()


async def serve(server: WebServer) -> None:
    """Serve until cancelled."""
    await server.start()
    print(pages.text("lyssnar", port=server.port, url=server.settings.base_for_links()),
          flush=True)
    if not server.settings.public_url:
        log.warning("web: public_url saknas i [web]; länkar i chatten pekar på %s",
                    server.settings.base_for_links())
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()
