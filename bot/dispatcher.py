"""The core: turns one IncomingMessage into at most one Reply. Knows no transport."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid
from zoneinfo import ZoneInfo

from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from bot.clean import clean_text
from bot.config import Config
from bot.context import Context
from bot.core.commands import RECORD, Command, Sub
from bot.core.services import Services
from bot.errors import UserError
from bot.identity import find_member
from bot.messages import IncomingMessage, Reply
from bot.parser import parse
from bot.permissions import Actor, actor_for, binding_trusted
from bot.render import configure, render
from storage import events, outbox, rooms
from storage.db import Database
from storage.tenants import OrganRef, organ_for_room

log = logging.getLogger(__name__)
MAX_TEXT = 20_000
MAX_ROOM_NAME = 100  # shown in notices to other rooms


class Dispatcher:
    def __init__(self, config: Config, db: Database, services: Services) -> None:
        self.config = config
        self.db = db
        self.services = services
        # Transports that report delivery (`reply_sent`): their replies are kept in the
        # outbox in the command's transaction, so a crash before the send loses none.
        self.outbox: set[str] = set()
        configure(config.prefix)

    async def handle(self, message: IncomingMessage) -> Reply | None:
        """Handle one chat message; None for ordinary chat or an event already handled."""
        if parse(message.text, self.config.prefix) is None:
            return None
        return await asyncio.to_thread(self.handle_sync, message)

    def handle_sync(self, message: IncomingMessage) -> Reply | None:
        parsed = parse(message.text, self.config.prefix)
        if parsed is None:
            return None
        text, name = clean_text(message.text), clean_text(message.sender_name)
        room_name = " ".join(clean_text(message.room_name).split())[:MAX_ROOM_NAME]
        if text != message.text or name != message.sender_name \
                or room_name != message.room_name:
            message = dataclasses.replace(message, text=text, sender_name=name,
                                          room_name=room_name)
            parsed = parse(text, self.config.prefix)
            if parsed is None:
                return None
        reply = self._run(message, parsed.name, parsed.args)
        if reply is not None:
            reply.room_id = message.room_id
            reply.in_reply_to = message.event_id
        return reply

    def _run(self, message: IncomingMessage, name: str, args: str) -> Reply | None:
        registry = self.services.registry
        command = registry.get(name)
        if command is None or len(message.text) > MAX_TEXT:
            # Answered without a command transaction: claim the event id first, so a
            # redelivered event is not answered twice and transports need no check of
            # their own before every command.
            if not self._mark_handled(message):
                return None
            if command is None:
                return render("fel", "okänt_kommando", namn=name,
                              förslag=registry.suggest(name))
            return render("fel", "för_lång_text", max=MAX_TEXT)
        prepared: object = None
        form = _preparing_form(command, args)
        if form is not None:
            outcome = self._prepare(message, command, args, form)
            if not isinstance(outcome, _Prepared):
                return outcome
            prepared = outcome.value
        for attempt in range(2):
            try:
                reply = self._in_transaction(message, command, args, prepared)
                if reply is None and attempt == 1:
                    # The event was claimed by the first try: its commit went through and
                    # only the answer was lost with the connection.
                    return render("fel", "sparat_utan_svar", kommando=name)
                return reply
            except UserError as error:
                self._mark_handled(message)
                return render("fel", error.macro, **error.kwargs)
            except DBAPIError as error:
                # A dropped connection rolled the whole command back: safe to run it once more
                # on a fresh connection (the event id guards against doing it twice).
                if error.connection_invalidated and attempt == 0:
                    log.warning("database connection lost on %s; retrying", message.event_id)
                    continue
                log.warning("database error on %s: %s", message.event_id, error)
                return render("fel", "databasfel")
            except Exception:
                log.exception("command %s failed on %s", name, message.event_id)
                return render("fel", "internt")
        return render("fel", "databasfel")

    def _prepare(self, message: IncomingMessage, command: Command, args: str, form: Sub
                 ) -> _Prepared | Reply | None:
        """The form's heavy work on the message, outside any transaction, so other rooms are
        answered meanwhile. The sender's permission is checked and the reading claimed in a
        short transaction of its own, committed before the reading starts: an event whose
        reading was claimed but whose command never committed killed the bot while it read,
        and is answered, not read again."""
        try:
            with self.db.transaction() as session:
                if events.is_handled(session, message.transport, message.event_id):
                    return None
                self._context(session, message, command, args)  # permission: UserError
                if not events.claim_reading(session, message.transport, message.event_id):
                    events.claim(session, message.transport, message.event_id)
                    log.warning("%s was being read when the bot stopped; not read again",
                                message.event_id)
                    files = message.attachments
                    return render("fel", "fil_kunde_inte_läsas", kommando=form.label,
                                  filnamn=files[0].filename if files else "")
            assert form.prepare is not None
            return _Prepared(form.prepare(message, command.resolve(args)[1]))
        except UserError as error:
            self._mark_handled(message)
            return render("fel", error.macro, **error.kwargs)
        except DBAPIError as error:
            log.warning("database error on %s: %s", message.event_id, error)
            return render("fel", "databasfel")
        except Exception:
            log.exception("preparing %s failed on %s", form.label, message.event_id)
            self._mark_handled(message)
            return render("fel", "internt")

    def _context(self, session: Session, message: IncomingMessage, command: Command,
                 args: str, prepared: object = None) -> tuple[Context, str]:
        """The command's context and the text after its form's words; UserError if the
        room has no organ or the sender may not use the form."""
        organ = organ_for_room(session, message.transport, message.room_id)
        if command.needs_organ and organ is None:
            raise UserError("rum_utan_organ")
        # Only ids the platform vouches for; a display name can be chosen by anyone.
        member = find_member(session, organ.organ_id, message) if organ else None
        # A room's power level counts only where the config or an officer bound it.
        binding = rooms.room_binding(session, message.transport, message.room_id) \
            if organ is not None and message.sender_is_moderator else None
        trusted = organ is not None and binding_trusted(session, organ.organ_id, binding)
        actor = actor_for(message, member, trusted_moderator=trusted)
        sub, rest = _permitted(command, args, actor, organ)
        tz = ZoneInfo(organ.timezone if organ else self.config.timezone)
        return Context(message=message, session=session, config=self.config, actor=actor,
                       now=message.timestamp.astimezone(tz), organ_ref=organ,
                       services=self.services, sub=sub, prepared=prepared), rest

    def _in_transaction(self, message: IncomingMessage, command: Command, args: str,
                        prepared: object = None) -> Reply | None:
        with self.db.transaction() as session:
            if not events.claim(session, message.transport, message.event_id):
                return None
            ctx, rest = self._context(session, message, command, args, prepared)
            reply = ctx.sub.call(ctx, rest)
            if reply is not None and message.transport in self.outbox:
                reply.room_id, reply.in_reply_to = message.room_id, message.event_id
                reply.send_key = uuid.uuid4().hex
                reply.outbox_id = outbox.keep(session, message.transport, reply.to_json())
            for notice in reply.notices if reply is not None else []:
                # Each notice to another room is a send of its own, kept like a reply.
                notice.send_key = uuid.uuid4().hex
                if notice.transport in self.outbox:
                    notice.outbox_id = outbox.keep(session, notice.transport, notice.to_json())
            return reply

    def reply_sent(self, reply: Reply) -> None:
        """The transport delivered the reply: it leaves the outbox."""
        if reply.outbox_id is not None:
            with self.db.transaction() as session:
                outbox.sent(session, reply.outbox_id)

    def unsent_replies(self, transport: str) -> list[Reply]:
        """Replies committed but never reported sent (the bot died in between)."""
        with self.db.transaction() as session:
            return [Reply.from_json(text, outbox_id)
                    for outbox_id, text in outbox.unsent(session, transport)]

    def _mark_handled(self, message: IncomingMessage) -> bool:
        """Claim the event id on its own; False if it was handled before."""
        try:
            with self.db.transaction() as session:
                return events.claim(session, message.transport, message.event_id)
        except Exception:  # the error reply matters more than the marker
            log.warning("could not mark %s handled", message.event_id)
            return True


@dataclasses.dataclass(frozen=True)
class _Prepared:
    value: object


def _preparing_form(command: Command, args: str) -> Sub | None:
    """The form `args` asks for if it prepares its work; None otherwise (and for text that
    names no form: the transaction says so)."""
    try:
        sub, _rest = command.resolve(args)
    except UserError:
        return None
    return sub if sub.prepare is not None else None


def _permitted(command: Command, args: str, actor: Actor, organ: OrganRef | None
               ) -> tuple[Sub, str]:
    """The form the text asks for, if the sender may use it. The command's permission is
    checked first (a reader who types `!möte paus` is refused, not taught the forms), then
    the sub-command's own (`!budget import` under a `!budget` anyone may read)."""
    organ_name = organ.organ_name if organ else ""
    if command.permission == RECORD and not actor.can_record:
        raise UserError("behörighet", kommando=command.name, organ=organ_name)
    sub, rest = command.resolve(args)
    if sub.permission == RECORD and not actor.can_record:
        raise UserError("behörighet", kommando=sub.label, organ=organ_name)
    return sub, rest
