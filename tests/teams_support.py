"""Microsoft's cloud, played on 127.0.0.1 for the Teams tests.

- `KeyServer` signs tokens as Azure Bot Service does (RS256, issuer api.botframework.com,
  audience the bot's app id, the serviceurl claim) and serves the OpenID metadata and JWKS;
  the SDK's JWT validator is pointed at it instead of login.botframework.com and the
  tenant's Entra key set.
- `ConnectorDouble` is the Bot Connector behind an activity's serviceUrl: it records what
  the bot sends and answers member look-ups. The bot's allow-list in the tests is
  `SERVICE_URL_HOSTS` (127.0.0.1); a double on `EVIL_HOST` plays a host outside it.
- `activity()` builds Activity JSON as Teams sends it (channel with @mention, meeting chat,
  conversationUpdate, installationUpdate).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import jwt
from aiohttp import ClientSession, web
from azure.core.credentials import AccessToken
from cryptography.hazmat.primitives.asymmetric import rsa
from microsoft_agents.hosting.core import (
    AgentAuthConfiguration,
    ConnectionManager,
)
from microsoft_agents.hosting.core.authorization.jwt import jwt_token_validator

APP_ID = "11111111-2222-3333-4444-555555555555"
TENANT_ID = "99999999-8888-7777-6666-555555555555"
BOT_ID = f"28:{APP_ID}"
BOT_NAME = "Sekreteraren"
CHANNEL = "19:styrelsen0123456789abcdef@thread.tacv2"
TEAM = CHANNEL
MEETING_CHAT = "19:meeting_MzQ1Njc4OTAtYWJjZC00ZWZn@thread.v2"
PERSONAL_CHAT = "a:1personalchat0123456789abcdefPar"
FILE_INFO = "application/vnd.microsoft.teams.file.download.info"
CONNECTOR_TOKEN = "connector-token-from-entra"
BOTFRAMEWORK_ISSUER = "https://api.botframework.com"
SERVICE_URL_HOSTS = ("http://127.0.0.1",)
EVIL_HOST = "127.0.0.2"  # loopback too, but not on the allow-list


@dataclass(frozen=True)
class Person:
    name: str
    teams_id: str  # "29:…", the id in activities
    aad_object_id: str
    upn: str


# Config names Pär by his Entra object id and Carolina by her UPN (see teams_config()).
PEOPLE = {
    "Pär Eriksson": Person("Pär Eriksson", "29:1par", "0b7e3a61-0000-4000-8000-00000000a001",
                           "par.eriksson@samordning.ovik.se"),
    "Carolina Sondell": Person("Carolina Sondell", "29:1carolina",
                               "0b7e3a61-0000-4000-8000-00000000a002",
                               "carolina.sondell@ornskoldsvik.se"),
    "Cecilia Sparf": Person("Cecilia Sparf", "29:1cecilia",
                            "0b7e3a61-0000-4000-8000-00000000a003",
                            "cecilia.sparf@arbetsformedlingen.se"),
    "Okänd Person": Person("Okänd Person", "29:1okand", "0b7e3a61-0000-4000-8000-00000000a004",
                           "okand@example.org"),
}


class KeyServer:
    """The OpenID metadata and signing keys of a fake Azure Bot Service."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "test-key-1"
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/v1/.well-known/openidconfiguration", self._metadata)
        app.router.add_get("/v1/.well-known/keys", self._keys)
        self._runner, self.url = await _serve(app)

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    @property
    def jwks_url(self) -> str:
        return f"{self.url}/v1/.well-known/keys"

    async def _metadata(self, request: web.Request) -> web.Response:
        return web.json_response({
            "issuer": BOTFRAMEWORK_ISSUER, "jwks_uri": self.jwks_url,
            "id_token_signing_alg_values_supported": ["RS256"],
        })

    async def _keys(self, request: web.Request) -> web.Response:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid=self.kid, use="sig", alg="RS256", endorsements=["msteams"])
        return web.json_response({"keys": [jwk]})

    def token(self, service_url: str | None, *, audience: str = APP_ID, key: Any = None,
              kid: str | None = None, expires_in: int = 3600,
              issuer: str = BOTFRAMEWORK_ISSUER, **extra: Any) -> str:
        """A signed token; service_url None leaves out the serviceurl claim, `extra` adds
        claims (an Entra token's tid)."""
        now = int(time.time())
        claims = {"iss": issuer, "aud": audience, "nbf": now - 5, "iat": now - 5,
                  "exp": now + expires_in, **extra}
        if service_url is not None:
            claims["serviceurl"] = service_url
        return jwt.encode(claims, key or self.key, algorithm="RS256",
                          headers={"kid": kid or self.kid})


