"""Several `bot run` processes on one database: one is active (Matrix sync, reminders,
outbox), the others wait as standbys and take over; on SQLite a second process refuses."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import select

from bot import swedish
from bot.cli import main
from bot.config import default_config
from bot.leadership import Leadership
from bot.messages import IncomingMessage
from storage import events, load_models
from storage.db import Database
from storage.leader import (
    LeaderStatus,
    PostgresLeaderLock,
    SqliteProcessLock,
    leader_status,
    sqlite_lock_path,
)
from storage.models_reminders import SENT, Reminder
from storage.reminders import schedule_reminder
from storage.tenants import organ_for_room
from tests.conftest import STOCKHOLM, Chat, make_app
from tests.matrix_support import Synapse
from tests.matrix_support import synapse as synapse  # noqa: F401  (the session fixture)
from tests.test_matrix import Scene, make_scene, start_process, write_toml
from tests.test_matrix_faults import paragraphs_with_entries

HOST = socket.gethostname()
TAKEOVER_SECONDS = 20  # the promise: a standby answers within this after a kill


def _backend_pid(db: Database) -> int:
    with db.engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _wait_until_blocked(db: Database, waiter: int, blocker: int) -> None:
    """Until PostgreSQL backend `waiter` waits for a lock `blocker` holds."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with db.engine.connect() as connection:
            blocking = connection.execute(text("SELECT pg_blocking_pids(:pid)"),
                                          {"pid": waiter}).scalar_one()
        if blocker in blocking:
            return
        time.sleep(0.02)
    raise AssertionError("the command never waited for the other process's claim")


def test_an_event_another_process_is_handling_gets_no_reply(db_url: str) -> None:
    """Two processes take the same event at the same moment: the one that loses the claim
    stays silent (it used to answer "Databasen svarade inte" though the command was saved)
    and records nothing."""
    app = make_app(default_config(), db_url)
    Chat(app).text("!möte öppna 2022-03-25")
    other = Database(db_url)  # the other process
    message = IncomingMessage(
        transport="console", room_id="console", sender_id="Sekreteraren",
        sender_name="Sekreteraren", text="!beslut Styrelsen beslutar om fika.",
        event_id="$samtidigt", timestamp=datetime(2022, 3, 25, 9, 0, tzinfo=STOCKHOLM))
    result: dict[str, object] = {}
    try:
        # The dispatcher's pooled connection is the one its next command runs on.
        waiter = None if app.db.is_sqlite else _backend_pid(app.db)
        with other.transaction() as session:
            assert events.claim(session, "console", "$samtidigt")
            blocker = None if other.is_sqlite else int(session.execute(
                text("SELECT pg_backend_pid()")).scalar_one())
            worker = threading.Thread(
                target=lambda: result.update(reply=app.dispatcher.handle_sync(message)))
            worker.start()
            if waiter is not None and blocker is not None:
                _wait_until_blocked(other, waiter, blocker)
        worker.join(timeout=30)
        assert not worker.is_alive()
        assert result == {"reply": None}, getattr(result.get("reply"), "text", result)
        with app.db.transaction() as session:
            assert session.execute(text("SELECT count(*) FROM entry")).scalar_one() == 0
    finally:
        other.dispose()
        app.close()


