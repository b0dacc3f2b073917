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

Files sent to the bot (`!budget import`): a command gets a file (IncomingMessage.attachments)
when it is the caption of the file (Matrix media captions: `body` is the caption when
`filename` differs from it), when it is a reply to the file, or when it is the very next
message of the file's sender within FILE_FOLLOW_SECONDS. Files are downloaded only then
(authenticated media first, the legacy endpoint for older servers) and decrypted in
encrypted rooms.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import re
import time
import uuid
from collections import Counter, OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlparse

import bot.transports.nio_light  # noqa: F401  (before nio: spares psycopg)

# isort: split
from aiohttp import ClientConnectionError
from nio import (
    AsyncClient,
    AsyncClientConfig,
    ErrorResponse,
    Event,
    InviteMemberEvent,
    JoinError,
    LocalProtocolError,
    LoginResponse,
    MatrixRoom,
    MegolmEvent,
    MessageDirection,
    RedactionEvent,
    RoomCreateEvent,
    RoomEncryptedFile,
    RoomGetEventResponse,
    RoomMemberEvent,
    RoomMessageFile,
    RoomMessagesResponse,
    RoomMessageText,
    RoomSendResponse,
    SyncResponse,
    UploadResponse,
    WhoamiResponse,
)
from nio.crypto.attachments import decrypt_attachment
from nio.exceptions import EncryptionError

from bot.app import App
from bot.config import ConfigError
from bot.messages import Attachment, IncomingMessage, Reply
from bot.parser import parse
from bot.render import render
from bot.transports.matrix_config import MatrixSettings, matrix_settings
from bot.transports.matrix_polls import MatrixPolls
from bot.transports.matrix_sending import SendGate, is_background
from storage import matrix as store
from storage.events import claim as claim_event
from storage.tenants import organ_for_room

log = logging.getLogger(__name__)
T = TypeVar("T")

TRANSPORT = "matrix"
MODERATOR_LEVEL = 50
TIMELINE_LIMIT = 100  # Synapse caps a filter's timeline limit at 100
GAP_PAGE = 100
MAX_GAP_PAGES = 100  # 10 000 events: more than a board room says in any downtime
UNDECRYPTABLE_WAIT = 300.0  # seconds to wait for a room key that is late
UNREADABLE_NOTICE_GAP = 3600.0  # at most one "could not read" notice per sender and room
_NETWORK_ERRORS = (ClientConnectionError, TimeoutError, asyncio.TimeoutError, OSError)
_REPLY_FALLBACK = re.compile(r"\A(> .*\n)+\n")
_MATRIX_ID = re.compile(r"@[^\s:]+:\S+")  # a user id; config ids may also be Teams ids
FILE_FOLLOW_SECONDS = 300  # a command this soon after its sender's file gets the file
MAX_FILE_BYTES = 20 * 1024 * 1024  # a budget spreadsheet is far smaller
_FILE_EVENTS = (RoomMessageFile, RoomEncryptedFile)


class MatrixSetupError(ConfigError):
    """The homeserver refused the bot's account; told in Swedish."""


async def serve(app: App) -> None:
    """Run the Matrix bot until cancelled (called by `bot run`)."""
    await MatrixBot(app, matrix_settings(app.config)).run()


