"""!visa and !sök: read paragraphs and find decisions."""

from __future__ import annotations

from bot.commands.common import parse_ref, require_text, resolve_paragraph
from bot.context import Context
from bot.errors import UserError
from bot.messages import Reply
from bot.registry import command
from bot.render import render
from storage import paragraphs

GROUP = "Läsa och söka"
MAX_HITS = 10


@command("visa", aliases=["show"], group=GROUP,
         summary="Visar en paragraf med rubrik, text, yrkanden och beslut.",
         usage=["!visa §N [år]", "!visa ÅÅÅÅ-MM-DD §N"],
         examples=["!visa §26", "!visa §26 2022", "!visa 2020-02-14 §6"])
def show(ctx: Context, args: str) -> Reply:
    ref = parse_ref(args, "visa", year_allowed=True)
    if ref.rest:
        raise UserError("oväntad_text", text=ref.rest, kommando="visa",
                        former=["!visa §N [år]", "!visa ÅÅÅÅ-MM-DD §N"])
    target = resolve_paragraph(ctx, ref)
    return render("lasa", "paragraf", p=paragraphs.view(ctx.session, target))


@command("sök", aliases=["sok", "search", "hitta"], group=GROUP,
         summary="Söker bland besluten efter ord (alla ord måste finnas med).",
         usage=["!sök <ord> [ord …]"], examples=["!sök årsredovisning", "!sök ESF uppdrog"])
def search(ctx: Context, args: str) -> Reply:
    words = require_text(args, "sök").split()[:10]
    hits, total = paragraphs.search(ctx.session, ctx.organ.organ_id, words, MAX_HITS)
    return render("lasa", "sökträffar", ord=" ".join(words), träffar=hits, totalt=total,
                  max=MAX_HITS)
