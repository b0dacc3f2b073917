"""!insats and !insatser: the förbund's register of insatser, with aliases, owner,
contact, period and status."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.commands.budget.names import GROUP, resolve
from bot.context import Context
from bot.core.commands import RECORD, Command
from bot.errors import UserError
from bot.messages import Reply
from bot.render import render
from storage import budget
from storage.models_budget import STATUSES, Insats

if TYPE_CHECKING:
    from bot.core.app import App

_FIELDS = {"ägare": "owner", "agare": "owner", "organisation": "owner", "kontakt": "contact",
           "kontaktperson": "contact", "period": "period", "status": "status"}
_PERIOD = re.compile(r"^((?:19|20)\d{2})(?:\s*[-–—]\s*((?:19|20)\d{2})?)?$")

insats_cmd = Command("insats", aliases=["intervention"], group=GROUP,
                     summary="Lägger till en insats, ett alias eller uppgifter, eller visar en "
                             "insats.")
insatser = Command("insatser", aliases=["interventions"], group=GROUP,
                   summary="Listar förbundets insatser med alias, ägare, period och status.")


def setup(app: App) -> None:
    app.add_command(insats_cmd, insatser)


def _show(ctx: Context, insats: Insats, ändrad: bool = False) -> Reply:
    aliases = budget.aliases_of(ctx.session, [insats.id])[insats.id]
    years = budget.years_of_insats(ctx.session, insats.id)
    return render("budget", "insatskort", i=insats, alias=aliases, år=years, ändrad=ändrad)


def _details(text: str) -> dict[str, object]:
    """'ägare: ÖK; kontakt: Anna; period: 2021–2023; status: avslutad' -> column values."""
    values: dict[str, object] = {}
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        key, sep, value = part.partition(":")
        field = _FIELDS.get(key.strip().casefold())
        if not sep or field is None:
            raise UserError("insats_uppgift_okänd", text=part)
        value = value.strip()[:200]
        if field == "period":
            match = _PERIOD.match(value)
            if match is None:
                raise UserError("insats_period", text=value)
            values["start_year"] = int(match.group(1))
            values["end_year"] = int(match.group(2)) if match.group(2) else (
                None if re.search(r"[-–—]", value) else int(match.group(1)))
        elif field == "status":
            if value.casefold() not in STATUSES:
                raise UserError("insats_status", text=value, former=list(STATUSES))
            values["status"] = value.casefold()
        else:
            values[field] = value
    return values


@insats_cmd.sub("ny", aliases=["nytt", "new", "lägg", "lagg"], permission=RECORD,
                 usage=["!insats ny <namn>[; ägare: …; kontakt: …; period: 2021–2023]"],
                 examples=["!insats ny Vidare Vy; ägare: Örnsköldsviks kommun; "
                           "period: 2020–2022"])
def _new_insats(ctx: Context, text: str) -> Reply:
    name, _, details = text.partition(";")
    name = re.sub(r"\s+", " ", name).strip()
    if not name:
        raise UserError("saknar_insatsnamn")
    if len(name) > 200:
        raise UserError("insatsnamn_för_långt")
    taken = budget.find_exact(ctx.session, ctx.organ.forbund_id, name)
    if taken is not None:
        raise UserError("insats_finns", namn=name, insats=taken.name)
    values = _details(details)
    insats = budget.create_insats(ctx.session, ctx.organ.forbund_id, name, ctx.actor.name,
                                  **values)  # type: ignore[arg-type]
    return render("budget", "insats_ny", i=insats)


@insats_cmd.sub("alias", permission=RECORD, usage=["!insats alias <namn> = <alias>"],
                 examples=["!insats alias Samverkansprojekt Äpplet = Projekt Äpplet"])
def _alias(ctx: Context, text: str) -> Reply:
    text = text.strip()
    forbund = ctx.organ.forbund_id
    name = alias = ""
    for sep in ("=", ":", ";"):
        if sep in text:
            name, _, alias = (p.strip() for p in text.partition(sep))
            break
    insats: Insats | None = None
    if name:
        insats = resolve(ctx, name, "insats alias")
    else:
        words = text.split()
        # The longest start that is exactly a name, else the shortest that names one insats.
        for cut in range(len(words) - 1, 0, -1):
            insats = budget.find_exact(ctx.session, forbund, " ".join(words[:cut]))
            if insats is not None:
                break
        else:
            for cut in range(1, len(words)):
                insats = budget.match_insats(ctx.session, forbund, " ".join(words[:cut])).found
                if insats is not None:
                    break
        if insats is None:
            raise UserError("alias_form")
        alias = " ".join(words[cut:])
    alias = re.sub(r"\s+", " ", alias).strip()
    if not alias or insats is None:
        raise UserError("alias_form")
    if len(alias) > 200:
        raise UserError("insatsnamn_för_långt")
    taken = budget.find_exact(ctx.session, forbund, alias)
    if taken is not None:
        raise UserError("alias_finns", alias=alias, insats=taken.name)
    budget.add_alias(ctx.session, insats, alias)
    return render("budget", "alias_ny", i=insats, alias=alias)


@insats_cmd.sub("ändra", aliases=["andra", "edit"], permission=RECORD,
                 usage=["!insats ändra <namn>; status: avslutad"],
                 examples=["!insats ändra Vidare Vy; kontakt: Anna Andersson"])
def _change_insats(ctx: Context, rest: str) -> Reply:
    name, _, details = rest.partition(";")
    insats = resolve(ctx, name.strip(), "insats ändra")
    values = _details(details)
    if not values:
        raise UserError("insats_uppgifter_saknas")
    budget.update_insats(ctx.session, insats, **values)
    return _show(ctx, insats, ändrad=True)


@insats_cmd.default(usage=["!insats <namn>"])
def insats_command(ctx: Context, args: str) -> Reply:
    if not args.strip():
        return insatser_command(ctx, "")
    return _show(ctx, resolve(ctx, args.strip(), "insats"))


@insatser.default(usage=["!insatser"], examples=["!insatser"])
def insatser_command(ctx: Context, args: str) -> Reply:
    register = budget.insatser(ctx.session, ctx.organ.forbund_id)
    aliases = budget.aliases_of(ctx.session, [i.id for i in register])
    return render("budget", "insatser", lista=register, alias=aliases,
                  förbund=ctx.organ.forbund_name)
