"""Votes as Matrix polls (MSC3381): a reply that carries a Poll is followed by an
m.poll.start; a member's m.poll.response to it becomes the command `!röst <answer id>`
from that member; a reply that closes the vote sends m.poll.end.

Clients differ in which spelling of MSC3381 they read, so every poll event carries both:
the stable type and content blocks (`m.poll`, `m.selections`, `m.text`) and the unstable
ones of the draft that Element and most clients implement (`org.matrix.msc3381.poll.*`,
`org.matrix.msc1767.text`). Responses are accepted in either spelling. Which poll belongs
to which vote is kept in the store (storage/polls.py), so a restart loses no poll."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import bot.transports.nio_light  # noqa: F401  (before nio: spares psycopg)

# isort: split
from nio import MatrixRoom, UnknownEvent

from bot.messages import Poll, Reply
from storage import polls as store

if TYPE_CHECKING:
    from bot.transports.matrix.bot import MatrixBot

TRANSPORT = "matrix"
START = "m.poll.start"
END = "m.poll.end"
UNSTABLE_START = "org.matrix.msc3381.poll.start"
UNSTABLE_END = "org.matrix.msc3381.poll.end"
UNSTABLE_RESPONSE = "org.matrix.msc3381.poll.response"
RESPONSES = ("m.poll.response", UNSTABLE_RESPONSE)
UNSTABLE_TEXT = "org.matrix.msc1767.text"


def _text(body: str) -> list[dict[str, str]]:
    return [{"mimetype": "text/plain", "body": body}]


def start_content(poll: Poll) -> dict[str, Any]:
    """The m.poll.start content: one answer per vote (max_selections 1), disclosed (the
    room sees the votes as they come, as it would hear them at the table)."""
    fallback = "\n".join([poll.question, *(f"{n}. {label}" for n, (_id, label)
                                           in enumerate(poll.answers, start=1))])
    return {
        "m.text": _text(fallback),
        "m.poll": {
            "kind": "m.disclosed", "max_selections": 1,
            "question": {"m.text": _text(poll.question)},
            "answers": [{"m.id": answer_id, "m.text": _text(label)}
                        for answer_id, label in poll.answers],
        },
        UNSTABLE_TEXT: fallback,
        UNSTABLE_START: {
            "kind": "org.matrix.msc3381.poll.disclosed", "max_selections": 1,
            "question": {UNSTABLE_TEXT: poll.question},
            "answers": [{"id": answer_id, UNSTABLE_TEXT: label}
                        for answer_id, label in poll.answers],
        },
    }


def end_content(start_event_id: str, text: str) -> dict[str, Any]:
    return {
        "m.relates_to": {"rel_type": "m.reference", "event_id": start_event_id},
        "m.text": _text(text),
        UNSTABLE_TEXT: text,
        UNSTABLE_END: {},
    }


def response_of(event: object) -> tuple[str, list[str]] | None:
    """(poll start event id, selected answer ids) of a poll response event, else None.
    An encrypted response arrives decrypted by nio as an UnknownEvent of the inner type."""
    if not isinstance(event, UnknownEvent) or event.type not in RESPONSES:
        return None
    content = event.source.get("content")
    content = content if isinstance(content, dict) else {}
    relation = content.get("m.relates_to")
    relation = relation if isinstance(relation, dict) else {}
    start = relation.get("event_id")
    if relation.get("rel_type") != "m.reference" or not isinstance(start, str):
        return None
    selections = content.get("m.selections")
    if selections is None:
        unstable = content.get(UNSTABLE_RESPONSE)
        selections = unstable.get("answers") if isinstance(unstable, dict) else None
    if not isinstance(selections, list):
        return None
    return start, [s for s in selections if isinstance(s, str)]


class MatrixPolls:
    """The poll side of one MatrixBot."""

    def __init__(self, bot: MatrixBot) -> None:
        self.bot = bot

    async def after_send(self, room_id: str, reply: Reply, send_key: str) -> None:
        """Post the reply's poll, end the poll it closes. The transaction ids derive from
        the reply's send key, so a reply sent again after a restart posts each once."""
        if reply.poll is not None:
            await self._start(room_id, reply.poll, f"{send_key}-poll")
        if reply.poll_closed:
            await self._end(reply.poll_closed, reply.text, f"{send_key}-end")

    async def _start(self, room_id: str, poll: Poll, tx_id: str) -> None:
        event_id = await self.bot._room_send(room_id, start_content(poll), tx_id,
                                             event_type=START)
        if event_id is None:
            return  # the reply itself tells how to vote with `!röst`
        await self.bot._db(store.remember, TRANSPORT, room_id, event_id, poll.key,
                           [answer_id for answer_id, _label in poll.answers])
        self.bot.stats["polls"] += 1

    async def _end(self, key: str, text: str, tx_id: str) -> None:
        for n, posted in enumerate(await self.bot._db(store.of_key, TRANSPORT, key)):
            await self.bot._room_send(posted.room_id, end_content(posted.message_id, text),
                                      f"{tx_id}-{n}", event_type=END)
            self.bot.stats["polls_ended"] += 1

    async def handle(self, room: MatrixRoom, event: object) -> bool:
        """True if the event is a poll response (acted on or ignored), else False."""
        response = response_of(event)
        if response is None:
            return False
        start, selections = response
        posted = await self.bot._db(store.by_message, TRANSPORT, start)
        # MSC3381: the first max_selections (1) count; none is "no vote", and an answer the
        # poll does not offer spoils the vote. Neither is a `!röst`.
        choice = selections[:1]
        if posted is None or posted.room_id != room.room_id or not choice \
                or choice[0] not in posted.answers:
            self.bot.stats["poll_responses_ignored"] += 1
            return True
        text = f"{self.bot.app.config.prefix}röst {choice[0]}"
        await self.bot._run_command(room, event, text, [], via="poll", reply_to=start)
        return True
