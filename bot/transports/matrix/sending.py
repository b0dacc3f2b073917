"""Replies first: the order in which the Matrix transport sends.

Synapse limits how fast one account may send (rc_message, per user, not per room) and
answers 429 with retry_after_ms when the bot goes faster. In a reminder storm (every
förbund's årsrapport reminder due at the same minute) the scheduler's sends would use up
that budget, and a chair's `!beslut` typed meanwhile would queue behind hundreds of
reminders. So sends come in two kinds:

- urgent: a command's reply, its notices, greetings: sent at once;
- background: reminders (`Reply.kind == "påminnelse"`): at most `limit` at a time, none
  while an urgent send is under way, and none before the retry_after of the last 429 has
  passed (matrix-nio waits out the 429 of the request that met it; the gate keeps the
  other reminders from meeting one too, so the next reply finds budget left).

The gate never drops or reorders a background send against another one: each waits for
its turn and then goes out once (with its own transaction id, by the caller).

Sending (MatrixBot's part) turns a Reply into m.room.message content (message_content),
sends it under the gate and uploads its attachments, encrypted in encrypted rooms.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from nio import RoomSendResponse, UploadResponse

from bot.messages import Attachment, Reply
from bot.transports.matrix.common import _reason

log = logging.getLogger(__name__)
BACKGROUND_LIMIT = 4  # reminder sends in flight at once
BACKGROUND_KINDS = frozenset({"påminnelse"})
ROOMS_WAIT = 60.0  # seconds a send waits for the first sync before it gives up


def is_background(reply: Reply) -> bool:
    return reply.kind in BACKGROUND_KINDS


class SendGate:
    def __init__(self, limit: int = BACKGROUND_LIMIT) -> None:
        self.limit = limit
        self._slots: asyncio.Semaphore | None = None  # made on the loop that uses it
        self._urgent = 0
        self._calm: asyncio.Event | None = None  # set while no urgent send is under way
        self._paused_until = 0.0
        self.waited = 0  # background sends that had to wait (for the benchmark and tests)

    def _ready(self) -> tuple[asyncio.Semaphore, asyncio.Event]:
        if self._slots is None or self._calm is None:
            self._slots = asyncio.Semaphore(self.limit)
            self._calm = asyncio.Event()
            self._calm.set()
        return self._slots, self._calm

    @asynccontextmanager
    async def urgent(self) -> AsyncIterator[None]:
        _, calm = self._ready()
        self._urgent += 1
        calm.clear()
        try:
            yield
        finally:
            self._urgent -= 1
            if self._urgent == 0:
                calm.set()

    @asynccontextmanager
    async def background(self) -> AsyncIterator[None]:
        slots, calm = self._ready()
        loop = asyncio.get_running_loop()
        async with slots:
            waited = False
            while True:
                if not calm.is_set():
                    waited = True
                    await calm.wait()
                pause = self._paused_until - loop.time()
                if pause <= 0 and calm.is_set():
                    break
                if pause > 0:
                    waited = True
                    await asyncio.sleep(pause)
            self.waited += waited
            yield

    def rate_limited(self, retry_after_ms: int | None) -> None:
        """A 429 came back: background sends rest until its retry_after has passed."""
        seconds = (retry_after_ms or 1000) / 1000
        loop = asyncio.get_running_loop()
        self._paused_until = max(self._paused_until, loop.time() + seconds)

_MATRIX_ID = re.compile(r"@[^\s:]+:\S+")  # a user id; config ids may also be Teams ids


class Sending:
    """Messages out, for MatrixBot."""

    async def send(self, room_id: str, reply: Reply) -> bool:
        """A reply (or a reminder) as a message: plain body and HTML, as a Matrix reply
        when it answers a command; then its attachments as files. False when the
        homeserver refused the message (not in the room, forbidden)."""
        if room_id not in self.client.rooms and not await self._rooms_known_in_time():
            log.warning("Matrix: skickar inte till %s: rummen är inte synkade", room_id)
            return False
        # Reminders wait while a command's reply goes out and after a 429.
        turn = self.gate.background() if is_background(reply) else self.gate.urgent()
        async with turn:
            # The same transaction id on every retry and after a restart: stored at most
            # once.
            key = reply.send_key or uuid.uuid4().hex
            content = message_content(reply, self._as_in_room(room_id, reply.mentions))
            if await self._room_send(room_id, content, f"{key}-0") is None:
                return False
            for n, attachment in enumerate(reply.attachments, start=1):
                await self._send_attachment(room_id, attachment, f"{key}-{n}")
            await self.polls.after_send(room_id, reply, key)
            return True

    async def _rooms_known_in_time(self) -> bool:
        """The sender is registered at login, before the first sync: a reminder due at start
        (or at a takeover) waits until the client knows its room. Not for ever: the bot may
        stop first, or the homeserver stay away."""
        if self.rooms_known.is_set():
            return True
        known = asyncio.ensure_future(self.rooms_known.wait())
        stopped = asyncio.ensure_future(self.stopped.wait())
        try:
            await asyncio.wait({known, stopped}, timeout=ROOMS_WAIT,
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            known.cancel()
            stopped.cancel()
        return self.rooms_known.is_set() and not self.stopped.is_set()

    def _as_in_room(self, room_id: str, ids: list[str]) -> list[str]:
        """The Matrix user ids among `ids`, spelt as the room's members are: the store keeps
        config ids case-folded, and an old Matrix id may have capitals."""
        room = self.client.rooms.get(room_id)
        members = {user.casefold(): user for user in (room.users if room else {})}
        return list(dict.fromkeys(members.get(i.casefold(), i) for i in ids
                                  if _MATRIX_ID.fullmatch(i)))

    async def _deliver(self, reply: Reply) -> None:
        """Send a command's reply, then let it leave the outbox (also when the homeserver
        refused it for good: sending it again would not help). It leaves in the commit of
        the next sync position (sync.py), made a moment later: not while Synapse is still
        delivering the reply, and one for a burst of commands. A crash in between sends
        it again under the same transaction id, as a crash before any commit would."""
        await self.send(reply.room_id, reply)
        if reply.outbox_id is not None:
            self.delivered.append(reply.outbox_id)
            self._save_progress_soon()

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
