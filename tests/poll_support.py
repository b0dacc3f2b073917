"""A stand-in for the votering core in the transport tests: `!testvotering` answers with a
Poll, `!testvotering klar` closes it, and `!röst` records who voted what and how. The
transports need no more of the core than this (see notes/poll-contract.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.core.commands import Command
from bot.messages import Poll, Reply

if TYPE_CHECKING:
    from bot.app import App
    from bot.context import Context

KEY = "votering:7"
QUESTION = "Den som vill bifalla förslaget röstar ja, den som vill avslå röstar nej."
RESULT = "Voteringen är avslutad: 1 ja, 1 nej, 0 avstår."


@dataclass(frozen=True)
class Vote:
    sender_id: str
    answer: str
    via: str
    event_id: str
    aliases: tuple[str, ...] = ()


@dataclass
class PollFeature:
    votes: list[Vote] = field(default_factory=list)

    def setup(self, app: App) -> None:
        votering = Command("testvotering", summary="Provvotering.", needs_organ=False)
        rost = Command("röst", summary="Röstar.", needs_organ=False)

        @votering.bare()
        def start(ctx: Context) -> Reply:
            reply = Reply(text="Votering begärd.", html="<p>Votering begärd.</p>")
            reply.poll = Poll(key=KEY, question=QUESTION)
            return reply

        @votering.sub("klar", args=[])
        def close(ctx: Context) -> Reply:
            reply = Reply(text=RESULT, html=f"<p>{RESULT}</p>")
            reply.poll_closed = KEY
            return reply

        @rost.default()
        def vote(ctx: Context, rest: str) -> Reply:
            message = ctx.message
            self.votes.append(Vote(message.sender_id, rest, message.via, message.event_id,
                                  message.sender_aliases))
            return Reply(text=f"Röst antecknad: {rest}", html=f"<p>Röst antecknad: {rest}</p>")

        app.add_command(votering, rost)


def protokoll_section(app: App, number: int, organ_key: str = "styrelsen") -> str:
    """The § `number` of the organ's latest meeting, as the protokoll's Markdown has it
    (built from the database, as `!protokoll` does)."""
    from bot.commands.protokoll.build import build, render_protocol
    from storage import meetings, tenants

    with app.db.transaction() as session:
        organ = tenants.first_organ(session, organ_key)
        assert organ is not None
        meeting = meetings.latest_meeting(session, organ.organ_id)
        assert meeting is not None
        markdown, _ = render_protocol(build(session, organ, meeting))
    start = markdown.index(f"## § {number} ")
    end = markdown.find("\n## ", start + 5)
    return markdown[start:end if end > 0 else None]


def beslutande_row(app: App, organ_key: str = "styrelsen") -> str:
    """The Beslutande row of the latest meeting's protokoll."""
    from bot.commands.protokoll.build import build, render_protocol
    from storage import meetings, tenants

    with app.db.transaction() as session:
        organ = tenants.first_organ(session, organ_key)
        assert organ is not None
        meeting = meetings.latest_meeting(session, organ.organ_id)
        assert meeting is not None
        markdown, _ = render_protocol(build(session, organ, meeting))
    return next(line for line in markdown.splitlines() if line.startswith("| Beslutande |"))
