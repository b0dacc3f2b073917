"""The anslagstavla in a real browser: headless Chromium loads each page, axe-core finds no
WCAG 2.1 A or AA violation, the page reflows on a phone's width, prints without its
menus, and a screenshot is taken (README's picture: ANSLAGSTAVLA_SCREENSHOT=docs/
anslagstavla.png pytest tests/test_anslagstavla_browser.py writes it).

Chromium (Debian's package) and axe-core (npm, tests/web) are installed by
scripts/ensure-browser.sh, which `make test` runs; the test runs it too when they are missing
and skips, saying why, only where they cannot be installed."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from tests.browser_support import Browser, ensure_tools
from tests.justering_support import at, flat
from tests.web_support import justera_seed, open_site


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    reason = ensure_tools()
    if reason:
        pytest.skip(reason)
    chromium = Browser()
    chromium.start()
    yield chromium
    chromium.close()


def violations(result: dict) -> list[str]:
    return [f"{v['id']} ({v['impact']}): {v['help']} – "
            + "; ".join(n["html"][:120] for n in v["nodes"][:3])
            for v in result["violations"]]


async def check(browser: Browser, url: str, width: int = 1200) -> None:
    page = await browser.open(url, width)
    try:
        found = violations(await page.axe())
        assert found == [], f"{url} at {width}px:\n" + "\n".join(found)
        # WCAG 1.4.10 reflow: no sideways scrolling at 320 CSS pixels.
        assert await page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        await page.close()


async def test_the_pages_meet_wcag_21_aa_in_chromium(browser: Browser, tmp_path: Path) -> None:
    # Links from the site's root (no public_url), so the browser loads the logo from here.
    async with open_site(f"sqlite:///{tmp_path / 'web.db'}", tmp_path, public_url="") as site:
        justera_seed(site.ovik)
        site.ovik.text("!kallelse 2022-05-20 09:00 Stadshuset Kronan")
        site.ovik.text("!dagordning Rapport från I-Kraft")
        site.clock.now = at(2022, 4, 6, 12, 0)
        board = f"{site.root}/ornskoldsvik/anslagstavla"
        pages = [board, f"{board}/tillganglighet",
                 f"{site.root}/ornskoldsvik/protokoll/styrelsen/2022-03-25.html",
                 f"{site.root}/okand/anslagstavla", f"{site.root}/umea/anslagstavla"]
        for url in pages:
            await check(browser, url)
        await check(browser, board, width=320)

        page = await browser.open(board)
        try:
            shot = tmp_path / "anslagstavla.png"
            await page.screenshot(shot)
            picture = Image.open(shot)
            assert picture.format == "PNG" and picture.width == 1200
            assert picture.height > 1000  # the whole page, not the first screen
            assert picture.getpixel((5, 5))[:3] == (0x1D, 0x35, 0x57)  # the header band
            if target := os.environ.get("ANSLAGSTAVLA_SCREENSHOT"):
                shutil.copyfile(shot, target)
            printed = flat("\n".join(p.extract_text() for p in
                                     PdfReader(io.BytesIO(await page.print_pdf())).pages))
            assert "Anslaget tas ned tidigast 2022-04-27" in printed
            assert "Laglighetsprövning enligt 13 kap. kommunallagen" in printed
            assert "Följ anslagstavlan" not in printed and "Till innehållet" not in printed
        finally:
            await page.close()

        site.clock.now = at(2022, 4, 28, 12, 0)  # now in the archive
        await check(browser, f"{board}/arkiv")
        await check(browser, f"{board}/arkiv", width=320)

        # axe does report what it should: a page without language, title or alt text.
        control = await browser.open("data:text/html,<html><body><img src='x.png'></body></html>")
        try:
            found = {v["id"] for v in (await control.axe())["violations"]}
            assert {"html-has-lang", "document-title", "image-alt"} <= found
        finally:
            await control.close()
