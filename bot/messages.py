"""The one message type in and the one reply type out, shared by every transport."""

from __future__ import annotations

import base64
import dataclasses
import json
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class IncomingMessage:
    transport: str  # "console", "matrix", "teams"
    room_id: str
    sender_id: str
    # The display name: shown, never used to tell who the sender is (bot.identity).
    sender_name: str
    text: str
    event_id: str
    timestamp: datetime  # aware
    # Set by a transport that knows room power levels (Matrix: >= 50).
    sender_is_moderator: bool = False
    # Other ids of the same sender that config `ids` may name (Teams: UPN, e-mail,
    # the Teams user id beside the Entra object id in sender_id).
    sender_aliases: tuple[str, ...] = ()
    # Files sent with the message (a budget spreadsheet for `!budget import`). Transports
    # that can fetch a file's bytes put them here; the rest leave it empty.
    attachments: tuple[Attachment, ...] = ()
    # The room's name as the platform shows it (Matrix room name, Teams channel), if any;
    # chosen by the room's members, so it is shown next to the room id, never trusted.
    room_name: str = ""
    via: str = ""  # "poll" or "card" when the transport made the message from a poll/card


@dataclass(frozen=True)
class Poll:
    """A vote the transport should also offer as a native poll (Matrix MSC3381) or card
    (Teams Adaptive Card). `key` names the vote ("votering:<id>"); answers are
    (answer id, label) pairs; a response is fed back as the chat command `!röst <answer id>`."""
    key: str
    question: str
    answers: tuple[tuple[str, str], ...] = (("ja", "Ja"), ("nej", "Nej"), ("avstår", "Avstår"))


@dataclass(frozen=True)
class Attachment:
    filename: str
    mimetype: str
    data: bytes


@dataclass
class Reply:
    """A rendered answer: Markdown text (also the plain body) and the same as safe HTML."""

    text: str
    html: str
    room_id: str = ""
    in_reply_to: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    kind: str = "svar"  # svar | fel | påminnelse
    # The bot should leave the room after sending this (`!lämna`); transports act on it.
    leave_room: bool = False
    # Platform ids of people the reply is addressed to (a personal reminder): transports
    # that can notify someone by id do so (Matrix: m.mentions).
    mentions: list[str] = field(default_factory=list)
    # Set when the dispatcher kept the reply in the outbox (storage/outbox.py) for a
    # transport that reports delivery; `send_key` then names the send on the platform,
    # so a reply sent again after a crash is stored there once (Matrix transaction id).
    outbox_id: int | None = None
    send_key: str = ""
    # Where a notice goes (a Reply in `notices`): its transport; room_id is the room.
    transport: str = ""
    # Messages to other rooms that go out after this reply (a room bound to an organ is
    # announced in the organ's other rooms). Each is kept in the outbox on its own.
    notices: list[Reply] = field(default_factory=list)
    poll: Poll | None = None          # post this poll/card with (after) the reply
    poll_closed: str = ""             # key of a poll to end (Matrix m.poll.end / card updated)

    def to_json(self) -> str:
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if f.name not in ("attachments", "outbox_id", "notices")}
        data["attachments"] = [
            {"filename": a.filename, "mimetype": a.mimetype,
             "data": base64.b64encode(a.data).decode("ascii")} for a in self.attachments]
        data["poll"] = None if self.poll is None else {
            "key": self.poll.key, "question": self.poll.question,
            "answers": [list(a) for a in self.poll.answers]}
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str, outbox_id: int | None = None) -> Reply:
        data = json.loads(text)
        files = [Attachment(a["filename"], a["mimetype"], base64.b64decode(a["data"]))
                 for a in data.pop("attachments")]
        poll = data.pop("poll", None)
        if poll is not None:
            poll = Poll(poll["key"], poll["question"],
                        tuple((a[0], a[1]) for a in poll["answers"]))
        return cls(**data, attachments=files, outbox_id=outbox_id, poll=poll)
