"""A chat room in the terminal: one line is one message; `@namn: text` speaks as namn."""

from __future__ import annotations

import asyncio
import re
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot.app import App
from bot.messages import IncomingMessage, Reply
from bot.render import render
from storage.tenants import bind_room, first_organ, members, organ_for_room

ROOM = "console"
_SPEAKER = re.compile(r"^@(?P<name>[^:]{1,80}):\s?(?P<text>.*)$", re.DOTALL)


class Console:
    def __init__(self, app: App, *, user: str | None = None, organ_key: str | None = None,
                 out_dir: Path = Path("protokoll"), output: TextIO | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.app = app
        self.output = output or sys.stdout
        self.out_dir = out_dir
        self.clock = clock or (lambda: datetime.now(UTC))
        self.organ_name = self._bind(organ_key)
        self.user = user or app.config.console_user or self._default_user()

    def _bind(self, organ_key: str | None) -> str:
        """The console is a room of the chosen organ (else its configured one, else the
        first organ in the config)."""
        with self.app.db.transaction() as session:
            organ = None if organ_key else organ_for_room(session, "console", ROOM)
            if organ is None:
                organ = first_organ(session, organ_key)
                if organ is None:
                    raise SystemExit(render("konsol", "organ_saknas", organ=organ_key).text)
                bind_room(session, "console", ROOM, organ.organ_id, "console")
            return f"{organ.forbund_name}, {organ.organ_name}"

    def _default_user(self) -> str:
        """Whoever types in a console is the organ's secretary unless the config says otherwise."""
        with self.app.db.transaction() as session:
            organ = organ_for_room(session, "console", ROOM)
            for role in ("sekreterare", "förbundschef", "ordförande"):
                found = [m for m in members(session, organ.organ_id) if m.role == role]
                if found:
                    return found[0].name
        return "Sekreteraren"

    def message(self, line: str) -> IncomingMessage:
        sender, text = self.user, line
        match = _SPEAKER.match(line)
        if match:
            sender, text = match.group("name").strip(), match.group("text")
        return IncomingMessage(transport="console", room_id=ROOM, sender_id=sender,
                               sender_name=sender, text=text, event_id=uuid.uuid4().hex,
                               timestamp=self.clock())

    async def handle_line(self, line: str) -> Reply | None:
        reply = await self.app.dispatcher.handle(self.message(line))
        if reply is not None:
            self.show(reply)
            await self.app.deliver_notices(reply)
        return reply

    def show(self, reply: Reply) -> None:
        self.output.write(reply.text + "\n")
        for attachment in reply.attachments:
            if attachment.mimetype == "text/markdown":
                self.output.write("\n" + attachment.data.decode("utf-8"))
            self.out_dir.mkdir(parents=True, exist_ok=True)
            path = self.out_dir / attachment.filename
            path.write_bytes(attachment.data)
            self.output.write(f"Sparat: {path}\n")
        self.output.write("\n")
        self.output.flush()

    async def _send(self, room_id: str, reply: Reply) -> None:
        self.show(reply)

    async def run(self, source: TextIO | None = None) -> None:
        self.app.add_sender("console", self._send)
        await self.app.start()
        try:
            await self._read(source or sys.stdin)
        finally:
            await self.app.stop()

    async def _read(self, source: TextIO) -> None:
        interactive = source.isatty()
        if interactive:
            self.output.write(render("konsol", "välkommen", organ=self.organ_name,
                                     användare=self.user).text + "\n\n")
        while True:
            if interactive:
                self.output.write(f"{self.user}> ")
                self.output.flush()
            line = await asyncio.to_thread(source.readline)
            if not line:
                break
            line = line.rstrip("\n")
            if line.strip():
                await self.handle_line(line)

