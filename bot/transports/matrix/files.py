"""Files sent to the bot: remembered for the command that comes with them (the shared
rule in bot/transports/files.py), downloaded within the size limit, decrypted.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from typing import Any
from urllib.parse import quote, urlparse

from nio import MatrixRoom, MegolmEvent, RoomEncryptedFile, RoomGetEventResponse, RoomMessageFile
from nio.crypto.attachments import decrypt_attachment
from nio.exceptions import EncryptionError

from bot.messages import Attachment
from bot.parser import parse
from bot.transports.files import MAX_FILE_BYTES, too_large
from bot.transports.matrix.common import _NETWORK_ERRORS

log = logging.getLogger(__name__)
_FILE_EVENTS = (RoomMessageFile, RoomEncryptedFile)


class Files:
    """Files for commands, for MatrixBot."""

    async def _handle_file(self, room: MatrixRoom, event: Any) -> None:
        """Remember a file for the command that follows it; a caption that is a command
        runs with the file."""
        self._files[event.event_id] = event
        while len(self._files) > 200:
            self._files.popitem(last=False)
        content = event.source.get("content", {})
        filename = content.get("filename")
        caption = event.body if isinstance(filename, str) and filename != event.body else ""
        if caption and parse(caption, self.app.config.prefix) is not None:
            self._last_file.pop((room.room_id, event.sender), None)
            await self._run_command(room, event, caption, [event])
            return
        self._last_file[(room.room_id, event.sender)] = event

    async def _file_event(self, room_id: str, event_id: str) -> Any | None:
        """The file event a command replies to (seen lately, or fetched and decrypted)."""
        if event_id in self._files:
            return self._files[event_id]
        response = await self._retry("get_event", lambda: self.client.room_get_event(
            room_id, event_id))
        if not isinstance(response, RoomGetEventResponse):
            return None
        event: Any = response.event
        if isinstance(event, MegolmEvent) and self.client.olm is not None:
            with suppress(EncryptionError, AssertionError):
                event = self.client.decrypt_event(event)
        return event if isinstance(event, _FILE_EVENTS) else None

    async def _download(self, event: Any) -> Attachment | None:
        """A file event's bytes (decrypted if it came encrypted), or None if it cannot be
        had; the command then says that the file is missing."""
        content = event.source.get("content", {})
        info = content.get("info") if isinstance(content.get("info"), dict) else {}
        filename = str(content.get("filename") or event.body or "fil")
        mimetype = str(getattr(event, "mimetype", None) or info.get("mimetype")
                       or "application/octet-stream")
        size = info.get("size")
        if isinstance(size, int) and too_large(size):
            log.warning("Matrix: %s är för stor (%d byte)", filename, size)
            return None
        data = await self._fetch_media(str(event.url or ""))
        if data is None:
            return None
        if isinstance(event, RoomEncryptedFile):
            try:
                data = decrypt_attachment(data, event.key["k"], event.hashes["sha256"],
                                          event.iv)
            except (EncryptionError, KeyError, TypeError, ValueError) as error:
                log.warning("Matrix: kunde inte dekryptera %s (%s)", filename, error)
                return None
        self.stats["files"] += 1
        return Attachment(filename, mimetype, data)

    async def _fetch_media(self, mxc: str) -> bytes | None:
        """Download an mxc:// URI: the authenticated endpoint (Matrix 1.11), else the
        legacy one."""
        parts = urlparse(mxc)
        if parts.scheme != "mxc" or not parts.netloc or not parts.path.strip("/"):
            return None
        server, media_id = quote(parts.netloc), quote(parts.path.strip("/"))
        base = self.settings.homeserver.rstrip("/")
        headers = {"Authorization": f"Bearer {self.client.access_token}"}
        session = self.client.client_session
        if session is None:
            return None
        for path in (f"/_matrix/client/v1/media/download/{server}/{media_id}",
                     f"/_matrix/media/v3/download/{server}/{media_id}"):
            try:
                async with session.request("GET", base + path, headers=headers,
                                           proxy=self.client.proxy) as response:
                    if response.status == 200:
                        data = await response.content.read(MAX_FILE_BYTES + 1)
                        if len(data) > MAX_FILE_BYTES:
                            log.warning("Matrix: %s är för stor", mxc)
                            return None
                        return data
                    log.warning("Matrix: hämtning av %s gav %s", mxc, response.status)
            except _NETWORK_ERRORS as error:
                log.warning("Matrix: hämtning av %s misslyckades (%s)", mxc, error)
        return None
