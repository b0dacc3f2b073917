"""Votes as Adaptive Cards in Teams: a reply that carries a Poll is followed by a card with
one Action.Execute button per answer; a press comes back as an `adaptiveCard/action`
invoke (through the same endpoint and token checks as messages) and becomes the command
`!röst <answer id>` from the person who pressed, whose reply answers the invoke. A reply
that closes the vote replaces each of its cards with the result. Which card belongs to
which vote is kept in the store (storage/polls.py), so a restart loses no card."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    Attachment,
    ContentTypes,
)
from microsoft_agents.hosting.core import AgentApplication, TurnContext, TurnState

from bot.messages import Poll, Reply
from bot.render import render
from bot.transports.teams_activity import room_of
from bot.transports.teams_cards import CARD_TYPE, literal, plain_text, render_card
from storage import polls as store

if TYPE_CHECKING:
    from bot.transports.teams import TeamsTransport

log = logging.getLogger(__name__)

TRANSPORT = "teams"
VERB = "röst"
Post = Callable[[Activity], Awaitable[Any]]  # sends an activity, returns its ResourceResponse


def poll_card(poll: Poll) -> dict[str, Any]:
    fallback = "\n".join([poll.question, *(f"{n}. {label}" for n, (_id, label)
                                           in enumerate(poll.answers, start=1))])
    return render_card("votering", question=literal(poll.question), answers=poll.answers,
                       key=poll.key, fallback=fallback)


def closed_card(reply: Reply) -> dict[str, Any]:
    """The card that replaces a closed vote's buttons: the result, as the reply says it."""
    result = plain_text(reply)
    return render_card("votering_klar", result=literal(result), fallback=result)


def _answer(text: str) -> AdaptiveCardInvokeResponse:
    """The invoke's answer: Teams shows the text to the person who pressed the button."""
    return AdaptiveCardInvokeResponse(status_code=200, type=ContentTypes.message, value=text)


class TeamsVotes:
    """The card side of one TeamsTransport."""

    def __init__(self, transport: TeamsTransport) -> None:
        self.transport = transport
        self.app = transport.app

    def route(self, agent: AgentApplication[TurnState]) -> None:
        # The SDK routes `adaptiveCard/action` invokes by verb and answers the invoke with
        # what the handler returns (HTTP 200 with the invoke response body).
        agent.adaptive_card.action_execute(VERB)(self._on_vote)

    async def after_reply(self, post: Post, context: TurnContext, reply: Reply) -> None:
        """Post the reply's card, replace the cards of the vote it closes."""
        if reply.poll is not None:
            await self._post_card(post, context, reply.poll)
        if reply.poll_closed:
            await self._close(context, reply)

    async def _post_card(self, post: Post, context: TurnContext, poll: Poll) -> None:
        card = Activity(type=ActivityTypes.message, summary=poll.question,
                        attachments=[Attachment(content_type=CARD_TYPE,
                                                content=poll_card(poll))])
        response = await post(card)
        message_id = getattr(response, "id", None)
        if not message_id:
            log.warning("Teams: no id for the card of %s; its buttons cannot be closed", poll.key)
            return
        # The conversation the card went to, thread included: an update must name it.
        conversation = context.activity.conversation.id
        await asyncio.to_thread(self._db, store.remember, TRANSPORT, conversation,
                                message_id, poll.key, [a for a, _label in poll.answers])

    async def _close(self, context: TurnContext, reply: Reply) -> None:
        key = reply.poll_closed
        for posted in await asyncio.to_thread(self._db, store.of_key, TRANSPORT, key):
            card = closed_card(reply)
            update = Activity(type=ActivityTypes.message, id=posted.message_id,
                              attachments=[Attachment(content_type=CARD_TYPE, content=card)])
            update.apply_conversation_reference(context.activity.get_conversation_reference())
            update.conversation = update.conversation.model_copy(
                update={"id": posted.room_id})
            try:
                await context.adapter.update_activity(context, update)
            except Exception as error:  # the card was deleted, the connector is down, …
                log.warning("Teams: could not close the card %s of %s: %s",
                            posted.message_id, key, error)

    async def _on_vote(self, context: TurnContext, state: TurnState,
                       data: dict[str, Any]) -> AdaptiveCardInvokeResponse:
        key, answer = data.get("votering"), data.get("röst")
        room = room_of(context.activity.conversation.id)
        posted = [p for p in (await asyncio.to_thread(self._db, store.of_key, TRANSPORT, key)
                              if isinstance(key, str) else [])
                  if room_of(p.room_id) == room]
        # Only a card of this conversation, and only an answer it offers, is a vote.
        if not posted or not isinstance(answer, str) or answer not in posted[0].answers:
            return _answer(render("teams", "röst_okänd").text)
        message = await self.transport.incoming(
            context, f"{self.app.config.prefix}röst {answer}", via="card")
        reply = await self.app.dispatcher.handle(message)
        if reply is None:  # Teams sent the same press again
            return _answer(render("teams", "röst_redan").text)
        await self.after_reply(context.send_activity, context, reply)
        await self.app.deliver_notices(reply)
        return _answer(plain_text(reply))

    def _db(self, fn: Callable[..., Any], *args: Any) -> Any:
        with self.app.db.transaction() as session:
            return fn(session, *args)
