"""The bot's nio key store: no store transaction for a sync that found no encrypted room,
and rooms that became encrypted are still kept across a restart."""

from __future__ import annotations

from pathlib import Path

import pytest
from nio.crypto import Olm
from nio.store import DefaultStore

from bot.transports.matrix.keystore import KEY_STORE


def test_only_rooms_that_became_encrypted_are_saved(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    assert KEY_STORE is not None
    store = KEY_STORE("@sekreteraren:localhost", "ENHET", str(tmp_path))
    Olm("@sekreteraren:localhost", "ENHET", store)  # the device's account, as at login
    saved: list[list[str]] = []
    parent = DefaultStore.save_encrypted_rooms

    def counted(self: DefaultStore, rooms: list[str]) -> None:
        saved.append(list(rooms))
        parent(self, rooms)

    monkeypatch.setattr(DefaultStore, "save_encrypted_rooms", counted)
    store.save_encrypted_rooms(set())
    assert saved == []
    store.save_encrypted_rooms({"!styrelsen:localhost"})
    assert saved == [["!styrelsen:localhost"]]
    again = KEY_STORE("@sekreteraren:localhost", "ENHET", str(tmp_path))
    assert again.load_encrypted_rooms() == {"!styrelsen:localhost"}
