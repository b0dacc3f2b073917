"""Matrix transport: the bot as a Matrix user (matrix-nio), in any number of rooms.

How it keeps its promises:
- Never replays history: with no stored sync token it does one full sync and acts only on
  invites; after that every sync continues from the token stored in the database.
- Nothing lost: a `limited` timeline (a burst larger than the sync limit, a gap after
  downtime) is filled with /messages back to the previous token before anything is handled.
- Nothing repeated: the core claims each event id in the command's own transaction
  (HandledEvent), and the transport also skips ids it already answered, so a restart or
  a re-sync from an older token never runs a `!beslut` twice.
- Network loss, a homeserver restart and rate limits (429, waited out with the server's
  retry-after) are retried with backoff; replies are retried with the same transaction id,
  so the server stores each at most once.
- Rooms side by side: each room's events are handled in order on the room's own queue
  (rooms.py), so a long command in one room (a large `!budget import`) keeps no other room
  waiting; the sync token is stored only once every event before it is handled.

Files sent to the bot (`!budget import`): a command gets a file (IncomingMessage.attachments)
when it is the caption of the file (Matrix media captions: `body` is the caption when
`filename` differs from it), when it is a reply to the file, or when it is the very next
message of the file's sender within FILE_FOLLOW_SECONDS (the rule shared by chats,
bot/transports/files.py). Files are downloaded only then (authenticated media first, the
legacy endpoint for older servers) and decrypted in encrypted rooms (files.py).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections import Counter, OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime
from typing import Any

from nio import (
    AsyncClient,
    AsyncClientConfig,
    ErrorResponse,
    Event,
    InviteMemberEvent,
    JoinError,
    MatrixRoom,
    MegolmEvent,
    RedactionEvent,
    RoomCreateEvent,
    RoomMemberEvent,
    RoomMessageText,
    SyncResponse,
)

from bot.app import App
from bot.messages import IncomingMessage
from bot.parser import parse
from bot.render import render
from bot.transports.files import follows
from bot.transports.matrix.common import _NETWORK_ERRORS, TRANSPORT, Requests, _reason
from bot.transports.matrix.config import MatrixSettings, matrix_settings
from bot.transports.matrix.crypto import Pending
from bot.transports.matrix.files import _FILE_EVENTS, Files
from bot.transports.matrix.keystore import KEY_STORE
from bot.transports.matrix.polls import MatrixPolls
from bot.transports.matrix.rooms import RoomQueues
from bot.transports.matrix.sending import SendGate, Sending
from bot.transports.matrix.session import Session
from bot.transports.matrix.sync import Syncing
from storage.events import claim as claim_event
from storage.tenants import organ_for_room

log = logging.getLogger(__name__)
MODERATOR_LEVEL = 50
TIMELINE_LIMIT = 100  # Synapse caps a filter's timeline limit at 100
_REPLY_FALLBACK = re.compile(r"\A(> .*\n)+\n")


async def serve(app: App) -> None:
    """Run the Matrix bot until cancelled (called by `bot run`)."""
    await MatrixBot(app, matrix_settings(app.config)).run()


class MatrixBot(Session, Syncing, Pending, Files, Sending, Requests):
    def __init__(self, app: App, settings: MatrixSettings, *, timeline_limit: int = TIMELINE_LIMIT,
                 retry_cap: float = 30.0, typing_after: float = 0.5) -> None:
        self.app = app
        self.settings = settings
        self.timeline_limit = timeline_limit
        self.retry_cap = retry_cap
        self.typing_after = typing_after
        self.client = AsyncClient(
            settings.homeserver, settings.user_id, store_path=str(settings.store_path),
            config=AsyncClientConfig(
                encryption_enabled=settings.encryption,
                store=KEY_STORE,
                store_sync_tokens=False,  # the database holds the sync token
                max_limit_exceeded=20,  # then our own backoff takes over (nio: forever)
                max_timeouts=2,
                backoff_factor=0.2,
                max_timeout_retry_wait_time=5,
                request_timeout=60,
            ))
        self.since: str | None = None
        self.ready = asyncio.Event()  # set once the first sync is done (for tests)
        # Set while the client knows the rooms (a sync since login): before that nio cannot
        # send into an encrypted room, and a reminder due at start-up would be lost.
        self.rooms_known = asyncio.Event()
        self.stopped = asyncio.Event()  # run() has ended: nothing will be sent any more
        self.stats: Counter[str] = Counter()
        self._answered: OrderedDict[str, None] = OrderedDict()
        self._pending: dict[str, list[tuple[MegolmEvent, float]]] = {}
        self._told_unreadable: dict[tuple[str, str], float] = {}
        self._edits_answered: set[str] = set()  # original event ids whose edit was answered
        self._greet: set[str] = set()
        self._creators: dict[str, set[str]] = {}
        # Files seen lately (by event id) and each sender's latest file per room, for the
        # command that comes with it.
        self._files: OrderedDict[str, Any] = OrderedDict()
        self._last_file: dict[tuple[str, str], Any] = {}
        self.polls = MatrixPolls(self)  # votes as MSC3381 polls (polls.py)
        self.gate = SendGate()  # replies before reminders (sending.py)
        # Each room's events in order, rooms side by side (rooms.py).
        # Outbox ids of replies delivered since the last sync position was stored: they
        # leave the outbox with the next one (sending.py, sync.py).
        self.delivered: list[int] = []
        self._unsaved_token: str | None = None  # a finished sync's position, not yet stored
        self._progress_saver: asyncio.Task[None] | None = None
        self._token_stored_at = float("-inf")  # when a sync token was last stored (sync.py)
        # Looked up at each call, so a test can stand in for it.
        self.rooms = RoomQueues(lambda token, quiet: self._store_token(token, quiet))
        self.client.add_response_callback(self._on_error, ErrorResponse)

    async def _on_error(self, response: ErrorResponse) -> None:
        # nio calls this before it sleeps out a 429 for the server's retry_after_ms.
        if response.status_code == "M_LIMIT_EXCEEDED":
            self.stats["rate_limited"] += 1
            if response.retry_after_ms == 0:
                # Synapse says 0 when the next send is allowed within the millisecond, and
                # nio reads a 0 as "no hint" and sleeps 5 s (`retry_after_ms or 5000`): a
                # reply would wait 5 s for nothing.
                response.retry_after_ms = 1
            self.gate.rate_limited(response.retry_after_ms)

    async def run(self) -> None:
        self.settings.store_path.mkdir(parents=True, exist_ok=True)
        with suppress(OSError):
            os.chmod(self.settings.store_path, 0o700)
        try:
            await self._login()
            self.app.add_sender(TRANSPORT, self.send)
            self.app.dispatcher.outbox.add(TRANSPORT)
            await self._first_sync()
            await self._restore_pending()
            self.ready.set()
            log.warning("Matrix: inloggad som %s (enhet %s), lyssnar i %d rum",
                        self.client.user_id, self.client.device_id, len(self.client.rooms))
            while True:
                response = await self.rooms.until_failed(
                    self._sync(self.since, timeout=self.settings.sync_timeout * 1000))
                await self._process(response)
        finally:
            self.stopped.set()
            await self._stop_saving()
            await self.rooms.stop()
            try:
                await self._note_delivered_at_stop()
            except Exception as error:  # the connection is gone: they go out again
                log.warning("Matrix: kunde inte notera skickade svar (%s)", error)
            if self.app.senders.get(TRANSPORT) == self.send:
                del self.app.senders[TRANSPORT]
            await self.client.close()

    def _note_creators(self, response: SyncResponse) -> None:
        """Since room version 12 the room's creators outrank everyone without being listed
        in the power levels (nio does not know this yet)."""
        for room_id, info in response.rooms.join.items():
            for event in [*info.state, *info.timeline.events]:
                if isinstance(event, RoomCreateEvent):
                    content = event.source.get("content", {})
                    extra = content.get("additional_creators", [])
                    self._creators[room_id] = {event.sender, *(
                        u for u in (extra if isinstance(extra, list) else [])
                        if isinstance(u, str))}

    def _is_moderator(self, room: MatrixRoom, user_id: str) -> bool:
        if room.power_levels.get_user_level(user_id) >= MODERATOR_LEVEL:
            return True
        version = room.room_version
        privileged = (version.isdigit() and int(version) >= 12) or "hydra" in version
        return privileged and user_id in self._creators.get(room.room_id, set())

    async def _handle_invites(self, response: SyncResponse) -> None:
        for room_id, info in response.rooms.invite.items():
            inviter = next((e.sender for e in info.invite_state
                            if isinstance(e, InviteMemberEvent)
                            and e.state_key == self.client.user_id
                            and e.membership == "invite"), None)
            if inviter is not None and self.settings.may_invite(inviter):
                joined = await self._retry("join", lambda r=room_id: self.client.join(r))
                if isinstance(joined, JoinError) or not hasattr(joined, "room_id"):
                    log.warning("Matrix: kunde inte gå med i %s (%s)", room_id, _reason(joined))
                    continue
                log.warning("Matrix: gick med i %s på inbjudan av %s", room_id, inviter)
                self._greet.add(room_id)
            else:
                log.warning("Matrix: avböjer inbjudan till %s från %s (inte i allowed_inviters)",
                            room_id, inviter)
                await self._retry("leave", lambda r=room_id: self.client.room_leave(r))

    async def _greet_new_rooms(self) -> None:
        for room_id in list(self._greet):
            room = self.client.rooms.get(room_id)
            if room is None:
                continue  # not in a sync yet
            self._greet.discard(room_id)
            organ = await self._db(organ_for_room, TRANSPORT, room_id)
            await self.send(room_id, render("rum", "välkommen", organ=organ))
            if room.encrypted and self.client.olm is None:
                await self.send(room_id, render("rum", "kan_inte_läsa_krypterat"))

    async def _handle_room_events(self, room_id: str, events: list[Any]) -> None:
        room = self.client.rooms.get(room_id)
        if room is None:
            return
        start = 0
        for index, event in enumerate(events):
            # Whatever came before the bot joined is history, not commands for it.
            if (isinstance(event, RoomMemberEvent) and event.state_key == self.client.user_id
                    and event.membership == "join" and event.prev_membership != "join"):
                start = index + 1
        redacted = {e.redacts for e in events if isinstance(e, RedactionEvent)}
        seen: set[str] = set()
        for event in events[start:]:
            event_id = getattr(event, "event_id", None)
            if not event_id or event_id in seen or event_id in redacted:
                continue
            seen.add(event_id)
            if isinstance(event, MegolmEvent):
                await self._undecrypted(room_id, event)
                continue
            await self._handle_event(room, event)

    async def _handle_event(self, room: MatrixRoom, event: Event) -> None:
        if getattr(event, "sender", None) == self.client.user_id:
            return
        if isinstance(event, _FILE_EVENTS):
            await self._handle_file(room, event)
            return
        if await self.polls.handle(room, event):
            return
        if not isinstance(event, RoomMessageText):
            return  # notices (other bots), emotes, images, state
        # Whatever the sender says next, their last file is no longer "just sent".
        previous_file = self._last_file.pop((room.room_id, event.sender), None)
        content = event.source.get("content", {})
        relation = content.get("m.relates_to")
        relation = relation if isinstance(relation, dict) else {}
        if relation.get("rel_type") == "m.replace":
            # An edit of a command is not a second command; say so once per message, so
            # nobody believes a corrected amount or name was recorded.
            await self._answer_edit(room.room_id, event, relation.get("event_id"))
            return
        text = event.body
        replied = relation.get("m.in_reply_to")
        replied_id = replied.get("event_id") if isinstance(replied, dict) else None
        if replied is not None:
            text = _REPLY_FALLBACK.sub("", text, count=1)
        if parse(text, self.app.config.prefix) is None:
            return
        files: list[Any] = []
        if isinstance(replied_id, str):
            target = await self._file_event(room.room_id, replied_id)
            if target is not None:
                files.append(target)
        if not files and previous_file is not None and follows(
                previous_file.server_timestamp / 1000, event.server_timestamp / 1000):
            files.append(previous_file)
        await self._run_command(room, event, text, files)

    async def _answer_edit(self, room_id: str, event: Any, original: object) -> None:
        new = event.source.get("content", {}).get("m.new_content")
        body = new.get("body") if isinstance(new, dict) else None
        if (not isinstance(original, str) or not isinstance(body, str)
                or parse(body, self.app.config.prefix) is None
                or original in self._edits_answered):
            return
        self._edits_answered.add(original)
        # Claimed in the store too: an edit seen again after a restart is not told twice.
        if not await self._db(claim_event, TRANSPORT, f"edit:{original}"):
            return
        reply = render("rum", "redigering")
        reply.in_reply_to = event.event_id
        await self.send(room_id, reply)

    async def _run_command(self, room: MatrixRoom, event: Any, text: str,
                           files: list[Any], *, via: str = "", reply_to: str = "") -> None:
        """Run one command; `via` and `reply_to` (the poll the reply answers under) are set
        for a vote made in a poll (polls.py)."""
        # The dispatcher claims the event id in the command's own transaction (one
        # database round trip per command); None back means it was handled before.
        if event.event_id in self._answered:
            self.stats["skipped"] += 1
            return
        async with self._typing(room.room_id):
            attachments = [a for a in [await self._download(f) for f in files] if a]
            message = IncomingMessage(
                transport=TRANSPORT, room_id=room.room_id, sender_id=event.sender,
                sender_name=room.user_name(event.sender) or event.sender, text=text,
                event_id=event.event_id,
                timestamp=datetime.fromtimestamp(event.server_timestamp / 1000, UTC),
                sender_is_moderator=self._is_moderator(room, event.sender),
                attachments=tuple(attachments),
                room_name=room.name or room.canonical_alias or "", via=via)
            reply = await self.app.dispatcher.handle(message)
        self._remember(event.event_id)
        if reply is None:
            self.stats["skipped"] += 1
            return
        self.stats["commands"] += 1
        if reply_to:
            reply.in_reply_to = reply_to
        await self._deliver(reply)
        await self.app.deliver_notices(reply)
        if reply.leave_room:
            await self._retry("leave", lambda: self.client.room_leave(room.room_id))
            log.warning("Matrix: lämnade %s på begäran av %s", room.room_id, event.sender)

    def _remember(self, event_id: str) -> None:
        self._answered[event_id] = None
        while len(self._answered) > 10_000:
            self._answered.popitem(last=False)

    @asynccontextmanager
    async def _typing(self, room_id: str) -> AsyncIterator[None]:
        """Show "typing…" only when a command takes a while."""
        started = False

        async def start() -> None:
            nonlocal started
            await asyncio.sleep(self.typing_after)
            started = True
            with suppress(*_NETWORK_ERRORS):
                await self.client.room_typing(room_id, True, timeout=30_000)

        task = asyncio.ensure_future(start())
        try:
            yield
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
            if started:
                with suppress(*_NETWORK_ERRORS):
                    await self.client.room_typing(room_id, False)
