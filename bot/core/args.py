"""Argument parsers for command forms (`args=[Ref(), Text(optional=True)]`). Each takes its
part of the text after the sub-command and returns its value and the rest; what it cannot
read becomes the UserError a user can act on, with the form's own name and example.
Text left over when every argument has taken its part is refused with the form's usage."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from bot.dates import looks_like_date, parse_date, parse_year
from bot.errors import UserError

if TYPE_CHECKING:
    from bot.context import Context
    from bot.core.commands import Sub

_REF = re.compile(r"^(?:(?P<date>\S+)\s+)?§\s*(?P<num>\S+?)(?=\s|$)\s*(?P<rest>.*)$", re.DOTALL)


class Arg:
    def take(self, text: str, sub: Sub) -> tuple[object, str]:
        """(value, the text after it)."""
        raise NotImplementedError


def parse_args(sub: Sub, text: str) -> list[object]:
    values: list[object] = []
    rest = text.strip()
    for arg in sub.args or ():
        value, rest = arg.take(rest, sub)
        values.append(value)
        rest = rest.strip()
    if rest:
        raise UserError("oväntad_text", text=rest, kommando=sub.label, former=list(sub.usage))
    return values


@dataclass(frozen=True)
class Text(Arg):
    """All the rest: `!beslut <text>`. Required unless optional (then possibly '')."""

    optional: bool = False

    def take(self, text: str, sub: Sub) -> tuple[object, str]:
        text = text.strip()
        if not text and not self.optional:
            raise UserError("saknar_text", kommando=sub.label, exempel=sub.example)
        return text, ""


def require_text(ctx: Context, text: str) -> str:
    """Text a handler reads after other checks (the open meeting first, then the names)."""
    value, _ = Text().take(text, ctx.sub)
    return str(value)


@dataclass(frozen=True)
class Year(Arg):
    """An optional year, all the rest: `!frister [år]`; None when none is typed."""

    def take(self, text: str, sub: Sub) -> tuple[object, str]:
        return optional_year(text, sub.example), ""


def optional_year(text: str, example: str, default: int | None = None) -> int | None:
    """A year typed after a command ('2021'), or `default` when none is typed."""
    text = text.strip()
    if not text:
        return default
    year = parse_year(text)
    if year is None:
        raise UserError("ogiltigt_år", text=text, exempel=example)
    return year


@dataclass(frozen=True)
class Date(Arg):
    """A date ÅÅÅÅ-MM-DD, all the rest: `!protokoll 2022-03-25`."""

    def take(self, text: str, sub: Sub) -> tuple[object, str]:
        day = parse_date(text)
        if day is None:
            raise UserError("ogiltigt_datum", text=text.strip(), kommando=sub.label)
        return day, ""


@dataclass(frozen=True)
class ParagraphRef:
    number: int
    meeting_date: date | None
    year: int | None
    rest: str


@dataclass(frozen=True)
class Ref(Arg):
    """A § reference ('§26', '§ 26 2022' with year_allowed, '2020-02-14 §6')."""

    year_allowed: bool = False

    def take(self, text: str, sub: Sub) -> tuple[object, str]:
        ref = parse_ref(text, sub.label, year_allowed=self.year_allowed)
        return ref, ref.rest


def split_ref(text: str) -> tuple[str, str] | None:
    """'§26 yrkande 2 text' -> ('§26', 'yrkande 2 text'); None when no § comes first."""
    match = _REF.match(text.strip())
    if match is None:
        return None
    rest = match.group("rest")
    return text.strip()[:len(text.strip()) - len(rest)].strip(), rest.strip()


def parse_ref(args: str, command: str, *, year_allowed: bool = False) -> ParagraphRef:
    """'§26', '§ 26 2022', '2020-02-14 §6 text' -> the reference and the text after it."""
    match = _REF.match(args.strip())
    if not match:
        raise UserError("paragraf_saknas_i_kommando", kommando=command)
    day = None
    if match.group("date"):
        day = parse_date(match.group("date"))
        if day is None:
            raise UserError("ogiltigt_datum", text=match.group("date"), kommando=command)
    raw = match.group("num").rstrip(".,:")
    if not raw.isdecimal() or not 0 < int(raw) < 100_000:
        raise UserError("ogiltig_paragraf", text=raw, kommando=command)
    rest = match.group("rest").strip()
    year = None
    if year_allowed and rest:
        first, _, after = rest.partition(" ")
        year = parse_year(first)
        if year is not None and after.split(" ", 1)[0].casefold() in ("års", "år"):
            year = None  # "!ändra §26 2021 års bokslut …": the year starts the text
        elif year is None and (looks_like_date(first) or first.isdigit()):
            raise UserError("ogiltigt_år", text=first, exempel=f"{command} §26 2022")
        if year is not None:
            rest = after.strip()
    return ParagraphRef(int(raw), day, year, rest)
