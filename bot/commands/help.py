"""!hjälp: the list of commands, and one command's usage and examples."""

from __future__ import annotations

from bot.context import Context
from bot.errors import UserError
from bot.messages import Reply
from bot.registry import Registry, command
from bot.render import render


@command("hjälp", aliases=["hjalp", "help", "kommandon"], needs_organ=False, group="Hjälp",
         summary="Visar alla kommandon, eller hur ett kommando används.",
         usage=["!hjälp", "!hjälp <kommando>"], examples=["!hjälp", "!hjälp beslut"])
def help_command(ctx: Context, args: str) -> Reply:
    registry: Registry = ctx.services["registry"]
    prefix = ctx.config.prefix
    name = args.strip().lstrip(prefix).split(" ")[0] if args.strip() else ""
    if not name:
        return render("hjalp", "översikt", grupper=registry.groups())
    found = registry.get(name)
    if found is None:
        raise UserError("okänt_kommando", namn=name, förslag=registry.suggest(name))
    return render("hjalp", "kommando", k=found)