async def test_one_process_acts_at_a_time_and_hands_over(pg_url: str) -> None:
    """Two processes' leaderships on one PostgreSQL database (in one test process, with
    short intervals): the active part runs in one at a time; a database error in it hands
    over to the other, and so does the server ending the active one's lock session."""
    load_models()
    db = Database(pg_url)
    db.migrate()
    running: list[str] = []
    most = 0
    failing = {"a"}
    started: asyncio.Queue[str] = asyncio.Queue()
    standby_there = asyncio.Event()  # "a" fails once "b" waits to take over

    def active_part(name: str) -> Callable[[], Awaitable[None]]:
        async def act() -> None:
            nonlocal most
            running.append(name)
            most = max(most, len(running))
            await started.put(name)
            try:
                if name in failing:
                    failing.discard(name)
                    await standby_there.wait()
                    raise OperationalError("SELECT 1", {}, Exception("anslutningen bröts"))
                await asyncio.Event().wait()
            finally:
                running.remove(name)
        return act

    def leadership() -> Leadership:
        return Leadership(db, check_seconds=0.1, check_timeout=2.0, retry_seconds=0.05,
                          grace=1.0)

    tasks = [asyncio.ensure_future(leadership().run(active_part("a")))]
    try:
        assert await asyncio.wait_for(started.get(), 30) == "a"
        tasks.append(asyncio.ensure_future(leadership().run(active_part("b"))))
        standby_there.set()
        assert await asyncio.wait_for(started.get(), 30) == "b"  # after a's database error
        status = leader_status(db)
        assert status is not None and status.active
        with db.transaction() as session:
            backend = session.execute(text("SELECT backend_pid FROM bot_leader")).scalar_one()
        terminate_backend(db, backend)
        assert await asyncio.wait_for(started.get(), 30) == "a"
        assert running == ["a"] and most == 1
        assert not any(task.done() for task in tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        db.dispose()


async def test_an_active_process_whose_lock_check_hangs_steps_down(
        pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The lock's `SELECT 1` does not come back in time (a dead network): the active part
    stops at once; the connection is closed as soon as the stuck call returns, and then the
    standby takes over."""
    load_models()
    db = Database(pg_url)
    db.migrate()
    running: list[str] = []
    started: asyncio.Queue[str] = asyncio.Queue()
    stopped: asyncio.Queue[str] = asyncio.Queue()
    hung: set[int] = set()
    release = threading.Event()
    original = PostgresLeaderLock.check

    def check(lock: PostgresLeaderLock) -> None:
        if lock.backend_pid in hung:
            release.wait(30)
        original(lock)

    monkeypatch.setattr(PostgresLeaderLock, "check", check)

    def active_part(name: str) -> Callable[[], Awaitable[None]]:
        async def act() -> None:
            running.append(name)
            await started.put(name)
            try:
                await asyncio.Event().wait()
            finally:
                running.remove(name)
                await stopped.put(name)
        return act

    def leadership() -> Leadership:
        return Leadership(db, check_seconds=0.1, check_timeout=0.5, retry_seconds=0.05,
                          grace=0.5)

    tasks = [asyncio.ensure_future(leadership().run(active_part("a")))]
    try:
        assert await asyncio.wait_for(started.get(), 30) == "a"
        tasks.append(asyncio.ensure_future(leadership().run(active_part("b"))))
        with db.transaction() as session:
            hung.add(session.execute(text("SELECT backend_pid FROM bot_leader")).scalar_one())
        assert await asyncio.wait_for(stopped.get(), 30) == "a"
        assert running == [] and started.empty()
        release.set()  # the stuck call returns and closes its connection: the lock is free
        assert await asyncio.wait_for(started.get(), 30) == "b"
        assert running == ["b"]
    finally:
        release.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        db.dispose()


# ------------------------------------------------------------ processes on one database


class Bots:
    """`bot run` processes sharing one config (and so one database and Matrix device),
    each logging to its own directory."""

    def __init__(self, scene: Scene) -> None:
        self.scene = scene
        self.config = scene.tmp / "config.toml"
        write_toml(scene, self.config)
        self.db = Database(scene.database_url)
        self.processes: dict[int, subprocess.Popen[bytes]] = {}
        self.logs: dict[int, Path] = {}

    def start(self, name: str) -> int:
        directory = self.scene.tmp / name
        directory.mkdir(exist_ok=True)
        process = start_process(self.config, directory)
        self.processes[process.pid] = process
        self.logs[process.pid] = directory / "bot.log"
        return process.pid

    def log(self, pid: int) -> str:
        return self.logs[pid].read_text(encoding="utf-8", errors="replace")

    def status(self) -> LeaderStatus | None:
        try:
            return leader_status(self.db)
        except ProgrammingError:  # the processes have not created the tables yet
            return None

    async def active(self, among: set[int], timeout: float = 60) -> int:
        """The pid of the active process, once one of `among` is."""
        found = await poll(lambda: (s := self.status()) is not None and s.active
                           and s.pid in among and s.pid, "an active process", timeout)
        return int(found)

    async def logged(self, pid: int, words: str, timeout: float = 60, times: int = 1) -> None:
        await poll(lambda: self.log(pid).count(words) >= times,
                   f"{words!r} in the log of {pid}", timeout)

    def kill(self, pid: int) -> None:
        process = self.processes[pid]
        process.send_signal(signal.SIGKILL)
        process.wait()

    def alive(self, pid: int) -> bool:
        return self.processes[pid].poll() is None

    def stop(self) -> None:
        for process in self.processes.values():
            process.kill()
            process.wait()
        self.db.dispose()


async def poll(condition: Callable[[], object], what: str, timeout: float) -> object:
    """Wait for a condition that no event announces (another process's state)."""
    deadline = time.monotonic() + timeout
    while True:
        value = await asyncio.to_thread(condition)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited in vain for {what}")
        await asyncio.sleep(0.1)


@pytest.fixture
async def pg_scene(synapse: Synapse, tmp_path: Path,  # noqa: F811
                   pg_url: str) -> AsyncIterator[Scene]:
    scene = await make_scene(synapse, tmp_path, pg_url)
    try:
        yield scene
    finally:
        await scene.stop_people()


@pytest.fixture
def bots(pg_scene: Scene) -> Iterator[Bots]:
    load_models()
    running = Bots(pg_scene)
    try:
        yield running
    finally:
        running.stop()


async def joined_room(scene: Scene) -> str:
    """A room with the bot in it: its greeting is the sign (an invited user already looks
    joined to the chair's client, and what is said before the bot joins is history)."""
    room_id = await scene.room()
    await scene.chair.wait(lambda: scene.chair.notices(room_id), what="greeting", timeout=60)
    return room_id


def bot_status(config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["status", "--config", str(config)])
    return code, capsys.readouterr().out


def terminate_backend(db: Database, backend_pid: int) -> None:
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT pg_terminate_backend(:pid)"),
                                  {"pid": backend_pid}).scalar_one()
        connection.commit()


async def test_one_active_process_through_a_lost_connection_and_a_kill(
        pg_scene: Scene, bots: Bots, capsys: pytest.CaptureFixture[str]) -> None:
    """Two `bot run` on one PostgreSQL database, started at the same moment on an empty
    one: one is active, the other waits. (1) The active one's lock connection is ended by
    the server: it steps down at once and waits as a standby; the other takes over.
    (2) That one is killed with SIGKILL in the middle of a burst of !paragraf/!beslut, just
    before a reminder falls due: the first answers again within 20 seconds. Every command
    is recorded and answered exactly once (none with "Databasen svarade inte"), the
    reminder is posted once, and `bot status` names the active process each time."""
    scene, chair = pg_scene, pg_scene.chair
    first, second = bots.start("a"), bots.start("b")
    active = await bots.active({first, second})
    standby = second if active == first else first
    await bots.logged(standby, "Reserv: en annan process är aktiv")
    code, out = bot_status(bots.config, capsys)
    assert code == 0
    assert f"Aktiv process: {HOST} (pid {active}), aktiv sedan " in out, out

    room_id = await joined_room(scene)
    await chair.ask(room_id, "!organ Styrelsen")
    await chair.ask(room_id, "!möte öppna Kansliet")
    sent: list[str] = []

    # (1) The server ends the lock's session; commands keep coming meanwhile.
    with bots.db.transaction() as session:
        backend = session.execute(text("SELECT backend_pid FROM bot_leader")).scalar_one()
    terminate_backend(bots.db, backend)
    for line in ("!paragraf Ärende 1", "!beslut Beslut 1."):
        sent.append(await chair.say(room_id, line))
    await bots.logged(active, "slutar vara aktiv och väntar som reserv", timeout=30)
    assert await bots.active({standby}, timeout=30) == standby
    await bots.logged(active, "Reserv: en annan process är aktiv", timeout=30)
    assert bots.alive(active)
    code, out = bot_status(bots.config, capsys)
    assert f"Aktiv process: {HOST} (pid {standby}), aktiv sedan " in out, out
    for event_id in sent:
        await chair.reply(room_id, event_id, timeout=30)
    active, standby = standby, active

    # (2) The new active one is killed in a burst, a reminder due in the gap.
    pairs = 6
    lines = [line for n in range(2, pairs + 1)
             for line in (f"!paragraf Ärende {n}", f"!beslut Beslut {n}.")]
    burst_start = len(sent)

    async def burst() -> None:
        for line in lines:
            sent.append(await chair.say(room_id, line))

    sending = asyncio.ensure_future(burst())

    def answered() -> int:
        return sum(1 for e in list(sent[burst_start:]) if chair.replies_to(room_id, e))

    await chair.wait(lambda: answered() >= 3, what="the first replies", timeout=60)
    with bots.db.transaction() as session:
        organ = organ_for_room(session, "matrix", room_id)
        assert organ is not None
        schedule_reminder(session, organ_id=organ.organ_id, text="Ring revisorn",
                          due_at=datetime.now(UTC) + timedelta(seconds=1))
    bots.kill(active)
    killed_at = time.monotonic()
    assert answered() < len(lines), "the burst was over before the kill"
    await asyncio.wait_for(sending, 60)
    probe = await chair.ask(room_id, "!möte", timeout=TAKEOVER_SECONDS + 10)
    took = time.monotonic() - killed_at
    assert probe.body.startswith("Öppet sammanträde: "), probe.body
    assert f"- § {pairs} Ärende {pairs}" in probe.body, probe.body
    assert took <= TAKEOVER_SECONDS, f"the standby answered after {took:.1f} s"

    await chair.wait(lambda: any("Ring revisorn" in e.body for e in chair.notices(room_id)),
                     what="the reminder", timeout=90)  # the new scheduler's first poll
    last = await chair.ask(room_id, f"!visa §{pairs}")  # anything sent twice is here now
    assert last.body.startswith(f"§ {pairs} Ärende {pairs}"), last.body
    assert [len(chair.replies_to(room_id, e)) for e in sent] == [1] * len(sent)
    assert not [e.body for e in chair.notices(room_id) if "Databasen svarade inte" in e.body]
    assert sum("Ring revisorn" in e.body for e in chair.notices(room_id)) == 1
    assert paragraphs_with_entries(scene.database_url) == [
        (n, f"Ärende {n}", [f"Beslut {n}."]) for n in range(1, pairs + 1)]
    with bots.db.transaction() as session:
        assert session.exec(select(Reminder.status).where(
            Reminder.text == "Ring revisorn")).all() == [SENT]
    code, out = bot_status(bots.config, capsys)
    assert code == 0
    assert f"Aktiv process: {HOST} (pid {standby}), aktiv sedan " in out, out
    today = swedish.long_date(datetime.now(STOCKHOLM))
    assert re.search(rf"^Senaste Matrix-synk: {today} kl\. \d\d:\d\d "
                     r"\((nyss|för \d+ sekunder sedan)\)\.$", out, re.MULTILINE), out


def test_a_second_process_on_sqlite_refuses_to_start(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """SQLite keeps one process: while `bot run` runs, a second `bot run` on the same
    database file stops at once and says why in Swedish; `bot status` names the first."""
    from tests.matrix_support import free_port

    database = tmp_path / "finsam.db"
    config = tmp_path / "config.toml"
    # A homeserver nobody answers on: the first process keeps trying to log in, and runs.
    config.write_text(f'''
[bot]
database_url = "sqlite:///{database}"

[[forbund]]
key = "testbygden"
name = "Samordningsförbundet Testbygden"

[[forbund.organ]]
name = "Styrelsen"

[matrix]
homeserver = "http://127.0.0.1:{free_port()}"
user_id = "@sekreteraren:localhost"
password = "hemligt"
store_path = "{tmp_path / 'store'}"
''', encoding="utf-8")
    (tmp_path / "first").mkdir()
    first = start_process(config, tmp_path / "first")
    try:
        deadline = time.monotonic() + 60
        log = tmp_path / "first" / "bot.log"
        while "Aktiv: den här processen" not in (log.read_text() if log.exists() else ""):
            assert first.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the first process never became active"
            time.sleep(0.1)
        capsys.readouterr()
        assert main(["run", "--config", str(config)]) == 2  # this test's process is the second
        lock = sqlite_lock_path(f"sqlite:///{database}")
        assert capsys.readouterr().err.strip() == (
            f"En annan bot-process kör redan mot databasen sqlite:///{database}: låsfilen "
            f"{lock} är upptagen. SQLite tål bara en process åt gången. Stoppa den andra "
            "processen, eller använd PostgreSQL om två processer ska köra (en aktiv och en "
            "i reserv).")
        assert first.poll() is None
        code, out = bot_status(config, capsys)
        assert code == 0
        assert f"Aktiv process: {HOST} (pid {first.pid}), aktiv sedan " in out, out
        assert "Matrix har inte synkat ännu." in out, out
    finally:
        first.kill()
        first.wait()
    assert lock is not None and not SqliteProcessLock(lock).held_elsewhere()
    code, out = bot_status(config, capsys)
    assert code == 1
    assert (f"Ingen process är aktiv just nu. Senast aktiv var {HOST} (pid {first.pid}), "
            "som blev aktiv ") in out, out
