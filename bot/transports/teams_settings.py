"""The [teams] section of the config: the bot's Entra app, where it listens, and which Teams
conversations belong to which organ. Every mistake names its key, in Swedish."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.config import Config, ConfigError, Reader
from bot.transports.teams_service_urls import DEFAULT_SERVICE_URL_HOSTS, normalize_host_entry

DEFAULT_PORT = 3978


@dataclass(frozen=True)
class TeamsSettings:
    app_id: str
    app_password: str
    tenant_id: str
    port: int = DEFAULT_PORT
    host: str = "0.0.0.0"
    # Where Teams users reach the bot's web server (for protokoll download links);
    # empty: taken from the request Teams sent (its Host / X-Forwarded-* headers).
    public_url: str = ""
    # Teams conversation id (channel, meeting chat, group chat) -> organ: "key" or
    # "förbund-key/organ-key".
    conversations: dict[str, str] = field(default_factory=dict)
    # The Bot Connector hosts the bot answers at (and sends its token to): activities with
    # another serviceUrl are refused. "http://127.0.0.1" lets the tests' connector in.
    service_url_hosts: tuple[str, ...] = DEFAULT_SERVICE_URL_HOSTS


def _int(r: Reader, name: str, default: int, low: int, high: int) -> int:
    value: Any = r.table.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise r.fail(name, f"ska vara ett heltal mellan {low} och {high}, t.ex. {default}")
    return value


def load_settings(config: Config) -> TeamsSettings:
    r = Reader(config.teams, "teams", config.source)
    app_id = r.str("app_id", "")
    if not app_id:
        raise r.fail("app_id", "saknas: skriv botens app-id (Microsoft App ID) från Azure Bot")
    password = r.str("app_password", "")
    if not password:
        raise r.fail("app_password", "saknas: skriv appens klienthemlighet, eller sätt "
                     "miljövariabeln BOT_TEAMS_APP_PASSWORD")
    tenant = r.str("tenant_id", "")
    if not tenant:
        raise r.fail("tenant_id", "saknas: skriv organisationens katalog-id (Directory/tenant "
                     "ID) från Entra")
    public_url = r.str("public_url", "").rstrip("/")
    if public_url and not public_url.startswith(("https://", "http://")):
        raise r.fail("public_url", 'ska börja med https://, t.ex. "https://bot.example.se"')
    raw = r.table.get("conversations", {})
    if not isinstance(raw, dict):
        raise r.fail("conversations", 'ska vara en tabell [teams.conversations] med rader som '
                     '"19:…@thread.tacv2" = "styrelsen"')
    conversations = {}
    for conversation_id, organ in raw.items():
        if not isinstance(organ, str) or not organ.strip():
            raise ConfigError(
                f'Fel i {config.source}: nyckeln teams.conversations."{conversation_id}" ska '
                'vara ett organ inom citattecken, t.ex. "styrelsen" eller '
                '"ornskoldsvik/styrelsen".')
        conversations[conversation_id.strip()] = organ.strip()
    return TeamsSettings(
        app_id=app_id, app_password=password, tenant_id=tenant,
        port=_int(r, "port", DEFAULT_PORT, 1, 65535), host=r.str("host", "0.0.0.0"),
        public_url=public_url, conversations=conversations,
        service_url_hosts=_service_url_hosts(r),
    )


def _service_url_hosts(r: Reader) -> tuple[str, ...]:
    example = '["botframework.com", "smba.trafficmanager.net"]'
    if "service_url_hosts" not in r.table:
        return DEFAULT_SERVICE_URL_HOSTS
    entries = r.str_list("service_url_hosts")
    if not entries:
        raise r.fail("service_url_hosts", f"är tom: då kan boten inte svara någon; skriv t.ex. "
                     f"{example}")
    hosts = []
    for entry in entries:
        host = normalize_host_entry(entry)
        if host is None:
            raise r.fail("service_url_hosts", f'har "{entry}", som inte är ett värdnamn; skriv '
                         f"värdnamn utan sökväg och port, t.ex. {example}")
        hosts.append(host)
    return tuple(hosts)