class MatrixBot:
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
                store_sync_tokens=False,  # the database holds the sync token
                max_limit_exceeded=20,  # then our own backoff takes over (nio: forever)
                max_timeouts=2,
                backoff_factor=0.2,
                max_timeout_retry_wait_time=5,
                request_timeout=60,
            ))
        self.since: str | None = None
        self.ready = asyncio.Event()  # set once the first sync is done (for tests)
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
        self.polls = MatrixPolls(self)  # votes as MSC3381 polls (bot/transports/matrix_polls.py)
        self.gate = SendGate()  # replies before reminders (bot/transports/matrix_sending.py)
        self.client.add_response_callback(self._on_error, ErrorResponse)

    async def _on_error(self, response: ErrorResponse) -> None:
        # nio calls this before it sleeps out a 429 for the server's retry_after_ms.
        if response.status_code == "M_LIMIT_EXCEEDED":
            self.stats["rate_limited"] += 1
            self.gate.rate_limited(getattr(response, "retry_after_ms", None))

    # ----------------------------------------------------------------- life cycle

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
                response = await self._sync(self.since, timeout=self.settings.sync_timeout * 1000)
                await self._process(response)
        finally:
            if self.app.senders.get(TRANSPORT) == self.send:
                del self.app.senders[TRANSPORT]
            await self.client.close()

    @property
    def _credentials_file(self) -> Path:
        return self.settings.store_path / "credentials.json"

    async def _login(self, revoked: str = "") -> None:
        """Reuse the device of an earlier start (its keys are in store_path); log in only
        when there is none, so restarts never pile up devices."""
        s = self.settings
        saved = self._load_credentials()
        if saved is not None:
            self.client.restore_login(s.user_id, saved["device_id"], saved["access_token"])
            return
        if s.access_token and s.access_token != revoked:
            self.client.access_token = s.access_token
            self.client.user_id = s.user_id
            who = await self._retry("whoami", self.client.whoami)
            if not isinstance(who, WhoamiResponse) or who.user_id != s.user_id:
                raise MatrixSetupError(
                    f"Matrix: access_token i [matrix] gäller inte för {s.user_id} på "
                    f"{s.homeserver} ({_reason(who)}).")
            if not who.device_id:
                raise MatrixSetupError(
                    "Matrix: servern säger inte vilken enhet access_token hör till. "
                    "Använd password i stället.")
            self.client.restore_login(s.user_id, who.device_id, s.access_token)
        else:
            response = await self._retry("login", lambda: self.client.login(
                password=s.password, device_name=s.device_name))
            if not isinstance(response, LoginResponse):
                raise MatrixSetupError(
                    f"Matrix: inloggningen som {s.user_id} på {s.homeserver} misslyckades "
                    f"({_reason(response)}). Kontrollera user_id och password.")
        self._save_credentials()

    def _load_credentials(self) -> dict[str, str] | None:
        try:
            saved = json.loads(self._credentials_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if (saved.get("user_id") != self.settings.user_id
                or saved.get("homeserver") != self.settings.homeserver
                or not saved.get("device_id") or not saved.get("access_token")):
            return None
        if self.settings.access_token and saved["access_token"] != self.settings.access_token:
            return None  # a new token in the config replaces the saved login
        return saved

    def _save_credentials(self) -> None:
        data = {"homeserver": self.settings.homeserver, "user_id": self.client.user_id,
                "device_id": self.client.device_id, "access_token": self.client.access_token}
        tmp = self._credentials_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.chmod(tmp, 0o600)
        tmp.replace(self._credentials_file)

    async def _relogin(self) -> None:
        """The stored token was revoked (device logged out): start over with the password,
        or with the configured token if it is not the one that was revoked."""
        revoked = self.client.access_token
        self._credentials_file.unlink(missing_ok=True)  # a restart must not reuse it
        if not self.settings.password and self.settings.access_token in ("", revoked):
            raise MatrixSetupError(
                f"Matrix: servern godtar inte längre botens access_token för "
                f"{self.settings.user_id}. Ange ett nytt access_token eller password.")
        log.warning("Matrix: åtkomsttoken återkallad; loggar in på nytt")
        self.client.access_token = ""
        await self.client.close()
        self.client = AsyncClient(self.settings.homeserver, self.settings.user_id,
                                  store_path=str(self.settings.store_path),
                                  config=self.client.config)
        self.client.add_response_callback(self._on_error, ErrorResponse)
        await self._login(revoked=revoked)

    # ----------------------------------------------------------------------- sync

    @property
    def _filter(self) -> dict[str, Any]:
        # Without a filter Synapse sends only 10 events per room and sync.
        return {"room": {"timeline": {"limit": self.timeline_limit}}}

    async def _first_sync(self) -> None:
        self.since = await self._db(store.sync_token, self.settings.user_id)
        # Full state either way: after a restart nio knows no rooms, members or power levels.
        response = await self._sync(self.since, timeout=0, full_state=True)
        # Replies committed before a crash go out first, before any newer command's.
        for reply in await asyncio.to_thread(self.app.dispatcher.unsent_replies, TRANSPORT):
            self.stats["resent"] += 1
            await self._deliver(reply)
        if self.since is None:
            # A new bot: what was said before it existed is history, not commands.
            self._note_creators(response)
            await self._housekeeping()
            await self._handle_invites(response)
            await self._save_token(response.next_batch)
            return
        await self._process(response)

    async def _sync(self, since: str | None, *, timeout: int,
                    full_state: bool = False) -> SyncResponse:
        delay = 1.0
        while True:
            try:
                response: Any = await self.client.sync(
                    timeout=timeout, sync_filter=self._filter, since=since,
                    full_state=full_state or None)
            except _NETWORK_ERRORS as error:
                response = error
            if isinstance(response, SyncResponse):
                if delay > 1:
                    log.warning("Matrix: kontakt med %s igen", self.settings.homeserver)
                return response
            if getattr(response, "status_code", None) == "M_UNKNOWN_TOKEN":
                await self._relogin()
                # The new client knows no rooms yet: which are encrypted, who is in them.
                full_state = True
                continue
            log.warning("Matrix: synkningen misslyckades (%s); försöker igen om %.0f s",
                        _reason(response), delay)
            self.stats["sync_errors"] += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.retry_cap)

    async def _process(self, response: SyncResponse) -> None:
        self._note_creators(response)
        await self._housekeeping()
        await self._handle_invites(response)
        for room_id, info in response.rooms.join.items():
            events: list[Any] = list(info.timeline.events)
            if info.timeline.limited and self.since and info.timeline.prev_batch:
                events = await self._fill_gap(room_id, info.timeline.prev_batch,
                                              self.since) + events
            await self._retry_undecrypted(room_id)
            await self._handle_room_events(room_id, events)
        for room_id in list(self._pending):
            if room_id not in response.rooms.join:
                await self._retry_undecrypted(room_id)
        await self._greet_new_rooms()
        await self._save_token(response.next_batch)

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

    async def _housekeeping(self) -> None:
        """What sync_forever would do between syncs: keys and to-device messages."""
        client = self.client
        if client.olm is None:
            return
        try:
            if client.should_upload_keys:
                await client.keys_upload()
            if client.should_query_keys:
                await client.keys_query()
            if client.should_claim_keys:
                await client.keys_claim(client.get_users_for_key_claiming())
            await client.send_to_device_messages()
        except (*_NETWORK_ERRORS, LocalProtocolError) as error:
            log.warning("Matrix: nyckelutbyte misslyckades (%s); försöker vid nästa synk",
                        error)

    async def _save_token(self, token: str) -> None:
        self.since = token
        await self._db(store.save_sync_token, self.settings.user_id, token)

    async def _fill_gap(self, room_id: str, prev_batch: str, since: str) -> list[Any]:
        """The events the limited sync left out, oldest first: /messages backwards from the
        timeline's start to where the previous sync ended."""
        collected: list[Any] = []
        token = prev_batch
        for _ in range(MAX_GAP_PAGES):
            page = await self._retry("messages", lambda t=token: self.client.room_messages(
                room_id, start=t, end=since, direction=MessageDirection.back, limit=GAP_PAGE))
            if not isinstance(page, RoomMessagesResponse):
                log.warning("Matrix: kunde inte hämta missade händelser i %s (%s)",
                            room_id, _reason(page))
                break
            collected.extend(page.chunk)
            if not page.chunk or not page.end or page.end == token:
                break
            token = page.end
        self.stats["gaps"] += 1
        self.stats["gap_events"] += len(collected)
        return list(reversed(collected))

    # --------------------------------------------------------------------- events

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

    async def _undecrypted(self, room_id: str, event: MegolmEvent,
                           since: float | None = None) -> None:
        """A message whose room key has not arrived yet: ask for it, try again later. It is
        kept in the store too, since the sync position moves on without it."""
        if since is None:
            await self._db(store.keep_pending, self.settings.user_id, room_id, event.event_id)
            since = time.monotonic()
        self._pending.setdefault(room_id, []).append((event, since))
        self.stats["undecrypted"] += 1
        if self.client.olm is not None:
            with suppress(LocalProtocolError):
                asyncio.ensure_future(self.client.request_room_key(event))

    async def _retry_undecrypted(self, room_id: str) -> None:
        pending = self._pending.pop(room_id, [])
        room = self.client.rooms.get(room_id)
        still: list[tuple[MegolmEvent, float]] = []
        for event, since in pending:
            try:
                decrypted = self.client.decrypt_event(event)
            except (EncryptionError, AssertionError):
                if time.monotonic() - since < UNDECRYPTABLE_WAIT:
                    still.append((event, since))
                else:
                    log.warning("Matrix: gav upp %s i %s: nyckeln kom aldrig",
                                event.event_id, room_id)
                    await self._tell_unreadable(room_id, event)
                    await self._db(store.drop_pending, event.event_id)
                continue
            if room is not None:
                await self._handle_event(room, decrypted)
            await self._db(store.drop_pending, event.event_id)
        if still:
            self._pending[room_id] = still

    async def _restore_pending(self) -> None:
        """Messages still waiting for their key when the bot stopped: fetch them again."""
        for room_id, event_id, seen_at in await self._db(store.pending_events,
                                                         self.settings.user_id):
            response = await self._retry("event", lambda r=room_id, e=event_id:
                                         self.client.room_get_event(r, e))
            event = getattr(response, "event", None)
            if not isinstance(response, RoomGetEventResponse) or not isinstance(
                    event, MegolmEvent):
                await self._db(store.drop_pending, event_id)  # gone, or readable after all
                continue
            waited = (datetime.now(UTC) - seen_at.replace(tzinfo=seen_at.tzinfo or UTC))
            await self._undecrypted(room_id, event, time.monotonic() - waited.total_seconds())
            self.stats["restored"] += 1
        for room_id in list(self._pending):
            await self._retry_undecrypted(room_id)

    async def _tell_unreadable(self, room_id: str, event: MegolmEvent) -> None:
        """The sender may have written a command the bot never saw: say so, at most once an
        hour per sender and room (ordinary chat is unreadable too and must not be nagged)."""
        key = (room_id, event.sender)
        now = time.monotonic()
        if now - self._told_unreadable.get(key, -UNREADABLE_NOTICE_GAP) < UNREADABLE_NOTICE_GAP:
            return
        self._told_unreadable[key] = now
        self.stats["unreadable"] += 1
        reply = render("rum", "oläsligt_meddelande")
        reply.in_reply_to = event.event_id
        await self.send(room_id, reply)

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
        if not files and previous_file is not None and (
                event.server_timestamp - previous_file.server_timestamp
                <= FILE_FOLLOW_SECONDS * 1000):
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

    async def _handle_file(self, room: MatrixRoom, event: Any) -> None:
        """Remember a file for the command that follows it; a caption that is a command
        runs with the file."""
        self._files[event.event_id] = event
        while len(self._files) > 200:
            self._files.popitem(last=False)
        content = event.source.get("content", {})
        filename = content.get("filename")
        caption = event.body if isinstance(filename, str) and filename != event.body else ""
        if caption and parse(caption, self.app.config.prefix) is not None:
            self._last_file.pop((room.room_id, event.sender), None)
            await self._run_command(room, event, caption, [event])
            return
        self._last_file[(room.room_id, event.sender)] = event

    async def _file_event(self, room_id: str, event_id: str) -> Any | None:
        """The file event a command replies to (seen lately, or fetched and decrypted)."""
        if event_id in self._files:
            return self._files[event_id]
        response = await self._retry("get_event", lambda: self.client.room_get_event(
            room_id, event_id))
        if not isinstance(response, RoomGetEventResponse):
            return None
        event: Any = response.event
        if isinstance(event, MegolmEvent) and self.client.olm is not None:
            with suppress(EncryptionError, AssertionError):
                event = self.client.decrypt_event(event)
        return event if isinstance(event, _FILE_EVENTS) else None

    async def _run_command(self, room: MatrixRoom, event: Any, text: str,
                           files: list[Any], *, via: str = "", reply_to: str = "") -> None:
        """Run one command; `via` and `reply_to` (the poll the reply answers under) are set
        for a vote made in a poll (bot/transports/matrix_polls.py)."""
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

    async def _download(self, event: Any) -> Attachment | None:
        """A file event's bytes (decrypted if it came encrypted), or None if it cannot be
        had; the command then says that the file is missing."""
        content = event.source.get("content", {})
        info = content.get("info") if isinstance(content.get("info"), dict) else {}
        filename = str(content.get("filename") or event.body or "fil")
        mimetype = str(getattr(event, "mimetype", None) or info.get("mimetype")
                       or "application/octet-stream")
        size = info.get("size")
        if isinstance(size, int) and size > MAX_FILE_BYTES:
            log.warning("Matrix: %s är för stor (%d byte)", filename, size)
            return None
        data = await self._fetch_media(str(event.url or ""))
        if data is None:
            return None
        if isinstance(event, RoomEncryptedFile):
            try:
                data = decrypt_attachment(data, event.key["k"], event.hashes["sha256"],
                                          event.iv)
            except (EncryptionError, KeyError, TypeError, ValueError) as error:
                log.warning("Matrix: kunde inte dekryptera %s (%s)", filename, error)
                return None
        self.stats["files"] += 1
        return Attachment(filename, mimetype, data)

    async def _fetch_media(self, mxc: str) -> bytes | None:
        """Download an mxc:// URI: the authenticated endpoint (Matrix 1.11), else the
        legacy one."""
        parts = urlparse(mxc)
        if parts.scheme != "mxc" or not parts.netloc or not parts.path.strip("/"):
            return None
        server, media_id = quote(parts.netloc), quote(parts.path.strip("/"))
        base = self.settings.homeserver.rstrip("/")
        headers = {"Authorization": f"Bearer {self.client.access_token}"}
        session = self.client.client_session
        if session is None:
            return None
        for path in (f"/_matrix/client/v1/media/download/{server}/{media_id}",
                     f"/_matrix/media/v3/download/{server}/{media_id}"):
            try:
                async with session.get(base + path, headers=headers,
                                       proxy=self.client.proxy) as response:
                    if response.status == 200:
                        data = await response.content.read(MAX_FILE_BYTES + 1)
                        if len(data) > MAX_FILE_BYTES:
                            log.warning("Matrix: %s är för stor", mxc)
                            return None
                        return data
                    log.warning("Matrix: hämtning av %s gav %s", mxc, response.status)
            except _NETWORK_ERRORS as error:
                log.warning("Matrix: hämtning av %s misslyckades (%s)", mxc, error)
        return None

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

    # -------------------------------------------------------------------- sending

    async def send(self, room_id: str, reply: Reply) -> None:
        """A reply (or a reminder) as a message: plain body and HTML, as a Matrix reply
        when it answers a command; then its attachments as files."""
        # Reminders wait while a command's reply goes out and after a 429.
        turn = self.gate.background() if is_background(reply) else self.gate.urgent()
        async with turn:
            # The same transaction id on every retry and after a restart: stored at most
            # once.
            key = reply.send_key or uuid.uuid4().hex
            content = message_content(reply, self._as_in_room(room_id, reply.mentions))
            await self._room_send(room_id, content, f"{key}-0")
            for n, attachment in enumerate(reply.attachments, start=1):
                await self._send_attachment(room_id, attachment, f"{key}-{n}")
            await self.polls.after_send(room_id, reply, key)

    def _as_in_room(self, room_id: str, ids: list[str]) -> list[str]:
        """The Matrix user ids among `ids`, spelt as the room's members are: the store keeps
        config ids case-folded, and an old Matrix id may have capitals."""
        room = self.client.rooms.get(room_id)
        members = {user.casefold(): user for user in (room.users if room else {})}
        return list(dict.fromkeys(members.get(i.casefold(), i) for i in ids
                                  if _MATRIX_ID.fullmatch(i)))

    async def _deliver(self, reply: Reply) -> None:
        """Send a command's reply, then let it leave the outbox (also when the homeserver
        refused it for good: sending it again would not help)."""
        await self.send(reply.room_id, reply)
        await asyncio.to_thread(self.app.dispatcher.reply_sent, reply)

    async def _room_send(self, room_id: str, content: dict[str, Any], tx_id: str, *,
                         event_type: str = "m.room.message") -> str | None:
        response = await self._retry("send", lambda: self.client.room_send(
            room_id, event_type, content, tx_id=tx_id, ignore_unverified_devices=True))
        if isinstance(response, RoomSendResponse):
            self.stats["sent"] += 1
            return response.event_id
        log.warning("Matrix: kunde inte skicka till %s (%s)", room_id, _reason(response))
        return None

    async def _send_attachment(self, room_id: str, attachment: Attachment, tx_id: str) -> None:
        room = self.client.rooms.get(room_id)
        encrypt = bool(room is not None and room.encrypted and self.client.olm is not None)
        data = attachment.data

        async def upload() -> Any:
            response, keys = await self.client.upload(
                io.BytesIO(data), content_type=attachment.mimetype,
                filename=attachment.filename, encrypt=encrypt, filesize=len(data))
            return (response, keys) if isinstance(response, UploadResponse) else response

        uploaded = await self._retry("upload", upload)
        if not isinstance(uploaded, tuple):
            log.warning("Matrix: kunde inte ladda upp %s (%s)", attachment.filename,
                        _reason(uploaded))
            return
        response, keys = uploaded
        msgtype = "m.image" if attachment.mimetype.startswith("image/") else "m.file"
        content: dict[str, Any] = {
            "msgtype": msgtype, "body": attachment.filename, "filename": attachment.filename,
            "info": {"mimetype": attachment.mimetype, "size": len(data)},
        }
        if keys is not None:
            content["file"] = {**keys, "url": response.content_uri,
                               "mimetype": attachment.mimetype}
        else:
            content["url"] = response.content_uri
        await self._room_send(room_id, content, tx_id)

    # -------------------------------------------------------------------- helpers

    async def _retry(self, what: str, call: Callable[[], Awaitable[T]]) -> T | Any:
        """Call the homeserver until it answers: network errors, 5xx and rate limits are
        waited out with backoff; an error a retry cannot fix (4xx) is returned."""
        delay = 1.0
        while True:
            try:
                response: Any = await call()
            except _NETWORK_ERRORS as error:
                response = error
            except LocalProtocolError as error:
                return error  # not in the room, not logged in: retrying will not help
            if not isinstance(response, BaseException | ErrorResponse):
                return response
            if isinstance(response, ErrorResponse) and not _transient(response):
                return response
            log.warning("Matrix: %s misslyckades (%s); försöker igen om %.0f s",
                        what, _reason(response), delay)
            self.stats["retries"] += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.retry_cap)

    async def _db(self, fn: Callable[..., T], *args: Any) -> T:
        def work() -> T:
            with self.app.db.transaction() as session:
                return fn(session, *args)

        return await asyncio.to_thread(work)


