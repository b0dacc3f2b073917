"""Files in Teams, both ways.

Sent to the bot (`!budget import`): Teams delivers a file in a 1:1 chat as an attachment
of type FILE_INFO with a pre-authorised downloadUrl; it is downloaded, within the shared
size limit (bot/transports/files.py), only when a command gets it.

Sent by the bot: bots cannot attach files in channels, so the transport's server keeps
them behind unguessable links (`GET /filer/<token>/<filnamn>`)."""

from __future__ import annotations

import asyncio
import logging
import mimetypes
from urllib.parse import quote

from aiohttp import ClientError, ClientSession, ClientTimeout, web
from microsoft_agents.activity import Activity

from bot.app import App
from bot.messages import Attachment as FileAttachment
from bot.messages import Reply
from bot.render import render
from bot.transports.files import MAX_FILE_BYTES, too_large
from bot.transports.teams_cards import FileLink
from storage import teams as store

log = logging.getLogger(__name__)

FILE_INFO = "application/vnd.microsoft.teams.file.download.info"


def files_of(activity: Activity) -> list[tuple[str, str]]:
    """(file name, download URL) of the files a user sent with the message."""
    found = []
    for attachment in activity.attachments or []:
        if attachment.content_type != FILE_INFO:
            continue
        content = attachment.content
        if not isinstance(content, dict):
            dump = getattr(content, "model_dump", None)
            content = dump(by_alias=True) if dump else {}
        url = content.get("downloadUrl")
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            found.append((attachment.name or "fil", url))
    return found


async def download(name: str, url: str) -> FileAttachment | None:
    """A file from its downloadUrl (pre-authorised by Teams: no token is sent along)."""
    try:
        async with ClientSession(timeout=ClientTimeout(total=60)) as session, \
                session.request("GET", url) as response:
            if response.status != 200:
                log.warning("Teams file %s: HTTP %s", name, response.status)
                return None
            data = await response.content.read(MAX_FILE_BYTES + 1)
    except (ClientError, TimeoutError, OSError) as error:
        log.warning("Teams file %s could not be downloaded: %s", name, error)
        return None
    if too_large(len(data)):
        log.warning("Teams file %s is too large", name)
        return None
    mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileAttachment(name, mimetype, data)


def store_files(app: App, reply: Reply, room: str, base: str) -> list[FileLink]:
    """Keep the reply's files for their links under `base` (the bot's address)."""
    links = []
    with app.db.transaction() as session:
        for attachment in reply.attachments:
            token = store.store_file(session, attachment.filename, attachment.mimetype,
                                     attachment.data, room)
            links.append(FileLink(attachment.filename, attachment.mimetype,
                                  f"{base}/filer/{token}/{quote(attachment.filename)}"))
    return links


async def file_response(app: App, request: web.Request) -> web.StreamResponse:
    """`GET /filer/<token>/<filnamn>`: the stored file, or 404 with a sentence."""
    token, name = request.match_info["token"], request.match_info["name"]
    found = await asyncio.to_thread(_load_file, app, token)
    if found is None or found[0] != name:
        return web.Response(status=404, text=render("teams", "fil_saknas").text,
                            content_type="text/plain", charset="utf-8")
    filename, mimetype, data = found
    disposition = "inline" if mimetype == "text/html" else "attachment"
    return web.Response(body=data, content_type=mimetype, charset="utf-8", headers={
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(filename)}",
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        # The protokoll page has inline styles and nothing else.
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    })


def _load_file(app: App, token: str) -> tuple[str, str, bytes] | None:
    with app.db.transaction() as session:
        row = store.get_file(session, token)
        return (row.filename, row.mimetype, bytes(row.data)) if row else None


def base_of(request: web.Request) -> str:
    """The address the request came to (behind a proxy: the one it forwards)."""
    scheme = request.headers.get("X-Forwarded-Proto", request.scheme).split(",")[0].strip()
    host = request.headers.get("X-Forwarded-Host", request.host).split(",")[0].strip()
    return f"{scheme}://{host}"
