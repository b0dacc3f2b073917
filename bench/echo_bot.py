"""The floor of the latency benchmark: a bare matrix-nio bot that answers every text
message with the same text as an m.notice reply. No database, no parsing, no templates:
whatever the Finsam bot adds on top of this is its own cost.

    python bench/echo_bot.py HOMESERVER USER_ID ACCESS_TOKEN DEVICE_ID
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from nio import AsyncClient, InviteMemberEvent, MatrixRoom, RoomMessageText


async def main(homeserver: str, user_id: str, token: str, device_id: str) -> None:
    client = AsyncClient(homeserver, user_id)
    client.restore_login(user_id, device_id, token)

    async def on_invite(room: MatrixRoom, event: InviteMemberEvent) -> None:
        if event.state_key == user_id and event.membership == "invite":
            await client.join(room.room_id)

    async def on_text(room: MatrixRoom, event: RoomMessageText) -> None:
        if event.sender == user_id:
            return
        content: dict[str, Any] = {"msgtype": "m.notice", "body": event.body,
                                   "m.relates_to": {"m.in_reply_to": {
                                       "event_id": event.event_id}}}
        await client.room_send(room.room_id, "m.room.message", content)

    client.add_event_callback(on_invite, InviteMemberEvent)  # type: ignore[arg-type]
    first = await client.sync(timeout=0, full_state=True)  # what came before is history
    client.add_event_callback(on_text, RoomMessageText)  # type: ignore[arg-type]
    print("ready", flush=True)
    await client.sync_forever(timeout=30_000, since=getattr(first, "next_batch", None))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