def message_content(reply: Reply, mentions: list[str] | None = None) -> dict[str, Any]:
    """The m.room.message content of a reply: Markdown as the plain body and the template's
    escaped HTML as formatted_body. An m.notice (bots do not answer notices, and clients
    notify nobody of one), unless it mentions people (`mentions`, Matrix ids; default the
    reply's own): then an m.text with m.mentions. The default push rules silence every
    m.notice (.m.rule.suppress_notices) before they look at mentions
    (.m.rule.is_user_mention), so only an m.text makes the person's client notify them."""
    people = [m for m in (reply.mentions if mentions is None else mentions)
              if _MATRIX_ID.fullmatch(m)]
    content: dict[str, Any] = {
        "msgtype": "m.text" if people else "m.notice", "body": reply.text,
        "format": "org.matrix.custom.html", "formatted_body": reply.html,
    }
    if reply.in_reply_to:
        content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply.in_reply_to}}
    if people:  # intentional mentions (MSC3952)
        content["m.mentions"] = {"user_ids": people}
    return content


def _transient(response: ErrorResponse) -> bool:
    """Rate limits and server trouble pass; 4xx errors (forbidden, unknown room) do not."""
    if response.status_code == "M_LIMIT_EXCEEDED":
        return True
    http = getattr(getattr(response, "transport_response", None), "status", None)
    return http is None or http == 429 or http >= 500


def _reason(response: object) -> str:
    if isinstance(response, BaseException):
        return f"{type(response).__name__}: {response}" if str(response) else type(
            response).__name__
    message = getattr(response, "message", None)
    status = getattr(response, "status_code", None)
    return f"{status}: {message}" if status or message else type(response).__name__
