"""!visa and !sök: read paragraphs and find decisions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.commands.common import resolve_paragraphs
from bot.commands.sammantrade import procedure
from bot.context import Context
from bot.core.args import ParagraphRef, Ref, Text
from bot.core.commands import Command
from bot.messages import Reply
from bot.render import render
from storage import paragraphs, sammantrade

if TYPE_CHECKING:
    from bot.core.app import App

GROUP = "Läsa och söka"
MAX_HITS = 10

visa = Command("visa", aliases=["show"], group=GROUP,
               summary="Visar en paragraf med rubrik, text, yrkanden, votering, beslut, "
                       "reservationer och protokollsanteckningar.")
sok = Command("sök", aliases=["sok", "search", "hitta"], group=GROUP,
              summary="Söker bland beslut, yrkanden, reservationer och protokollsanteckningar "
                      "efter ord (alla ord måste finnas med).")


def setup(app: App) -> None:
    app.add_command(visa, sok)


@visa.default(usage=["!visa §N [år]", "!visa ÅÅÅÅ-MM-DD §N"], args=[Ref(year_allowed=True)],
              examples=["!visa §26", "!visa §26 2022", "!visa 2020-02-14 §6"])
def show(ctx: Context, ref: ParagraphRef) -> Reply:
    found = resolve_paragraphs(ctx, ref)
    if len(found) == 1:
        return render("lasa", "paragraf", p=paragraphs.view(ctx.session, found[0]),
                      s=procedure.procedure(ctx.session, found[0]), organ=ctx.organ.organ_name)
    # Möte-numbering: "§2 2020" is in several meetings; show each, oldest first.
    return render("lasa", "paragrafer", organ=ctx.organ.organ_name, nummer=ref.number,
                  år=ref.year, delar=[(paragraphs.view(ctx.session, t),
                                       procedure.procedure(ctx.session, t)) for t in found])


@sok.default(usage=["!sök <ord> [ord …]"], args=[Text()],
             examples=["!sök årsredovisning", "!sök ESF uppdrog"])
def search(ctx: Context, text: str) -> Reply:
    words = text.split()[:10]
    entries, total = paragraphs.search(ctx.session, ctx.organ.organ_id, words, MAX_HITS)
    texts = sammantrade.search_texts(ctx.session, ctx.organ.organ_id, words)
    # Newest first across both: the first MAX_HITS of each hold the first MAX_HITS of all.
    hits = sorted([*entries, *texts[:MAX_HITS]],
                  key=lambda hit: (hit[1].date, hit[0].number), reverse=True)[:MAX_HITS]
    return render("lasa", "sökträffar", ord=" ".join(words), träffar=hits,
                  totalt=total + len(texts), max=MAX_HITS)
