"""Encrypted messages whose room key is late: kept (in the store too) and tried again
at every sync, told as unreadable when the key never comes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import suppress
from datetime import UTC, datetime

from nio import LocalProtocolError, MegolmEvent, RoomGetEventResponse
from nio.exceptions import EncryptionError

from bot.render import render
from storage import matrix as store

log = logging.getLogger(__name__)
UNDECRYPTABLE_WAIT = 300.0  # seconds to wait for a room key that is late
UNREADABLE_NOTICE_GAP = 3600.0  # at most one "could not read" notice per sender and room


class Pending:
    """The undecryptable queue, for MatrixBot."""

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
        if still:  # before any that came while these were tried
            self._pending[room_id] = still + self._pending.get(room_id, [])

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
            self.rooms.add(room_id, lambda r=room_id: self._retry_undecrypted(r))

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
