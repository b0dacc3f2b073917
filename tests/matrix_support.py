"""A real Synapse homeserver for the tests, and Matrix users that talk to the bot.

Import the `synapse` fixture into a test module (`from tests.matrix_support import synapse`);
one server runs per test session on a free 127.0.0.1 port (SQLite, no federation, no TLS,
rate limits raised), and every test registers fresh users through the shared-secret
admin API, so tests never see each other's rooms."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from nio import AsyncClient, AsyncClientConfig, Event, RoomMessageNotice, RoomMessageText

SERVER_NAME = "localhost"
SECRET = "finsam-test-secret"
_counter = itertools.count(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Account:
    user_id: str
    password: str
    access_token: str
    device_id: str

    @property
    def localpart(self) -> str:
        return self.user_id[1:].split(":")[0]


class Synapse:
    """A Synapse child process; stop() and start() keep its database (for restart tests)."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self._write_config()

    def _write_config(self) -> None:
        from signedjson.key import generate_signing_key, write_signing_keys

        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / "signing.key", "w") as handle:
            write_signing_keys(handle, [generate_signing_key("a_test")])
        limit = {"per_second": 10_000, "burst_count": 100_000}
        config: dict[str, Any] = {
            "server_name": SERVER_NAME,
            "pid_file": str(self.dir / "homeserver.pid"),
            "listeners": [{"port": self.port, "bind_addresses": ["127.0.0.1"], "type": "http",
                           "tls": False, "x_forwarded": False,
                           "resources": [{"names": ["client"], "compress": False}]}],
            "database": {"name": "sqlite3", "args": {"database": str(self.dir / "home.db")}},
            "log_config": str(self.dir / "log.yaml"),
            "media_store_path": str(self.dir / "media"),
            "signing_key_path": str(self.dir / "signing.key"),
            "registration_shared_secret": SECRET,
            "macaroon_secret_key": "finsam-test-macaroon",
            "form_secret": "finsam-test-form",
            "report_stats": False,
            "enable_metrics": False,
            "trusted_key_servers": [],
            "suppress_key_server_warning": True,
            "federation_domain_whitelist": [],
            "presence": {"enabled": False},
            "bcrypt_rounds": 4,
            "rc_message": limit,
            "rc_registration": limit,
            "rc_login": {"address": limit, "account": limit, "failed_attempts": limit},
            "rc_admin_redaction": limit,
            "rc_joins": {"local": limit, "remote": limit},
            "rc_joins_per_room": limit,
            "rc_invites": {"per_room": limit, "per_user": limit, "per_issuer": limit},
            "rc_room_creation": limit,
            "rc_key_requests": limit,
            "rc_3pid_validation": limit,
            "rc_media_create": limit,
            "rc_presence": {"per_user": limit},
            "rc_delayed_event_mgmt": limit,
        }
        # JSON is YAML, so no YAML writer is needed.
        (self.dir / "homeserver.yaml").write_text(json.dumps(config, indent=1))
        log = {"version": 1, "disable_existing_loggers": False,
               "formatters": {"p": {"format": "%(asctime)s %(name)s %(levelname)s %(message)s"}},
               "handlers": {"f": {"class": "logging.FileHandler", "formatter": "p",
                                  "filename": str(self.dir / "homeserver.log")}},
               "root": {"level": "WARNING", "handlers": ["f"]}}
        (self.dir / "log.yaml").write_text(json.dumps(log))

    def start(self, timeout: float = 60) -> None:
        with open(self.dir / "stdout.log", "ab") as output:  # the child keeps its own copy
            self.process = subprocess.Popen(
                [sys.executable, "-m", "synapse.app.homeserver", "-c",
                 str(self.dir / "homeserver.yaml")],
                cwd=self.dir, stdout=output, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("Synapse stopped: " +
                                   (self.dir / "stdout.log").read_text()[-3000:])
            try:
                with urllib.request.urlopen(f"{self.url}/_matrix/client/versions", timeout=2):
                    return
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        raise RuntimeError("Synapse did not start in time")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None,
                 token: str | None = None) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"{}")

    def register(self, name: str, admin: bool = False) -> Account:
        """A new user with a unique id (`name` plus a counter), via the shared secret."""
        localpart = f"{name}{next(_counter)}"
        password = f"pw-{localpart}"
        nonce = self._request("GET", "/_synapse/admin/v1/register")["nonce"]
        mac = hmac.new(SECRET.encode(), digestmod=hashlib.sha1)
        for part in (nonce, localpart, password):
            mac.update(part.encode() + b"\x00")
        mac.update(b"admin" if admin else b"notadmin")
        reply = self._request("POST", "/_synapse/admin/v1/register", {
            "nonce": nonce, "username": localpart, "password": password, "admin": admin,
            "mac": mac.hexdigest()})
        return Account(reply["user_id"], password, reply["access_token"], reply["device_id"])

    def devices(self, admin: Account, user_id: str) -> list[str]:
        reply = self._request("GET", f"/_synapse/admin/v2/users/{user_id}/devices",
                              token=admin.access_token)
        return sorted(d["device_id"] for d in reply["devices"])

    def delete_device(self, admin: Account, user_id: str, device_id: str) -> None:
        """Log a device out, as a user does under Sessions: its access token stops working."""
        self._request("DELETE", f"/_synapse/admin/v2/users/{user_id}/devices/{device_id}",
                      token=admin.access_token)

    def push_rules(self, account: Account) -> dict[str, Any]:
        """The user's push rules (the server's defaults for a new user)."""
        return self._request("GET", "/_matrix/client/v3/pushrules/",
                             token=account.access_token)

    def notifications(self, account: Account) -> list[dict[str, Any]]:
        """What the homeserver's push rules notified the user of, newest first: the list a
        client's notification panel shows, and what a pusher would push."""
        return list(self._request("GET", "/_matrix/client/v3/notifications?limit=100",
                                  token=account.access_token)["notifications"])

    def limit_messages(self, admin: Account, user_id: str, per_second: int, burst: int) -> None:
        """Give one user a strict message rate limit, so it meets real 429 answers."""
        self._request("POST", f"/_synapse/admin/v1/users/{user_id}/override_ratelimit",
                      {"messages_per_second": per_second, "burst_count": burst},
                      token=admin.access_token)


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    server = Synapse(tmp_path_factory.mktemp("synapse"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


class Person:
    """A Matrix user in a test (the chair, a member): a nio client syncing in the
    background that remembers every event it sees, decrypted where it can."""

    def __init__(self, synapse: Synapse, account: Account, store: Path,
                 display_name: str = "") -> None:
        self.account = account
        self.display_name = display_name
        store.mkdir(parents=True, exist_ok=True)
        self.client = AsyncClient(
            synapse.url, account.user_id, device_id=account.device_id, store_path=str(store),
            config=AsyncClientConfig(store_sync_tokens=False, max_timeouts=None,
                                     backoff_factor=0.2, max_timeout_retry_wait_time=2))
        self.events: dict[str, list[Event]] = {}
        self.typing: list[tuple[str, list[str]]] = []
        self._task: asyncio.Task[None] | None = None

    @property
    def user_id(self) -> str:
        return self.account.user_id

    async def start(self) -> None:
        self.client.restore_login(self.account.user_id, self.account.device_id,
                                  self.account.access_token)
        self.client.add_event_callback(self._on_event, Event)
        from nio import TypingNoticeEvent

        async def on_typing(room: Any, event: TypingNoticeEvent) -> None:
            self.typing.append((room.room_id, list(event.users)))

        self.client.add_ephemeral_callback(on_typing, TypingNoticeEvent)
        if self.display_name:
            await self.client.set_displayname(self.display_name)
        await self.client.sync(timeout=0, full_state=True)
        self._task = asyncio.ensure_future(self.client.sync_forever(timeout=1000))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with _suppress_cancel():
                await self._task
        await self.client.close()

    async def _on_event(self, room: Any, event: Event) -> None:
        self.events.setdefault(room.room_id, []).append(event)

    async def create_room(self, *, invite: list[str], encrypted: bool = False,
                          name: str = "Styrelsen") -> str:
        state = [{"type": "m.room.encryption", "state_key": "",
                  "content": {"algorithm": "m.megolm.v1.aes-sha2"}}] if encrypted else []
        response = await self.client.room_create(name=name, invite=invite, initial_state=state)
        room_id = getattr(response, "room_id", None)
        assert room_id, response
        await self.wait(lambda: room_id in self.client.rooms, what=f"room {room_id}")
        return room_id

    async def join(self, room_id: str) -> None:
        response = await self.client.join(room_id)
        assert getattr(response, "room_id", None), response
        await self.wait(lambda: room_id in self.client.rooms, what=f"join {room_id}")

    async def invite(self, room_id: str, user_id: str) -> None:
        response = await self.client.room_invite(room_id, user_id)
        assert not hasattr(response, "status_code"), response

    async def set_power(self, room_id: str, user_id: str, level: int) -> None:
        room = self.client.rooms[room_id]
        content = {"users": {**room.power_levels.users, user_id: level}}
        current = await self.client.room_get_state_event(room_id, "m.room.power_levels")
        body = {**getattr(current, "content", {}), **content}
        response = await self.client.room_put_state(room_id, "m.room.power_levels", body)
        assert hasattr(response, "event_id"), response

    def membership(self, room_id: str, user_id: str) -> str | None:
        room = self.client.rooms.get(room_id)
        if room is None:
            return None
        if user_id in room.users:
            return "join"
        if user_id in room.invited_users:
            return "invite"
        return "leave"

    async def wait_for_keys(self, room_id: str, user_ids: list[str]) -> None:
        """Before a first encrypted message: know every member's devices, or the bot
        would get no room key."""
        others = [u for u in user_ids if u != self.user_id]  # nio does not list its own

        def known() -> bool:
            return all(list(self.client.device_store.active_user_devices(u)) for u in others)

        await self.wait(known, what="device keys", timeout=30)

    async def say(self, room_id: str, text: str, content: dict[str, Any] | None = None) -> str:
        body = content or {"msgtype": "m.text", "body": text}
        response = await self.client.room_send(room_id, "m.room.message", body,
                                               ignore_unverified_devices=True)
        event_id = getattr(response, "event_id", None)
        assert event_id, response
        return event_id

    def replies_to(self, room_id: str, event_id: str) -> list[RoomMessageNotice]:
        return [e for e in self.events.get(room_id, []) if isinstance(e, RoomMessageNotice)
                and (e.source.get("content", {}).get("m.relates_to") or {})
                .get("m.in_reply_to", {}).get("event_id") == event_id]

    async def reply(self, room_id: str, event_id: str, timeout: float = 30) -> RoomMessageNotice:
        await self.wait(lambda: self.replies_to(room_id, event_id),
                        what=f"reply to {event_id}", timeout=timeout)
        return self.replies_to(room_id, event_id)[0]

    async def ask(self, room_id: str, text: str, timeout: float = 30) -> RoomMessageNotice:
        return await self.reply(room_id, await self.say(room_id, text), timeout)

    def notices(self, room_id: str) -> list[RoomMessageNotice]:
        return [e for e in self.events.get(room_id, []) if isinstance(e, RoomMessageNotice)]

    def messages_from(self, room_id: str, sender: str) -> list[RoomMessageNotice |
                                                               RoomMessageText]:
        """Notices and texts that `sender` (the bot) posted: a reminder that mentions
        someone is an m.text."""
        return [e for e in self.events.get(room_id, [])
                if isinstance(e, RoomMessageNotice | RoomMessageText) and e.sender == sender]

    async def wait(self, condition: Callable[[], Any], *, what: str,
                   timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.user_id} waited in vain for {what}")
            await asyncio.sleep(0.05)


class _suppress_cancel:
    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> bool:
        return kind is not None and issubclass(kind, asyncio.CancelledError | Exception)


def env_without_proxies() -> dict[str, str]:
    """The bot subprocess must reach 127.0.0.1 directly."""
    return {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
