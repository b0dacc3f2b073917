"""The App: config, database, dispatcher and what each capability brings, wired in plain
sight. `create_app` opens the store and calls every feature's `setup(app)` from FEATURES;
nothing registers itself by being imported, so reading FEATURES and the setups tells
everything the bot does, and a test can build an app with only the features it needs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from bot.commands import help, lookup, paragraphs, rooms
from bot.commands.budget import commands as budget
from bot.commands.budget import outcome as budget_outcome
from bot.commands.budget import register as insatser
from bot.commands.justering import commands as justering
from bot.commands.kallelse import commands as kallelse
from bot.commands.kallelse import sammantraden
from bot.commands.protokoll import commands as protocol
from bot.commands.reminders import commands as reminders
from bot.commands.reminders import frister
from bot.commands.sammantrade import commands as sammantrade
from bot.commands.sammantrade import meeting, votering
from bot.commands.uppdrag import commands as uppdrag
from bot.commands.utdrag import commands as utdrag
from bot.config import Config
from bot.core.commands import Command, Registry, Sub
from bot.core.services import AfterDecision, AfterUndo, Services
from bot.dispatcher import Dispatcher
from bot.messages import Reply
from storage import load_models
from storage.db import Database
from storage.tenants import ForbundSpec, InsatsSpec, MemberSpec, OrganSpec, sync_config

if TYPE_CHECKING:
    from bot.commands.reminders.kinds import Renderer

log = logging.getLogger(__name__)

# Sends a reply into a room of one transport: (room id, reply). It returns False when the
# platform refused the message for good (None or True: sent).
Sender = Callable[[str, Reply], Awaitable[bool | None]]
# A background service (scheduler, …): started with the bot, stopped with it.
Hook = Callable[["App"], Awaitable[None]]


class Feature(Protocol):
    def setup(self, app: App) -> None: ...


# The order is the order of `!hjälp` within a group and of the after-decision hooks
# (a grant follows its decision before an uppdrag is read from it).
FEATURES: tuple[Feature, ...] = (
    meeting, paragraphs, sammantrade, votering, lookup, protocol, utdrag, justering, kallelse,
    budget, budget_outcome, insatser, uppdrag, reminders, frister, sammantraden, rooms, help,
)


class App:
    def __init__(self, config: Config, db: Database) -> None:
        self.config = config
        self.db = db
        self.registry = Registry()
        self.services = Services(registry=self.registry, app=self)
        self.dispatcher = Dispatcher(config, db, self.services)
        self.senders: dict[str, Sender] = {}
        self.start_hooks: list[Hook] = []
        self.stop_hooks: list[Hook] = []
        self.reminder_kinds: dict[str, Renderer] = {}

    # What capabilities register in their setup.

    def add_command(self, *commands: Command) -> None:
        for command in commands:
            self.registry.add(command)

    def extend_command(self, *subs: Sub) -> None:
        """Sub-commands for another capability's command (`!protokoll klart`)."""
        for sub in subs:
            self.registry.extend(sub)

    def after_decision(self, hook: AfterDecision) -> None:
        self.services.hooks.after_decision.append(hook)

    def after_undo(self, hook: AfterUndo) -> None:
        self.services.hooks.after_undo.append(hook)

    def reminder_kind(self, kind: str, renderer: Renderer) -> None:
        """How a reminder of `kind` becomes a message when it falls due."""
        self.reminder_kinds[kind] = renderer

    def on_start(self, hook: Hook) -> None:
        self.start_hooks.append(hook)

    def on_stop(self, hook: Hook) -> None:
        self.stop_hooks.append(hook)

    def add_sender(self, transport: str, sender: Sender) -> None:
        """A transport registers how to post into its rooms (for reminders and the like)."""
        self.senders[transport] = sender

    # Running.

    async def deliver(self, transport: str, room_id: str, reply: Reply) -> bool:
        """Post an unprompted message (reminder, notice) into a room; False if the room's
        transport is not running in this process or the platform refused the message."""
        sender = self.senders.get(transport)
        if sender is None:
            log.warning("no running transport %s for room %s", transport, room_id)
            return False
        reply.room_id = room_id
        return await sender(room_id, reply) is not False

    async def deliver_notices(self, reply: Reply) -> None:
        """After a command's reply: post its notices to other rooms (Reply.notices). A
        notice kept in the outbox leaves it once sent; one room's trouble is logged and
        does not stop the others."""
        for notice in reply.notices:
            if notice.transport not in self.senders:
                log.info("no running transport %s for notice to %s", notice.transport,
                         notice.room_id)
                continue
            try:
                await self.deliver(notice.transport, notice.room_id, notice)
            except Exception as error:  # a Teams conversation without a reference, …
                log.warning("notice to %s %s not delivered: %s", notice.transport,
                            notice.room_id, error)
                continue
            await asyncio.to_thread(self.dispatcher.reply_sent, notice)

    async def start(self) -> None:
        for hook in self.start_hooks:
            await hook(self)

    async def stop(self) -> None:
        for hook in reversed(self.stop_hooks):
            await hook(self)

    def close(self) -> None:
        self.db.dispose()


def build_app(config: Config, db: Database, features: Sequence[Feature] = FEATURES) -> App:
    """The App with its features set up; the database is not touched."""
    app = App(config, db)
    for feature in features:
        feature.setup(app)
    return app


def create_app(config: Config, db: Database | None = None,
               features: Sequence[Feature] = FEATURES) -> App:
    """Open the store, migrate it to the newest schema, load the config's tenants and set
    up the features."""
    load_models()
    db = db or Database(config.database_url)
    db.migrate()
    with db.transaction() as session:
        sync_config(session, tenant_specs(config))
    return build_app(config, db, features)


def tenant_specs(config: Config) -> list[ForbundSpec]:
    """What the store keeps of the config's förbund, organs, members and insatser
    (storage.tenants)."""
    return [
        ForbundSpec(
            key=fc.key, name=fc.name, archive_location=fc.archive_location,
            timezone=fc.timezone, sigill=fc.sigill,
            organs=tuple(
                OrganSpec(
                    key=oc.key, name=oc.name, kind=oc.kind, numbering=oc.numbering,
                    document=oc.document, rooms=tuple(oc.rooms),
                    secretaries=tuple(oc.secretaries),
                    members=tuple(
                        MemberSpec(name=mc.name, role=mc.role, organisation=mc.organisation,
                                   organisation_short=mc.organisation_short,
                                   ids=tuple(mc.ids))
                        for mc in oc.members
                    ),
                )
                for oc in fc.organs
            ),
            insatser=tuple(
                InsatsSpec(name=ic.name, start_year=ic.start_year, end_year=ic.end_year,
                           owner=ic.owner, aliases=tuple(ic.aliases))
                for ic in fc.insatser
            ),
        )
        for fc in config.forbund
    ]
