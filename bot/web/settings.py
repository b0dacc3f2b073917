"""The [web] section of the config (where the public anslagstavla listens and is reached)
and what each förbund adds to its page in its [[forbund]] table: `website`, `logo` and
`contact_email`. Every mistake names its key, in Swedish."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bot.config import Config, ConfigError, ForbundConfig, Reader
from bot.web import pages

DEFAULT_PORT = 8080
LOGO_TYPES = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg",
              ".jpeg": "image/jpeg", ".webp": "image/webp", ".gif": "image/gif"}


@dataclass(frozen=True)
class Site:
    """A förbund's own additions to its anslagstavla."""

    website: str = ""  # the link back to the förbund's website
    logo_url: str = ""  # a logo on the förbund's own website, used as it is
    logo_file: Path | None = None  # or a logo file the bot serves itself
    contact_email: str = ""  # for the tillgänglighetsredogörelse's "report a problem"

    @property
    def logo_type(self) -> str:
        if self.logo_file is None:
            return ""
        return LOGO_TYPES.get(self.logo_file.suffix.lower()) or \
            mimetypes.guess_type(self.logo_file.name)[0] or "application/octet-stream"


@dataclass(frozen=True)
class WebSettings:
    host: str = "0.0.0.0"
    port: int = DEFAULT_PORT
    # Where visitors reach the page (scheme, host and any path prefix of a reverse proxy);
    # empty: taken from each request, and chat links use http://localhost:<port>.
    public_url: str = ""
    sites: dict[str, Site] = field(default_factory=dict)  # förbund key -> additions

    def base_for_links(self) -> str:
        """The address chat replies link to."""
        if self.public_url:
            return self.public_url
        host = "localhost" if self.host in ("", "0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"


def _port(r: Reader) -> int:
    value: Any = r.table.get("port", DEFAULT_PORT)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 65535:
        raise r.fail("port", pages.text("fel_port", standard=DEFAULT_PORT))
    return value


def _url(r: Reader, name: str, example: str) -> str:
    value = r.str(name, "").rstrip("/")
    if value and not value.startswith(("https://", "http://")):
        raise r.fail(name, pages.text("fel_adress_början", exempel=example))
    if any(c.isspace() or c in "\"'<>" for c in value):
        raise r.fail(name, pages.text("fel_adress_tecken", exempel=example))
    return value


def _site(fc: ForbundConfig, index: int, config: Config) -> Site:
    r = Reader(fc.raw, f"forbund[{index}]", config.source)
    website = _url(r, "website", "https://www.finsamovik.se")
    email = r.str("contact_email", "")
    if email and ("@" not in email or any(c.isspace() or c in "\"'<>" for c in email)):
        raise r.fail("contact_email", pages.text("fel_epost"))
    logo = r.str("logo", "")
    if not logo:
        return Site(website=website, contact_email=email)
    if logo.startswith(("https://", "http://")):
        return Site(website=website, logo_url=_url(r, "logo", "https://…/logga.svg"),
                    contact_email=email)
    # A file: relative to the config file, as a secretary keeps them side by side.
    source = Path(config.source)
    base = source.parent if source.is_file() else Path.cwd()
    path = (base / logo).resolve()
    if path.suffix.lower() not in LOGO_TYPES:
        raise r.fail("logo", pages.text("fel_logga_typ"))
    if not path.is_file():
        raise r.fail("logo", pages.text("fel_logga_saknas", sökväg=str(path)))
    return Site(website=website, logo_file=path, contact_email=email)


def load_settings(config: Config) -> WebSettings | None:
    """The [web] settings; None when [web] is not filled in (as with [matrix], [teams])."""
    if not config.web:
        return None
    r = Reader(config.web, "web", config.source)
    return WebSettings(
        host=r.str("host", "0.0.0.0"), port=_port(r),
        public_url=_url(r, "public_url", "https://anslagstavla.finsamovik.se"),
        sites={fc.key: _site(fc, i, config) for i, fc in enumerate(config.forbund)})


def board_url(config: Config, forbund_key: str) -> str | None:
    """The address of a förbund's anslagstavla, for chat replies; None without [web] (or
    with a [web] that `bot run` would refuse to start with)."""
    try:
        settings = load_settings(config)
    except ConfigError:
        return None
    if settings is None:
        return None
    return f"{settings.base_for_links()}/{quote(forbund_key, safe='')}/anslagstavla"
