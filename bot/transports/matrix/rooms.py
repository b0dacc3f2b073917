"""Rooms side by side, each room's events in order: the Matrix transport's work queues.

A command that takes long (`!budget import` reading a large file in a worker thread) must
not keep other rooms waiting, so every room has a queue of its own, worked off by a task
of its own, one item at a time (a room's events are handled strictly in the order they
came). The sync loop only fills the queues and goes on syncing.

The sync token moves on only when it is safe: a sync's token is saved once every item
that sync (and every earlier one) queued is done. A process that dies while a room's event
is still being handled restarts from an older token and gets that event again; what was
already handled then is skipped by the event claims (storage.events), so nothing is lost
and nothing is done twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

Work = Callable[[], Awaitable[None]]


@dataclass(eq=False)
class Batch:
    """One sync's work: its token may be saved when `left` is 0 and it is closed."""

    token: str
    seq: int
    left: int = 0
    open: bool = True
    quiet: bool = False  # the sync brought only the bot's own messages

    @property
    def done(self) -> bool:
        return not self.open and self.left == 0


class RoomQueues:
    def __init__(self, save_token: Callable[[str, bool], Awaitable[None]]) -> None:
        """`save_token(token, quiet)`: quiet when every sync since the last saved one
        brought only the bot's own messages (the saver may then wait)."""
        self._save_token = save_token
        self._queues: dict[str, deque[tuple[Work, Batch | None]]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._batches: deque[Batch] = deque()
        self._seq = 0
        self._saved_seq = 0
        self._quiet_since_saved = True  # every batch passed since the last save was quiet
        self._saving: asyncio.Lock | None = None  # made on the loop that uses it
        self._failed: asyncio.Future[None] | None = None

    def batch(self, token: str) -> Batch:
        """A new sync's batch; add its work, then `close` it."""
        self._seq += 1
        batch = Batch(token, self._seq)
        self._batches.append(batch)
        return batch

    def add(self, room_id: str, work: Work, batch: Batch | None = None) -> None:
        """Queue `work` behind the room's earlier work."""
        if batch is not None:
            batch.left += 1
        self._queues.setdefault(room_id, deque()).append((work, batch))
        if room_id not in self._tasks:
            self._tasks[room_id] = asyncio.ensure_future(self._work(room_id))

    async def close(self, batch: Batch) -> None:
        """All of the batch's work is queued: its token is saved when that work is done."""
        batch.open = False
        await self._advance()

    @property
    def busy(self) -> int:
        """Rooms with work queued or under way."""
        return len(self._tasks)

    async def until_failed(self, awaitable: Awaitable[Any]) -> Any:
        """Await `awaitable`, unless a room's work fails first: then raise that error (the
        bot stops, as it did when it handled events one at a time)."""
        failed = self._failure()
        task = asyncio.ensure_future(awaitable)
        try:
            await asyncio.wait({task, failed}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not task.done():
                task.cancel()
        if failed.done():
            failed.result()
        return task.result()

    async def stop(self) -> None:
        """Cancel the rooms' work (the bot stops): what was not done comes again after the
        restart, since its token was not saved."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            try:
                await task
            except asyncio.CancelledError:
                pass
            except Exception:  # noqa: BLE001  (already told through until_failed)
                pass
        self._tasks.clear()
        self._queues.clear()

    def fail(self, error: BaseException) -> None:
        """Stop the bot with `error` (until_failed raises it), as a room's failed work
        does."""
        failed = self._failure()
        if not failed.done():
            failed.set_exception(error)

    def _failure(self) -> asyncio.Future[None]:
        if self._failed is None:
            self._failed = asyncio.get_running_loop().create_future()
        return self._failed

    async def _work(self, room_id: str) -> None:
        queue = self._queues[room_id]
        try:
            while queue:
                work, batch = queue.popleft()
                try:
                    await work()
                except Exception as error:
                    log.exception("Matrix: fel när händelser i %s hanterades", room_id)
                    self.fail(error)
                    raise
                if batch is not None:
                    batch.left -= 1
                    await self._advance()
        finally:
            # No await between the last check of the queue and this: work added later
            # starts a new task.
            if self._tasks.get(room_id) is asyncio.current_task():
                del self._tasks[room_id]
                if not queue:
                    self._queues.pop(room_id, None)

    async def _advance(self) -> None:
        """Save the token of the newest batch whose work, and all earlier batches' work, is
        done."""
        newest: Batch | None = None
        while self._batches and self._batches[0].done:
            newest = self._batches.popleft()
            self._quiet_since_saved &= newest.quiet
        if newest is None:
            return
        if self._saving is None:
            self._saving = asyncio.Lock()
        async with self._saving:  # FIFO: tokens are written oldest first
            if newest.seq > self._saved_seq:
                self._saved_seq = newest.seq
                quiet, self._quiet_since_saved = self._quiet_since_saved, True
                await self._save_token(newest.token, quiet)
