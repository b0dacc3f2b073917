"""One active process among several `bot run` on one database; the others are standbys.

The active process runs what must happen once: the Matrix sync (which takes each event and
sends the outbox) and the reminder scheduler. A standby waits for the PostgreSQL leader
lock (storage/leader.py) and takes over when it comes free; it may meanwhile serve what is
stateless over the database (the Teams endpoint, web pages), which bot.runner decides.

Why it holds:
- The lock's session is checked every CHECK_SECONDS with a `SELECT 1` that must answer
  within CHECK_TIMEOUT. When it does not, this process cannot know whether it still holds
  the lock, so it stops the active parts at once and waits as a standby again.
- A process that takes the lock waits TAKEOVER_GRACE (longer than the old holder needs to
  notice its loss) before acting, so the old and the new one never act at the same time
  when the old one lost only its connection. A killed process acts no more anyway.
- What the active one did is in the database (the sync token, the claimed events, the
  outbox, the reminders' states): the next one continues from there, answers nothing twice
  and loses nothing.
- SQLite allows one process: a second `bot run` on the same file refuses to start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError

from bot.render import render
from storage.db import Database
from storage.leader import (
    PostgresLeaderLock,
    SqliteProcessLock,
    leader_status,
    record_sqlite_leader,
    sqlite_lock_path,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

CHECK_SECONDS = 1.0
CHECK_TIMEOUT = 3.0
RETRY_SECONDS = 1.0
TAKEOVER_GRACE = CHECK_SECONDS + CHECK_TIMEOUT + 1.0


class Leadership:
    def __init__(self, db: Database, *, check_seconds: float = CHECK_SECONDS,
                 check_timeout: float = CHECK_TIMEOUT, retry_seconds: float = RETRY_SECONDS,
                 grace: float = TAKEOVER_GRACE) -> None:
        self.db = db
        self.check_seconds = check_seconds
        self.check_timeout = check_timeout
        self.retry_seconds = retry_seconds
        self.grace = grace
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self._sqlite: SqliteProcessLock | None = None

    def claim_process(self) -> str | None:
        """On SQLite, take the one-process lock for this process's life; the Swedish reason
        to refuse to start when another process has it. None: go ahead."""
        if not self.db.is_sqlite:
            return None
        path = sqlite_lock_path(self.db.url)
        if path is None:
            return None  # an in-memory database is this process's alone
        lock = SqliteProcessLock(path)
        if not lock.acquire():
            return render("drift", "sqlite_upptagen", databas=self.db.safe_url,
                          låsfil=str(path)).text
        self._sqlite = lock
        return None

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.release()
            self._sqlite = None

    async def run(self, act: Callable[[], Awaitable[None]]) -> None:
        """Run `act` (the active-only parts) whenever this process is the active one, until
        cancelled or until `act` ends by itself (its error is raised)."""
        if self.db.is_sqlite:
            await asyncio.to_thread(self._record_sqlite)
            self._announce()
            await act()
            return
        lock = PostgresLeaderLock(self.db.url)
        try:
            while True:
                await self._acquire(lock)
                if await self._act_while_held(lock, act):
                    return
                log.warning("Reserv: tappade kontakten med databasen och kan inte veta om "
                            "låset är kvar; slutar vara aktiv och väntar som reserv.")
                # A standby that kept its connection is the better choice: let it go first.
                await asyncio.sleep(self.grace)
        finally:
            lock.dispose()

    def _announce(self) -> None:
        log.warning("Aktiv: den här processen (%s, pid %d) synkar Matrix och skickar "
                    "påminnelser.", self.host, self.pid)

    def _record_sqlite(self) -> None:
        with self.db.transaction() as session:
            record_sqlite_leader(session, self.host, self.pid)

    async def _acquire(self, lock: PostgresLeaderLock) -> None:
        waiting = unreachable = False
        while True:
            try:
                if await _in_thread(lock.try_acquire, self.check_timeout):
                    await _in_thread(lambda: lock.record(self.host, self.pid),
                                     self.check_timeout)
                    break
                if not waiting:
                    log.warning("Reserv: en annan process är aktiv mot %s; tar över när den "
                                "slutar.", self.db.safe_url)
                    waiting = True
                unreachable = False
            except Exception as error:  # the database is away: keep trying, say it once
                lock.abandon()
                if not unreachable:
                    log.warning("Reserv: når inte databasen (%s); försöker igen.",
                                _reason(error))
                    unreachable = True
            await asyncio.sleep(self.retry_seconds)
        log.warning("Aktiv: tog över låset; börjar om %.0f s (när en tidigare aktiv process "
                    "säkert har slutat).", self.grace)
        await asyncio.sleep(self.grace)

    async def _act_while_held(self, lock: PostgresLeaderLock,
                              act: Callable[[], Awaitable[None]]) -> bool:
        """Run `act` while the lock's session answers. True: `act` ended by itself;
        False: the lock may be lost, and `act` has been stopped."""
        task = asyncio.ensure_future(act())
        self._announce()
        try:
            while True:
                done, _ = await asyncio.wait({task}, timeout=self.check_seconds)
                if done:
                    error = task.exception()
                    if isinstance(error, DBAPIError):
                        # The database failed the active parts (the Matrix sync stops on
                        # it): the same as a lost lock, not a reason to end the process.
                        log.warning("Aktiv: databasen svarade med fel (%s).", _reason(error))
                        lock.abandon()
                        return False
                    task.result()
                    return True
                try:
                    await _in_thread(lock.check, self.check_timeout)
                except Exception:
                    lock.abandon()
                    return False
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    try:
                        await task
                    except Exception:  # it was stopped; why it complained does not matter
                        log.exception("error while stepping down")


async def _in_thread(call: Callable[[], T], timeout: float) -> T:
    """Run a blocking call in a daemon thread and wait at most `timeout` for it. A call
    stuck on a dead network is left behind: a daemon thread does not hold up the exit, as
    one of asyncio's executor threads would."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(outcome: Any, failed: bool) -> None:
        if not future.done():
            if failed:
                future.set_exception(outcome)
            else:
                future.set_result(outcome)

    def work() -> None:
        try:
            outcome, failed = call(), False
        except BaseException as error:
            outcome, failed = error, True
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody waits
            loop.call_soon_threadsafe(settle, outcome, failed)

    threading.Thread(target=work, daemon=True, name="leader-lock").start()
    return await asyncio.wait_for(future, timeout)


def _reason(error: BaseException) -> str:
    first = str(error).strip().splitlines()
    return f"{type(error).__name__}: {first[0]}" if first else type(error).__name__


def status_text(db: Database, config: Any) -> tuple[str, int]:
    """What `bot status` prints, and its exit code (0: a process is active, 1: none)."""
    from storage.matrix import last_sync

    status = leader_status(db)
    user_id = config.matrix.get("user_id") if config.matrix else None
    with db.transaction() as session:
        synced = last_sync(session, user_id) if user_id else None
    now = datetime.now(UTC)
    tz = config.tz
    text = render(
        "drift", "status", databas=db.safe_url, ledare=status,
        sedan=status.since.astimezone(tz) if status else None,
        matrix=bool(user_id), synk=synced.astimezone(tz) if synced else None,
        synk_sekunder=int((now - synced).total_seconds()) if synced else 0).text
    return text, 0 if status is not None and status.active else 1
