"""What a command handler gets: the message, its organ, the actor, a session, the clock,
the App's services and the form (sub-command) being run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.config import Config
from bot.core.commands import Sub
from bot.core.services import Services
from bot.errors import UserError
from bot.messages import IncomingMessage
from bot.permissions import Actor
from storage.tenants import OrganRef


@dataclass
class Context:
    message: IncomingMessage
    session: Session
    config: Config
    actor: Actor
    now: datetime  # aware, in the organ's (or the bot's) time zone
    organ_ref: OrganRef | None
    services: Services
    sub: Sub  # the form being run: its label and example name it in replies
    prepared: object = None  # what the form's `prepare` made of the message, if it has one

    @property
    def organ(self) -> OrganRef:
        if self.organ_ref is None:
            raise UserError("rum_utan_organ")
        return self.organ_ref

    @property
    def event_id(self) -> str:
        return self.message.event_id
