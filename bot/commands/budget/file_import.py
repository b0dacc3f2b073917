"""!budget import in two steps: the attached file read and checked before the command's
transaction (Sub.prepare, within the limits of files.py, while other rooms'
commands go on), then the write alone, in one short transaction."""

from __future__ import annotations

from bot.commands.budget.files import BudgetFileError, read_budget_file
from bot.context import Context
from bot.core.args import optional_year
from bot.errors import UserError
from bot.messages import IncomingMessage, Reply
from bot.render import render
from storage import budget_lines
from storage.budget_lines import BudgetLine


def read_file(message: IncomingMessage, rest: str) -> tuple[str, list[BudgetLine]]:
    year = optional_year(rest, "budget import 2021")
    files = message.attachments
    if not files:
        raise UserError("ingen_budgetfil")
    file = next((f for f in files if f.filename.lower().endswith((".csv", ".xlsx", ".txt"))),
                files[0])
    try:
        return file.filename, read_budget_file(file.data, file.filename, year)
    except BudgetFileError as error:
        raise UserError("budgetfil_fel", filnamn=file.filename, fel=error.errors) from None


def import_file(ctx: Context, rest: str) -> Reply:
    filename, lines = ctx.prepared  # type: ignore[misc]
    try:
        result = budget_lines.import_lines(ctx.session, ctx.organ.forbund_id, lines,
                                           ctx.actor.name, ctx.event_id)
    except budget_lines.NearNamesError as error:
        raise UserError("budgetfil_liknar", filnamn=filename, fel=error.near) from None
    return render("budget", "importerat", filnamn=filename, rader=len(lines), r=result)
