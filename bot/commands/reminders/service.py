"""The reminder service: one APScheduler AsyncIOScheduler per process.

Design (why it is robust):

* Our table `reminder` is the truth. The scheduler's jobs live in APScheduler's SQLAlchemy
  job store on the bot's own database (table `reminder_job`); each is a date job that
  calls the module-level `fire_reminder(reminder_id)`, so nothing but an id is pickled.
* `sync()` makes the job store match the table: a job for every planned reminder due
  within HORIZON (two days), with the reminder's time; no job for anything else. Reminders
  further ahead enter the store as the poll reaches them, so 10 000 reminders a year away
  cost nothing at start-up. sync runs at start (with the scheduler paused), right after
  every commit that created or changed reminders (storage.reminders notes their ids in the
  session and an after_commit hook hands them to the service, which then syncs just those),
  and in full every POLL_SECONDS as a backstop for writes from other code paths or
  processes. Any code can therefore create reminders with
  storage.reminders.schedule_reminder inside its own transaction.
* `fire()` claims the row in one transaction: only a still planned reminder that is due
  is rendered, and it is marked sent (or moved to its next time, if recurring) in that
  same transaction before it is posted. A second firing of the same reminder (a restart,
  a re-added job, another process) finds it sent and does nothing: never twice.
* A reminder that fell due while the bot was down is still in the job store (or is re-added
  by sync) with a past time; APScheduler runs it once at start (misfire_grace_time None,
  coalesce) and the message says it is late. A meeting reminder checks the meeting first:
  a cancelled meeting is never announced.
* Delivery goes through `app.deliver`; at start-up the network transports register their
  senders just after the start hooks, so a firing waits for the room's transport until
  SENDER_WAIT seconds after start, and marks the reminder "ej levererad" if it never comes.
* A storm (hundreds due at once) is claimed FIRE_LIMIT at a time, at most IN_FLIGHT
  claimed and unsent, on the service's own threads (not those the commands run on); the
  transport paces the sends themselves (Matrix sends a command's
  reply before any waiting reminder).

Only the active `bot run` process runs the service (bot.leadership): standbys on the same
database start it when they take over, so one job store never has two schedulers.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_RUNNING

from bot.commands.reminders.deadlines import ensure_deadline_reminders
from bot.commands.reminders.kinds import Firing, render_reminder
from bot.messages import Reply
from bot.natural_dates import Recurrence
from storage.jobstore import JobStore
from storage.models_reminders import CANCELLED, PLANNED, SENT, SKIPPED, UNDELIVERED
from storage.reminders import (
    claim_reminder,
    mark_changed,
    on_commit,
    planned_among,
    planned_before,
    remove_listener,
    rooms_of,
    set_status,
)
from storage.tenants import organ_by_id

log = logging.getLogger(__name__)
T = TypeVar("T")

HORIZON = timedelta(days=2)
POLL_SECONDS = 30.0
LATE_AFTER = timedelta(minutes=2)
SENDER_WAIT = 30.0
# Reminders claimed at once. A storm (every förbund's årsrapport due the same minute) would
# otherwise claim hundreds at the same moment and fill the thread pool and the database's
# connections that the commands typed meanwhile need too. Claiming goes on while earlier
# ones are being sent, but at most IN_FLIGHT are claimed and not yet sent (a crash loses
# no more than these: they are marked sent).
FIRE_LIMIT = 4
IN_FLIGHT = 16
JOB_TABLE = "reminder_job"
FAILED = "fel"

_SERVICE: ReminderService | None = None

__all__ = ["ReminderService", "fire_reminder"]


async def fire_reminder(reminder_id: int) -> None:
    """The job function: module level, so the job store keeps only a reference and an id."""
    service = _SERVICE
    if service is None:
        log.warning("reminder %s fell due with no running service", reminder_id)
        return
    await service.fire(reminder_id)


class ReminderService:
    def __init__(self, app: Any, *, clock: Callable[[], datetime] | None = None,
                 horizon: timedelta = HORIZON, poll_seconds: float = POLL_SECONDS,
                 late_after: timedelta = LATE_AFTER, sender_wait: float = SENDER_WAIT,
                 fire_limit: int = FIRE_LIMIT) -> None:
        self.app = app
        self.clock = clock or (lambda: datetime.now(UTC))
        self.horizon = horizon
        self.poll_seconds = poll_seconds
        self.late_after = late_after
        self.sender_wait = sender_wait
        self.fire_limit = fire_limit
        self._firing: asyncio.Semaphore | None = None
        self._in_flight: asyncio.Semaphore | None = None
        self._started_at: float | None = None
        self.scheduler: AsyncIOScheduler | None = None
        self.jobstore: JobStore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[Any]] = set()
        self._deadlines_checked: str = ""
        self._pending: set[int] = set()
        self._threads: ThreadPoolExecutor | None = None

    # Life cycle.

    async def start(self, _app: Any = None) -> None:
        global _SERVICE
        if _SERVICE is not None and _SERVICE is not self:
            log.warning("a second reminder service started in this process; it takes over")
        _SERVICE = self
        self._loop = asyncio.get_running_loop()
        self._started_at = self._loop.time()
        self._wake = asyncio.Event()
        # Made anew at every start: a takeover after a step-down starts with all places free.
        self._make_places()
        self._threads = ThreadPoolExecutor(max_workers=self.fire_limit + 1,
                                           thread_name_prefix="påminnelser")
        self.jobstore = JobStore(engine=self.app.db.engine, tablename=JOB_TABLE)
        self.scheduler = AsyncIOScheduler(
            jobstores={"default": self.jobstore}, timezone=UTC,
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1})
        self.scheduler.start(paused=True)
        await self._in_thread(self.housekeeping)
        self.scheduler.resume()
        on_commit(self.request_sync)
        self._task = asyncio.create_task(self._poll(), name="reminder-sync")

    async def stop(self, _app: Any = None) -> None:
        global _SERVICE
        remove_listener(self.request_sync)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
            await asyncio.sleep(0)  # AsyncIOScheduler shuts down on the loop's next turn
        if self._inflight:
            _, late = await asyncio.wait(self._inflight, timeout=5)
            for task in late:  # a send that hangs (a homeserver gone) ends with the service
                task.cancel()
            if late:
                await asyncio.wait(late, timeout=5)
        if self._threads is not None:
            self._threads.shutdown(wait=False)
            self._threads = None
        if _SERVICE is self:
            _SERVICE = None

    def _make_places(self) -> None:
        self._firing = asyncio.Semaphore(self.fire_limit)
        self._in_flight = asyncio.Semaphore(max(IN_FLIGHT, self.fire_limit))

    async def _in_thread(self, fn: Callable[..., T], *args: Any) -> T:
        """Run blocking database work on the service's own threads: a storm's claims then
        never take the threads (asyncio's default pool, six on two cores) that the commands
        typed meanwhile run on."""
        if self._threads is None:  # not started (tests fire by hand), or stopped meanwhile
            return await asyncio.to_thread(fn, *args)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, functools.partial(fn, *args))

    def request_sync(self, ids: set[int]) -> None:
        """Sync these reminders' jobs soon; safe from any thread (called after commits)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self._queue, ids)

    def _queue(self, ids: set[int]) -> None:
        self._pending |= ids
        if self._wake is not None:
            self._wake.set()

    async def _poll(self) -> None:
        assert self._wake is not None and self._loop is not None
        last_full = self._loop.time()
        while True:
            wait = max(0.0, last_full + self.poll_seconds - self._loop.time())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)
            self._wake.clear()
            ids, self._pending = self._pending, set()
            try:
                if self._loop.time() >= last_full + self.poll_seconds:
                    last_full = self._loop.time()
                    await self._in_thread(self.housekeeping)
                else:
                    await self._in_thread(self.sync, ids)
            except Exception:
                log.exception("reminder sync failed")

    # Keeping the job store in step with the table.

    def housekeeping(self) -> None:
        """Once a day create the coming deadline reminders; every time, sync the jobs."""
        today = self.clock().astimezone(self.app.config.tz).date().isoformat()
        if today != self._deadlines_checked:
            with self.app.db.transaction() as session:
                ensure_deadline_reminders(session, self.app.config, self.clock())
            self._deadlines_checked = today
        self.sync()

    def sync(self, ids: set[int] | None = None) -> None:
        """Make the job store match the table: for all reminders, or only `ids`."""
        if self.scheduler is None or self.jobstore is None:
            return
        if ids is not None and not ids:
            return
        now = self.clock()
        with self.app.db.transaction() as session:
            planned = (planned_before(session, now + self.horizon) if ids is None
                       else planned_among(session, ids, now + self.horizon))
        wanted = {_job_id(rid): (rid, due) for rid, due in planned}
        have = self.jobstore.run_times(
            None if ids is None else [_job_id(i) for i in sorted(ids)])
        moved = [(job_id, rid, due) for job_id, (rid, due) in wanted.items()
                 if job_id in have and (have[job_id] is None
                                        or abs(have[job_id] - due.timestamp()) >= 0.001)]
        new = [(job_id, rid, due) for job_id, (rid, due) in wanted.items()
               if job_id not in have]
        for job_id, rid, due in moved:
            self._add_job(job_id, rid, due)
        if new:
            # Many new jobs (a first start): written in one transaction, with the scheduler
            # paused so it does not wake once per job.
            pause = len(new) > 100 and self.scheduler.state == STATE_RUNNING
            if pause:
                self.scheduler.pause()
            try:
                with self.jobstore.batch():
                    for job_id, rid, due in new:
                        self._add_job(job_id, rid, due)
            finally:
                if pause:
                    self.scheduler.resume()
                else:
                    self.scheduler.wakeup()
        for job_id in have.keys() - wanted.keys():
            if job_id.startswith("reminder:"):
                with contextlib.suppress(JobLookupError):
                    self.scheduler.remove_job(job_id)

    def _add_job(self, job_id: str, reminder_id: int, due: datetime) -> None:
        assert self.scheduler is not None
        self.scheduler.add_job(fire_reminder, trigger="date", run_date=due, args=[reminder_id],
                               id=job_id, name=f"påminnelse {reminder_id}",
                               replace_existing=True)

    def job_ids(self) -> list[str]:
        """The ids of the jobs in the store (for tests and the benchmark)."""
        if self.jobstore is None:
            return []
        return self.jobstore.stored_ids()

    # Firing.

    async def fire(self, reminder_id: int) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        try:
            await self._fire(reminder_id)
        finally:
            if task is not None:
                self._inflight.discard(task)

    async def _fire(self, reminder_id: int) -> None:
        if self._firing is None or self._in_flight is None:  # fired without start()
            self._make_places()
        assert self._firing is not None and self._in_flight is not None
        async with self._in_flight:
            try:
                async with self._firing:
                    outgoing = await self._in_thread(self._claim, reminder_id)
            except Exception:
                log.exception("reminder %s could not be prepared", reminder_id)
                await self._in_thread(self._set_status, reminder_id, FAILED, PLANNED)
                return
            delivered = False
            try:
                for transport, external_id, reply in outgoing:
                    delivered = await self._send(transport, external_id, reply) or delivered
            except asyncio.CancelledError:
                # Stopped in the middle of the send (a step-down): it was claimed as sent and
                # may have gone out, so it is not sent again, but it is not called sent.
                if outgoing and not delivered:
                    with contextlib.suppress(Exception):
                        await self._in_thread(self._set_status, reminder_id, UNDELIVERED, SENT)
                raise
            if outgoing and not delivered:
                await self._in_thread(self._set_status, reminder_id, UNDELIVERED, SENT)

    async def run_due(self) -> int:
        """Fire every planned reminder due by the service's clock, soonest first. The
        scheduler does this by itself; tests drive it with an injected clock."""
        now = self.clock()
        with self.app.db.transaction() as session:
            due = planned_before(session, now + timedelta(microseconds=1))
        for reminder_id, _ in due:
            await self.fire(reminder_id)
        return len(due)

    def _claim(self, reminder_id: int) -> list[tuple[str, str, Reply]]:
        now = self.clock()
        with self.app.db.transaction() as session:
            reminder = claim_reminder(session, reminder_id)
            if reminder is None or reminder.status != PLANNED:
                return []
            if reminder.due_at > now + timedelta(seconds=1):
                mark_changed(session, reminder.id)  # its time moved: sync gives a new job
                return []
            organ = organ_by_id(session, reminder.organ_id)
            if organ is None:
                reminder.status = FAILED
                return []
            tz = ZoneInfo(organ.timezone)
            late = now - reminder.due_at > self.late_after
            firing = Firing(now=now.astimezone(tz), due=reminder.due_at.astimezone(tz),
                            late=late, organ=organ)
            reply = render_reminder(self.app.reminder_kinds, session, reminder, firing)
            rooms = rooms_of(session, reminder)
            rule = Recurrence.parse(reminder.recurrence) if reminder.recurrence else None
            reminder.sent_at, reminder.late = now, late
            if rule is not None:
                # Missed occurrences are not repeated: the next one is after now.
                reminder.due_at = rule.next_after(now, tz).astimezone(UTC)
                mark_changed(session, reminder.id)
            elif reply is not None:
                reminder.status = SENT
            else:
                reminder.status = CANCELLED if reminder.kind == "sammanträde" else SKIPPED
            if reply is None:
                return []
            reply.kind = "påminnelse"
            return [(room.transport, room.external_id, dataclasses.replace(reply))
                    for room in rooms]

    async def _send(self, transport: str, external_id: str, reply: Reply) -> bool:
        loop = asyncio.get_running_loop()
        # Transports register just after start: only then is a missing one worth waiting for.
        give_up = (self._started_at if self._started_at is not None else loop.time()
                   ) + self.sender_wait
        while transport not in self.app.senders and loop.time() < give_up:
            await asyncio.sleep(0.2)
        try:
            # The transport paces its own sends (Matrix: bot/transports/matrix/sending.py).
            return bool(await self.app.deliver(transport, external_id, reply))
        except Exception:
            log.exception("reminder to %s %s could not be posted", transport, external_id)
            return False

    def _set_status(self, reminder_id: int, status: str, only_from: str) -> None:
        with self.app.db.transaction() as session:
            set_status(session, reminder_id, status, only_from)


def _job_id(reminder_id: int) -> str:
    return f"reminder:{reminder_id}"