def trust_key_server(monkeypatch: Any, keys: KeyServer) -> None:
    """Point the SDK's JWT validator at the KeyServer: the key sets it would fetch from
    login.botframework.com (Bot Framework's issuer) and login.microsoftonline.com (any
    other issuer: the tenant's Entra keys) are fetched from 127.0.0.1 instead, so a token
    signed by the test key is as trusted as one signed by Microsoft."""
    real_client = jwt_token_validator.PyJWKClient
    expected = ("https://login.botframework.com/v1/.well-known/keys",
                f"https://login.microsoftonline.com/{TENANT_ID}/discovery/v2.0/keys")

    def client(uri: str, *args: Any, **kwargs: Any) -> Any:
        assert uri in expected, uri
        return real_client(keys.jwks_url, *args, **kwargs)

    monkeypatch.setattr(jwt_token_validator, "PyJWKClient", client)
    monkeypatch.setattr(jwt_token_validator.JwtTokenValidator, "_jwk_client_manager",
                        jwt_token_validator._JwkClientManager())


class FixedTokenProvider:
    """Stands in for MSAL: the bot's outgoing calls carry a known token."""

    def __init__(self, configuration: AgentAuthConfiguration) -> None:
        self._configuration = configuration
        self.requests: list[tuple[str, list[str]]] = []

    @property
    def configuration(self) -> AgentAuthConfiguration:
        return self._configuration

    async def get_access_token(self, resource_url: str, scopes: list[str],
                               force_refresh: bool = False) -> str:
        self.requests.append((resource_url, scopes))
        return CONNECTOR_TOKEN

    def get_token_credential(self) -> Any:
        class Credential:
            async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
                return AccessToken(CONNECTOR_TOKEN, int(time.time()) + 3600)

        return Credential()


def fake_connections() -> ConnectionManager:
    config = AgentAuthConfiguration(client_id=APP_ID, tenant_id=TENANT_ID,
                                    connection_name="SERVICE_CONNECTION")
    return ConnectionManager(provider_factory=FixedTokenProvider,
                             connections_configurations={"SERVICE_CONNECTION": config})


@dataclass
class Sent:
    conversation_id: str
    reply_to: str | None
    authorization: str
    activity: dict[str, Any]

    @property
    def text(self) -> str:
        return self.activity.get("text") or ""

    @property
    def card(self) -> dict[str, Any] | None:
        for attachment in self.activity.get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                content: dict[str, Any] = attachment["content"]
                return content
        return None

    @property
    def shown(self) -> str:
        """What a user reads: the text, or the card's fallback text."""
        card = self.card
        return card["fallbackText"] if card is not None else self.text


