"""What the budget commands share: finding the insats a user names (scoped to the room's
förbund), the year at the end of an argument and the amount in it."""

from __future__ import annotations

import re

from bot.commands.budget.amounts import AMOUNT_PATTERN, AmountError, parse_amount
from bot.context import Context
from bot.dates import parse_year
from bot.errors import UserError
from storage import budget
from storage.models_budget import Insats

GROUP = "Budget"
_AMOUNT_START = re.compile(rf"^(?P<amount>{AMOUNT_PATTERN})(?=\s|$)\s*(?P<rest>.*)$",
                           re.IGNORECASE | re.DOTALL)


def resolve(ctx: Context, name: str, kommando: str, rest: str = "") -> Insats:
    """The insats called `name`; `rest` (amount, year …) goes into the suggested command."""
    found = budget.match_insats(ctx.session, ctx.organ.forbund_id, name)
    if found.found is not None:
        return found.found
    if found.candidates:
        raise UserError("insats_flera", namn=name, kandidater=[i.name for i in found.candidates],
                        kommando=kommando)
    raise UserError("insats_okänd", namn=name,
                    förslag=found.suggestion.name if found.suggestion else None,
                    kommando=kommando, resten=" ".join(rest.split()))


def split_year(text: str) -> tuple[str, int | None]:
    """'Vidare Vy 2021' -> ('Vidare Vy', 2021)."""
    head, _, last = text.strip().rpartition(" ")
    year = parse_year(last)
    if year is not None:
        return head.strip(), year
    return text.strip(), None


def typed_amount(text: str, kommando: str, signed: bool = False) -> int:
    try:
        ore = parse_amount(text)
        return ore if signed else abs(ore)
    except AmountError as error:
        raise UserError("ogiltigt_belopp", text=text, kommando=kommando,
                        skäl="" if error.code == "inget_belopp" else error.reason) from None


def name_and_amount(ctx: Context, args: str, kommando: str, signed: bool = False
                     ) -> tuple[Insats, int, str]:
    """'<insats> <belopp> <rest>': the name may have spaces and digits, so try every split
    and take the first whose name is an insats of the förbund. The amount keeps its sign
    only when `signed` (an utfall may be a credit; a grant is never negative)."""
    words = args.split()
    splits: list[tuple[str, str, str]] = []
    for cut in range(1, len(words)):
        match = _AMOUNT_START.match(" ".join(words[cut:]))
        if match:
            splits.append((" ".join(words[:cut]), match.group("amount"), match.group("rest")))
    if not splits:
        raise UserError("saknar_belopp", kommando=kommando)
    # An exact name or alias wins over a forgiving match, so that in 'Agenda 2030 5 000'
    # the name is 'Agenda 2030' (exact), not 'Agenda' (contained) with 2 030 kr.
    for name, amount, rest in reversed(splits):
        exact = budget.find_exact(ctx.session, ctx.organ.forbund_id, name)
        if exact is not None:
            return exact, typed_amount(amount, kommando, signed), rest.strip()
    for name, amount, rest in splits:
        found = budget.match_insats(ctx.session, ctx.organ.forbund_id, name)
        if found.found is not None:
            return found.found, typed_amount(amount, kommando, signed), rest.strip()
    name, amount, rest = splits[0]
    return (resolve(ctx, name, kommando, f"{amount} {rest}"),
            typed_amount(amount, kommando, signed), rest.strip())


def default_year(ctx: Context, insats: Insats | None = None) -> int:
    """This year when it has figures, else the latest year up to now that has."""
    if insats is not None:
        return budget.default_year(ctx.session, ctx.now.year, insats_id=insats.id)
    return budget.default_year(ctx.session, ctx.now.year, forbund_id=ctx.organ.forbund_id)
