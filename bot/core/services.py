"""What the App shares with command handlers as `ctx.services`: typed, filled by
create_app and the capabilities' setup, never by importing a module."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.core.commands import Registry

if TYPE_CHECKING:
    from bot.commands.reminders.service import ReminderService
    from bot.core.app import App
    from bot.messages import Reply

# After a beslut is recorded or changed, in the same transaction:
# (ctx, paragraph, entry, new) -> a Reply to append, or None. `new`: the entry was made in
# this transaction, so nothing refers to it yet.
AfterDecision = Callable[..., "Reply | None"]
# After `!ångra` took something back: (ctx, storage.paragraphs.LastAction) -> Reply | None.
AfterUndo = Callable[..., "Reply | None"]


# After any entry (`!beslut`, `!yrkande`, `!info`) is recorded:
# (ctx, paragraph, entry, created) -> a Reply that words the entry instead, or None.
AfterEntry = Callable[..., "Reply | None"]
# Before `!ångra` takes back an entry: (ctx, meeting, LastAction | None) -> the Reply of a
# newer step of another capability it took back instead (a röst), or None.
UndoStep = Callable[..., "Reply | None"]
# `!protokoll klart`: (ctx, meeting) -> a Reply to append (a reminder), or None.
ProtocolReady = Callable[..., "Reply | None"]


@dataclass
class Hooks:
    after_decision: list[AfterDecision] = field(default_factory=list)
    after_undo: list[AfterUndo] = field(default_factory=list)
    after_entry: list[AfterEntry] = field(default_factory=list)
    undo_steps: list[UndoStep] = field(default_factory=list)
    protocol_ready: list[ProtocolReady] = field(default_factory=list)


@dataclass
class Services:
    registry: Registry
    app: App
    hooks: Hooks = field(default_factory=Hooks)
    # Set by the reminders capability (None in an app built without it).
    reminders: ReminderService | None = None
    # Routes the anslagstavla (bot.web) adds to a server it shares with Teams (same port):
    # each is called with the aiohttp application before it starts.
    web_mounts: list[Callable[..., None]] = field(default_factory=list)
