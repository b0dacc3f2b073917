"""The [matrix] section: read and checked up front, so a bad key stops the bot with one
Swedish sentence that names the key instead of failing later against the homeserver."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config import Config, Reader

_USER_ID = re.compile(r"^@[^:\s]+:[^\s]+$")
_SERVER = re.compile(r"^[A-Za-z0-9.\-]+(:\d+)?$")


@dataclass(frozen=True)
class MatrixSettings:
    homeserver: str
    user_id: str
    password: str = ""
    access_token: str = ""
    device_name: str = "Finsam-sekreteraren"
    store_path: Path = Path("matrix-store")
    encryption: bool = True
    # User ids ("@anna:example.org") or server names ("example.org") whose invites count.
    allowed_inviters: list[str] = field(default_factory=list)
    # Seconds the server may hold a sync open; short in tests.
    sync_timeout: int = 30

    @property
    def server_name(self) -> str:
        return self.user_id.split(":", 1)[1]

    def may_invite(self, inviter: str) -> bool:
        """Empty list: only users on the bot's own homeserver may invite it."""
        allowed = self.allowed_inviters or [self.server_name]
        server = inviter.split(":", 1)[1] if ":" in inviter else ""
        return any(inviter == a if a.startswith("@") else server == a for a in allowed)


def matrix_settings(config: Config) -> MatrixSettings:
    r = Reader(config.matrix, "matrix", config.source)
    homeserver = r.str("homeserver").rstrip("/")
    if not re.match(r"^https?://[^\s/]+", homeserver):
        raise r.fail("homeserver", "inte_homeserver", text=homeserver)
    user_id = r.str("user_id")
    if not _USER_ID.match(user_id):
        raise r.fail("user_id", "inte_matrix_id", text=user_id)
    password = r.str("password", "")
    access_token = r.str("access_token", "")
    if not password and not access_token:
        raise r.fail("password", "saknar_lösenord")
    inviters = r.str_list("allowed_inviters")
    for inviter in inviters:
        if not (_USER_ID.match(inviter) or _SERVER.match(inviter)):
            raise r.fail("allowed_inviters", "inte_inbjudare", text=inviter)
    store_path = r.str("store_path", "matrix-store")
    if not store_path:
        raise r.fail("store_path", "får_inte_vara_tom")
    return MatrixSettings(
        homeserver=homeserver,
        user_id=user_id,
        password=password,
        access_token=access_token,
        device_name=r.str("device_name", "Finsam-sekreteraren") or "Finsam-sekreteraren",
        store_path=Path(store_path).expanduser(),
        encryption=_bool(r, "encryption", True),
        allowed_inviters=inviters,
        sync_timeout=_int(r, "sync_timeout", 30, 1, 300),
    )


def _bool(r: Reader, name: str, default: bool) -> bool:
    value: Any = r.table.get(name, default)
    if not isinstance(value, bool):
        raise r.fail(name, "inte_sant_falskt")
    return value


def _int(r: Reader, name: str, default: int, low: int, high: int) -> int:
    value: Any = r.table.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise r.fail(name, "inte_heltal_mellan", från=low, till=high)
    return value
