"""Reading a Teams activity: its room, its text without the bot's @mention, the names and
ids the bot keeps of it."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any

from microsoft_agents.activity import Activity

_MENTION = re.compile(r"<at[^>]*>(.*?)</at>", re.DOTALL | re.IGNORECASE)


def room_of(conversation_id: str) -> str:
    """A channel's conversation id names the thread too ("…;messageid=…"); the room (and
    the organ binding) is the channel."""
    return conversation_id.split(";messageid=")[0]


def without_mentions(activity: Activity) -> tuple[str, bool]:
    """The text with the bot's own @mention removed and other people's mentions as their
    plain names (they are arguments: `!närvaro <at>Carolina Sondell</at>`), and whether the
    bot was mentioned."""
    recipient = activity.recipient
    own = [m for m in activity.get_mentions()
           if m.mentioned is not None and recipient is not None
           and m.mentioned.id == recipient.id]
    own_markup = {m.text for m in own if m.text}
    own_names = {m.mentioned.name for m in own if m.mentioned and m.mentioned.name}
    if recipient is not None and recipient.name:
        own_names.add(recipient.name)

    def replace(match: re.Match[str]) -> str:
        name = match.group(1).replace("&nbsp;", " ").strip()
        return " " if match.group(0) in own_markup or name in own_names else name

    text = _MENTION.sub(replace, activity.text or "")
    return text.replace("&nbsp;", " ").replace("\xa0", " ").strip(), bool(own)


def command_text(activity: Activity, prefix: str) -> str:
    """The text without the bot's @mention; when the bot is addressed (mentioned, or in a
    1:1 chat) a command needs no prefix, and a bare mention asks for help."""
    text, mentioned = without_mentions(activity)
    personal = (activity.conversation.conversation_type or "") == "personal"
    if (mentioned or personal) and not text.startswith(prefix):
        text = prefix + (text or "hjälp")
    return text


def channel_data(activity: Activity) -> dict[str, Any]:
    data = activity.channel_data
    if data is None:
        return {}
    if isinstance(data, dict):
        return data
    dump = getattr(data, "model_dump", None)
    return dump(by_alias=True, exclude_none=True) if dump else {}


def conversation_name(activity: Activity) -> str:
    """The channel's, chat's or team's name as Teams shows it ("" if none is sent)."""
    data = channel_data(activity)
    return ((data.get("channel") or {}).get("name") or activity.conversation.name
            or (data.get("team") or {}).get("name") or "")


def event_id(room: str, activity_id: str) -> str:
    """Teams message ids are unique per conversation only."""
    event = f"{room}|{activity_id}"
    if len(event) > 255:
        event = "sha256:" + hashlib.sha256(event.encode("utf-8")).hexdigest()
    return event


def aware(timestamp: datetime | None) -> datetime:
    if timestamp is None:
        return datetime.now(UTC)
    return timestamp if timestamp.tzinfo else timestamp.replace(tzinfo=UTC)
