"""One declaration per command: its name, aliases, help, and its forms (sub-commands with
their own aliases, permission, arguments, usage and examples). The dispatcher resolves a
message to one form, checks the form's permission and calls it; `!hjälp`, the answer to an
unknown sub-command and README's command tables all come from the same declaration.

    mote = Command("möte", aliases=["mote"], group="Sammanträdet", permission=RECORD,
                   summary="Öppnar eller avslutar ett sammanträde.")

    @mote.sub("öppna", aliases=["open"], usage=["!möte öppna [plats]"],
              examples=["!möte öppna Stadshuset"])
    def open_meeting(ctx: Context, rest: str) -> Reply: ...

    def setup(app: App) -> None:
        app.add_command(mote)

A form's handler gets `(ctx, rest)`: the text after the sub-command. With `args=[...]` it
gets the parsed values instead (bot/core/args.py), with `args=[]` nothing (and a named
sub-command then matches only when nothing follows it), and with a `pattern` and no args
the regex match (the form then matches only text of that shape). With `after_ref=True`
a named form's words come after a leading § reference (`!ändra §26 yrkande 2 <text>`);
its handler gets the text with the reference and without the form's words ('§26 2 <text>').
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.core.args import Arg, parse_args, split_ref
from bot.errors import UserError
from bot.swedish import fold

if TYPE_CHECKING:
    from bot.context import Context
    from bot.messages import IncomingMessage, Reply

# Who may run a form: anyone in the room, or those who record the minutes.
READ = "läsa"
RECORD = "protokollföra"

Handler = Callable[..., "Reply"]
_WORD = re.compile(r"\S+")

NAMED, BARE, DEFAULT = "named", "bare", "default"


@dataclass(eq=False)
class Sub:
    """One form of a command: a named sub-command (`!möte öppna`), the command alone
    (`!möte`), or the default for text that names no sub-command (`!beslut <text>`)."""

    command: str  # the name of the command it belongs to
    name: str  # "" for the bare form and the default
    handler: Handler
    kind: str = NAMED
    aliases: tuple[str, ...] = ()
    # Shown by !hjälp, the unknown-sub-command answer and README; a form without usage
    # lines is hidden (an undocumented synonym such as `!anslagstavla status`).
    usage: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    permission: str | None = None  # None: the command's own
    args: tuple[Arg, ...] | None = None
    pattern: re.Pattern[str] | None = None
    after_ref: bool = False  # the form's words follow a § reference
    # Heavy work on the message alone (reading an attached file), run before the command's
    # transaction opens: `prepare(message, rest)` returns what the handler finds in
    # ctx.prepared, or raises UserError. The dispatcher commits a claim of the event first,
    # so a file that kills the bot while it is read is not read again after the restart.
    prepare: Callable[[IncomingMessage, str], object] | None = None

    @property
    def label(self) -> str:
        """How replies name the form: 'möte öppna', or 'möte' for the bare and default."""
        return f"{self.command} {self.name}" if self.name else self.command

    @property
    def keys(self) -> set[tuple[str, ...]]:
        """The folded words of the name and each alias: ('ta', 'bort'), ('radera',)."""
        return {tuple(fold(w) for w in n.split()) for n in (self.name, *self.aliases) if n}

    @property
    def example(self) -> str:
        """The example an error suggests: the first with arguments, without the prefix."""
        with_args = [e for e in self.examples if len(e.split()) > len(self.label.split())]
        chosen = (with_args or list(self.examples) or [f"!{self.label}"])[0]
        return chosen[1:] if chosen.startswith("!") else chosen

    def accepts(self, rest: str) -> bool:
        """Whether text after the sub-command's words has this form's shape."""
        if self.pattern is not None and self.pattern.match(rest) is None:
            return False
        return not (self.kind == NAMED and self.args == () and rest)

    def call(self, ctx: Context, rest: str) -> Reply:
        if self.kind == BARE:
            return self.handler(ctx)
        if self.args is None:
            if self.pattern is not None:
                return self.handler(ctx, self.pattern.match(rest))
            return self.handler(ctx, rest)
        return self.handler(ctx, *parse_args(self, rest))


def _form(command: str, name: str, kind: str, *, aliases: Iterable[str] = (),
          usage: Iterable[str] = (), examples: Iterable[str] = (),
          permission: str | None = None, args: Sequence[Arg] | None = None,
          pattern: str | re.Pattern[str] | None = None,
          after_ref: bool = False,
          prepare: Callable[[IncomingMessage, str], object] | None = None
          ) -> Callable[[Handler], Sub]:
    def make(handler: Handler) -> Sub:
        return Sub(command=command, name=name, handler=handler, kind=kind,
                   aliases=tuple(aliases), usage=tuple(usage), examples=tuple(examples),
                   permission=permission, args=None if args is None else tuple(args),
                   pattern=re.compile(pattern, re.IGNORECASE | re.DOTALL)
                   if isinstance(pattern, str) else pattern, after_ref=after_ref,
                   prepare=prepare)

    return make


def subcommand(command: str, name: str, **options: Any) -> Callable[[Handler], Sub]:
    """A sub-command one capability adds to another's command (`!protokoll klart` from
    justering): declared here, added by the capability's setup with app.extend_command."""
    return _form(command, name, NAMED, **options)


