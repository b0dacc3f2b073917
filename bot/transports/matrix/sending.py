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
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.messages import Reply

BACKGROUND_LIMIT = 4  # reminder sends in flight at once
BACKGROUND_KINDS = frozenset({"påminnelse"})


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
