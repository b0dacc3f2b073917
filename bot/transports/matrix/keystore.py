"""matrix-nio's key store, less a transaction per sync.

nio saves the rooms a sync found encrypted after every sync, and opens a store transaction
for it even when there are none: about 1.3 ms, paid before each command can start. Rooms
that become encrypted are still saved, as before."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from nio.crypto import ENCRYPTION_ENABLED

if TYPE_CHECKING:
    from nio.store import MatrixStore

KEY_STORE: type[MatrixStore] | None = None  # None without vodozemac, as in nio

if ENCRYPTION_ENABLED:
    from nio.store import DefaultStore

    class KeyStore(DefaultStore):
        def save_encrypted_rooms(self, rooms: Iterable[str]) -> None:
            rooms = list(rooms)
            if rooms:
                super().save_encrypted_rooms(rooms)

    KEY_STORE = KeyStore
