"""!hjälp: the list of commands, and one command's usage and examples."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.context import Context
from bot.core.commands import Command
from bot.errors import UserError
from bot.messages import Reply
from bot.render import render

if TYPE_CHECKING:
    from bot.core.app import App

# The order of a meeting: open it, record, read, write the protokoll, justera, follow up;
# then the calendar, the money and the room. Groups not named here come last.
GROUP_ORDER = ["Sammanträdet", "Paragrafer och beslut", "Yrkanden, votering och reservation",
               "Läsa och söka", "Protokoll",
               "Justering och anslag", "Uppdrag och kallelse", "Påminnelser och frister",
               "Budget", "Rummet", "Hjälp"]


def _in_order(groups: dict[str, list[Command]]) -> dict[str, list[Command]]:
    rank = {name: n for n, name in enumerate(GROUP_ORDER)}
    return dict(sorted(groups.items(), key=lambda item: rank.get(item[0], len(rank))))


hjalp = Command("hjälp", aliases=["hjalp", "help", "kommandon"], needs_organ=False,
                group="Hjälp", summary="Visar alla kommandon, eller hur ett kommando används.")


def setup(app: App) -> None:
    app.add_command(hjalp)


@hjalp.default(usage=["!hjälp", "!hjälp <kommando>"], examples=["!hjälp", "!hjälp beslut"])
def help_command(ctx: Context, args: str) -> Reply:
    """The commands of this app, as their declarations describe them."""
    registry = ctx.services.registry
    prefix = ctx.config.prefix
    name = args.strip().lstrip(prefix).split(" ")[0] if args.strip() else ""
    if not name:
        return render("hjalp", "översikt", grupper=_in_order(registry.groups()))
    found = registry.get(name)
    if found is None:
        raise UserError("okänt_kommando", namn=name, förslag=registry.suggest(name))
    return render("hjalp", "kommando", k=found)
