"""Which of several `bot run` processes on one database is the active one.

PostgreSQL: the active process holds a session-level advisory lock (LOCK_LEADER and the
schema's key) on a connection of its own. The lock lives and dies with that session: a
process killed even with SIGKILL closes its socket and PostgreSQL frees the lock at once;
a machine that vanishes is noticed by the server's TCP keepalives (set on the session)
within about KEEPALIVE_IDLE + KEEPALIVE_INTERVAL * KEEPALIVE_COUNT seconds. The row in
`bot_leader` says who took the lock and when; whether it still holds it is asked of
PostgreSQL (pg_locks), never trusted to the row, since a killed process cannot update it.

SQLite: one process only. It holds an OS lock (flock) on a file next to the database file
for as long as it runs, so a second process can tell, and refuse, before it does anything.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, TypeVar

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from storage.db import LOCK_LEADER, Database, schema_key
from storage.models import utcnow
from storage.models_leader import BotLeader

KEEPALIVE_IDLE = 5  # seconds of silence before the first probe
KEEPALIVE_INTERVAL = 2
KEEPALIVE_COUNT = 3
CONNECT_TIMEOUT = 5
LEADER_ROW = 1
T = TypeVar("T")


@dataclass(frozen=True)
class LeaderStatus:
    """The process that last became active, and whether it still is."""

    host: str
    pid: int
    since: datetime
    active: bool


class PostgresLeaderLock:
    """The advisory lock on a dedicated connection. try_acquire, check and record block on
    the database: call them from a worker thread, with a timeout of your own, and call
    abandon when one does not come back in time. abandon never waits."""

    def __init__(self, url: str) -> None:
        # No pool: the lock's connection is never handed to anyone else, and a dropped
        # one is closed for real.
        self.engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT",
                                    connect_args={
                                        "connect_timeout": CONNECT_TIMEOUT, "keepalives": 1,
                                        "keepalives_idle": KEEPALIVE_IDLE,
                                        "keepalives_interval": KEEPALIVE_INTERVAL,
                                        "keepalives_count": KEEPALIVE_COUNT,
                                        # A send that is never acknowledged fails too.
                                        "tcp_user_timeout": 1000 * (
                                            KEEPALIVE_IDLE
                                            + KEEPALIVE_INTERVAL * KEEPALIVE_COUNT)})
        self._session = _LockSession(self.engine)

    @property
    def backend_pid(self) -> int | None:
        return self._session.backend_pid

    def try_acquire(self) -> bool:
        """Take the lock if it is free; False while another process holds it. A database
        error is raised (and the connection dropped)."""
        session = self._session
        try:
            return session.run(session.acquire)
        except BaseException:
            self.abandon()
            raise

    def check(self) -> None:
        """Raise unless the session holding the lock still answers (a live session keeps
        its lock)."""
        session = self._session
        session.run(session.ping)

    def record(self, host: str, pid: int) -> None:
        """Note this process as the active one (on the lock's own connection)."""
        session = self._session
        session.run(lambda: session.record(host, pid))

    def abandon(self) -> None:
        """Let the lock go without waiting: its connection is closed (in the background, or
        by a call still running on it once that returns), which ends the session and frees
        the lock. The next try_acquire opens a new connection."""
        session, self._session = self._session, _LockSession(self.engine)
        session.abandon()

    def dispose(self) -> None:
        self.abandon()
        self.engine.dispose()


class _LockSession:
    """One connection of the lock. A call stuck on a dead network may still be running on
    it when the caller gives up: the connection is then never touched from another thread
    (psycopg forbids closing it under a running query) but closed by that call itself."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None
        self._key = 0
        self.backend_pid: int | None = None
        self._state = threading.Lock()  # guards the two flags, never held over a query
        self._busy = False
        self._abandoned = False

    def run(self, work: Callable[[], T]) -> T:
        with self._state:
            if self._abandoned:
                raise ConnectionError("the leader lock's connection was given up")
            self._busy = True
        try:
            return work()
        finally:
            with self._state:
                self._busy = False
                close = self._abandoned
            if close:
                self._close()

    def abandon(self) -> None:
        with self._state:
            self._abandoned = True
            busy = self._busy
        if not busy:  # else the running call closes it when it returns
            threading.Thread(target=self._close, daemon=True, name="leader-lock-close").start()

    def acquire(self) -> bool:
        connection = self._connection or self._connect()
        return bool(connection.execute(text("SELECT pg_try_advisory_lock(:c, :k)"),
                                       {"c": LOCK_LEADER, "k": self._key}).scalar_one())

    def _connect(self) -> Connection:
        connection = self._engine.connect()
        self._connection = connection
        # The server side of the same idea: it ends the session (and frees the lock) when
        # this machine stops answering, instead of after the kernel's two hours.
        for setting, value in (("tcp_keepalives_idle", KEEPALIVE_IDLE),
                               ("tcp_keepalives_interval", KEEPALIVE_INTERVAL),
                               ("tcp_keepalives_count", KEEPALIVE_COUNT)):
            connection.execute(text(f"SET {setting} = {int(value)}"))
        self._key = schema_key(connection)
        self.backend_pid = int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())
        return connection

    def ping(self) -> None:
        if self._connection is None:
            raise ConnectionError("the leader lock has no connection")
        self._connection.execute(text("SELECT 1"))

    def record(self, host: str, pid: int) -> None:
        if self._connection is None:
            raise ConnectionError("the leader lock has no connection")
        values = {"host": host, "pid": pid, "backend_pid": self.backend_pid, "since": utcnow()}
        from sqlalchemy.dialects import postgresql  # only here: a SQLite bot never loads it

        # One row, replaced in one statement: a reader never sees the table empty.
        self._connection.execute(postgresql.insert(BotLeader).values(id=LEADER_ROW, **values)
                                 .on_conflict_do_update(index_elements=["id"], set_=values))

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.invalidate()
            with contextlib.suppress(Exception):
                connection.close()


def sqlite_lock_path(url: str) -> Path | None:
    """The lock file of an SQLite database file (None for an in-memory database)."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return Path(os.path.abspath(database + ".lock"))


class SqliteProcessLock:
    """The one-process rule of SQLite: an exclusive flock on `<database file>.lock`. The
    kernel drops it when the process ends, however it ends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] | None = None

    def acquire(self) -> bool:
        """Hold the lock from now on; False if another process holds it."""
        handle = open(self.path, "ab")  # noqa: SIM115  (held open for the process's life)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    def held_elsewhere(self) -> bool:
        """Whether some other process holds the lock now (the lock is not kept)."""
        if not self.path.exists():
            return False
        if not self.acquire():
            return True
        self.release()
        return False

    def release(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def record_sqlite_leader(session: Session, host: str, pid: int) -> None:
    session.merge(BotLeader(id=LEADER_ROW, host=host, pid=pid, since=utcnow()))


def leader_status(db: Database) -> LeaderStatus | None:
    """Who became active last and whether it still is; None if no process ever was."""
    with db.transaction() as session:
        row = session.get(BotLeader, LEADER_ROW)
        if row is None:
            return None
        if db.is_sqlite:
            path = sqlite_lock_path(db.url)
            active = path is not None and SqliteProcessLock(path).held_elsewhere()
        else:
            connection = session.connection()
            holder = connection.execute(text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND classid = CAST(:c AS oid) AND objid = CAST(:k AS oid) AND objsubid = 2"
                " AND database = (SELECT oid FROM pg_database"
                "                 WHERE datname = current_database())"),
                {"c": LOCK_LEADER, "k": schema_key(connection)}).scalar()
            active = holder is not None and holder == row.backend_pid
        return LeaderStatus(host=row.host, pid=row.pid, since=row.since, active=active)