@dataclass
class ConnectorDouble:
    """The Bot Connector service (smba.trafficmanager.net) for the tests; it also serves
    the files users send in 1:1 chats (in Teams: SharePoint/OneDrive download URLs)."""

    sent: list[Sent] = field(default_factory=list)
    updated: list[Sent] = field(default_factory=list)  # activities the bot replaced (PUT)
    member_lookups: list[str] = field(default_factory=list)
    # Every request that reached this double: (method and path, Authorization header).
    requests: list[tuple[str, str]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    downloads: list[str] = field(default_factory=list)
    url: str = ""
    host: str = "127.0.0.1"
    fail_status: int = 0  # when set, posts are refused with this status (connector down)
    refused: int = 0
    _runner: web.AppRunner | None = None
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    async def start(self) -> None:
        app = web.Application(middlewares=[self._record])
        app.router.add_post("/v3/conversations/{conversation}/activities", self._post)
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}",
                            self._post)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity_id}",
                           self._update)
        app.router.add_get("/v3/conversations/{conversation}/members/{member}", self._member)
        app.router.add_get("/personal/par/Documents/{name}", self._file)
        self._runner, self.url = await _serve(app, self.host)

    def file_attachment(self, name: str, data: bytes) -> dict[str, Any]:
        """A file as Teams attaches it to a 1:1 message, served by this double."""
        self.files[name] = data
        return {"contentType": FILE_INFO, "name": name,
                "contentUrl": f"{self.url}/personal/par/Documents/{name}",
                "content": {"downloadUrl": f"{self.url}/personal/par/Documents/{name}",
                            "uniqueId": new_id(), "fileType": name.rsplit(".", 1)[-1]}}

    async def wait_for(self, count: int, timeout: float = 10.0) -> None:
        """Until `count` activities have been sent (proactive ones arrive by themselves)."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while len(self.sent) < count:
            assert loop.time() < end, f"only {len(self.sent)} of {count} activities arrived"
            await asyncio.sleep(0.05)

    async def _file(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        self.downloads.append(name)
        if name not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[name], content_type="application/octet-stream")

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    @web.middleware
    async def _record(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests.append((f"{request.method} {request.path}",
                              request.headers.get("Authorization", "")))
        response: web.StreamResponse = await handler(request)
        return response

    async def _post(self, request: web.Request) -> web.Response:
        if self.fail_status:
            self.refused += 1
            return web.json_response({"error": {"code": "ServiceUnavailable"}},
                                     status=self.fail_status)
        self.sent.append(Sent(
            conversation_id=request.match_info["conversation"],
            reply_to=request.match_info.get("reply_to"),
            authorization=request.headers.get("Authorization", ""),
            activity=await request.json()))
        return web.json_response({"id": f"17000000000{next(self._ids):02d}"}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        self.updated.append(Sent(
            conversation_id=request.match_info["conversation"],
            reply_to=request.match_info["activity_id"],
            authorization=request.headers.get("Authorization", ""),
            activity=await request.json()))
        return web.json_response({"id": request.match_info["activity_id"]})

    async def _member(self, request: web.Request) -> web.Response:
        member_id = request.match_info["member"]
        self.member_lookups.append(member_id)
        for person in PEOPLE.values():
            if person.teams_id == member_id:
                return web.json_response({
                    "id": person.teams_id, "name": person.name,
                    "aadObjectId": person.aad_object_id, "userPrincipalName": person.upn,
                    "email": person.upn, "tenantId": TENANT_ID, "userRole": "user"})
        return web.json_response({"error": {"code": "NotFound"}}, status=404)


async def _serve(app: web.Application, host: str = "127.0.0.1") -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://{host}:{port}"


_message_ids = itertools.count(1648193400000)


def activity(kind: str, *, service_url: str, when: datetime, speaker: str = "Pär Eriksson",
             text: str = "", mention: bool = True, conversation: str = CHANNEL,
             thread: str | None = None, mentions: tuple[str, ...] = (),
             **extra: Any) -> dict[str, Any]:
    """Activity JSON shaped like Teams' own.

    kind: "channel" (a channel post or reply, `thread` = root message id), "meeting" (the
    chat of a Teams meeting), "personal" (a 1:1 chat with the bot, where files can be
    sent), "added"/"removed" (conversationUpdate for the bot) or "install"/"uninstall"
    (installationUpdate). `mentions`: people @mentioned in `text` as `<at>Name</at>`."""
    person = PEOPLE[speaker]
    message_id = str(next(_message_ids))
    body: dict[str, Any] = {
        "id": message_id,
        "channelId": "msteams",
        "serviceUrl": service_url,
        "timestamp": when.astimezone().isoformat(),
        "localTimestamp": when.isoformat(),
        "from": {"id": person.teams_id, "name": person.name,
                 "aadObjectId": person.aad_object_id},
        "recipient": {"id": BOT_ID, "name": BOT_NAME},
        "locale": "sv-SE",
    }
    team = {"id": TEAM, "name": "Samordningsförbundet Örnsköldsvik",
            "aadGroupId": "5f2c0000-0000-4000-8000-0000000000aa"}
    if kind == "personal":
        body["conversation"] = {"id": PERSONAL_CHAT, "conversationType": "personal",
                                "tenantId": TENANT_ID}
        body["channelData"] = {"tenant": {"id": TENANT_ID}}
    elif kind == "meeting":
        body["conversation"] = {"id": MEETING_CHAT, "conversationType": "groupChat",
                                "tenantId": TENANT_ID, "isGroup": True}
        body["channelData"] = {"tenant": {"id": TENANT_ID},
                               "meeting": {"id": "MCMxOTptZWV0aW5nX016UTFOalk0"}}
    else:
        conversation_id = conversation + (f";messageid={thread}" if thread else "")
        body["conversation"] = {"id": conversation_id, "conversationType": "channel",
                                "tenantId": TENANT_ID, "isGroup": True}
        body["channelData"] = {"teamsChannelId": conversation, "teamsTeamId": TEAM,
                               "channel": {"id": conversation, "name": "Styrelsen"},
                               "team": team, "tenant": {"id": TENANT_ID}}
    if kind in ("channel", "meeting", "personal"):
        body["type"] = "message"
        body["textFormat"] = "plain"
        if mention:
            body["text"] = f"<at>{BOT_NAME}</at> {text}"
            body["entities"] = [{"type": "mention", "text": f"<at>{BOT_NAME}</at>",
                                 "mentioned": {"id": BOT_ID, "name": BOT_NAME}}]
        else:
            body["text"] = text
        body["entities"] = body.get("entities", []) + [
            {"type": "mention", "text": f"<at>{name}</at>",
             "mentioned": {"id": PEOPLE[name].teams_id, "name": name}} for name in mentions]
        body["entities"] += [
            {"type": "clientInfo", "locale": "sv-SE", "country": "SE", "platform": "Web",
             "timezone": "Europe/Stockholm"}]
    elif kind in ("added", "removed"):
        body["type"] = "conversationUpdate"
        key = "membersAdded" if kind == "added" else "membersRemoved"
        body[key] = [{"id": BOT_ID}]
        body["channelData"]["eventType"] = "teamMemberAdded" if kind == "added" else (
            "teamMemberRemoved")
    elif kind in ("install", "uninstall"):
        body["type"] = "installationUpdate"
        body["action"] = "add" if kind == "install" else "remove"
    else:
        raise ValueError(kind)
    body.update(extra)
    return body


async def post(session: ClientSession, endpoint: str, body: dict[str, Any],
               token: str | None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with session.post(endpoint, json=body, headers=headers) as response:
        await response.read()
        return response.status


def new_id() -> str:
    return uuid.uuid4().hex
