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
        raise r.fail(name, "heltal", låg=low, hög=high, exempel=default)
    return value


def load_settings(config: Config) -> TeamsSettings:
    r = Reader(config.teams, "teams", config.source)
    app_id = r.str("app_id", "")
    if not app_id:
        raise r.fail("app_id", "teams_app_id_saknas")
    password = r.str("app_password", "")
    if not password:
        raise r.fail("app_password", "teams_lösenord_saknas")
    tenant = r.str("tenant_id", "")
    if not tenant:
        raise r.fail("tenant_id", "teams_tenant_saknas")
    public_url = r.str("public_url", "").rstrip("/")
    if public_url and not public_url.startswith(("https://", "http://")):
        raise r.fail("public_url", "fel_url")
    raw = r.table.get("conversations", {})
    if not isinstance(raw, dict):
        raise r.fail("conversations", "teams_samtal_inte_tabell")
    conversations = {}
    for conversation_id, organ in raw.items():
        if not isinstance(organ, str) or not organ.strip():
            raise ConfigError("teams_samtal_inte_organ", källa=config.source,
                              samtal=conversation_id)
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
        raise r.fail("service_url_hosts", "värdlista_tom", exempel=example)
    hosts = []
    for entry in entries:
        host = normalize_host_entry(entry)
        if host is None:
            raise r.fail("service_url_hosts", "inte_värdnamn", värde=entry, exempel=example)
        hosts.append(host)
    return tuple(hosts)
