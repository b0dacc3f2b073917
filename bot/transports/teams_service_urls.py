"""Where the Teams transport may send its bearer token: the Bot Connector service URLs.

Every activity names the Bot Connector to answer at (its serviceUrl), and the bot posts
there with its own token from Entra. Bot Framework's rules for requests from the Bot
Connector (learn.microsoft.com, "Authentication with the Bot Connector API"), as enforced
here and by the SDK:
- the token's issuer is Bot Framework or Entra for the bot's tenant: the SDK's
  AgentAuthConfiguration with validate_issuer (see teams.inbound_auth);
- the token's `serviceurl` claim is the activity's serviceUrl, so a token copied from one
  activity cannot send the bot elsewhere (`service_url_refusal`);
- the serviceUrl is on a host of `[teams] service_url_hosts` (`ServiceUrls`, checked by the
  SDK's CloudAdapter for every activity, and by the transport before a proactive message).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from microsoft_agents.hosting.core import (
    AuthenticationConstants,
    ClaimsIdentity,
    OutboundHostValidator,
)
from yarl import URL

# Azure Bot Service's channels (Web Chat, Direct Line: *.botframework.com) and Teams
# (https://smba.trafficmanager.net/<region>/…). Sovereign clouds add theirs in the config.
DEFAULT_SERVICE_URL_HOSTS = ("botframework.com", "smba.trafficmanager.net")

_BOT_FRAMEWORK_ISSUERS = frozenset({
    AuthenticationConstants.AGENTS_SDK_TOKEN_ISSUER,
    AuthenticationConstants.GOV_AGENTS_SDK_TOKEN_ISSUER,
})
_HOST_NAME = re.compile(r"^(?:\*\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*"
                        r"[a-z0-9])?)*$")


def normalize_host_entry(entry: str) -> str | None:
    """An allow-list entry as ServiceUrls reads it, or None when it is no host:
    "botframework.com" or "*.botframework.com" (https, that host and its subdomains),
    "https://host", or "http://host" for a local Bot Connector (the tests' double)."""
    text = entry.strip().lower()
    scheme = ""
    if "://" in text:
        scheme, _, text = text.partition("://")
        if scheme not in ("http", "https"):
            return None
    host = text.rstrip("/")
    if not host or "/" in host or "@" in host:
        return None
    if not _HOST_NAME.match(host):
        try:
            host = str(ipaddress.ip_address(host.strip("[]")))
        except ValueError:
            return None
    if host.startswith("*."):
        host = host[2:]
    return f"http://{host}" if scheme == "http" else host


class ServiceUrls(OutboundHostValidator):
    """The allow-list of Bot Connector hosts, in the form the SDK's CloudAdapter checks
    every incoming activity's serviceUrl with: the SDK's own rule (https, the host or a
    subdomain of one listed) for host entries, and exactly the host for "http://host"
    entries, since the SDK refuses plain http and loopback addresses outright."""

    def __init__(self, entries: Iterable[str]) -> None:
        normalized = [normalize_host_entry(e) for e in entries]
        self._plain_http = frozenset(e.removeprefix("http://") for e in normalized
                                     if e and e.startswith("http://"))
        secure = [e for e in normalized if e and not e.startswith("http://")]
        super().__init__(secure, enabled=True, include_default_microsoft_hosts=False)

    def is_allowed(self, url: str | URL) -> bool:
        try:
            parsed = URL(url) if isinstance(url, str) else url
        except (TypeError, ValueError):
            return False
        if parsed.scheme == "http" and not parsed.user and not parsed.password:
            return (parsed.host or "").casefold() in self._plain_http
        return super().is_allowed(parsed)


def same_service_url(a: str, b: str) -> bool:
    """The same Bot Connector: scheme, host, port and path, ignoring case and a last '/'."""
    try:
        x, y = URL(a), URL(b)
    except (TypeError, ValueError):
        return False

    def key(u: URL) -> tuple[str, str, int | None, str, str]:
        return (u.scheme.lower(), (u.host or "").casefold(), u.port,
                u.path.rstrip("/").casefold(), u.query_string)

    return x.is_absolute() and key(x) == key(y)


def service_url_refusal(claims: ClaimsIdentity | None, service_url: object) -> str | None:
    """Why an activity's serviceUrl does not go with its token; None when it does.

    Bot Framework's tokens always carry the `serviceurl` claim, and it must be the
    activity's serviceUrl. Entra-issued tokens (agent-to-agent) carry none; for them the
    allow-list is what keeps the bot's token among Microsoft's hosts."""
    if claims is None:
        return "no validated token"
    claimed = claims.get_claim_value(AuthenticationConstants.SERVICE_URL_CLAIM)
    if claimed is None or claimed == "":
        if claims.get_claim_value(AuthenticationConstants.ISSUER_CLAIM) in \
                _BOT_FRAMEWORK_ISSUERS:
            return "a Bot Framework token without a serviceurl claim"
        return None
    if not isinstance(claimed, str) or not isinstance(service_url, str) \
            or not same_service_url(claimed, service_url):
        return "the activity's serviceUrl is not the token's serviceurl claim"
    return None
