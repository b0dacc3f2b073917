"""The budget per insats: its commands (commands.py: !budget, !bevilja; outcome.py:
!utfall; register.py: !insats, !insatser), the budget file (files.py, read within limits
by xlsx_rows.py; file_import.py for `!budget import`, cli.py for `bot budget`), amounts
and credits (amounts.py, credit.py) and the chart (chart.py). Its templates are
bot/templates/replies/budget.md.j2, budgetfil.md.j2 and belopp.md.j2."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.commands.budget import commands, outcome, register

if TYPE_CHECKING:
    from bot.core.app import App


def setup(app: App) -> None:
    app.add_command(commands.budget_cmd, commands.anslag, outcome.utfall, register.insats_cmd,
                    register.insatser)
    app.after_decision(commands.grant_follows_decision)
