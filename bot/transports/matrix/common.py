"""What every part of the Matrix transport uses: retried homeserver calls and
database work in a thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiohttp import ClientConnectionError
from nio import ErrorResponse, LocalProtocolError

log = logging.getLogger(__name__)
T = TypeVar("T")
TRANSPORT = "matrix"
_NETWORK_ERRORS = (ClientConnectionError, TimeoutError, asyncio.TimeoutError, OSError)


class Requests:
    """Calls to the homeserver and the database, for MatrixBot."""

    async def _retry(self, what: str, call: Callable[[], Awaitable[T]]) -> T | Any:
        """Call the homeserver until it answers: network errors, 5xx and rate limits are
        waited out with backoff; an error a retry cannot fix (4xx) is returned."""
        delay = 1.0
        while True:
            try:
                response: Any = await call()
            except _NETWORK_ERRORS as error:
                response = error
            except LocalProtocolError as error:
                return error  # not in the room, not logged in: retrying will not help
            if not isinstance(response, BaseException | ErrorResponse):
                return response
            if isinstance(response, ErrorResponse) and not _transient(response):
                return response
            log.warning("Matrix: %s misslyckades (%s); försöker igen om %.0f s",
                        what, _reason(response), delay)
            self.stats["retries"] += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.retry_cap)

    async def _db(self, fn: Callable[..., T], *args: Any) -> T:
        def work() -> T:
            with self.app.db.transaction() as session:
                return fn(session, *args)

        return await asyncio.to_thread(work)


def _transient(response: ErrorResponse) -> bool:
    """Rate limits and server trouble pass; 4xx errors (forbidden, unknown room) do not."""
    if response.status_code == "M_LIMIT_EXCEEDED":
        return True
    http = getattr(getattr(response, "transport_response", None), "status", None)
    return http is None or http == 429 or http >= 500


def _reason(response: object) -> str:
    if isinstance(response, BaseException):
        return f"{type(response).__name__}: {response}" if str(response) else type(
            response).__name__
    message = getattr(response, "message", None)
    status = getattr(response, "status_code", None)
    return f"{status}: {message}" if status or message else type(response).__name__

