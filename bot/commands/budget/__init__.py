"""The budget per insats: its commands (`commands.py`: !budget, !bevilja and the grant that
follows `!ändra` of its decision; `outcome.py`: !utfall; `register.py`: !insats, !insatser;
`names.py`: the insats and amount in a command), the budget file (`files.py`, XLSX read
within limits by `xlsx_rows.py`; `file_import.py` for `!budget import`, `cli.py` for
`bot budget`), amounts and credits (`amounts.py`, `credit.py`) and the chart (`chart.py`).
Its templates are bot/templates/replies/budget.md.j2, budgetfil.md.j2 and belopp.md.j2;
its queries storage/budget.py, storage/budget_lines.py and storage/insats_names.py."""
