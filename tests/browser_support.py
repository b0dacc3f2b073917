"""Headless Chromium for the browser test of the anslagstavla, driven over the DevTools
protocol with aiohttp's websocket client (no browser driver to keep in step with Chromium).

The browser runs once per test session in a thread of its own with its own event loop, so
a test on any event loop (serving the page from that loop) can await it. `ensure_tools`
installs Chromium and axe-core with scripts/ensure-browser.sh when they are missing."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "tests" / "web" / "node_modules" / "axe-core" / "axe.min.js"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-proxy-server", "--hide-scrollbars", "--remote-debugging-port=0"]
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TIMEOUT = 60


def ensure_tools() -> str | None:
    """Install what is missing; the reason the browser test cannot run, or None."""
    if not (CHROMIUM.exists() and AXE.exists()):
        subprocess.run(["bash", str(ROOT / "scripts" / "ensure-browser.sh")], check=False,
                       timeout=900)
    if not CHROMIUM.exists():
        return ("Chromium could not be installed (scripts/ensure-browser.sh runs "
                "apt-get install chromium, which needs root and the Debian registry)")
    if not AXE.exists():
        return "axe-core could not be installed (npm ci in tests/web needs npm and its registry)"
    return None


class CdpError(Exception):
    pass


class Browser:
    """One Chromium process; `page()` opens a tab."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.profile = Path(tempfile.mkdtemp(prefix="finsam-chromium-"))
        self.process: subprocess.Popen[bytes] | None = None
        self.http: aiohttp.ClientSession | None = None
        self.socket: aiohttp.ClientWebSocketResponse | None = None
        self.ids = itertools.count(1)
        self.waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.listeners: list[tuple[str, str, asyncio.Future[dict[str, Any]]]] = []
        self.reader: asyncio.Task[None] | None = None

    # -- the browser's own thread --------------------------------------------------

    def run(self, coro: Coroutine[Any, Any, Any]) -> Any:
        """Run on the browser's loop from synchronous code."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(TIMEOUT)

    async def call(self, coro: Coroutine[Any, Any, Any]) -> Any:
        """Run on the browser's loop from a test's loop, without blocking it."""
        return await asyncio.wait_for(
            asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self.loop)), TIMEOUT)

    def start(self) -> None:
        self.thread.start()
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        self.process = subprocess.Popen(
            [str(CHROMIUM), *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            env=env)
        url = self._devtools_url()
        self.run(self._connect(url))

    def _devtools_url(self) -> str:
        """Chromium prints 'DevTools listening on ws://…' on stderr once it is ready."""
        assert self.process is not None and self.process.stderr is not None
        seen = []
        for raw in self.process.stderr:
            line = raw.decode("utf-8", "replace").strip()
            seen.append(line)
            if line.startswith("DevTools listening on "):
                # Keep reading stderr so Chromium never blocks on a full pipe.
                threading.Thread(target=self._drain, daemon=True).start()
                return line.removeprefix("DevTools listening on ")
        raise CdpError("Chromium exited before its DevTools were up:\n" + "\n".join(seen[-20:]))

    def _drain(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        for _ in self.process.stderr:
            pass

    async def _connect(self, url: str) -> None:
        self.http = aiohttp.ClientSession(trust_env=False)
        self.socket = await self.http.ws_connect(url, max_msg_size=0)
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        assert self.socket is not None
        async for message in self.socket:
            data = json.loads(message.data)
            if "id" in data:
                future = self.waiting.pop(data["id"], None)
                if future is not None and not future.done():
                    future.set_result(data)
                continue
            for listener in list(self.listeners):
                session, method, future = listener
                if data.get("method") == method and data.get("sessionId") == session:
                    self.listeners.remove(listener)
                    if not future.done():
                        future.set_result(data.get("params", {}))

    async def send(self, method: str, params: dict[str, Any] | None = None,
                   session: str | None = None) -> dict[str, Any]:
        assert self.socket is not None
        message_id = next(self.ids)
        future: asyncio.Future[dict[str, Any]] = self.loop.create_future()
        self.waiting[message_id] = future
        payload: dict[str, Any] = {"id": message_id, "method": method, "params": params or {}}
        if session:
            payload["sessionId"] = session
        await self.socket.send_str(json.dumps(payload))
        reply = await future
        if "error" in reply:
            raise CdpError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def event(self, session: str, method: str) -> asyncio.Future[dict[str, Any]]:
        future: asyncio.Future[dict[str, Any]] = self.loop.create_future()
        self.listeners.append((session, method, future))
        return future

    def close(self) -> None:
        async def shut() -> None:
            if self.socket is not None:
                await self.socket.close()
            if self.http is not None:
                await self.http.close()
            if self.reader is not None:
                self.reader.cancel()

        try:
            self.run(shut())
        finally:
            if self.process is not None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    self.process.kill()
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=10)
            shutil.rmtree(self.profile, ignore_errors=True)

    # -- pages -----------------------------------------------------------------------

    async def open(self, url: str, width: int = 1200) -> Page:
        """A new tab showing `url` once it has loaded."""
        return await self.call(self._open(url, width))

    async def _open(self, url: str, width: int) -> Page:
        target = await self.send("Target.createTarget", {"url": "about:blank"})
        attached = await self.send("Target.attachToTarget",
                                   {"targetId": target["targetId"], "flatten": True})
        page = Page(self, target["targetId"], attached["sessionId"])
        await page.send("Page.enable")
        await page.send("Emulation.setDeviceMetricsOverride",
                        {"width": width, "height": 900, "deviceScaleFactor": 1,
                         "mobile": False})
        loaded = self.event(page.session, "Page.loadEventFired")
        navigated = await page.send("Page.navigate", {"url": url})
        if navigated.get("errorText"):
            raise CdpError(f"{url}: {navigated['errorText']}")
        await loaded
        return page


class Page:
    def __init__(self, browser: Browser, target: str, session: str) -> None:
        self.browser = browser
        self.target = target
        self.session = session

    async def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return await self.browser.send(method, params, self.session)

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (awaited if it is a promise)."""
        async def run() -> Any:
            result = await self.send("Runtime.evaluate", {
                "expression": expression, "awaitPromise": True, "returnByValue": True})
            if "exceptionDetails" in result:
                raise CdpError(json.dumps(result["exceptionDetails"])[:2000])
            return result["result"].get("value")

        return await self.browser.call(run())

    async def axe(self) -> dict[str, Any]:
        """axe-core's results for WCAG 2.1 A and AA on the page as it stands."""
        await self.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
        tags = json.dumps(WCAG21_AA)
        return await self.evaluate(
            f"axe.run(document, {{runOnly: {{type: 'tag', values: {tags}}}, "
            f"resultTypes: ['violations']}})")

    async def screenshot(self, path: Path) -> bytes:
        """The whole page as PNG."""
        async def shoot() -> bytes:
            metrics = await self.send("Page.getLayoutMetrics")
            size = metrics["cssContentSize"]
            shot = await self.send("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"],
                         "scale": 1}})
            return base64.b64decode(shot["data"])

        data = await self.browser.call(shoot())
        path.write_bytes(data)
        return data

    async def print_pdf(self) -> bytes:
        """The page as the browser prints it (print styles)."""
        async def printed() -> bytes:
            result = await self.send("Page.printToPDF", {"printBackground": False})
            return base64.b64decode(result["data"])

        return await self.browser.call(printed())

    async def close(self) -> None:
        await self.browser.call(self.browser.send("Target.closeTarget",
                                                  {"targetId": self.target}))