@dataclass(eq=False)
class Command:
    name: str
    summary: str
    aliases: list[str] = field(default_factory=list)
    group: str = "Övrigt"
    permission: str = READ
    needs_organ: bool = True
    subs: list[Sub] = field(default_factory=list)

    # Declaring the forms; each decorator returns the handler unchanged, so the module
    # can still call it.

    def sub(self, name: str, **options: Any) -> Callable[[Handler], Handler]:
        return self._declare(name, NAMED, options)

    def default(self, **options: Any) -> Callable[[Handler], Handler]:
        return self._declare("", DEFAULT, options)

    def bare(self, **options: Any) -> Callable[[Handler], Handler]:
        return self._declare("", BARE, options)

    def _declare(self, name: str, kind: str, options: dict[str, Any]
                 ) -> Callable[[Handler], Handler]:
        def decorate(handler: Handler) -> Handler:
            self.add(_form(self.name, name, kind, **options)(handler))
            return handler

        return decorate

    def add(self, sub: Sub) -> None:
        if sub.command != self.name:
            raise ValueError(f"sub-command {sub.label} added to {self.name}")
        if self.permission == RECORD and sub.permission == READ:
            raise ValueError(f"{sub.label} cannot be open to readers under {self.name}")
        taken = {key for s in self.subs for key in s.keys}
        if sub.kind != NAMED and any(s.kind == sub.kind for s in self.subs):
            raise ValueError(f"{self.name} has two {sub.kind} forms")
        if sub.keys & taken:
            raise ValueError(f"{sub.label} declared twice")
        self.subs.append(sub)

    def extended(self, subs: Iterable[Sub]) -> Command:
        """A copy with more sub-commands; the declaration itself is shared by every app."""
        copy = dataclasses.replace(self, aliases=list(self.aliases), subs=list(self.subs))
        for sub in subs:
            copy.add(sub)
        return copy

    # Reading the declaration.

    @property
    def usage(self) -> list[str]:
        return [line for sub in self.subs for line in sub.usage]

    @property
    def examples(self) -> list[str]:
        return [line for sub in self.subs for line in sub.examples]

    @property
    def named(self) -> list[Sub]:
        return [s for s in self.subs if s.kind == NAMED]

    def form(self, kind: str) -> Sub | None:
        return next((s for s in self.subs if s.kind == kind), None)

    def _named(self, text: str, *, after_ref: bool) -> tuple[Sub, str] | None:
        words = list(_WORD.finditer(text))
        folded = tuple(fold(w.group()) for w in words)
        named = sorted(((key, sub) for sub in self.named if sub.after_ref == after_ref
                        for key in sub.keys), key=lambda item: -len(item[0]))
        for key, sub in named:
            if folded[:len(key)] == key:
                rest = text[words[len(key) - 1].end():].strip()
                if sub.accepts(rest):
                    return sub, rest
        return None

    def resolve(self, text: str) -> tuple[Sub, str]:
        """The form `text` (everything after the command's name) asks for, and the text
        after its sub-command's words. Sub-command words match whatever their case and
        accents ('Öppna', 'oppna'); the longest name wins ('eget kapital' over 'eget')."""
        text = text.strip()
        bare, default = self.form(BARE), self.form(DEFAULT)
        if not text and bare is not None:
            return bare, ""
        found = self._named(text, after_ref=False)
        ref = split_ref(text) if any(s.after_ref for s in self.named) else None
        if found is None and ref is not None:
            found = self._named(ref[1], after_ref=True)
            if found is not None:
                found = found[0], f"{ref[0]} {found[1]}".strip()
        if found is not None:
            return found
        if default is not None and default.accepts(text):
            return default, text
        raise UserError("okänd_underkommando", kommando=self.name, text=text,
                        former=self.usage)


def require_record(ctx: Context) -> None:
    """For a form whose permission depends on the data (`!kallelse <datum>` plans a
    meeting only when there is none): refused as the dispatcher refuses a declared one."""
    if not ctx.actor.can_record:
        raise UserError("behörighet", kommando=ctx.sub.label,
                        organ=ctx.organ_ref.organ_name if ctx.organ_ref else "")


class Registry:
    """The commands of one App, looked up by name or alias, whatever the case and accents."""

    def __init__(self) -> None:
        self.commands: dict[str, Command] = {}
        self._lookup: dict[str, Command] = {}
        # Sub-commands for a command not (yet) registered: added with it, if it comes.
        self._pending: dict[str, list[Sub]] = {}

    def add(self, command: Command) -> None:
        command = command.extended(self._pending.pop(command.name, []))
        for name in [command.name, *command.aliases]:
            for key in {name.casefold(), fold(name)}:
                if self._lookup.get(key, command) is not command:
                    raise ValueError(f"command name {name} registered twice")
                self._lookup[key] = command
        self.commands[command.name] = command

    def extend(self, sub: Sub) -> None:
        """Add a sub-command to another capability's command. An app built without that
        capability has no such command, and so no such sub-command."""
        old = self.commands.get(sub.command)
        if old is None:
            self._pending.setdefault(sub.command, []).append(sub)
            return
        new = old.extended([sub])
        self.commands[old.name] = new  # same place in the order !hjälp lists
        for key, command in self._lookup.items():
            if command is old:
                self._lookup[key] = new

    def remove(self, name: str) -> None:
        command = self.commands.pop(name)
        for key in [k for k, c in self._lookup.items() if c is command]:
            del self._lookup[key]

    def get(self, name: str) -> Command | None:
        return self._lookup.get(name.casefold()) or self._lookup.get(fold(name))

    def suggest(self, name: str) -> str | None:
        """The registered name closest to a mistyped one ('beslu' -> 'beslut')."""
        keys = list(self._lookup)
        match = difflib.get_close_matches(fold(name), keys, n=1, cutoff=0.6)
        return self._lookup[match[0]].name if match else None

    def groups(self) -> dict[str, list[Command]]:
        grouped: dict[str, list[Command]] = {}
        for command in self.commands.values():
            grouped.setdefault(command.group, []).append(command)
        return grouped
