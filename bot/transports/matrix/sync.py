"""Syncing: the first sync, every later one from the stored token, gaps filled with
/messages, each room's events queued on its own queue (rooms.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import suppress
from typing import Any

from nio import LocalProtocolError, MessageDirection, RoomMessagesResponse, SyncResponse

from bot.transports.matrix.common import _NETWORK_ERRORS, TRANSPORT, _reason
from storage import matrix as store
from storage import outbox

log = logging.getLogger(__name__)
GAP_PAGE = 100
MAX_GAP_PAGES = 100  # 10 000 events: more than a board room says in any downtime
# A sync that brought only the bot's own messages (a reminder's echo) stores its position
# only if the last store is this old: a commit for a position whose loss costs nothing. (The
# echo of a command's reply usually comes within SAVE_WAIT and rides in the command's.)
QUIET_SAVE_EVERY = 30.0
# A finished sync's position, with the replies delivered meanwhile, is committed this much
# later: a burst of commands then costs one commit, and none falls while Synapse is still
# delivering a reply. A crash in between costs nothing: the events are claimed, and a
# reply goes again under its transaction id.
SAVE_WAIT = 0.5
STOP_WAIT = 5.0  # seconds the stop waits to note delivered replies


class Syncing:
    """The sync loop's parts, for MatrixBot."""

    @property
    def _filter(self) -> dict[str, Any]:
        # Without a filter Synapse sends only 10 events per room and sync. Typing, read
        # receipts, presence and account data are left out: the bot uses none of them, and
        # in a busy room each would wake the sync for nothing.
        nothing = {"not_types": ["*"]}
        return {"presence": nothing, "account_data": nothing,
                "room": {"timeline": {"limit": self.timeline_limit}, "ephemeral": nothing,
                         "account_data": nothing}}

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
                self.rooms_known.set()
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
        """Queue each room's new events on the room's own queue; the token is stored once
        they are all handled (RoomQueues), and the next sync starts at once."""
        self._note_creators(response)
        await self._housekeeping()
        await self._handle_invites(response)
        batch = self.rooms.batch(response.next_batch)
        batch.quiet = self._only_own(response)
        for room_id, info in response.rooms.join.items():
            events: list[Any] = list(info.timeline.events)
            if info.timeline.limited and self.since and info.timeline.prev_batch:
                events = await self._fill_gap(room_id, info.timeline.prev_batch,
                                              self.since) + events
            self.rooms.add(room_id, lambda r=room_id, e=events: self._room_turn(r, e), batch)
        for room_id in list(self._pending):
            if room_id not in response.rooms.join:
                self.rooms.add(room_id, lambda r=room_id: self._retry_undecrypted(r), batch)
        await self._greet_new_rooms()
        self.since = response.next_batch  # where the next sync and its gap start
        await self.rooms.close(batch)

    def _only_own(self, response: SyncResponse) -> bool:
        """Nothing in the sync but the bot's own messages: from an older token a restart
        gets them again and ignores them, as it does now."""
        rooms = response.rooms
        if rooms.invite or rooms.leave or response.to_device_events \
                or response.device_list.changed or response.device_list.left:
            return False
        return all(not info.state and not info.timeline.limited and all(
            getattr(e, "sender", None) == self.client.user_id for e in info.timeline.events)
            for info in rooms.join.values())

    async def _room_turn(self, room_id: str, events: list[Any]) -> None:
        await self._retry_undecrypted(room_id)
        await self._handle_room_events(room_id, events)

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
        """The first sync's position, committed at once (what came before is history)."""
        self.since = token
        await self._commit_progress(token)

    async def _store_token(self, token: str, quiet: bool = False) -> None:
        """A sync's work is done (rooms.py): its position is committed SAVE_WAIT later,
        with the replies delivered by then. Not at all for a position that passes only
        syncs of the bot's own messages (`quiet`), if one was stored lately
        (QUIET_SAVE_EVERY) and nothing else waits."""
        if quiet and self._unsaved_token is None and not self.delivered \
                and time.monotonic() - self._token_stored_at < QUIET_SAVE_EVERY:
            self.stats["tokens_held"] += 1
            return
        self._unsaved_token = token
        self._save_progress_soon()

    def _save_progress_soon(self) -> None:
        if self._progress_saver is None or self._progress_saver.done():
            self._progress_saver = asyncio.ensure_future(self._save_progress_later())

    async def _save_progress_later(self) -> None:
        """SAVE_WAIT after the first request: the newest finished position and the replies
        delivered since the last one, in one commit; again while more came meanwhile. With
        no finished position (a long `!budget import` in another room holds it back) the
        delivered replies leave the outbox on their own. A failed commit stops the
        transport, as before (run() raises it; on PostgreSQL the process steps down)."""
        while self._unsaved_token is not None or self.delivered:
            await asyncio.sleep(SAVE_WAIT)
            if self.stopped.is_set():
                return  # the stop notes the delivered replies, never the position
            token, self._unsaved_token = self._unsaved_token, None
            try:
                if token is not None:
                    await self._commit_progress(token)
                else:
                    await self._note_delivered()
            except Exception as error:
                if self._unsaved_token is None:
                    self._unsaved_token = token
                self.rooms.fail(error)
                return

    async def _commit_progress(self, token: str) -> None:
        """The sync position, and the replies delivered since the last one leave the
        outbox, in one commit."""
        sent, self.delivered = self.delivered, []
        try:
            await self._db(store.save_sync_progress, self.settings.user_id, token, sent)
        except BaseException:
            self.delivered[:0] = sent  # still delivered: noted with the next position
            raise
        self._token_stored_at = time.monotonic()

    async def _note_delivered(self) -> None:
        sent, self.delivered = self.delivered, []
        if not sent:
            return
        try:
            await self._db(outbox.sent_all, sent)
        except BaseException:
            self.delivered[:0] = sent
            raise

    async def _stop_saving(self) -> None:
        """At the stop, before the rooms' work ends: no position is written from now on."""
        saver, self._progress_saver = self._progress_saver, None
        self._unsaved_token = None
        if saver is not None and not saver.done():
            saver.cancel()
            with suppress(asyncio.CancelledError):
                await saver

    async def _note_delivered_at_stop(self) -> None:
        """At the stop: the replies delivered since the last store leave the outbox, so a
        restart does not send them again. Not the position: a process that lost its lock
        must not move back the position of the one that took over (a restart from the
        stored one finds the later events claimed). Bounded: the database may be what went
        away."""
        await asyncio.wait_for(self._note_delivered(), STOP_WAIT)

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
