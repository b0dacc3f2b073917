"""The scheduler's job store: APScheduler's SQLAlchemy store (table `reminder_job`) on the
bot's own database, with the few queries bot.commands.reminders.service makes of it."""

from __future__ import annotations

import contextlib
import pickle
from collections.abc import Iterator
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.util import datetime_to_utc_timestamp
from sqlalchemy import select


class JobStore(SQLAlchemyJobStore):
    """APScheduler's SQLAlchemy store on the bot's engine. New jobs can be collected and
    written in one transaction (`batch`), so filling the store with thousands of jobs at
    start-up costs one commit, not one per job."""

    _batch: list[dict[str, Any]] | None = None

    def add_job(self, job: Any) -> None:
        if self._batch is None:
            super().add_job(job)
            return
        self._batch.append({
            "id": job.id, "next_run_time": datetime_to_utc_timestamp(job.next_run_time),
            "job_state": pickle.dumps(job.__getstate__(), self.pickle_protocol)})

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        self._batch = []
        try:
            yield
        finally:
            rows, self._batch = self._batch, None
            if rows:
                with self.engine.begin() as connection:
                    connection.execute(self.jobs_t.insert(), rows)

    def shutdown(self) -> None:
        """The engine is the bot's own: leave it open."""

    def run_times(self, job_ids: list[str] | None = None) -> dict[str, float | None]:
        """Each stored job's next run time (UTC timestamp), for all jobs or only `job_ids`."""
        table = self.jobs_t
        query = select(table.c.id, table.c.next_run_time)
        if job_ids is not None:
            query = query.where(table.c.id.in_(job_ids))
        with self.engine.connect() as connection:
            return dict(connection.execute(query).all())

    def stored_ids(self) -> list[str]:
        table = self.jobs_t
        with self.engine.connect() as connection:
            return [row[0] for row in connection.execute(select(table.c.id)).all()]
