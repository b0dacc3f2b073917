"""Microsoft Teams: the secretary in a Teams channel, meeting chat or chat.

Built on the Microsoft 365 Agents SDK: an aiohttp server with `POST /api/messages` behind
the SDK's JWT authorization middleware (only Azure Bot Service may post: Bot Framework's or
the tenant's Entra issuer, the bot's app id as audience), a CloudAdapter that answers
through the activity's serviceUrl, and the SDK's continue-conversation call for unprompted
messages (reminders). The bot sends its token only to service URLs the token vouched for
and the allow-list names (bot/transports/teams_service_urls.py). The same server serves
protokoll files behind unguessable links, since bots cannot attach files in channels.

The concerns beside this module: reading an activity (teams_activity), files both ways
(teams_files, with the rules shared by all chats in files.py), cards (teams_cards), votes
as cards (teams_votes), settings (teams_settings) and the service URL allow-list
(teams_service_urls)."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import sys
import time
import warnings
from typing import Any

from aiohttp import web
from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    Attachment,
    ConversationReference,
)
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import (
    CloudAdapter,
    jwt_authorization_middleware,
    start_agent_process,
)
from microsoft_agents.hosting.core import (
    AgentApplication,
    AgentAuthConfiguration,
    ApplicationOptions,
    Connections,
    ConnectorClientBase,
    MemoryStorage,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.msteams import TeamsAgentExtension

from bot.app import App
from bot.config import ConfigError
from bot.messages import Attachment as FileAttachment
from bot.messages import IncomingMessage, Reply
from bot.parser import parse
from bot.render import render
from bot.transports.files import follows
from bot.transports.teams_activity import (
    aware,
    channel_data,
    command_text,
    conversation_name,
    event_id,
    room_of,
    without_mentions,
)
from bot.transports.teams_cards import (
    CARD_TYPE,
    FileLink,
    document_card,
    needs_card,
    plain_text,
    reply_card,
)
from bot.transports.teams_files import base_of, download, file_response, files_of, store_files
from bot.transports.teams_service_urls import ServiceUrls, service_url_refusal
from bot.transports.teams_settings import TeamsSettings, load_settings
from bot.transports.teams_votes import TeamsVotes
from storage import teams as store
from storage.db import lock_setup
from storage.tenants import bind_room, organ_for_room

log = logging.getLogger(__name__)

TRANSPORT = "teams"
# The base URL of the request being handled, for links to files (set per request).
_REQUEST_BASE: contextvars.ContextVar[str] = contextvars.ContextVar("teams_base", default="")


class NotDelivered(Exception):
    """A proactive message could not be posted (no stored reference, connector error)."""


class TeamsTransport:
    def __init__(self, app: App, settings: TeamsSettings, *,
                 connections: Connections | None = None) -> None:
        self.app = app
        self.settings = settings
        self.connections = connections or MsalConnectionManager(connections_configurations={
            "SERVICE_CONNECTION": AgentAuthConfiguration(
                client_id=settings.app_id, tenant_id=settings.tenant_id,
                client_secret=settings.app_password, connection_name="SERVICE_CONNECTION"),
        })
        self.service_urls = ServiceUrls(settings.service_url_hosts)
        # The adapter refuses (401) an activity whose serviceUrl is off the allow-list or
        # on another host than the token's serviceurl claim.
        self.adapter = CloudAdapter(connection_manager=self.connections,
                                    host_validator=self.service_urls)
        self.agent: AgentApplication[TurnState] = AgentApplication[TurnState](
            ApplicationOptions(storage=MemoryStorage(), remove_recipient_mention=False,
                               start_typing_timer=False),
            connection_manager=self.connections)
        self.teams = TeamsAgentExtension(self.agent)
        self.votes = TeamsVotes(self)  # votes as cards (bot/transports/teams_votes.py)
        self._known: set[tuple[str, str]] = set()  # references stored since start
        self._aliases: dict[str, tuple[str, ...]] = {}  # Teams user id -> UPN, e-mail
        # A sender's file-only message, for the command that follows it.
        self._last_files: dict[tuple[str, str], tuple[float, list[tuple[str, str]]]] = {}
        self._last_base = ""
        self._runner: web.AppRunner | None = None
        self.port = settings.port
        self._routes()

    # -- the web server -------------------------------------------------------------

    def web_app(self) -> web.Application:
        root = web.Application()
        root.router.add_get("/filer/{token}/{name}", self._file)
        # Only the messaging endpoint needs (and gets) Azure Bot Service's JWT.
        api = web.Application(middlewares=[jwt_authorization_middleware])
        with warnings.catch_warnings():  # the SDK's middleware reads this plain string key
            warnings.simplefilter("ignore", web.NotAppKeyWarning)
            api["agent_configuration"] = inbound_auth(self.settings)
        api.router.add_post("/messages", self._messages)
        root.add_subapp("/api", api)
        for mount in self.app.services.web_mounts:  # the anslagstavla, same port
            mount(root)
        return root

    async def start(self) -> None:
        await asyncio.to_thread(self._bind_config_conversations)
        self._runner = web.AppRunner(self.web_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.host, self.settings.port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            self.port = sockets[0].getsockname()[1]
        self.app.add_sender(TRANSPORT, self.send)
        if not self.settings.public_url:
            # Replies link to the address Teams posted to; a reminder has no request, so
            # its files (the kallelse) would link to the last one seen or to host:port.
            log.warning(
                "Teams: public_url saknas i [teams]. Länkar till filer i påminnelser kan då "
                "peka på en adress som inte nås från Teams (som http://%s:%s). Ange botens "
                'publika adress, t.ex. public_url = "https://sekreteraren.ovik.se".',
                self.settings.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        base = self.settings.public_url or base_of(request)
        self._last_base = base
        _REQUEST_BASE.set(base)
        refusal = await self._service_url_refusal(request)
        if refusal is not None:
            log.warning("Teams: refused an activity: %s", refusal)
            return web.json_response({"error": "Service URL does not match the token."},
                                     status=401)
        response = await start_agent_process(request, self.agent, self.adapter)
        return response if response is not None else web.Response(status=202)

    async def _service_url_refusal(self, request: web.Request) -> str | None:
        """The SDK compares only the host of the token's serviceurl claim with the
        activity's; Bot Framework wants the same URL (aiohttp keeps the body for the SDK)."""
        try:
            body = await request.json()
        except ValueError:
            return None  # the SDK answers 400
        if not isinstance(body, dict):
            return None
        return service_url_refusal(request.get("claims_identity"), body.get("serviceUrl"))

    async def _file(self, request: web.Request) -> web.StreamResponse:
        return await file_response(self.app, request)

    def _bind_config_conversations(self) -> None:
        with self.app.db.transaction() as session:
            lock_setup(session.connection())  # a standby starting at the same time waits
            for conversation_id, key in self.settings.conversations.items():
                organs = store.organ_by_key(session, key)
                if len(organs) != 1:
                    raise ConfigError("teams_samtal_okänt_organ", källa=self.app.config.source,
                                      samtal=conversation_id, organ=key, flera=bool(organs))
                bind_room(session, TRANSPORT, room_of(conversation_id), organs[0].organ_id,
                          "config")

    # -- activities from Teams -------------------------------------------------------

    def _routes(self) -> None:
        self.agent.before_turn(self._same_tenant)
        self.teams.activity(ActivityTypes.message)(self._on_message)
        self.teams.activity(ActivityTypes.conversation_update)(self._on_conversation_update)
        self.teams.installation_update()(self._on_installation_update)
        self.votes.route(self.agent)

        async def on_error(context: TurnContext, error: Exception) -> None:
            log.error("Teams turn failed: %s", error, exc_info=error)

        self.agent.error(on_error)

    async def _same_tenant(self, context: TurnContext, state: TurnState) -> bool:
        """A single-tenant bot ignores activities from other organisations."""
        tenant = context.activity.conversation.tenant_id if context.activity.conversation else ""
        if tenant and self.settings.tenant_id and tenant != self.settings.tenant_id:
            log.warning("ignoring activity from tenant %s", tenant)
            return False
        return True

    async def _on_message(self, context: TurnContext, state: TurnState) -> None:
        activity = context.activity
        room = room_of(activity.conversation.id)
        sender = activity.from_property
        files = files_of(activity)
        key = (room, sender.id or "")
        previous = self._last_files.pop(key, None)
        if files and not without_mentions(activity)[0]:
            # A file alone: the command for it comes in the sender's next message.
            self._last_files[key] = (time.monotonic(), files)
            return
        text = command_text(activity, self.app.config.prefix)
        if parse(text, self.app.config.prefix) is None:
            return  # ordinary chat
        if not files and previous is not None and follows(previous[0], time.monotonic()):
            files = previous[1]
        await self._remember(context)
        attachments = [a for a in [await download(name, url) for name, url in files] if a]
        message = await self.incoming(context, text, attachments=tuple(attachments))
        reply = await self.app.dispatcher.handle(message)
        if reply is not None:
            await context.send_activity(await self._activity_for(reply, room))
            await self.votes.after_reply(context.send_activity, context, reply)
            await self.app.deliver_notices(reply)

    async def incoming(self, context: TurnContext, text: str, *,
                       attachments: tuple[FileAttachment, ...] = (),
                       via: str = "") -> IncomingMessage:
        """The command `text` from the sender of the turn's activity (a message, or a card
        button: bot/transports/teams_votes.py)."""
        activity = context.activity
        room = room_of(activity.conversation.id)
        sender = activity.from_property
        return IncomingMessage(
            transport=TRANSPORT, room_id=room,
            sender_id=sender.aad_object_id or sender.id, sender_name=sender.name or "",
            text=text, event_id=event_id(room, activity.id or ""),
            timestamp=aware(activity.timestamp),
            sender_aliases=(sender.id, *await self._sender_aliases(context, room)),
            attachments=attachments, room_name=conversation_name(activity), via=via)

    async def _on_conversation_update(self, context: TurnContext, state: TurnState) -> None:
        activity = context.activity
        me = activity.recipient.id if activity.recipient else None
        data = channel_data(activity)
        event = data.get("eventType", "")
        if any(m.id == me for m in activity.members_removed or []) or event == "teamDeleted":
            await self._forget(activity, team=True)
        elif event == "channelDeleted":
            channel = (data.get("channel") or {}).get("id", "")
            await asyncio.to_thread(self._forget_ids, channel, "")
        elif any(m.id == me for m in activity.members_added or []):
            await self._remember(context)
            await context.send_activity(await self._welcome(room_of(activity.conversation.id)))

    async def _on_installation_update(self, context: TurnContext, state: TurnState) -> None:
        action = (context.activity.action or "").lower()
        # "remove-upgrade"/"add-upgrade" come with an app update: the bot stays, and so do
        # the references of the team's channels.
        if action == "remove":
            await self._forget(context.activity, team=True)
        elif action in ("add", "add-upgrade"):
            await self._remember(context)

    async def _welcome(self, room: str) -> Activity:
        def organ_name() -> str:
            with self.app.db.transaction() as session:
                organ = organ_for_room(session, TRANSPORT, room)
                return f"{organ.forbund_name}, {organ.organ_name}" if organ else ""

        reply = render("teams", "välkommen", organ=await asyncio.to_thread(organ_name))
        return await self._activity_for(reply, room)

    # -- conversation references (for proactive messages) -----------------------------

    async def _remember(self, context: TurnContext) -> None:
        activity = context.activity
        room = room_of(activity.conversation.id)
        if (room, activity.service_url or "") in self._known:
            return
        reference = activity.get_conversation_reference()
        reference.activity_id = None  # unprompted messages start a new post, not a reply
        reference.conversation = reference.conversation.model_copy(update={"id": room})
        data = channel_data(activity)
        fields = {
            "kind": activity.conversation.conversation_type or "",
            "team_id": (data.get("team") or {}).get("id", ""),
            "tenant_id": activity.conversation.tenant_id or "",
            "service_url": activity.service_url or "",
            "name": conversation_name(activity)[:300],
        }
        payload = reference.model_dump_json(by_alias=True, exclude_none=True)

        def save() -> None:
            with self.app.db.transaction() as session:
                store.save_conversation(session, room, payload, **fields)

        await asyncio.to_thread(save)
        self._known.add((room, activity.service_url or ""))

    async def _forget(self, activity: Activity, *, team: bool) -> None:
        team_id = (channel_data(activity).get("team") or {}).get("id", "") if team else ""
        await asyncio.to_thread(self._forget_ids, room_of(activity.conversation.id), team_id)

    def _forget_ids(self, room: str, team_id: str) -> None:
        with self.app.db.transaction() as session:
            store.forget_conversations(session, room, team_id)
        self._known = {k for k in self._known if k[0] != room}
        if team_id:
            self._known.clear()

    async def send(self, room_id: str, reply: Reply) -> None:
        """Post an unprompted message (a reminder) with the SDK's continue-conversation.
        Raises NotDelivered when it cannot be posted, so the reminder service does not
        count it as sent."""

        def load() -> str | None:
            with self.app.db.transaction() as session:
                row = store.get_conversation(session, room_id)
                return row.reference if row else None

        payload = await asyncio.to_thread(load)
        if payload is None:
            raise NotDelivered(f"no Teams conversation reference for {room_id}; "
                               "is the bot installed there?")
        reference = ConversationReference.model_validate_json(payload)
        if not self.service_urls.is_allowed(reference.service_url or ""):
            # Stored before service_url_hosts was checked, or the list has changed since;
            # the next message from the conversation stores its current one.
            raise NotDelivered(f"Teams conversation {room_id}: its service URL "
                               f"{reference.service_url!r} is not in [teams] service_url_hosts")
        activity = await self._activity_for(reply, room_id)
        activity.apply_conversation_reference(reference)

        async def callback(context: TurnContext) -> None:
            # Sent as a new post: the continuation event's own id is no message to reply to.
            await context.adapter.send_activities(context, [activity])

            async def post(card: Activity) -> Any:
                card.apply_conversation_reference(reference)
                return (await context.adapter.send_activities(context, [card]))[0]

            await self.votes.after_reply(post, context, reply)

        try:
            await self.adapter.continue_conversation(
                self.settings.app_id, reference.get_continuation_activity(), callback)
        except Exception as error:
            raise NotDelivered(f"could not post to Teams conversation {room_id}: {error}"
                               ) from error

    # -- replies ----------------------------------------------------------------------

    async def _activity_for(self, reply: Reply, room: str) -> Activity:
        if not needs_card(reply):
            return Activity(type=ActivityTypes.message, text=plain_text(reply),
                            text_format="plain")
        if reply.attachments:
            links = await asyncio.to_thread(self._store_files, reply, room)
            document = next((a.data.decode("utf-8") for a in reply.attachments
                             if a.mimetype == "text/html"), "")
            card = document_card(reply, document, links)
        else:
            card = reply_card(reply)
        summary = plain_text(reply).partition("\n")[0]
        return Activity(type=ActivityTypes.message, summary=summary,
                        attachments=[Attachment(content_type=CARD_TYPE, content=card)])

    def _store_files(self, reply: Reply, room: str) -> list[FileLink]:
        base = _REQUEST_BASE.get() or self.settings.public_url or self._last_base or (
            f"http://{self.settings.host}:{self.port}")
        return store_files(self.app, reply, room, base)

    async def _sender_aliases(self, context: TurnContext, room: str) -> tuple[str, ...]:
        """The sender's UPN and e-mail (config may name members by either), asked once per
        user from the conversation's member list."""
        user = context.activity.from_property.id
        if user in self._aliases:
            return self._aliases[user]
        aliases: tuple[str, ...] = ()
        client = context.services.get(ConnectorClientBase)
        if client is not None:
            try:
                member = await client.conversations.get_conversation_member(room, user)
                extra = member.properties or {}
                aliases = tuple(v for v in (extra.get("userPrincipalName"), extra.get("email"))
                                if isinstance(v, str) and v)
            except Exception as error:  # roles by object id still work
                log.warning("could not look up Teams member %s: %s", user, error)
                return ()
        if len(self._aliases) > 10_000:
            self._aliases.clear()
        self._aliases[user] = aliases
        return aliases


def inbound_auth(settings: TeamsSettings) -> AgentAuthConfiguration:
    """What the SDK's JWT middleware checks a request from Azure Bot Service against: the
    bot's app id as audience and, since validate_issuer is on, only the SDK's issuers for
    the tenant (https://api.botframework.com, https://sts.windows.net/<tenant>/,
    https://login.microsoftonline.com/<tenant>/v2.0, and Microsoft's own service tenants).
    Built from the settings, so no connection manager can leave the issuer unchecked."""
    return AgentAuthConfiguration(client_id=settings.app_id, tenant_id=settings.tenant_id,
                                  connection_name="SERVICE_CONNECTION", validate_issuer=True)



async def serve(app: App) -> None:
    """Run the Teams transport until cancelled (bot.runner starts it when [teams] is set)."""
    try:
        transport = TeamsTransport(app, load_settings(app.config))
        await transport.start()
    except ConfigError as error:
        print(error, file=sys.stderr)
        raise SystemExit(2) from None
    print(render("teams", "lyssnar", port=transport.port).text, flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await transport.stop()
